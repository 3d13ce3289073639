"""Resources, their slots, bookings, and the queue tickets issued at check-in."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from citizencloud.catalog.models import Service
from citizencloud.kernel import clock
from citizencloud.org.models import Department, ServicePoint


class ResourceKind(models.TextChoices):
    WINDOW = "window", _("Service window")
    DEPARTMENT = "department", _("Hospital department")
    DOCTOR = "doctor", _("Doctor")
    ROOM = "room", _("Community room")


class OpenOn(models.TextChoices):
    WORKDAYS = "workdays", _("Working days (holiday calendar)")
    DAILY = "daily", _("Every day")


class Resource(models.Model):
    """Something bookable at a service point, with its own slot template and rules."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # One active booking per person and limit group (default: the service's code).
    limit_group = models.CharField(_("limit group"), max_length=64)
    queue_prefix = models.CharField(_("queue prefix"), max_length=2, default="A")
    # Slot template: [["09:00", "12:00"], ["13:30", "17:00"]] in Asia/Shanghai.
    sessions = models.JSONField(_("opening sessions"), default=list)
    open_on = models.CharField(
        _("open on"), max_length=16, choices=OpenOn.choices, default=OpenOn.WORKDAYS
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    capacity = models.PositiveIntegerField(_("capacity per slot"), default=4)
    horizon_days = models.PositiveSmallIntegerField(_("booking horizon (days)"), default=14)
    release_time = models.TimeField(_("daily release time"), default=dt.time(8, 0))
    cancel_minutes = models.PositiveIntegerField(_("cancellation deadline (minutes)"), default=120)
    no_show_limit = models.PositiveSmallIntegerField(_("no-shows allowed"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("no-show window (days)"), default=90)
    no_show_ban_days = models.PositiveSmallIntegerField(_("ban after no-shows (days)"), default=30)
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("point__code", "code")
        verbose_name = _("bookable resource")
        verbose_name_plural = _("bookable resources")

    def __str__(self) -> str:
        return self.name


class Slot(models.Model):
    """One bookable period of a resource; ``booked`` only moves by conditional UPDATE."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    released_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("starts_at",)
        constraints = [
            models.UniqueConstraint(fields=("resource", "starts_at"), name="booking_slot_unique"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="booking_slot_not_overbooked"
            ),
        ]
        indexes = [models.Index(fields=("resource", "starts_at"), name="booking_slot_day")]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked_in", _("Checked in")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Missed")


ACTIVE_STATES = (BookingState.BOOKED,)


class Booking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    limit_group = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=BookingState.choices, default="booked")
    # The client's key for this booking: a retried request finds the booking it made.
    request_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=("citizen", "limit_group"),
                condition=Q(state="booked"),
                name="booking_one_active_per_group",
            ),
            models.UniqueConstraint(
                fields=("citizen", "request_key"), name="booking_request_key_unique"
            ),
        ]
        indexes = [models.Index(fields=("state", "slot"), name="booking_state_slot")]

    def __str__(self) -> str:
        return f"booking {self.public_id}"


class TicketState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    DONE = "done", _("Served")
    SKIPPED = "skipped", _("Skipped")


class QueueCounter(models.Model):
    """The last queue number issued at a point on a day (moved by a conditional UPDATE)."""

    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("point", "day"), name="booking_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.day}: {self.last}"


class Ticket(models.Model):
    """A queue number issued at check-in; staff call it to a window."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="ticket")
    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=8)
    state = models.CharField(max_length=16, choices=TicketState.choices, default="waiting")
    window = models.CharField(max_length=16, blank=True)
    issued_at = models.DateTimeField(default=clock.now)
    called_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("number",)
        constraints = [
            models.UniqueConstraint(fields=("point", "day", "number"), name="booking_ticket_unique")
        ]
        indexes = [models.Index(fields=("point", "day", "state"), name="booking_ticket_queue")]

    def __str__(self) -> str:
        return self.label
