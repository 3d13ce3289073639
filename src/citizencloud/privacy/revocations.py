"""Delivering revocation notices to third parties and accepting their signed acknowledgements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from citizencloud.kernel import audit, clock
from citizencloud.kernel.errors import DomainError, NotFound
from citizencloud.kernel.logging import get_logger
from citizencloud.privacy import notices
from citizencloud.privacy.models import NoticeStatus, RevocationNotice, ThirdParty

log = get_logger("citizencloud.privacy.revocations")


class BadAcknowledgement(DomainError):
    code = "privacy.bad_acknowledgement"
    status = 400


def backoff(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from the base, capped."""
    base = settings.PRIVACY_NOTICE_RETRY_BASE_SECONDS
    return float(min(settings.PRIVACY_NOTICE_RETRY_CAP_SECONDS, base * 2 ** max(0, attempt - 1)))


def ack_url(notice: RevocationNotice) -> str:
    path = reverse("api-v1:partner_ack", kwargs={"notice_id": notice.public_id})
    return settings.PRIVACY_PUBLIC_BASE_URL.rstrip("/") + path


def _third_party(notice: RevocationNotice) -> ThirdParty:
    party = notice.consent.party
    if party is None:  # notices exist only for third parties' consents
        raise NotFound()
    return party


def _party(notice: RevocationNotice) -> Any:
    party = _third_party(notice)
    return audit.Actor(id=party.code, kind="third_party", name=party.name)


def accept_ack(*, notice: RevocationNotice, header: str, body: bytes, request: Any = None) -> bool:
    """Mark ``notice`` confirmed if the acknowledgement verifies; audit either way. A bad one
    raises BadAcknowledgement (the caller's transaction keeps the audit entry)."""
    try:
        ack = notices.verify_ack(
            public_key=_third_party(notice).ack_public_key, header=header, body=body, notice=notice
        )
    except notices.BadAck as error:
        audit.record(
            action="privacy.revocation_ack_rejected",
            actor=_party(notice),
            target=notice.consent,
            details={"notice_id": str(notice.public_id), "reason": str(error)},
            request=request,
        )
        raise BadAcknowledgement(str(error)) from error
    confirmed = RevocationNotice.objects.filter(pk=notice.pk, status=NoticeStatus.PENDING).update(
        status=NoticeStatus.CONFIRMED, acknowledged_at=clock.now(), outcome=ack.outcome
    )
    if confirmed:
        audit.record(
            action="privacy.revocation_acknowledged",
            actor=_party(notice),
            target=notice.consent,
            details={"notice_id": str(notice.public_id), "outcome": ack.outcome},
            request=request,
        )
    return bool(confirmed)


def acknowledge(*, notice_id: Any, header: str, body: bytes, request: Any = None) -> bool:
    """``POST /partners/revocations/{id}/ack``: a party confirming later (after a 202)."""
    notice = (
        RevocationNotice.objects.select_related("consent__party").filter(public_id=notice_id)
    ).first()
    if notice is None:
        raise NotFound()
    return accept_ack(notice=notice, header=header, body=body, request=request)


def deliver(notice_id: int) -> str:
    """One attempt: POST the signed notice; a verified acknowledgement confirms it, anything
    else schedules the next attempt. Runs the HTTP call outside any transaction."""
    with transaction.atomic():
        notice = (
            RevocationNotice.objects.select_related("consent__party").filter(pk=notice_id).first()
        )
        if notice is None or notice.status == NoticeStatus.CONFIRMED:
            return "done"
        body = notices.notice_body(notice, ack_url(notice))
        url = _third_party(notice).webhook_url
    error, status, reply, header = "", 0, b"", ""
    try:
        response = httpx.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                notices.SIGNATURE_HEADER: notices.sign(body),
            },
            timeout=settings.PRIVACY_NOTICE_TIMEOUT,
        )
        status, reply = response.status_code, response.content
        header = response.headers.get(notices.ACK_SIGNATURE_HEADER, "")
    except httpx.HTTPError as failure:
        error = type(failure).__name__
    with transaction.atomic():
        notice = RevocationNotice.objects.select_related("consent__party").get(pk=notice_id)
        notice.attempts += 1
        notice.last_attempt_at = clock.now()
        confirmed = False
        if status == 200:
            try:
                confirmed = accept_ack(notice=notice, header=header, body=reply)
            except BadAcknowledgement as bad:
                error = f"bad acknowledgement: {bad.message}"
        elif status == 202:
            error = "accepted, waiting for the acknowledgement"
        elif not error:
            error = f"HTTP {status}"
        notice.last_error = "" if confirmed else error[:200]
        notice.save(update_fields=["attempts", "last_attempt_at", "last_error"])
        if confirmed:
            return "confirmed"
        _retry(notice)
    log.info("privacy.notice_retry", notice=str(notice.public_id), attempt=notice.attempts)
    return "retry"


def _retry(notice: RevocationNotice) -> None:
    from citizencloud.privacy import tasks

    at = clock.now() + dt.timedelta(seconds=backoff(notice.attempts))
    tasks.send_revocation_notice.using(run_after=at).enqueue(notice.pk)
