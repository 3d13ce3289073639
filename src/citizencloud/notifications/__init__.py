"""The notification centre: what a citizen is told, on which channel, with proof of delivery.

A sink (DESIGN.md §4, L5): it reacts to other apps' events and nobody imports it. It owns
categories, templates (zh-Hans + en), messages, per-channel deliveries and their lifecycle,
preferences, and the inbox. The no-ads rule lives here: promotional content travels only through
``promotion`` templates, checked in code and by database constraints (docs/notifications.md).
"""
