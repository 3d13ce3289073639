"""The staff schedule form: a resource's slot template and rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from citizencloud.booking import policies
from citizencloud.booking.models import OpenOn, Resource

_SESSION = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def sessions_text(resource: Resource) -> str:
    return ", ".join(f"{a}-{b}" for a, b in resource.sessions)


class ScheduleForm(forms.Form):
    sessions = forms.CharField(
        label=_("Opening sessions"),
        max_length=200,
        help_text=_("For example 09:00-12:00, 13:30-17:00"),
    )
    open_on = forms.ChoiceField(label=_("Open on"), choices=OpenOn.choices)
    slot_minutes = forms.IntegerField(label=_("Slot length (minutes)"), min_value=5, max_value=480)
    capacity = forms.IntegerField(label=_("Capacity per slot"), min_value=0, max_value=10000)
    horizon_days = forms.IntegerField(label=_("Booking horizon (days)"), min_value=0, max_value=90)
    release_time = forms.TimeField(label=_("Daily release time"))
    cancel_minutes = forms.IntegerField(
        label=_("Cancellation deadline (minutes)"), min_value=0, max_value=10080
    )
    no_show_limit = forms.IntegerField(label=_("No-shows allowed"), min_value=0, max_value=50)
    no_show_window_days = forms.IntegerField(
        label=_("No-show window (days)"), min_value=1, max_value=365
    )
    no_show_ban_days = forms.IntegerField(
        label=_("Ban after no-shows (days)"), min_value=0, max_value=365
    )
    active = forms.BooleanField(label=_("Open for booking"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_sessions(self) -> list[list[str]]:
        parsed = []
        for part in str(self.cleaned_data["sessions"]).split(","):
            match = _SESSION.match(part)
            if match is None:
                raise forms.ValidationError(_("Write sessions as 09:00-12:00, 13:30-17:00."))
            parsed.append([f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in match.groups()])
        try:
            policies.parse_sessions(parsed)
        except ValueError:
            raise forms.ValidationError(
                _("Sessions must be in order and must not overlap.")
            ) from None
        return parsed

    @classmethod
    def initial_for(cls, resource: Resource) -> dict[str, Any]:
        fields = [f for f in cls.base_fields if f not in ("sessions", "version")]
        initial = {name: getattr(resource, name) for name in fields}
        return {**initial, "sessions": sessions_text(resource), "version": resource.version}
