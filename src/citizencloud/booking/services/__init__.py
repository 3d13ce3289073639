"""Every write of the booking app, named in the user's words."""

from citizencloud.booking.services.bookings import (
    book,
    cancel,
    payload,
    refuse_early,
    reschedule,
)
from citizencloud.booking.services.queue import call_next, check_in, finish
from citizencloud.booking.services.slots import (
    configure,
    generate_slots,
    mark_no_shows,
    send_reminders,
)

__all__ = [
    "book",
    "call_next",
    "cancel",
    "check_in",
    "configure",
    "finish",
    "generate_slots",
    "mark_no_shows",
    "payload",
    "refuse_early",
    "reschedule",
    "send_reminders",
]
