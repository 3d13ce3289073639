"""Pages over the same services as the API: find slots (a calendar that works without
JavaScript), my bookings with the QR code and a live queue position, the kiosk check-in, the
hall display, and the staff pages (schedule, call next). Post → Redirect → Get."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citizencloud.booking import errors, forms, policies, presenters, qr, selectors, services
from citizencloud.booking.models import Resource, TicketState
from citizencloud.kernel import clock, ratelimit
from citizencloud.kernel.errors import DomainError, NotFound, PermissionDenied

QUEUE = "booking:queue:write"
SCHEDULE = "booking:schedule:write"


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, PermissionDenied) as error:
            template = "404.html" if isinstance(error, NotFound) else "403.html"
            return render(request, template, {"message": error.message}, status=error.status)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _citizen(request: HttpRequest) -> Any:
    if getattr(request.user, "kind", "") != "citizen":
        raise PermissionDenied(str(errors.citizens_only().message))
    return request.user


def _day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return selectors.today()


def _find_url(**params: str) -> str:
    return reverse("booking:find") + "?" + urlencode({k: v for k, v in params.items() if v})


@_guard
def find(request: HttpRequest) -> HttpResponse:
    """Choose a service point, a day in the horizon, then a slot (links and forms only)."""
    code = request.GET.get("point", "")
    context: dict[str, Any] = {
        "points": selectors.bookable_points(service=request.GET.get("service", "")[:64]),
        "key": uuid.uuid4().hex,
        "now": clock.now(),
    }
    if code:
        point = selectors.get_point(code)
        service = request.GET.get("service", "")[:64]
        resources = selectors.resources_at(point, service=service)
        day = _day(request.GET.get("date", ""))
        horizon = max((r.horizon_days for r in resources), default=14)
        context.update(
            point=point,
            service=service,
            resources=resources,
            day=day,
            days=selectors.days(resources, horizon=horizon),
            slots=[presenters.slot(s) for s in selectors.slots(resources, day)],
            reschedule=request.GET.get("reschedule", ""),
        )
    return render(request, "booking/find.html", context)


@require_POST
@login_required
@_guard
def book(request: HttpRequest) -> HttpResponse:
    citizen = _citizen(request)
    try:
        slot_id = int(request.POST.get("slot_id", ""))
    except ValueError:
        slot_id = 0
    key = request.POST.get("key", "")[:64] or uuid.uuid4().hex
    try:
        booking = services.book(citizen=citizen, slot_id=slot_id, request_key=key, request=request)
    except DomainError as error:
        transaction.set_rollback(True)
        messages.error(request, str(error.message))
        back = request.POST.get("back", "")
        return redirect(back if back.startswith("/booking/") else reverse("booking:find"))
    messages.success(request, _("Booked. Show the QR code at the service point."))
    return redirect("booking:detail", booking_id=booking.public_id)


@login_required
@_guard
def mine(request: HttpRequest) -> HttpResponse:
    bookings = [presenters.booking(b) for b in selectors.mine(_citizen(request))[:100]]
    return render(request, "booking/mine.html", {"bookings": bookings})


def _detail_context(request: HttpRequest, booking_id: str) -> dict[str, Any]:
    booking = selectors.get_booking(_citizen(request), booking_id)
    shown = presenters.booking(booking)
    token = shown["qr_code"]
    return {
        "booking": shown,
        "qr_image": qr.svg_data_uri(token) if token else "",
        "cancel_deadline": booking.slot.starts_at
        - dt.timedelta(minutes=booking.resource.cancel_minutes),
        "reschedule_url": _find_url(
            point=booking.resource.point.code,
            date=booking.slot.starts_at.astimezone(policies.LOCAL).date().isoformat(),
            reschedule=str(booking.public_id),
        ),
    }


@login_required
@_guard
def detail(request: HttpRequest, booking_id: str) -> HttpResponse:
    return render(request, "booking/detail.html", _detail_context(request, booking_id))


@login_required
@_guard
def queue_partial(request: HttpRequest, booking_id: str) -> HttpResponse:
    """The live part of the booking page (polled by HTMX every few seconds)."""
    return render(request, "booking/_queue.html", _detail_context(request, booking_id))


@require_POST
@login_required
@_guard
def cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    try:
        services.cancel(citizen=_citizen(request), booking_id=booking_id, request=request)
        messages.success(request, _("Your booking was cancelled."))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        transaction.set_rollback(True)
        messages.error(request, str(error.message))
    return redirect("booking:detail", booking_id=booking_id)


@require_POST
@login_required
@_guard
def reschedule(request: HttpRequest, booking_id: str) -> HttpResponse:
    try:
        slot_id = int(request.POST.get("slot_id", ""))
    except ValueError:
        slot_id = 0
    try:
        services.reschedule(
            citizen=_citizen(request), booking_id=booking_id, slot_id=slot_id, request=request
        )
        messages.success(request, _("Your booking was moved to the new time."))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        transaction.set_rollback(True)
        messages.error(request, str(error.message))
    return redirect("booking:detail", booking_id=booking_id)


@require_http_methods(["GET", "POST"])
@_guard
def kiosk(request: HttpRequest, point: str) -> HttpResponse:
    """The self-service kiosk in the hall: scan (or type) the booking's code, get a number."""
    found = selectors.get_point(point)
    context: dict[str, Any] = {"point": found}
    if request.method == "POST":
        try:
            ratelimit.check("booking.kiosk", ratelimit.client_ip(request), "120/m")
            ticket = services.check_in(
                token=request.POST.get("code", "")[:200], point=found, request=request
            )
            context.update(ticket=ticket, waiting_before=selectors.position(ticket))
        except DomainError as error:  # the service's savepoint already undid its writes
            context["error"] = error.message
    return render(request, "booking/kiosk.html", context)


