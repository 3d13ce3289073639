"""The technical kernel: configuration, errors, clock, logs, metrics, health, tasks plumbing.

It imports no other app of ours (DESIGN.md §4, layer L0).
"""
