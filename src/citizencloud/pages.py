"""Portal pages that belong to no single app: the home page and "report a problem"."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from citizencloud.campaigns import selectors as campaigns
from citizencloud.catalog import selectors as catalog

# Campaigns open or coming up shown on the home page (all of them: ``/campaigns/``).
HOME_CAMPAIGNS = 4


@dataclass(frozen=True)
class Verb:
    glyph: str
    name: Promise
    summary: Promise
    examples: Promise


VERBS = (
    Verb(
        "查",
        _("Query"),
        _("See your own records held by departments."),
        _("Social insurance, housing fund, property, vehicles, school places, vaccinations"),
    ),
    Verb(
        "约",
        _("Book"),
        _("Book a time at a service hall, hospital or community centre."),
        _("Service hall windows, hospital appointments, community rooms"),
    ),
    Verb(
        "办",
        _("Apply"),
        _("Apply once and follow your case step by step until it is done."),
        _("Residence permit, housing fund withdrawal, medical insurance enrolment"),
    ),
    Verb(
        "缴",
        _("Pay"),
        _("Look up and pay bills and fees, and keep the receipt."),
        _("Water, power, gas, social insurance contributions, fines, fees"),
    ),
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front door: the four verbs, the campaigns open or coming up, a search box, themes and
    life events."""
    board = campaigns.board()
    context = {
        "verbs": VERBS,
        "campaigns": (board["current"] + board["upcoming"])[:HOME_CAMPAIGNS],
        "themes": catalog.theme_list(),
        "life_events": catalog.life_events(),
    }
    return render(request, "home.html", context)


@require_safe
def report_problem(request: HttpRequest) -> HttpResponse:
    """Where to complain or report a fault, visible from every page."""
    return render(request, "report_problem.html", {"hotline": settings.REPORT_PROBLEM_PHONE})
