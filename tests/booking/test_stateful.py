"""A hypothesis state machine over book / cancel / reschedule by several people on a few slots:
after every step, ``booked + free == capacity`` on each slot, ``booked`` equals the number of
active bookings in it, and nobody holds two active bookings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from citizencloud.booking import services
from citizencloud.booking.models import Booking, Slot
from citizencloud.kernel.errors import DomainError
from tests.factories.booking import create_citizen, create_resource, create_slot

pytestmark = pytest.mark.django_db

PEOPLE, SLOTS = 4, 3


class Bookings(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        resource = create_resource(capacity=2)
        self.slots = [
            create_slot(resource, capacity=c, starts_in=dt.timedelta(days=1)) for c in (1, 2, 2)
        ]
        self.people = [create_citizen() for _ in range(PEOPLE)]
        self.keys = 0

    def _active(self, person: Any) -> Booking | None:
        return Booking.objects.filter(citizen=person, state="booked").first()

    @rule(person=st.integers(0, PEOPLE - 1), slot=st.integers(0, SLOTS - 1))
    def book(self, person: int, slot: int) -> None:
        self.keys += 1
        refused = ""
        try:
            services.book(
                citizen=self.people[person], slot_id=self.slots[slot].pk, request_key=str(self.keys)
            )
        except DomainError as error:
            refused = error.code
        assert refused in {"", "booking.slot_full", "booking.already_booked"}

    @rule(person=st.integers(0, PEOPLE - 1))
    def cancel(self, person: int) -> None:
        active = self._active(self.people[person])
        if active is not None:
            services.cancel(citizen=self.people[person], booking_id=str(active.public_id))

    @rule(person=st.integers(0, PEOPLE - 1), slot=st.integers(0, SLOTS - 1))
    def reschedule(self, person: int, slot: int) -> None:
        active = self._active(self.people[person])
        if active is None:
            return
        refused = ""
        try:
            services.reschedule(
                citizen=self.people[person],
                booking_id=str(active.public_id),
                slot_id=self.slots[slot].pk,
            )
        except DomainError as error:
            refused = error.code
        assert refused in {"", "booking.slot_full"}
        if refused:  # the old seat is kept
            assert self._active(self.people[person]).slot_id == active.slot_id  # type: ignore[union-attr]

    @invariant()
    def seats_add_up(self) -> None:
        for slot in Slot.objects.filter(pk__in=[s.pk for s in self.slots]):
            active = Booking.objects.filter(slot=slot, state="booked").count()
            assert slot.booked == active
            assert slot.booked + slot.free == slot.capacity
            assert 0 <= slot.booked <= slot.capacity

    @invariant()
    def one_active_booking_each(self) -> None:
        counts = (
            Booking.objects.filter(citizen__in=self.people, state="booked")
            .values("citizen")
            .annotate(n=Count("id"))
        )
        assert all(row["n"] == 1 for row in counts)


def test_booked_plus_free_is_capacity() -> None:
    run_state_machine_as_test(
        Bookings,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
