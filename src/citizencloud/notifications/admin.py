from typing import Any

from django import forms
from django.contrib import admin

from citizencloud.kernel.errors import DomainError
from citizencloud.notifications import policies
from citizencloud.notifications.models import Delivery, Message, Template


class TemplateForm(forms.ModelForm[Template]):
    """Admin edits pass the same checks as ``services.create_template``."""

    class Meta:
        model = Template
        fields = (
            "code", "category", "partner", "statutory", "channels", "placeholders",
            "subject_zh", "subject_en", "body_zh", "body_en",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        texts = {k: data.get(k) or "" for k in ("subject_zh", "subject_en", "body_zh", "body_en")}
        try:
            policies.check_template(
                category=data.get("category", ""), partner=data.get("partner", ""),
                statutory=bool(data.get("statutory")), channels=data.get("channels") or [],
                placeholders=data.get("placeholders") or [], texts=texts,
            )  # fmt: skip
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return data


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin[Template]):
    form = TemplateForm
    list_display = ("code", "category", "partner", "statutory")
    list_filter = ("category", "statutory")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("public_id", "category", "created_at", "read_at")
    list_filter = ("category",)
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("public_id", "channel", "status", "final", "attempt")
    list_filter = ("channel", "status")
