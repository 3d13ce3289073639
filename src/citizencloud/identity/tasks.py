"""Identity tasks: text messages leave only from here, after the request's commit."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from citizencloud.identity.models import PasswordReset, PendingRegistration, PhoneChange, User
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


@task()
def send_reset_code(reset_id: str) -> None:
    """Text the password-reset code to the account's phone (nothing when there is no account)."""
    reset = PasswordReset.objects.select_related("user").filter(public_id=reset_id).first()
    if reset is None or reset.user is None or reset.used_at is not None:
        return
    if reset.expires_at <= clock.now() or not reset.user.phone:
        return
    with translation.override("zh-hans"):
        text = _(
            "[Citizen Cloud] Your code to set a new password is %(code)s. It expires in 10 "
            "minutes. If you did not ask for it, ignore this message."
        ) % {"code": reset.code}
    message_id = sms.send(
        str(reset.user.phone), text, idempotency_key=f"identity.password_reset:{reset_id}"
    )
    log.info("identity.code_sent", reset_id=reset_id, message_id=message_id)


@task()
def send_phone_change_code(change_id: str) -> None:
    """Text the code that proves the NEW number before an account moves to it."""
    change = PhoneChange.objects.filter(public_id=change_id).first()
    if change is None or change.used_at is not None or change.expires_at <= clock.now():
        return
    with translation.override("zh-hans"):
        text = _(
            "[Citizen Cloud] Your code to use this number for your account is %(code)s. It "
            "expires in 10 minutes. If you did not ask for it, ignore this message."
        ) % {"code": change.code}
    message_id = sms.send(
        str(change.phone), text, idempotency_key=f"identity.phone_change:{change_id}"
    )
    log.info("identity.code_sent", phone_change_id=change_id, message_id=message_id)


@task()
def send_phone_changed_notice(change_id: str) -> None:
    """Tell the OLD number that the account moved away from it, then forget the old number."""
    change = PhoneChange.objects.filter(public_id=change_id).first()
    if change is None or not change.old_phone:
        return
    with translation.override("zh-hans"):
        text = _(
            "[Citizen Cloud] The mobile number of your account was changed to another number. "
            "If this was not you, call the hotline at once."
        )
    message_id = sms.send(
        str(change.old_phone), text, idempotency_key=f"identity.phone_changed:{change_id}"
    )
    PhoneChange.objects.filter(pk=change.pk).update(old_phone=None)
    log.info("identity.phone_change_notice_sent", phone_change_id=change_id, message_id=message_id)
