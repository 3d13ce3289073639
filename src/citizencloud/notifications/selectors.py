"""Every read of the notification centre; a person sees only their own messages."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from citizencloud.kernel import clock
from citizencloud.kernel.errors import NotFound
from citizencloud.notifications import policies
from citizencloud.notifications.models import (
    Category,
    ContactAddress,
    Message,
    PartnerOptIn,
    Preference,
)

TABS = ("service", "security", "announcement", "promotion")


def inbox(user: Any, *, category: str | None = None, archived: bool = False) -> QuerySet[Message]:
    """The person's messages, newest first; promotions only in their own tab."""
    messages = Message.objects.filter(recipient=user, archived_at__isnull=not archived)
    if category:
        messages = messages.filter(category=category)
    return messages.order_by("-id")


def message_for(user: Any, public_id: uuid.UUID) -> Message:
    """One of the person's own messages, or NotFound (never another person's)."""
    message = Message.objects.filter(recipient=user, public_id=public_id).first()
    if message is None:
        raise NotFound("No such message.", code="notifications.not_found")
    return message


def unread_counts(user: Any) -> dict[str, int]:
    """Unread, not archived messages per category (every category present)."""
    rows = (
        Message.objects.filter(recipient=user, read_at__isnull=True, archived_at__isnull=True)
        .values("category")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(TABS, 0)
    counts.update({row["category"]: row["n"] for row in rows})
    return counts


def shows_promotions(user: Any) -> bool:
    """The 广告 tab exists only for someone who opted in to at least one partner."""
    return PartnerOptIn.objects.filter(user=user).exists()


def opt_ins(user: Any) -> QuerySet[PartnerOptIn]:
    return PartnerOptIn.objects.filter(user=user).order_by("partner")


def promotions_this_week(user: Any, partner: str) -> int:
    since = clock.now() - dt.timedelta(days=7)
    return Message.objects.filter(
        recipient=user, category=Category.PROMOTION, partner=partner, created_at__gte=since
    ).count()


def choices(user: Any, category: str) -> dict[str, bool]:
    """The person's explicit choices for ``category``, by channel."""
    rows = Preference.objects.filter(user=user, category=category)
    return {row.channel: row.enabled for row in rows}


@dataclass(frozen=True)
class PreferenceItem:
    category: str
    channel: str
    enabled: bool
    locked: bool


def preferences(user: Any) -> list[PreferenceItem]:
    """Every (category, channel) with its effective value and whether it can be changed."""
    explicit = {
        (row.category, row.channel): row.enabled for row in Preference.objects.filter(user=user)
    }
    items = []
    for (category, channel), default in policies.DEFAULTS.items():
        locked = policies.locked(category, channel)
        enabled = True if locked else explicit.get((category, channel), default)
        items.append(PreferenceItem(category, channel, enabled, locked))
    return items


def address_channels(user: Any) -> set[str]:
    """The channels the person can be reached on besides the inbox."""
    user_id = getattr(user, "pk", user)
    channels = set(ContactAddress.objects.filter(user_id=user_id).values_list("channel", flat=True))
    if get_user_model().objects.filter(pk=user_id, phone__isnull=False).exists():
        channels.add("sms")  # identity's verified phone
    return channels


def address(user_id: int, channel: str) -> str | None:
    """The clear address for ``channel`` (decrypted; only the send task needs it).

    An address given in the notification settings wins; else identity's phone for SMS.
    """
    row = ContactAddress.objects.filter(user_id=user_id, channel=channel).first()
    if row is not None:
        return str(row.value)
    if channel == "sms":
        user = get_user_model().objects.filter(pk=user_id).first()
        phone = getattr(user, "phone", None)
        return str(phone) if phone else None
    return None


def messages_after(last_id: int, *, limit: int = 500) -> list[tuple[int, int]]:
    """(message id, recipient id) created after ``last_id``: the stream's embedded feed."""
    rows = Message.objects.filter(id__gt=last_id).order_by("id").values_list("id", "recipient_id")
    return list(rows[:limit])


# The inbox page's stream cursor when the person had no message yet: replay from their first.
STREAM_START = "start"


def stream_cursor(user: Any) -> str:
    """Where a page's live stream resumes: the public id of the person's newest message when the
    page was rendered (any category), or ``STREAM_START``. A message created between the page's
    query and the stream's connection is then replayed instead of lost."""
    newest = (
        Message.objects.filter(recipient=user).order_by("-id").values_list("public_id", flat=True)
    ).first()
    return str(newest) if newest is not None else STREAM_START


def message_ids_after(user_id: int, last_public_id: str, *, limit: int = 50) -> list[int]:
    """The person's message ids after their message ``last_public_id`` (an SSE reconnect's
    catch-up, or the inbox page's cursor), oldest first; none if that message is unknown;
    from their first message for ``STREAM_START``."""
    if last_public_id == STREAM_START:
        rows = Message.objects.filter(recipient_id=user_id).order_by("id")
        return list(rows.values_list("id", flat=True)[:limit])
    try:
        key = uuid.UUID(last_public_id)
    except ValueError:
        return []
    last = Message.objects.filter(recipient_id=user_id, public_id=key).values_list("id", flat=True)
    rows = Message.objects.filter(recipient_id=user_id, id__gt=last.first() or 0).order_by("id")
    return list(rows.values_list("id", flat=True)[:limit]) if last.exists() else []


def latest_message_id() -> int:
    return Message.objects.order_by("-id").values_list("id", flat=True).first() or 0


def delivery_summary(message: Message) -> dict[str, str]:
    return dict(message.deliveries.values_list("channel", "status"))


def has_unread(user: Any) -> bool:
    return Message.objects.filter(Q(recipient=user) & Q(read_at__isnull=True)).exists()
