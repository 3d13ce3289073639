"""Plain factory functions for notification tests."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from citizencloud.identity.models import User
from citizencloud.notifications import services
from citizencloud.notifications.models import Template

_seq = itertools.count(1)


def create_user(**overrides: Any) -> User:
    n = next(_seq)
    return User.objects.create_user(overrides.pop("username", f"citizen{n}"), "pw-Test-2026!")


def create_template(**overrides: Any) -> Template:
    fields: dict[str, Any] = {
        "code": f"service.case_progress_{next(_seq)}",
        "category": "service",
        "channels": ["inbox", "sms"],
        "placeholders": ["case"],
        "subject_zh": "办件进度",
        "subject_en": "Case progress",
        "body_zh": "您的办件 {case} 已受理。",
        "body_en": "Your case {case} was accepted.",
    }
    fields.update(overrides)
    return services.create_template(**fields)


def create_promotion(partner: str = "天府银行", **overrides: Any) -> Template:
    fields: dict[str, Any] = {
        "code": f"promotion.offer_{next(_seq)}",
        "category": "promotion",
        "partner": partner,
        "channels": ["inbox", "sms"],
        "placeholders": [],
        "subject_zh": "信用卡优惠",
        "subject_en": "Credit card offer",
        "body_zh": "新客户首年免年费。",
        "body_en": "No annual fee in the first year.",
    }
    fields.update(overrides)
    return services.create_template(**fields)


def signed_in_client(user: User | None = None) -> tuple[Client, User]:
    """A page client signed in as identity's login does: auth session + live device session."""
    from citizencloud.identity.services import Origin
    from citizencloud.identity.services.sessions import start_session

    user = user or create_user()
    client = Client()
    client.force_login(user)
    device, _ = start_session(user=user, mfa=False, origin=Origin(ip="127.0.0.1"))
    session = client.session
    session["identity_session"] = str(device.public_id)
    session.save()
    return client, user
