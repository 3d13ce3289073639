"""Inbox and preference pages over the same services as the API (PRG; work without JS)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from citizencloud.kernel.errors import DomainError
from citizencloud.notifications import policies, selectors, services

# The tab names are fixed vocabulary of the issue (办事进度 / 安全 / 公告 / 广告), kept as data in
# both languages like the notice texts, so they never depend on a catalog entry.
TAB_NAMES = {
    "service": ("办事进度", "Case progress"),
    "security": ("安全", "Security"),
    "announcement": ("公告", "Announcements"),
    "promotion": ("广告", "Advertising"),
}


def _labels() -> dict[str, str]:
    english = (get_language() or "").startswith("en")
    return {code: names[1] if english else names[0] for code, names in TAB_NAMES.items()}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox, one tab per category; the advertising tab only after an opt-in."""
    show_promotions = selectors.shows_promotions(request.user)
    tabs = [t for t in selectors.TABS if t != "promotion" or show_promotions]
    tab = request.GET.get("tab", "service")
    if tab not in tabs:
        tab = "service"
    archived = request.GET.get("archived") == "1"
    counts = selectors.unread_counts(request.user)
    context = {
        "tabs": [(t, _labels()[t], counts[t]) for t in tabs],
        "tab": tab,
        "archived": archived,
        "english": (get_language() or "").startswith("en"),
        "messages_list": selectors.inbox(request.user, category=tab, archived=archived)[:100],
        "stream_after": selectors.stream_cursor(request.user),
    }
    return render(request, "notifications/inbox.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = services.mark_read(user=request.user, message_id=message_id)
    return redirect(f"/me/notifications/?tab={message.category}")


@login_required
@require_POST
def archive(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    message = services.archive(user=request.user, message_id=message_id)
    return redirect(f"/me/notifications/?tab={message.category}")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Switches per category and channel, partners for advertising, SMS and email addresses."""
    error = ""
    if request.method == "POST":
        try:
            _save_preferences(request)
            return redirect("notifications:preferences")
        except DomainError as exc:
            error = exc.message
    context = {
        "items": selectors.preferences(request.user),
        "labels": _labels(),
        "partners": selectors.opt_ins(request.user),
        "addresses": sorted(selectors.address_channels(request.user)),
        "error": error,
    }
    return render(request, "notifications/preferences.html", context, status=422 if error else 200)


def _save_preferences(request: HttpRequest) -> None:
    post = request.POST
    choices = [
        (category, channel, f"{category}:{channel}" in post)
        for (category, channel) in policies.DEFAULTS
        if not policies.locked(category, channel)
    ]
    services.set_preferences(user=request.user, choices=choices)
    for partner in post.getlist("remove_partner"):
        services.opt_out(user=request.user, partner=partner)
    if partner := post.get("add_partner", "").strip():
        services.opt_in(user=request.user, partner=partner)
    for channel in ("sms", "email"):
        if post.get(f"address_{channel}", "").strip():
            services.set_address(
                user=request.user, channel=channel, value=post[f"address_{channel}"]
            )
