"""Periodic jobs: reminders and no-shows every minute, slot generation every hour."""

from __future__ import annotations

from django.conf import settings

from citizencloud.booking import services
from citizencloud.booking.models import Resource
from citizencloud.kernel import periodic


@periodic.every(seconds=settings.BOOKING_SWEEP_SECONDS, name="booking.sweep")
def sweep() -> None:
    services.send_reminders()
    services.mark_no_shows()


@periodic.every(seconds=3600, name="booking.generate_slots")
def generate() -> None:
    for resource in Resource.objects.filter(active=True):
        services.generate_slots(resource)
