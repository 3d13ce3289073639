"""The pages: find a slot without JavaScript, book, see the QR code and the live queue part,
cancel; the kiosk, the hall display, and the staff call-next and schedule pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from citizencloud.booking.models import Booking, Resource, Slot, Ticket
from citizencloud.booking.policies import LOCAL
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.identity.web import SESSION_ID
from tests.factories.booking import (
    book,
    create_citizen,
    create_point,
    create_resource,
    create_slot,
    create_staff,
)

pytestmark = pytest.mark.django_db


def _login(client: Client, user: object) -> Client:
    session, _ = start_session(user=user, mfa=True, origin=Origin(ip="127.0.0.1"))  # type: ignore[arg-type]
    client.force_login(user)  # type: ignore[arg-type]
    s = client.session
    s[SESSION_ID] = str(session.public_id)
    s.save()
    return client


def _local_day(slot: Slot) -> str:
    return slot.starts_at.astimezone(LOCAL).date().isoformat()


def test_find_book_see_the_code_and_cancel_without_javascript(client: Client) -> None:
    point = create_point()
    slot = create_slot(create_resource(point=point), starts_in=dt.timedelta(days=1))
    listing = client.get("/booking/")
    assert point.name in listing.content.decode()
    page = client.get(f"/booking/?point={point.code}&date={_local_day(slot)}").content.decode()
    assert 'class="calendar"' in page
    assert f'value="{slot.pk}"' in page
    key = re.search(r'name="key" value="([^"]+)"', page)
    assert key is not None
    citizen = create_citizen()
    _login(client, citizen)
    form = {"slot_id": slot.pk, "key": key.group(1)}
    response = client.post("/booking/book/", form)
    booking = Booking.objects.get(citizen=citizen)
    assert response.status_code == 302
    assert response["Location"] == f"/booking/my/{booking.public_id}/"
    client.post("/booking/book/", form)  # a double submit of the same form: still one booking
    assert Booking.objects.filter(citizen=citizen).count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml" in detail
    assert 'id="qr-text">CCB1.' in detail
    assert 'hx-trigger="every 3s"' in detail
    assert client.get(f"/booking/my/{booking.public_id}/queue/").status_code == 200
    mine = client.get("/booking/my/").content.decode()
    assert str(booking.public_id) in mine
    client.post(f"/booking/my/{booking.public_id}/cancel/")
    assert Booking.objects.get(pk=booking.pk).state == "cancelled"


def test_a_full_slot_is_told_on_the_page_not_a_500(client: Client) -> None:
    slot = create_slot(capacity=1)
    book(create_citizen(), slot)
    _login(client, create_citizen())
    response = client.post("/booking/book/", {"slot_id": slot.pk, "key": "k"}, follow=True)
    assert response.status_code == 200
    assert "约满" in response.content.decode() or "fully booked" in response.content.decode()
    stranger = _login(Client(), create_citizen())
    other = book(create_citizen(), create_slot())
    assert stranger.get(f"/booking/my/{other.public_id}/").status_code == 404


def test_kiosk_checks_in_and_the_display_and_staff_call_next(client: Client) -> None:
    point = create_point()
    slot = create_slot(create_resource(point=point), starts_in=dt.timedelta(minutes=5))
    booking = book(create_citizen(), slot)
    from citizencloud.booking import qr

    token = qr.token_for(booking.public_id)
    page = client.post(f"/booking/kiosk/{point.code}/", {"code": token}).content.decode()
    assert 'id="kiosk-ticket">A001<' in page
    again = client.post(f"/booking/kiosk/{point.code}/", {"code": token}).content.decode()
    assert 'id="kiosk-error"' in again
    forged = client.post(f"/booking/kiosk/{point.code}/", {"code": token[:-3] + "AAA"})
    assert 'id="kiosk-error"' in forged.content.decode()
    staff = _login(Client(), create_staff(point))
    assert staff.get(f"/booking/staff/points/{point.code}/call/").status_code == 200
    staff.post(f"/booking/staff/points/{point.code}/call/", {"action": "call", "window": "7"})
    ticket = Ticket.objects.get(booking=booking)
    assert (ticket.state, ticket.window) == ("called", "7")
    call_page = f"/booking/staff/points/{point.code}/call/"
    staff.post(call_page, {"action": "done", "ticket": "abc", "window": "7"})  # not a 500
    staff.post(call_page, {"action": "done", "ticket": str(ticket.pk), "window": "7"})
    assert Ticket.objects.get(pk=ticket.pk).state == "done"
    board = client.get(f"/booking/display/{point.code}/board/").content.decode()
    assert "A001" in board
    outsider = _login(Client(), create_staff(create_point("hall-x")))
    assert outsider.get(f"/booking/staff/points/{point.code}/call/").status_code == 403
    citizen = _login(Client(), create_citizen())
    assert citizen.get(f"/booking/staff/points/{point.code}/call/").status_code == 403


def test_staff_schedule_management(client: Client) -> None:
    point = create_point()
    resource = create_resource(point=point, capacity=2)
    slot = create_slot(resource, capacity=2, starts_in=dt.timedelta(days=1))
    book(create_citizen(), slot)
    clerk = _login(Client(), create_staff(point, "clerk"))
    assert clerk.get(f"/booking/staff/resources/{resource.code}/").status_code == 403
    _login(client, create_staff(point, "supervisor"))
    assert client.get("/booking/staff/").status_code == 200
    page = client.get(f"/booking/staff/resources/{resource.code}/")
    assert page.status_code == 200
    form = {
        "sessions": "09:00-11:00, 14:00-16:00",
        "open_on": "daily",
        "slot_minutes": 30,
        "capacity": 5,
        "horizon_days": 3,
        "release_time": "08:00",
        "cancel_minutes": 60,
        "no_show_limit": 3,
        "no_show_window_days": 90,
        "no_show_ban_days": 30,
        "active": "on",
        "version": resource.version,
    }
    response = client.post(f"/booking/staff/resources/{resource.code}/", form)
    assert response.status_code == 302
    resource = Resource.objects.get(pk=resource.pk)
    assert resource.capacity == 5
    assert resource.sessions == [["09:00", "11:00"], ["14:00", "16:00"]]
    assert Slot.objects.get(pk=slot.pk).capacity == 5
    assert Slot.objects.filter(resource=resource).count() > 1
    stale = client.post(f"/booking/staff/resources/{resource.code}/", form)  # old version
    assert stale.status_code == 200
    bad = client.post(
        f"/booking/staff/resources/{resource.code}/",
        {**form, "sessions": "12:00-09:00", "version": resource.version},
    )
    assert bad.status_code == 200
    assert Resource.objects.get(pk=resource.pk).sessions == [["09:00", "11:00"], ["14:00", "16:00"]]
