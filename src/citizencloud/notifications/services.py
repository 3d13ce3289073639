"""Every write of the notification centre (persist first, then queue by id)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F

from citizencloud.kernel import clock, ratelimit
from citizencloud.kernel.errors import DomainError, NotFound
from citizencloud.kernel.logging import get_logger
from citizencloud.notifications import fanout, policies, selectors, workflow
from citizencloud.notifications.gateways import (
    GatewayRejected,
    GatewayUnavailable,
    email_gateway,
    sms_gateway,
)
from citizencloud.notifications.models import (
    Channel,
    ContactAddress,
    Delivery,
    DeliveryStatus,
    Message,
    PartnerOptIn,
    Preference,
    Template,
)

log = get_logger("citizencloud.notifications")
LOCAL = ZoneInfo("Asia/Shanghai")
Status = DeliveryStatus


class PreferenceLocked(DomainError):
    code = "notifications.preference_locked"
    status = 422


# --- templates -------------------------------------------------------------------------------


def create_template(
    *, code: str, category: str, channels: Iterable[str], subject_zh: str, subject_en: str,
    body_zh: str, body_en: str, placeholders: Iterable[str] = (), partner: str = "",
    statutory: bool = False,
) -> Template:  # fmt: skip
    """Save a template after checking its placeholders and the no-ads rule."""
    if not policies.CODE.match(code) or len(code) > 100:
        raise policies.TemplateInvalid(f"Template codes are dotted lower-case words, not {code!r}.")
    channels, placeholders = list(channels), sorted(set(placeholders))
    texts = {"subject_zh": subject_zh, "subject_en": subject_en, "body_zh": body_zh}
    texts["body_en"] = body_en
    policies.check_template(
        category=category, partner=partner, statutory=statutory, channels=channels,
        placeholders=placeholders, texts=texts,
    )  # fmt: skip
    return Template.objects.create(
        code=code, category=category, partner=partner, statutory=statutory, channels=channels,
        placeholders=placeholders, **texts,
    )  # fmt: skip


# --- sending ---------------------------------------------------------------------------------


def notify(
    *, recipient: Any, template_code: str, context: Mapping[str, object], dedupe_key: str,
    sender: str = "system",
) -> Message | None:  # fmt: skip
    """Tell ``recipient`` with ``template_code``; None when preferences say no. Idempotent."""
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    template = Template.objects.filter(code=template_code).first()
    if template is None:
        raise NotFound(f"No notification template {template_code!r}.")
    # The no-ads rule again at send time: a row edited behind the service's back is refused.
    policies.check_promotion_rule(
        category=template.category, partner=template.partner, statutory=template.statutory
    )
    _check_sender_limits(sender)
    not_before = None
    if template.category == "promotion":
        opt_in = PartnerOptIn.objects.filter(user=recipient, partner=template.partner).first()
        if opt_in is None or selectors.promotions_this_week(recipient, template.partner) >= (
            opt_in.max_per_week
        ):
            return None
        not_before = _after_quiet_hours(opt_in)
    message = Message.objects.create(
        recipient=recipient, template=template, category=template.category,
        partner=template.partner, statutory=template.statutory, dedupe_key=dedupe_key,
        subject_zh=policies.render(template.subject_zh, context),
        subject_en=policies.render(template.subject_en, context),
        body_zh=policies.render(template.body_zh, context),
        body_en=policies.render(template.body_en, context),
    )  # fmt: skip
    for channel in _channels_for(recipient, template):
        _add_delivery(message, channel, not_before=not_before)
    fanout.publish_on_commit(recipient.pk, message.pk)
    return message


def _check_sender_limits(sender: str) -> None:
    ratelimit.check("notifications.sender.minute", sender, settings.NOTIFY_SENDER_PER_MINUTE)
    ratelimit.check("notifications.sender.day", sender, settings.NOTIFY_SENDER_PER_DAY)


def _after_quiet_hours(opt_in: PartnerOptIn) -> dt.datetime | None:
    local = clock.now().astimezone(LOCAL)
    if not policies.in_quiet_hours(local.time(), opt_in.quiet_start, opt_in.quiet_end):
        return None
    end = local.replace(
        hour=opt_in.quiet_end.hour, minute=opt_in.quiet_end.minute, second=0, microsecond=0
    )
    return end if end > local else end + dt.timedelta(days=1)


def _channels_for(recipient: Any, template: Template) -> list[str]:
    choices = selectors.choices(recipient, template.category)
    addresses = selectors.address_channels(recipient)
    channels = []
    for channel in template.channels:
        if template.category == "promotion" and channel == Channel.INBOX:
            channels.append(channel)  # the partner opt-in is the consent to the inbox
        elif policies.wanted(
            template.category, channel, statutory=template.statutory, choice=choices.get(channel)
        ) and (channel == Channel.INBOX or channel in addresses):
            channels.append(channel)
    return channels


def _add_delivery(
    message: Message, channel: str, *, not_before: dt.datetime | None = None,
    fallback_from: Delivery | None = None,
) -> Delivery | None:  # fmt: skip
    if Delivery.objects.filter(message=message, channel=channel).exists():
        return None
    if channel == Channel.INBOX:
        return Delivery.objects.create(
            message=message, channel=channel, status=Status.DELIVERED, final=True,
            status_at=clock.now(),
        )  # fmt: skip
    delivery = Delivery.objects.create(
        message=message, channel=channel, not_before=not_before, fallback_from=fallback_from
    )
    _queue(delivery.pk, run_after=not_before)
    return delivery


def _queue(delivery_id: int, *, run_after: dt.datetime | None = None) -> None:
    from citizencloud.notifications import tasks  # tasks import services: resolve at call time

    task = (
        tasks.send_delivery if run_after is None else tasks.send_delivery.using(run_after=run_after)
    )
    task.enqueue(delivery_id)


# --- the send task's steps -------------------------------------------------------------------

_SENDABLE = (Status.CREATED, Status.SENDING, Status.TEMPORARY_FAILURE)


def send_delivery(delivery_id: int) -> str:
    """Hand one delivery to its gateway; safe to run twice (the gateway dedupes on the key)."""
    with transaction.atomic():
        claimed = Delivery.objects.filter(
            pk=delivery_id, final=False, provider_ref="", status__in=_SENDABLE
        ).update(status=Status.SENDING, updated_at=clock.now())
        if not claimed:
            return "nothing to send"
        delivery = Delivery.objects.select_related("message").get(pk=delivery_id)
        address = selectors.address(delivery.message.recipient_id, delivery.channel)
    if address is None:
        with transaction.atomic():
            _finish(delivery, Status.PERMANENT_FAILURE, error="no address")
        return "no address"
    # Outside any transaction: an outside effect never runs inside one (DESIGN.md §4.3).
    try:
        provider_ref, synchronous = _hand_over(delivery, address)
    except GatewayUnavailable as exc:
        with transaction.atomic():
            return _technical_error(delivery, str(exc))
    except GatewayRejected as exc:
        with transaction.atomic():
            _finish(delivery, Status.PERMANENT_FAILURE, error=str(exc))
        return "rejected"
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, attempt=delivery.attempt, provider_ref="").update(
            provider_ref=provider_ref, technical_errors=0, updated_at=clock.now()
        )
        if synchronous:
            record_status(reference=delivery.idempotency_key, status="delivered",
                          occurred_at=clock.now())  # fmt: skip
    return "handed over"


def _hand_over(delivery: Delivery, address: str) -> tuple[str, bool]:
    message, key = delivery.message, delivery.idempotency_key
    # SMS and email speak the recipient's language; zh-Hans until identity stores a preference.
    if delivery.channel == Channel.SMS:
        sms = sms_gateway()
        return sms.send(address, f"【{message.subject_zh}】{message.body_zh}",
                        idempotency_key=key), sms.synchronous  # fmt: skip
    email = email_gateway()
    text = f"{message.body_zh}\n\n{message.body_en}"
    return email.send(address, message.subject_zh, text, idempotency_key=key), email.synchronous


def _technical_error(delivery: Delivery, error: str) -> str:
    errors = delivery.technical_errors + 1
    decision = workflow.on_technical_error(
        errors=errors, max_errors=settings.NOTIFY_MAX_ATTEMPTS, statutory=delivery.message.statutory
    )
    if decision.retry:
        Delivery.objects.filter(pk=delivery.pk).update(
            technical_errors=errors, last_error=error[:200], updated_at=clock.now()
        )
        _queue(delivery.pk, run_after=clock.now() + dt.timedelta(seconds=_backoff(errors)))
        log.warning("notifications.gateway_unavailable", delivery=delivery.pk, errors=errors)
        return "retry later"
    _finish(delivery, Status.TECHNICAL_FAILURE, error=error)
    return "gave up"


def _backoff(retry: int) -> float:
    return workflow.backoff(retry, base=settings.NOTIFY_RETRY_BASE_SECONDS)


def _finish(delivery: Delivery, status: str, *, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, final=False).update(
        status=status, final=True, last_error=error[:200], status_at=clock.now(),
        updated_at=clock.now(),
    )  # fmt: skip
    if delivery.message.statutory:
        _fall_back(delivery)


def _fall_back(delivery: Delivery) -> None:
    available = selectors.address_channels(delivery.message.recipient_id)
    channel = workflow.fallback_channel(delivery.channel, available)
    if channel is not None:
        _add_delivery(delivery.message, channel, fallback_from=delivery)
        log.info("notifications.fallback", delivery=delivery.pk, to=channel)


# --- provider callbacks ----------------------------------------------------------------------


def record_status(
    *, reference: str, status: str, occurred_at: dt.datetime, provider_ref: str = ""
) -> bool:
    """Apply a provider's report about the send ``reference``; True if it changed anything."""
    public_id, _, attempt = reference.partition(".")
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return False
    delivery = (
        Delivery.objects.select_for_update().select_related("message").filter(public_id=key).first()
    )
    if delivery is None or str(delivery.attempt) != attempt:
        return False  # unknown, or a report about an attempt already superseded
    if provider_ref and not delivery.provider_ref:
        # The provider has it: a send task re-run after a crash must not hand it over again.
        Delivery.objects.filter(pk=delivery.pk).update(provider_ref=provider_ref[:100])
    decision = workflow.on_provider_status(
        current=delivery.status, final=delivery.final, current_at=delivery.status_at,
        reported=status, reported_at=occurred_at, attempt=delivery.attempt,
        max_attempts=settings.NOTIFY_MAX_ATTEMPTS, statutory=delivery.message.statutory,
    )  # fmt: skip
    if not decision.apply:
        return False
    changes: dict[str, Any] = {"status": status, "status_at": occurred_at, "final": decision.final}
    if decision.retry:  # a new attempt with a new key, after a backoff
        changes.update(attempt=F("attempt") + 1, provider_ref="")
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=clock.now(), **changes)
    if decision.retry:
        _queue(
            delivery.pk, run_after=clock.now() + dt.timedelta(seconds=_backoff(delivery.attempt))
        )
    if decision.fallback:
        _fall_back(delivery)
    return True


