"""The booking app's domain errors: stable dotted codes, messages in the user's language."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from citizencloud.booking.policies import LOCAL
from citizencloud.kernel.errors import DomainError


def refused(code: str, message: str, status: int = 409) -> DomainError:
    return DomainError(message, code=f"booking.{code}", status=status)


def booking_not_found() -> DomainError:
    # Someone else's booking is "not found", never "forbidden": existence is not disclosed.
    return refused("not_found", _("No such booking."), 404)


def slot_not_found() -> DomainError:
    return refused("slot_not_found", _("No such slot."), 404)


def slot_full() -> DomainError:
    return refused("slot_full", _("This slot is fully booked; choose another time."))


def slot_past() -> DomainError:
    return refused("slot_past", _("This slot has already begun; choose a later time."))


def not_released(at: dt.datetime) -> DomainError:
    return refused(
        "not_released",
        _("This slot opens for booking at %(time)s.")
        % {"time": at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")},
    )


def already_booked() -> DomainError:
    return refused(
        "already_booked",
        _("You already have an active booking for this service; cancel or change it first."),
    )


def banned(until: dt.datetime) -> DomainError:
    return refused(
        "no_show_ban",
        _("After several missed bookings, online booking is paused for you until %(day)s.")
        % {"day": until.astimezone(LOCAL).strftime("%Y-%m-%d")},
        403,
    )


def citizens_only() -> DomainError:
    return refused("citizens_only", _("Only citizens book slots."), 403)


def forbidden() -> DomainError:
    return refused("forbidden", _("You may not do this at this service point."), 403)
