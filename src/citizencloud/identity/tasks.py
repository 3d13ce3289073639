"""Identity tasks: text messages leave only from here, after the request's commit."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from citizencloud.identity.models import PendingRegistration, User
from citizencloud.kernel import clock, sms
from citizencloud.kernel.logging import get_logger

log = get_logger("citizencloud.identity")


@task()
def send_registration_code(registration_id: str) -> None:
    """Text the registration code; to a phone that already has an account, say so instead."""
    pending = PendingRegistration.objects.filter(public_id=registration_id).first()
    if pending is None or pending.used_at is not None or pending.expires_at <= clock.now():
        return
    with translation.override("zh-hans"):
        if User.objects.filter(phone_index=pending.phone_index).exists():
            text = _(
                "[Citizen Cloud] This phone number already has an account. Sign in, or reset "
                "your password. If you did not ask to register, ignore this message."
            )
        else:
            text = _(
                "[Citizen Cloud] Your registration code is %(code)s. It expires in 10 minutes. "
                "Never tell it to anyone."
            ) % {"code": pending.code}
    message_id = sms.send(
        str(pending.phone), text, idempotency_key=f"identity.registration:{registration_id}"
    )
    log.info("identity.code_sent", registration_id=registration_id, message_id=message_id)