# --- the person's side -----------------------------------------------------------------------


def mark_read(*, user: Any, message_id: uuid.UUID) -> Message:
    """Mark a message read; opening a statutory notice counts as its delivery."""
    message = selectors.message_for(user, message_id)
    now = clock.now()
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now, opened_at=now)
    message.refresh_from_db()
    fanout.publish_on_commit(user.pk, None)
    return message


def archive(*, user: Any, message_id: uuid.UUID) -> Message:
    """Move a message out of the inbox (it stays readable under "archived")."""
    message = selectors.message_for(user, message_id)
    now = clock.now()
    Message.objects.filter(pk=message.pk, archived_at__isnull=True).update(
        archived_at=now, read_at=F("read_at") if message.read_at else now
    )
    message.refresh_from_db()
    fanout.publish_on_commit(user.pk, None)
    return message


def set_preferences(*, user: Any, choices: Iterable[tuple[str, str, bool]]) -> None:
    """Save per-category, per-channel choices; security and inboxes cannot be switched off."""
    for category, channel, enabled in choices:
        if (category, channel) not in policies.DEFAULTS:
            raise DomainError(f"Unknown preference {category}/{channel}.", status=422,
                              code="notifications.unknown_preference")  # fmt: skip
        if policies.locked(category, channel):
            if not enabled:
                raise PreferenceLocked(f"{category} notices on {channel} cannot be switched off.")
            continue
        Preference.objects.update_or_create(
            user=user, category=category, channel=channel, defaults={"enabled": enabled}
        )