@_guard
def display(request: HttpRequest, point: str) -> HttpResponse:
    found = selectors.get_point(point)
    return render(request, "booking/display.html", {"point": found, **selectors.queue_board(found)})


@_guard
def display_board(request: HttpRequest, point: str) -> HttpResponse:
    found = selectors.get_point(point)
    return render(request, "booking/_board.html", {"point": found, **selectors.queue_board(found)})


def _staff(request: HttpRequest) -> Any:
    if getattr(request.user, "kind", "") != "staff":
        raise PermissionDenied(str(errors.forbidden().message))
    return request.user


@login_required
@_guard
def staff_home(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    resources = selectors.staff_resources(staff, QUEUE) | selectors.staff_resources(staff, SCHEDULE)
    points = {r.point.code: r.point for r in resources}
    schedulable = set(selectors.staff_resources(staff, SCHEDULE).values_list("pk", flat=True))
    return render(
        request,
        "booking/staff_home.html",
        {"resources": resources.distinct(), "points": points.values(), "schedulable": schedulable},
    )


def _resource_for(staff: Any, code: str) -> Resource:
    resource = selectors.get_resource(code)
    if not selectors.staff_resources(staff, SCHEDULE).filter(pk=resource.pk).exists():
        raise PermissionDenied(str(errors.forbidden().message))
    return resource


@require_http_methods(["GET", "POST"])
@login_required
@_guard
def staff_schedule(request: HttpRequest, code: str) -> HttpResponse:
    staff = _staff(request)
    resource = _resource_for(staff, code)
    form = forms.ScheduleForm(initial=forms.ScheduleForm.initial_for(resource))
    if request.method == "POST":
        form = forms.ScheduleForm(request.POST)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            version = fields.pop("version")
            try:
                services.configure(staff=staff, resource=resource, version=version, **fields)
                messages.success(request, _("The schedule was saved."))
                return redirect("booking:staff-schedule", code=resource.code)
            except DomainError as error:  # the service's savepoint already undid its writes
                form.add_error(None, str(error.message))
    day = _day(request.GET.get("date", ""))
    slots = selectors.slots(Resource.objects.filter(pk=resource.pk), day)
    return render(
        request,
        "booking/staff_schedule.html",
        {"resource": resource, "form": form, "day": day, "slots": slots},
    )


@require_http_methods(["GET", "POST"])
@login_required
@_guard
def staff_call(request: HttpRequest, point: str) -> HttpResponse:
    """Call the next number to a window; check in at the window; close a called ticket."""
    staff = _staff(request)
    found = selectors.get_point(point)
    if not selectors.may_staff(staff, QUEUE, found):
        raise PermissionDenied(str(errors.forbidden().message))
    window = request.POST.get("window", request.GET.get("window", "1"))[:16] or "1"
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "call":
                ticket = services.call_next(
                    staff=staff, point=found, window=window, request=request
                )
                if ticket is None:
                    messages.info(request, _("Nobody is waiting."))
                else:
                    messages.success(
                        request,
                        _("Called %(ticket)s to window %(window)s.")
                        % {"ticket": ticket.label, "window": window},
                    )
            elif action == "checkin":
                ticket = services.check_in(
                    token=request.POST.get("code", "")[:200], point=found, request=request
                )
                messages.success(
                    request, _("Checked in: number %(ticket)s.") % {"ticket": ticket.label}
                )
            elif action in ("done", "skip"):
                ticket_id = request.POST.get("ticket", "")
                services.finish(
                    staff=staff, point=found, served=action == "done",
                    ticket_id=int(ticket_id) if ticket_id.isdigit() else 0,
                )  # fmt: skip
        except (NotFound, PermissionDenied):
            raise
        except DomainError as error:
            transaction.set_rollback(True)
            messages.error(request, str(error.message))
        return redirect(reverse("booking:staff-call", args=[found.code]) + f"?window={window}")
    board = selectors.queue_board(found)
    mine = [t for t in board["called"] if t.window == window and t.state == TicketState.CALLED]
    return render(
        request,
        "booking/staff_call.html",
        {"point": found, "window": window, "current": mine[:1], **board},
    )
