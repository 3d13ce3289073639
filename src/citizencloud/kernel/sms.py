"""The SMS port: one small interface for sending text messages, adapters chosen by a setting.

``CITIZENCLOUD_SMS_BACKEND`` names the adapter: ``development`` (the default outside production)
stores each message in a table, so ``/dev/sms`` and ``/dev/sms.json`` show them across
processes; the notifications issue adds the HTTP gateway. Callers send from a task, after the
commit, never inside a request's transaction (DESIGN.md §4 rule 3).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from citizencloud.kernel import clock, crypto

if TYPE_CHECKING:
    from citizencloud.kernel.models import DevSmsMessage

__all__ = ["BACKENDS", "DevelopmentGateway", "SmsGateway", "gateway", "recent", "send"]

BACKENDS = {
    "development": "citizencloud.kernel.sms.DevelopmentGateway",
}
_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


class SmsGateway(Protocol):
    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        """Send ``text`` to ``phone`` once per ``idempotency_key``; return the message id."""


class DevelopmentGateway:
    """Keeps messages in the database (phone encrypted) for the development SMS pages."""

    def send(self, phone: str, text: str, *, idempotency_key: str) -> str:
        from citizencloud.kernel.models import DevSmsMessage

        found = DevSmsMessage.objects.filter(idempotency_key=idempotency_key).first()
        if found is not None:
            return str(found.public_id)
        match = _CODE.search(text)
        message = DevSmsMessage(
            idempotency_key=idempotency_key,
            text=text,
            code=match.group(1) if match else "",
            created_at=clock.now(),
        )
        message.phone_sealed = crypto.encrypt(phone, context=_context(message))
        message.save()
        return str(message.public_id)


def _context(message: DevSmsMessage) -> tuple[str, str, str]:
    return (message._meta.db_table, "phone", str(message.public_id))


def phone_of(message: DevSmsMessage) -> str:
    """The clear phone number of a stored development message."""
    return crypto.decrypt(message.phone_sealed, context=_context(message))


def recent(limit: int = 100) -> list[dict[str, str]]:
    """The newest development messages first: phone, text, code, time (ISO 8601)."""
    from citizencloud.kernel.models import DevSmsMessage

    rows = DevSmsMessage.objects.order_by("-created_at", "-id")[:limit]
    return [
        {
            "phone": phone_of(row),
            "text": row.text,
            "code": row.code,
            "time": row.created_at.isoformat(),
        }
        for row in rows
    ]


@functools.cache
def _load(path: str) -> SmsGateway:
    gateway: SmsGateway = import_string(path)()
    return gateway


def gateway() -> SmsGateway:
    """The configured adapter."""
    name = settings.SMS_BACKEND
    return _load(BACKENDS.get(name, name))


def send(phone: str, text: str, *, idempotency_key: str) -> str:
    """Send through the configured adapter (call it from a task, after the commit)."""
    return gateway().send(phone, text, idempotency_key=idempotency_key)