def opt_in(
    *, user: Any, partner: str, max_per_week: int = 2, quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
) -> PartnerOptIn:  # fmt: skip
    """Consent to promotions from ``partner``, with a weekly cap and quiet hours."""
    if not partner.strip():
        raise DomainError("Name the partner.", code="notifications.partner_required", status=422)
    defaults: dict[str, Any] = {"max_per_week": max_per_week}
    if quiet_start is not None and quiet_end is not None:
        defaults.update(quiet_start=quiet_start, quiet_end=quiet_end)
    opt, _ = PartnerOptIn.objects.update_or_create(user=user, partner=partner, defaults=defaults)
    return opt


def opt_out(*, user: Any, partner: str) -> None:
    """Withdraw consent to ``partner``'s promotions."""
    PartnerOptIn.objects.filter(user=user, partner=partner).delete()


def set_address(*, user: Any, channel: str, value: str) -> None:
    """Where ``user`` receives SMS or email ("" removes it)."""
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise DomainError("Only SMS and email have addresses.", status=422,
                          code="notifications.bad_channel")  # fmt: skip
    ContactAddress.objects.filter(user=user, channel=channel).delete()
    if value.strip():
        ContactAddress.objects.create(user=user, channel=channel, value=value.strip())


def ensure_system_template(code: str) -> Template:
    """The platform template ``code`` (catalog.py), created on first use."""
    from citizencloud.notifications.catalog import SYSTEM_TEMPLATES

    existing = Template.objects.filter(code=code).first()
    return existing or create_template(code=code, **SYSTEM_TEMPLATES[code])


