"""Campaigns in the Django admin: created through ``services.create_campaign`` (so a lottery
commits to H(seed) and the creation is audited); the commitments are read-only."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from citizencloud.campaigns import services
from citizencloud.campaigns.models import Campaign, PrizeTier
from citizencloud.kernel import service_admin
from citizencloud.kernel.errors import DomainError

_TIER = re.compile(r"^\s*([0-9]+)\s*[x×*]\s*([0-9]+)\s*$")


class CampaignAddForm(forms.ModelForm[Campaign]):
    tiers_text = forms.CharField(
        label=_("Prize tiers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One tier per line, in rank order: amount in fen × count, e.g. 17800×138805"),
    )

    class Meta:
        model = Campaign
        fields = [
            "slug", "title", "title_en", "kind", "description", "description_en", "opens_at",
            "closes_at", "draw_at", "min_assurance", "regions", "min_age", "max_age",
        ]  # fmt: skip

    def clean_tiers_text(self) -> list[services.TierSpec]:
        tiers = []
        for line in str(self.cleaned_data["tiers_text"]).splitlines():
            if not line.strip():
                continue
            found = _TIER.match(line)
            if found is None:
                raise forms.ValidationError(_("Write each tier as amount in fen × count."))
            tiers.append(services.TierSpec(int(found[1]), int(found[2])))
        return tiers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            services.validate(
                kind=data["kind"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                tiers=data["tiers_text"], draw_at=data.get("draw_at"),
                min_assurance=data["min_assurance"], regions=data.get("regions") or [],
                min_age=data.get("min_age"), max_age=data.get("max_age"), schedule=True,
            )  # fmt: skip
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return data


class PrizeTierInline(admin.TabularInline[PrizeTier, Campaign]):
    model = PrizeTier
    extra = 0
    can_delete = False
    readonly_fields = ("rank", "amount_fen", "count")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(service_admin.AddThroughService, admin.ModelAdmin[Campaign]):
    add_form = CampaignAddForm
    list_display = ("title", "kind", "opens_at", "closes_at", "draw_at", "entry_count")
    list_filter = ("kind",)
    search_fields = ("slug", "title")
    inlines = [PrizeTierInline]
    readonly_fields = (
        "slug", "kind", "opens_at", "closes_at", "draw_at", "min_assurance", "regions",
        "min_age", "max_age", "remaining", "seed_hash", "revealed_seed", "entry_count",
        "merkle_root", "closed_at", "drawn_at", "created_at",
    )  # fmt: skip
    exclude = ("seed",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [*CampaignAddForm.Meta.fields, "tiers_text"]
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        if change:  # only the texts are editable after creation
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.create_campaign(
            slug=data["slug"], title=data["title"], title_en=data.get("title_en", ""),
            kind=data["kind"], description=data.get("description", ""),
            description_en=data.get("description_en", ""), opens_at=data["opens_at"],
            closes_at=data["closes_at"], draw_at=data.get("draw_at"),
            tiers=data["tiers_text"], min_assurance=data["min_assurance"],
            regions=data.get("regions") or [], min_age=data.get("min_age"),
            max_age=data.get("max_age"), actor=request.user, request=request, schedule=True,
        )  # fmt: skip
        service_admin.adopt(obj, created)
