"""Inbox pages: tabs with unread counts, the 广告 tab only after an opt-in, PRG actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from citizencloud.notifications import services
from citizencloud.notifications.models import Message
from tests.notifications.factories import create_promotion, create_template, signed_in_client

pytestmark = pytest.mark.django_db


def signed_in() -> tuple[Client, object]:
    return signed_in_client()


def test_the_inbox_shows_tabs_with_unread_counts_and_no_ad_tab_by_default() -> None:
    client, user = signed_in()
    services.notify(recipient=user, template_code=create_template().code,
                    context={"case": "CD-3"}, dedupe_key="s")  # fmt: skip
    page = client.get("/me/notifications/").content.decode()
    for name in ("办事进度", "安全", "公告"):
        assert name in page
    assert "广告" not in page.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert 'data-unread="service">1<' in page
    assert "您的办件 CD-3 已受理。" in page


def test_the_inbox_opens_its_live_stream_after_the_newest_message_it_rendered() -> None:
    """A message created between the page's query and the stream's connection is replayed on
    connect (the stream resumes after the page's newest message), not lost until a reload."""
    client, user = signed_in()
    empty = client.get("/me/notifications/").content.decode()
    assert 'data-stream="/api/v1/me/notifications/stream?after=start"' in empty
    first = services.notify(recipient=user, template_code=create_template().code,
                            context={"case": "CD-4"}, dedupe_key="c1")  # fmt: skip
    security_template = create_template(category="security")
    security = services.notify(recipient=user, template_code=security_template.code,
                               context={"case": "CD-5"}, dedupe_key="c2")  # fmt: skip
    assert first is not None
    assert security is not None
    page = client.get("/me/notifications/?tab=service").content.decode()
    # The newest of any category: the stream also carries the other tabs' counts.
    assert f'stream?after={security.public_id}"' in page


def test_the_ad_tab_appears_after_an_opt_in_and_holds_only_ads() -> None:
    client, user = signed_in()
    services.opt_in(user=user, partner="天府银行", quiet_start=dt.time(0), quiet_end=dt.time(0))
    services.notify(recipient=user, template_code=create_promotion().code, context={},
                    dedupe_key="p")  # fmt: skip
    service_tab = client.get("/me/notifications/?tab=service").content.decode()
    assert "信用卡优惠" not in service_tab
    ad_tab = client.get("/me/notifications/?tab=promotion").content.decode()
    assert "广告" in ad_tab
    assert "信用卡优惠" in ad_tab


def test_mark_read_and_archive_redirect_back() -> None:
    client, user = signed_in()
    message = services.notify(recipient=user, template_code=create_template().code,
                              context={"case": "1"}, dedupe_key="r")  # fmt: skip
    assert message is not None
    response = client.post(f"/me/notifications/{message.public_id}/read")
    assert response.status_code == 302
    assert response["Location"] == "/me/notifications/?tab=service"
    client.post(f"/me/notifications/{message.public_id}/archive")
    message.refresh_from_db()
    assert message.read_at is not None
    assert message.archived_at is not None
    assert Message.objects.filter(recipient=user, archived_at__isnull=True).count() == 0


def test_the_preferences_page_saves_and_refuses_nothing_it_shows_as_locked() -> None:
    client, _user = signed_in()
    assert client.get("/me/notifications/preferences/").status_code == 200
    response = client.post("/me/notifications/preferences/",
                           {"service:email": "on", "add_partner": "蓉城商场",
                            "address_email": "zhang@example.cn"})  # fmt: skip
    assert response.status_code == 302
    page = client.get("/me/notifications/preferences/").content.decode()
    assert "蓉城商场" in page
    assert "email" in page


def test_pages_need_a_signed_in_person() -> None:
    response = Client().get("/me/notifications/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]