def replace_opt_ins(*, user: Any, opt_ins: Iterable[Mapping[str, Any]]) -> None:
    """Make ``opt_ins`` the person's whole list of partners they accept promotions from."""
    wanted = {item["partner"]: item for item in opt_ins}
    PartnerOptIn.objects.filter(user=user).exclude(partner__in=list(wanted)).delete()
    for partner, item in wanted.items():
        opt_in(user=user, partner=partner, max_per_week=item.get("max_per_week", 2),
               quiet_start=item.get("quiet_start"), quiet_end=item.get("quiet_end"))  # fmt: skip


def send_to_many(
    *, sender: str, template_code: str, recipients: Iterable[uuid.UUID],
    context: Mapping[str, object], key: str,
) -> tuple[int, int]:  # fmt: skip
    """Send one template to many people (staff announcements); (sent, skipped). Idempotent per
    ``key``; counts against the sender's limits, so a 429 rolls the whole batch back."""
    from django.contrib.auth import get_user_model

    sent = skipped = 0
    users = get_user_model().objects.filter(public_id__in=list(recipients))
    for user in users.order_by("pk"):
        message = notify(recipient=user, template_code=template_code, context=context,
                         dedupe_key=f"{key}:{user.public_id}", sender=sender)  # fmt: skip
        sent, skipped = (sent + 1, skipped) if message else (sent, skipped + 1)
    return sent, skipped
