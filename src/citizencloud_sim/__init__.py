"""Simulators of the outside systems citizencloud talks to (DESIGN.md §7).

Separate processes with their own CLI (``citizencloud-sim``); never imported by ``citizencloud``
(an import-linter contract says so). Test and demo tools only.
"""
