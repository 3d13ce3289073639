"""The notification centre's rules: the no-ads rule, templates, preferences, handlers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from citizencloud.kernel import clock, events
from citizencloud.kernel.errors import DomainError
from citizencloud.kernel.ratelimit import RateLimited
from citizencloud.notifications import handlers, policies, selectors, services
from citizencloud.notifications.models import Delivery, Message, Template
from tests.notifications.factories import create_promotion, create_template, create_user

pytestmark = pytest.mark.django_db


# --- the no-ads rule -------------------------------------------------------------------------


def test_a_promotional_template_cannot_be_bound_to_service() -> None:
    with pytest.raises(policies.PromotionRefused):
        create_template(partner="天府银行")  # partner content in the service category
    with pytest.raises(policies.PromotionRefused):
        create_promotion(partner="")  # a promotion must name its partner
    with pytest.raises(policies.PromotionRefused):
        create_promotion(statutory=True)


def test_the_database_refuses_promotional_content_outside_promotion() -> None:
    base = {"channels": ["inbox"], "subject_zh": "a", "subject_en": "a", "body_zh": "b",
            "body_en": "b"}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.create(code="x1", category="service", partner="天府银行", **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.create(code="x2", category="promotion", partner="", **base)
    user, template = create_user(), create_template()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            recipient=user, template=template, category="service", partner="天府银行",
            dedupe_key="m1", subject_zh="a", subject_en="a", body_zh="b", body_en="b",
        )  # fmt: skip


def test_a_template_edited_behind_the_services_back_is_refused_by_the_database() -> None:
    template = create_template()
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.filter(pk=template.pk).update(category="promotion", partner="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Template.objects.filter(pk=template.pk).update(partner="天府银行")


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"body_en": "Your case {case} for {person}."}, "undeclared"),
        ({"body_en": "Your case was accepted."}, "omits"),
        ({"body_zh": "您的办件 {case 已受理。"}, "braces"),
        ({"body_zh": "您的办件 {case!r} 已受理。"}, "plain"),
        ({"channels": ["fax"]}, "Channels"),
        ({"subject_en": " "}, "empty"),
        ({"code": "Service Progress"}, "dotted"),
    ],
)
def test_placeholders_are_validated_when_a_template_is_saved(overrides, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(policies.TemplateInvalid, match=fragment):
        create_template(**overrides)


def test_a_send_without_a_value_for_a_placeholder_is_refused() -> None:
    template = create_template()
    with pytest.raises(policies.TemplateInvalid, match="Missing"):
        services.notify(recipient=create_user(), template_code=template.code, context={},
                        dedupe_key="k")  # fmt: skip


def test_a_message_is_rendered_in_both_languages_and_sent_once_per_dedupe_key() -> None:
    user, template = create_user(), create_template()
    services.set_address(user=user, channel="sms", value="13800138000")
    first = services.notify(recipient=user, template_code=template.code,
                            context={"case": "CD-1"}, dedupe_key="event-1")  # fmt: skip
    again = services.notify(recipient=user, template_code=template.code,
                            context={"case": "CD-1"}, dedupe_key="event-1")  # fmt: skip
    assert first is not None
    assert again == first
    assert first.body_zh == "您的办件 CD-1 已受理。"
    assert first.body_en == "Your case CD-1 was accepted."
    assert dict(first.deliveries.values_list("channel", "status")) == {
        "inbox": "delivered", "sms": "created"}  # fmt: skip


# --- promotions and preferences --------------------------------------------------------------


def test_promotions_are_off_by_default_and_opted_in_per_partner() -> None:
    user, bank, shop = create_user(), create_promotion("天府银行"), create_promotion("蓉城商场")
    assert services.notify(recipient=user, template_code=bank.code, context={},
                           dedupe_key="p1") is None  # fmt: skip
    assert not selectors.shows_promotions(user)
    services.opt_in(user=user, partner="天府银行", quiet_start=dt.time(0), quiet_end=dt.time(0))
    assert services.notify(recipient=user, template_code=bank.code, context={},
                           dedupe_key="p2") is not None  # fmt: skip
    assert services.notify(recipient=user, template_code=shop.code, context={},
                           dedupe_key="p3") is None  # fmt: skip
    services.opt_out(user=user, partner="天府银行")
    assert services.notify(recipient=user, template_code=bank.code, context={},
                           dedupe_key="p4") is None  # fmt: skip
    assert Message.objects.filter(recipient=user).count() == 1


def test_a_promotion_never_appears_in_the_service_tab() -> None:
    user, bank, service = create_user(), create_promotion(), create_template()
    services.opt_in(user=user, partner="天府银行", quiet_start=dt.time(0), quiet_end=dt.time(0))
    services.notify(recipient=user, template_code=bank.code, context={}, dedupe_key="p")
    services.notify(recipient=user, template_code=service.code, context={"case": "1"},
                    dedupe_key="s")  # fmt: skip
    assert [m.category for m in selectors.inbox(user, category="service")] == ["service"]
    assert [m.category for m in selectors.inbox(user, category="promotion")] == ["promotion"]


def test_promotions_respect_the_weekly_cap_and_quiet_hours() -> None:
    user, bank = create_user(), create_promotion()
    services.opt_in(user=user, partner="天府银行", max_per_week=2)  # quiet 21:00–09:00
    services.set_preferences(user=user, choices=[("promotion", "sms", True)])
    services.set_address(user=user, channel="sms", value="13800138000")
    late = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)  # 22:30 in Chengdu
    with clock.frozen(late):
        first = services.notify(recipient=user, template_code=bank.code, context={},
                                dedupe_key="a")  # fmt: skip
        services.notify(recipient=user, template_code=bank.code, context={}, dedupe_key="b")
        third = services.notify(recipient=user, template_code=bank.code, context={},
                                dedupe_key="c")  # fmt: skip
    assert first is not None
    assert third is None
    sms = first.deliveries.get(channel="sms")
    assert sms.not_before == dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)  # 09:00 local


def test_security_and_inbox_notices_cannot_be_switched_off() -> None:
    user = create_user()
    with pytest.raises(services.PreferenceLocked):
        services.set_preferences(user=user, choices=[("security", "sms", False)])
    with pytest.raises(services.PreferenceLocked):
        services.set_preferences(user=user, choices=[("service", "inbox", False)])
    services.set_preferences(user=user, choices=[("service", "sms", False)])
    prefs = {(p.category, p.channel): p for p in selectors.preferences(user)}
    assert prefs[("service", "sms")].enabled is False
    assert prefs[("security", "sms")].locked
    assert prefs[("security", "sms")].enabled
    assert not any(p.enabled for (cat, _), p in prefs.items() if cat == "promotion")


def test_statutory_service_notices_ignore_a_switched_off_channel() -> None:
    user = create_user()
    services.set_address(user=user, channel="sms", value="13800138000")
    services.set_preferences(user=user, choices=[("service", "sms", False)])
    plain, statutory = create_template(), create_template(statutory=True)
    a = services.notify(recipient=user, template_code=plain.code, context={"case": "1"},
                        dedupe_key="a")  # fmt: skip
    b = services.notify(recipient=user, template_code=statutory.code, context={"case": "1"},
                        dedupe_key="b")  # fmt: skip
    assert a is not None
    assert b is not None
    assert set(a.deliveries.values_list("channel", flat=True)) == {"inbox"}
    assert set(b.deliveries.values_list("channel", flat=True)) == {"inbox", "sms"}


@override_settings(NOTIFY_SENDER_PER_MINUTE="2/m")
def test_a_sender_over_its_limit_gets_429() -> None:
    user, template = create_user(), create_template()
    for n in range(2):
        services.notify(recipient=user, template_code=template.code, context={"case": n},
                        dedupe_key=f"limit-{n}", sender="bulk-sender")  # fmt: skip
    with pytest.raises(RateLimited) as caught:
        services.notify(recipient=user, template_code=template.code, context={"case": 3},
                        dedupe_key="limit-3", sender="bulk-sender")  # fmt: skip
    assert caught.value.status == 429


# --- handlers --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n in handlers.ROUTES if n.startswith("identity.")))
def test_identity_security_events_become_security_notices_once(name: str) -> None:
    user = create_user()
    event = events.Event(name, "evt-1", "2026-11-28T02:00:00+00:00",
                         {"user_id": str(user.public_id), "device": "Chrome on Linux"})  # fmt: skip
    handlers.handle(event)
    handlers.handle(event)  # at-least-once delivery: the second is a no-op
    (message,) = Message.objects.filter(recipient=user)
    assert message.category == "security"
    assert "10:00" in message.body_zh  # Asia/Shanghai
    assert events.subscribers(name) == ["citizencloud.notifications.handlers:handle"]


def test_mark_read_and_archive_only_own_messages() -> None:
    owner, other, template = create_user(), create_user(), create_template()
    message = services.notify(recipient=owner, template_code=template.code,
                              context={"case": "1"}, dedupe_key="r")  # fmt: skip
    assert message is not None
    with pytest.raises(DomainError):
        services.mark_read(user=other, message_id=message.public_id)
    assert selectors.unread_counts(owner)["service"] == 1
    services.mark_read(user=owner, message_id=message.public_id)
    assert selectors.unread_counts(owner)["service"] == 0
    services.archive(user=owner, message_id=message.public_id)
    assert not selectors.inbox(owner, category="service").exists()
    assert selectors.inbox(owner, category="service", archived=True).count() == 1
    assert Delivery.objects.filter(message=message).count() == 1


def test_a_new_device_notice_names_the_device_from_identitys_session() -> None:
    from citizencloud.identity.services import Origin
    from citizencloud.identity.services.sessions import start_session

    user = create_user()
    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    session, _ = start_session(user=user, mfa=False, origin=Origin(user_agent=agent))
    handlers.handle(events.Event("identity.new_device_login", "evt-9", "2026-11-28T02:00:00+00:00",
                                 {"user_id": str(user.public_id),
                                  "session_id": str(session.public_id)}))  # fmt: skip
    (message,) = Message.objects.filter(recipient=user)
    assert "（Chrome · Linux）" in message.body_zh


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1", "Safari · iPhone"),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge · Windows"),
        ("", "—"),
    ],
)
def test_device_labels(agent: str, label: str) -> None:
    assert policies.device_label(agent) == label


def test_the_admin_form_runs_the_same_checks() -> None:
    from citizencloud.notifications.admin import TemplateForm

    data = {"code": "service.x", "category": "service", "partner": "天府银行",
            "channels": '["inbox"]', "placeholders": "[]", "subject_zh": "a",
            "subject_en": "a", "body_zh": "b", "body_en": "b"}  # fmt: skip
    form = TemplateForm(data=data)
    assert not form.is_valid()
    assert "promotion template" in str(form.errors)
    form = TemplateForm(data={**data, "partner": "", "body_en": "{who}"})
    assert not form.is_valid()
    assert "undeclared" in str(form.errors)
    assert TemplateForm(data={**data, "partner": ""}).is_valid()
