"""Catalog editing in the Django admin.

A catalog editor sees and edits only the services of the departments where they hold the
``catalog_editor`` role (``catalog:service:write``); superusers see everything. Every save goes
through ``services`` and so becomes a new published version with a change note and an editor.
Services are never deleted: they are retired or merged instead.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from pydantic import ValidationError

from citizencloud.catalog import services
from citizencloud.catalog.models import LifeEvent, LifeEventStep, Service, Status, Theme, Verb
from citizencloud.catalog.schemas import Guide
from citizencloud.org import selectors as org
from citizencloud.org.models import Department

WRITE = "catalog:service:write"


def editable_department_ids(request: HttpRequest) -> set[int] | None:
    """Departments the user may edit; None means all (superuser)."""
    user = request.user
    if not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return org.department_ids_permitted(int(user.pk), WRITE)


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    verb_choices = forms.MultipleChoiceField(
        label="Verbs", choices=Verb.choices, widget=forms.CheckboxSelectMultiple
    )
    guide_json = forms.CharField(
        label="Guide (JSON)",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text="Eligibility, materials, steps, legal basis, time limit, fee, channels, FAQ.",
    )
    change_note = forms.CharField(
        label="What changed", max_length=300, help_text="Shown in the public change history."
    )

    class Meta:
        model = Service
        fields = (
            "code",
            "name",
            "name_en",
            "theme",
            "department",
            "tier",
            "audience",
            "status",
            "successor",
            "popularity",
            "points",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.instance
        if service.pk:
            self.fields["verb_choices"].initial = service.verb_list()
            if service.published:
                self.fields["guide_json"].initial = json.dumps(
                    service.published.guide, ensure_ascii=False, indent=2
                )

    def clean_guide_json(self) -> Guide:
        try:
            return Guide.model_validate_json(self.cleaned_data["guide_json"])
        except ValidationError as exc:
            raise forms.ValidationError(
                [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, successor = data.get("status"), data.get("successor")
        if status == Status.MERGED and successor is None:
            self.add_error("successor", "A merged service needs a successor.")
        return data


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ServiceForm
    list_display = ("code", "name", "theme", "department", "tier", "status", "version_number")
    list_filter = ("theme", "tier", "status", "audience")
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("successor",)
    filter_horizontal = ("points",)
    list_select_related = ("theme", "department", "published")

    @admin.display(description="Version")
    def version_number(self, obj: Service) -> int:
        return obj.published.number if obj.published else 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        qs = super().get_queryset(request)
        allowed = editable_department_ids(request)
        return qs if allowed is None else qs.filter(department_id__in=allowed)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":
            allowed = editable_department_ids(request)
            queryset = Department.objects.select_related("region")
            kwargs["queryset"] = queryset if allowed is None else queryset.filter(pk__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_edit(self, request: HttpRequest, obj: Service | None) -> bool:
        allowed = editable_department_ids(request)
        if allowed is None:
            return True
        return bool(allowed) and (obj is None or obj.department_id in allowed)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_edit(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_edit(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_edit(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire or merge instead: links and history must keep working

    def save_model(self, request: HttpRequest, obj: Service, form: Any, change: bool) -> None:
        data = form.cleaned_data
        editor = request.user if request.user.is_authenticated else None
        obj.verbs = services.verbs_field(data["verb_choices"])
        status, successor = obj.status, obj.successor
        if change:
            # Status changes go through retire() so predecessors are re-pointed.
            obj.status = Service.objects.values_list("status", flat=True).get(pk=obj.pk)
            obj.successor = Service.objects.get(pk=obj.pk).successor
        obj.save()
        note = data["change_note"]
        services.edit(
            service=obj,
            editor=editor,
            note=note,
            name=data["name"],
            name_en=data["name_en"],
            guide=data["guide_json"],
        )
        if change and status != Status.ACTIVE and obj.status == Status.ACTIVE:
            services.retire(service=obj, editor=editor, note=note, successor=successor)


class LifeEventStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LifeEventStep
    raw_id_fields = ("service",)
    extra = 1


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "name_en", "position")
    inlines = (LifeEventStepInline,)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "name_en", "position")
