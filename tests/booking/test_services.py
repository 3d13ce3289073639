"""Book, cancel, reschedule, check in and call: the rules, each refusal with its code, and the
reminders that become `service` notices in the citizen's inbox."""

from __future__ import annotations

import datetime as dt

import pytest

from citizencloud.booking import qr, selectors, services
from citizencloud.booking.models import Booking, Slot, Ticket
from citizencloud.kernel import clock
from citizencloud.kernel.errors import DomainError
from citizencloud.notifications.models import Message
from tests.factories.booking import (
    book,
    create_citizen,
    create_point,
    create_resource,
    create_slot,
    create_staff,
    deliver_events,
)

pytestmark = pytest.mark.django_db


def _code(call: object) -> str:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def test_book_takes_a_seat_and_a_retry_with_the_same_key_returns_the_same_booking() -> None:
    slot, citizen = create_slot(capacity=2), create_citizen()
    first = book(citizen, slot, key="k1")
    again = book(citizen, slot, key="k1")
    assert first.pk == again.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_refusals_have_clear_codes() -> None:
    citizen = create_citizen()
    past = create_slot(starts_in=-dt.timedelta(hours=1))
    unreleased = create_slot(released_ago=-dt.timedelta(hours=2))
    full = create_slot(capacity=1)
    book(create_citizen(), full)
    assert _code(lambda: book(citizen, past)) == "booking.slot_past"
    assert _code(lambda: book(citizen, unreleased)) == "booking.not_released"
    assert _code(lambda: book(citizen, full)) == "booking.slot_full"
    assert Slot.objects.get(pk=full.pk).booked == 1
    staff = create_staff(create_point())
    assert _code(lambda: book(staff, create_slot())) == "booking.citizens_only"
    code = _code(lambda: services.book(citizen=citizen, slot_id=999999, request_key="x"))
    assert code == "booking.slot_not_found"


def test_one_active_booking_per_person_and_group_and_the_refusal_gives_the_seat_back() -> None:
    resource = create_resource(capacity=5)
    first, second = create_slot(resource), create_slot(resource)
    citizen = create_citizen()
    book(citizen, first)
    assert _code(lambda: book(citizen, second)) == "booking.already_booked"
    assert Slot.objects.get(pk=second.pk).booked == 0
    other = create_slot(create_resource(capacity=5))  # another group: allowed
    book(citizen, other)


def test_cancel_gives_the_seat_back_until_the_deadline() -> None:
    resource = create_resource(cancel_minutes=120)
    slot, soon = create_slot(resource), create_slot(resource, starts_in=dt.timedelta(minutes=30))
    citizen = create_citizen()
    booking = book(citizen, slot)
    services.cancel(citizen=citizen, booking_id=str(booking.public_id))
    assert Slot.objects.get(pk=slot.pk).booked == 0
    code = _code(lambda: services.cancel(citizen=citizen, booking_id=str(booking.public_id)))
    assert code == "booking.not_active"
    late = book(citizen, soon)
    code = _code(lambda: services.cancel(citizen=citizen, booking_id=str(late.public_id)))
    assert code == "booking.deadline_passed"
    assert Slot.objects.get(pk=soon.pk).booked == 1


def test_someone_elses_booking_is_not_found() -> None:
    booking = book(create_citizen(), create_slot())
    stranger = create_citizen()
    code = _code(lambda: services.cancel(citizen=stranger, booking_id=str(booking.public_id)))
    assert code == "booking.not_found"
    assert _code(lambda: selectors.get_booking(stranger, str(booking.public_id))) == (
        "booking.not_found"
    )
    assert Booking.objects.get(pk=booking.pk).state == "booked"


def test_reschedule_moves_the_seat_and_never_loses_the_old_one_when_the_new_is_full() -> None:
    resource = create_resource()
    old, new, full = (create_slot(resource, capacity=c) for c in (2, 2, 1))
    book(create_citizen(), full)
    citizen = create_citizen()
    booking = book(citizen, old)
    code = _code(
        lambda: services.reschedule(
            citizen=citizen, booking_id=str(booking.public_id), slot_id=full.pk
        )
    )
    assert code == "booking.slot_full"
    assert Booking.objects.get(pk=booking.pk).slot_id == old.pk
    assert [Slot.objects.get(pk=s.pk).booked for s in (old, new, full)] == [1, 0, 1]
    services.reschedule(citizen=citizen, booking_id=str(booking.public_id), slot_id=new.pk)
    assert Booking.objects.get(pk=booking.pk).slot_id == new.pk
    assert [Slot.objects.get(pk=s.pk).booked for s in (old, new, full)] == [0, 1, 1]


def test_no_show_policy_three_misses_in_90_days_pause_online_booking_for_30_days() -> None:
    resource = create_resource(
        capacity=5, no_show_limit=3, no_show_window_days=90, no_show_ban_days=30
    )
    citizen = create_citizen()
    for days_ago in (80, 40, 2):
        slot = create_slot(resource)
        booking = book(citizen, slot)
        Slot.objects.filter(pk=slot.pk).update(starts_at=clock.now() - dt.timedelta(days=days_ago))
        assert services.mark_no_shows() == 1
        assert Booking.objects.get(pk=booking.pk).state == "no_show"
    assert _code(lambda: book(citizen, create_slot(resource))) == "booking.no_show_ban"
    # Two misses only (the oldest falls out of the window): allowed again.
    Booking.objects.filter(citizen=citizen, state="no_show").order_by("slot__starts_at").first()
    oldest = Booking.objects.filter(citizen=citizen).order_by("slot__starts_at").first()
    assert oldest is not None
    Slot.objects.filter(pk=oldest.slot_id).update(starts_at=clock.now() - dt.timedelta(days=95))
    book(citizen, create_slot(resource))


