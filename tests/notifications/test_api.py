"""The inbox and preference API: own messages only, tabs by category, locked preferences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from citizencloud.notifications import services
from tests.notifications.factories import (
    create_promotion,
    create_template,
    create_user,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen_client() -> tuple[Client, object]:
    return signed_in_client()


def test_the_api_needs_a_signed_in_person() -> None:
    response = Client().get("/api/v1/me/notifications")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_inbox_lists_by_category_and_never_mixes_promotions_in(citizen_client) -> None:  # type: ignore[no-untyped-def]
    client, user = citizen_client
    services.opt_in(user=user, partner="天府银行", quiet_start=dt.time(0), quiet_end=dt.time(0))
    services.notify(recipient=user, template_code=create_promotion().code, context={},
                    dedupe_key="p")  # fmt: skip
    services.notify(recipient=user, template_code=create_template().code,
                    context={"case": "CD-1"}, dedupe_key="s")  # fmt: skip
    body = client.get("/api/v1/me/notifications?category=service").json()
    assert [m["category"] for m in body["items"]] == ["service"]
    assert body["items"][0]["body"] == "您的办件 CD-1 已受理。"
    assert body["unread"] == {"service": 1, "security": 0, "announcement": 0, "promotion": 1}
    assert body["show_promotions"] is True
    english = client.get("/api/v1/me/notifications?category=service",
                         HTTP_ACCEPT_LANGUAGE="en").json()  # fmt: skip
    assert english["items"][0]["body"] == "Your case CD-1 was accepted."
    promo = client.get("/api/v1/me/notifications?category=promotion").json()["items"]
    assert [(m["category"], m["partner"]) for m in promo] == [("promotion", "天府银行")]


def test_mark_read_is_own_only(citizen_client) -> None:  # type: ignore[no-untyped-def]
    client, user = citizen_client
    mine = services.notify(recipient=user, template_code=create_template().code,
                           context={"case": "1"}, dedupe_key="a")  # fmt: skip
    theirs = services.notify(recipient=create_user(), template_code=create_template().code,
                             context={"case": "2"}, dedupe_key="b")  # fmt: skip
    assert mine is not None
    assert theirs is not None
    assert client.post(f"/api/v1/me/notifications/{theirs.public_id}/read").status_code == 404
    response = client.post(f"/api/v1/me/notifications/{mine.public_id}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get("/api/v1/me/notifications").json()["unread"]["service"] == 0


def test_preferences_round_trip_and_refuse_switching_off_security(citizen_client) -> None:  # type: ignore[no-untyped-def]
    client, _ = citizen_client
    prefs = client.get("/api/v1/me/notification-preferences").json()
    promotion = [i for i in prefs["items"] if i["category"] == "promotion"]
    assert promotion
    assert not any(i["enabled"] for i in promotion)
    assert prefs["partners"] == []
    body = {"items": [{"category": "service", "channel": "sms", "enabled": False}],
            "partners": [{"partner": "天府银行", "max_per_week": 1}]}  # fmt: skip
    response = client.put("/api/v1/me/notification-preferences", body,
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    saved = response.json()
    assert {"category": "service", "channel": "sms", "enabled": False, "locked": False} in (
        saved["items"]
    )
    assert [p["partner"] for p in saved["partners"]] == ["天府银行"]
    locked = {"items": [{"category": "security", "channel": "email", "enabled": False}]}
    refused = client.put("/api/v1/me/notification-preferences", locked,
                         content_type="application/json")  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["code"] == "notifications.preference_locked"


def test_staff_send_is_limited_per_sender_with_429(settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_SENDER_PER_MINUTE = "3/m"
    staff = create_user()
    staff.is_staff = True
    staff.save()
    client, _ = signed_in_client(staff)
    template = create_template()
    people = [str(create_user().public_id) for _ in range(3)]
    body = {"template": template.code, "recipients": people, "context": {"case": "A"},
            "key": "announce-1"}  # fmt: skip
    first = client.post("/api/v1/notifications/messages", body, content_type="application/json")
    assert first.status_code == 202
    assert first.json() == {"sent": 3, "skipped": 0}
    body["key"] = "announce-2"
    refused = client.post("/api/v1/notifications/messages", body, content_type="application/json")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    citizen, _ = signed_in_client()
    denied = citizen.post("/api/v1/notifications/messages", body, content_type="application/json")
    assert denied.status_code == 403
