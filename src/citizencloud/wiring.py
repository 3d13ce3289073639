"""Composition of ports between sibling apps that may not import each other (DESIGN §4).

Listed last in INSTALLED_APPS; ``ready()`` fills each port with its provider:
- ``applications.prefill`` ← ``query.prefill.provide`` (ADR 0014).
"""

from __future__ import annotations

from django.apps import AppConfig


class WiringConfig(AppConfig):
    name = "citizencloud.wiring"
    label = "wiring"
    verbose_name = "Composition of ports"

    def ready(self) -> None:
        from citizencloud.applications import prefill
        from citizencloud.query import prefill as query_prefill

        prefill.register(query_prefill.provide)