def test_qr_forged_altered_reused_or_for_another_point_is_refused() -> None:
    point = create_point()
    resource = create_resource(point=point)
    booking = book(create_citizen(), create_slot(resource, starts_in=dt.timedelta(minutes=20)))
    token = qr.token_for(booking.public_id)
    assert qr.booking_id_of(token) == booking.public_id
    forged = qr.token_for(booking.public_id)[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert _code(lambda: services.check_in(token=forged, point=point)) == "booking.qr_invalid"
    parts = token.split(".")
    swapped = ".".join([parts[0], parts[1][::-1], parts[2]])
    assert _code(lambda: services.check_in(token=swapped, point=point)) == "booking.qr_invalid"
    assert _code(lambda: services.check_in(token="hello", point=point)) == "booking.qr_invalid"
    other = create_point("hall-other")
    assert _code(lambda: services.check_in(token=token, point=other)) == "booking.wrong_point"
    ticket = services.check_in(token=token, point=point)
    assert ticket.label == "A001"
    assert _code(lambda: services.check_in(token=token, point=point)) == "booking.qr_used"
    assert "-" not in token
    assert booking.citizen.username not in token  # no personal data


def test_check_in_window() -> None:
    point = create_point()
    resource = create_resource(point=point, capacity=5)
    early = book(create_citizen(), create_slot(resource, starts_in=dt.timedelta(hours=3)))
    code = _code(lambda: services.check_in(token=qr.token_for(early.public_id), point=point))
    assert code == "booking.too_early"
    late = book(create_citizen(), create_slot(resource, starts_in=dt.timedelta(minutes=1)))
    Slot.objects.filter(pk=late.slot_id).update(starts_at=clock.now() - dt.timedelta(minutes=20))
    code = _code(lambda: services.check_in(token=qr.token_for(late.public_id), point=point))
    assert code == "booking.too_late"


def test_queue_numbers_positions_and_call_next_in_order() -> None:
    point = create_point()
    resource = create_resource(point=point, capacity=5)
    slot = create_slot(resource, capacity=5, starts_in=dt.timedelta(minutes=10))
    tickets = [
        services.check_in(token=qr.token_for(book(create_citizen(), slot).public_id), point=point)
        for _ in range(3)
    ]
    assert [t.label for t in tickets] == ["A001", "A002", "A003"]
    assert [selectors.position(t) for t in tickets] == [0, 1, 2]
    staff = create_staff(point)
    called = services.call_next(staff=staff, point=point, window="3")
    assert called is not None
    assert called.label == "A001"
    assert called.window == "3"
    third = Ticket.objects.get(pk=tickets[2].pk)
    assert selectors.position(third) == 1
    assert services.call_next(staff=staff, point=point, window="4").label == "A002"  # type: ignore[union-attr]
    assert services.call_next(staff=staff, point=point, window="3").label == "A003"  # type: ignore[union-attr]
    assert services.call_next(staff=staff, point=point, window="3") is None


def test_reminders_the_day_before_and_the_hour_before_reach_the_inbox_once() -> None:
    resource = create_resource(capacity=5)
    citizen = create_citizen()
    tomorrow = book(citizen, create_slot(resource, starts_in=dt.timedelta(hours=20)))
    soon_citizen = create_citizen()
    soon = book(soon_citizen, create_slot(resource, starts_in=dt.timedelta(minutes=40)))
    deliver_events()  # the "booked" notices
    Message.objects.all().delete()
    assert services.send_reminders() == {"day": 1, "hour": 1}
    assert services.send_reminders() == {"day": 0, "hour": 0}
    deliver_events()
    (day,) = Message.objects.filter(recipient=citizen)
    assert day.category == "service"
    assert day.template.code == "service.booking_reminder_day"  # type: ignore[union-attr]
    assert resource.point.name in day.body_zh
    (hour,) = Message.objects.filter(recipient=soon_citizen)
    assert hour.template.code == "service.booking_reminder_hour"  # type: ignore[union-attr]
    assert Booking.objects.get(pk=tomorrow.pk).reminded_day_at is not None
    assert Booking.objects.get(pk=soon.pk).reminded_day_at is not None


def test_generated_slots_follow_the_holiday_calendar_and_the_release_time() -> None:
    resource = create_resource(open_on="workdays", horizon_days=14, slot_minutes=60,
                               sessions=[["09:00", "12:00"]])  # fmt: skip
    with clock.frozen(dt.datetime(2026, 9, 30, 2, 0, tzinfo=dt.UTC)):  # 10:00 in Chengdu
        created = services.generate_slots(resource)
        assert services.generate_slots(resource) == 0  # idempotent
    days = {
        s.starts_at.astimezone(selectors.policies.LOCAL).date()
        for s in Slot.objects.filter(resource=resource)
    }
    assert dt.date(2026, 10, 1) not in days  # National Day
    assert dt.date(2026, 10, 10) in days  # a make-up working Saturday
    assert dt.date(2026, 10, 11) not in days  # Sunday
    assert created == 3 * len(days)
    slot = Slot.objects.filter(resource=resource).order_by("-starts_at").first()
    assert slot is not None
    local_release = slot.released_at.astimezone(selectors.policies.LOCAL)
    assert (local_release.hour, local_release.minute) == (8, 0)
    assert local_release.date() == slot.starts_at.astimezone(
        selectors.policies.LOCAL
    ).date() - dt.timedelta(days=14)
