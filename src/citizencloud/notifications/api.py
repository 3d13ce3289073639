"""``/api/v1/me/notifications``, preferences, and the providers' signed callbacks."""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Status
from ninja.security import django_auth

from citizencloud.kernel.errors import PermissionDenied
from citizencloud.notifications import callbacks, selectors, services
from citizencloud.notifications.models import Message
from citizencloud.notifications.schemas import (
    CallbackIn,
    InboxOut,
    MessageOut,
    PartnerOptInIO,
    PreferenceItemIO,
    PreferencesIn,
    PreferencesOut,
    SendIn,
    SendOut,
)

router = Router(tags=["notifications"])


def message_out(message: Message) -> MessageOut:
    english = (get_language() or "").startswith("en")
    return MessageOut(
        id=message.public_id,
        category=message.category,
        partner=message.partner,
        statutory=message.statutory,
        subject=message.subject_en if english else message.subject_zh,
        body=message.body_en if english else message.body_zh,
        created_at=message.created_at,
        read_at=message.read_at,
        archived_at=message.archived_at,
    )


@router.get("/me/notifications", response=InboxOut, auth=django_auth, summary="My inbox")
def inbox(
    request: HttpRequest, category: str | None = None, archived: bool = False, limit: int = 50
) -> InboxOut:
    messages = selectors.inbox(request.user, category=category, archived=archived)
    return InboxOut(
        items=[message_out(m) for m in messages[: max(1, min(limit, 200))]],
        unread=selectors.unread_counts(request.user),
        show_promotions=selectors.shows_promotions(request.user),
    )


@router.post("/me/notifications/{message_id}/read", response=MessageOut, auth=django_auth)
def mark_read(request: HttpRequest, message_id: uuid.UUID) -> MessageOut:
    return message_out(services.mark_read(user=request.user, message_id=message_id))


@router.post("/me/notifications/{message_id}/archive", response=MessageOut, auth=django_auth)
def archive(request: HttpRequest, message_id: uuid.UUID) -> MessageOut:
    return message_out(services.archive(user=request.user, message_id=message_id))


def _preferences(request: HttpRequest) -> PreferencesOut:
    items = [PreferenceItemIO(**vars(item)) for item in selectors.preferences(request.user)]
    partners = [
        PartnerOptInIO(
            partner=o.partner,
            max_per_week=o.max_per_week,
            quiet_start=o.quiet_start,
            quiet_end=o.quiet_end,
        )
        for o in selectors.opt_ins(request.user)
    ]
    return PreferencesOut(items=items, partners=partners)


@router.get("/me/notification-preferences", response=PreferencesOut, auth=django_auth)
def get_preferences(request: HttpRequest) -> PreferencesOut:
    return _preferences(request)


@router.put("/me/notification-preferences", response=PreferencesOut, auth=django_auth)
def put_preferences(request: HttpRequest, body: PreferencesIn) -> PreferencesOut:
    services.set_preferences(
        user=request.user, choices=[(i.category, i.channel, i.enabled) for i in body.items]
    )
    if body.partners is not None:
        services.replace_opt_ins(user=request.user, opt_ins=[p.dict() for p in body.partners])
    return _preferences(request)


@router.post("/notifications/callbacks/{channel}", response={204: None}, auth=None,
             summary="Delivery status from the SMS or email provider (signed)")  # fmt: skip
def provider_callback(request: HttpRequest, channel: str) -> HttpResponse:
    callbacks.verify(request.body, request.headers.get("X-Signature", ""))
    report = CallbackIn(**json.loads(request.body))
    services.record_status(
        reference=report.reference,
        status=report.status,
        occurred_at=report.occurred_at,
        provider_ref=report.id,
    )
    return HttpResponse(status=204)


@router.post("/notifications/messages", response={202: SendOut}, auth=django_auth,
             summary="Staff: send a template to people (limited per sender: 429)")  # fmt: skip
def send(request: HttpRequest, body: SendIn) -> Status[SendOut]:
    if not request.user.is_staff:
        raise PermissionDenied("Only staff may send notices.", code="notifications:messages:send")
    sent, skipped = services.send_to_many(
        sender=f"staff:{getattr(request.user, 'public_id', request.user.pk)}",
        template_code=body.template, recipients=body.recipients, context=body.context,
        key=body.key,
    )  # fmt: skip
    return Status(202, SendOut(sent=sent, skipped=skipped))
