"""Third parties in the Django admin: registered through ``services.register_party`` (an OIDC
client with its declared purposes, audited), the client secret shown once on the page that
follows, never stored in clear or put in a message cookie. Consents are the citizens' and stay
out of the admin; a party is never deleted (its consents and notices refer to it)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import audit, service_admin
from citizencloud.kernel.errors import DomainError
from citizencloud.privacy import services
from citizencloud.privacy.models import ThirdParty

_PURPOSES_HELP = _(
    'A JSON object: {"purpose": {"text": "…", "items": […], "actions": […], "max_days": 365}}'
)


def _webhook_field() -> forms.URLField:
    """Declared here, not built from the model, so it assumes https (Django 6's default)."""
    return forms.URLField(
        label=ThirdParty._meta.get_field("webhook_url").verbose_name,
        required=False,
        assume_scheme="https",
    )


class ThirdPartyChangeForm(forms.ModelForm[ThirdParty]):
    webhook_url = _webhook_field()

    class Meta:
        model = ThirdParty
        fields = ["name", "webhook_url", "ack_public_key", "privacy_contact"]

    def clean_ack_public_key(self) -> str:
        try:
            return services.validate_ack_key(self.cleaned_data["ack_public_key"])
        except DomainError:
            raise forms.ValidationError(
                _("Give the Ed25519 public key as 32 bytes in base64url.")
            ) from None


class ThirdPartyAddForm(ThirdPartyChangeForm):
    redirect_uri = forms.URLField(
        label=_("Redirect URI"),
        help_text=_("Its OIDC redirect URI, exactly as it sends it."),
        assume_scheme="https",
    )
    purposes_json = forms.CharField(
        label=_("Declared purposes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_PURPOSES_HELP,
    )

    class Meta:
        model = ThirdParty
        fields = ["code", "name", "kind", "webhook_url", "ack_public_key", "privacy_contact"]

    def clean_purposes_json(self) -> dict[str, Any]:
        try:
            purposes = json.loads(self.cleaned_data["purposes_json"])
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None
        try:
            services.validate_purposes(purposes)
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        return dict(purposes)


@admin.register(ThirdParty)
class ThirdPartyAdmin(service_admin.AddThroughService, admin.ModelAdmin[ThirdParty]):
    add_form = ThirdPartyAddForm
    form = ThirdPartyChangeForm
    list_display = ("code", "name", "kind", "client_id", "created_at")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    readonly_fields = ("code", "kind", "client_id", "purposes_text", "public_id", "created_at")
    fields = (
        "code", "name", "kind", "client_id", "webhook_url", "ack_public_key", "privacy_contact",
        "purposes_text", "public_id", "created_at",
    )  # fmt: skip

    @admin.display(description=_("OIDC client id"))
    def client_id(self, obj: ThirdParty) -> str:
        return obj.application.client_id if obj.application else ""

    @admin.display(description=_("Declared purposes"))
    def purposes_text(self, obj: ThirdParty) -> str:
        return json.dumps(obj.purposes, ensure_ascii=False, indent=2)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [*ThirdPartyAddForm.Meta.fields, "redirect_uri", "purposes_json"]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ThirdParty, form: Any, change: bool) -> None:
        if change:  # name, webhook, acknowledgement key and contact; audited
            super().save_model(request, obj, form, change)
            audit.record(
                action="privacy.party_changed",
                target=obj,
                details={"code": obj.code, "fields": sorted(form.changed_data)},
                actor=request.user,
                request=request,
            )
            return
        data = form.cleaned_data
        with transaction.atomic():
            party, secret = services.register_party(
                code=data["code"], name=data["name"], kind=data["kind"],
                purposes=data["purposes_json"], redirect_uri=data["redirect_uri"],
                webhook_url=data.get("webhook_url", ""),
                ack_public_key=data.get("ack_public_key", ""),
                privacy_contact=data.get("privacy_contact", ""), actor=request.user,
                request=request,
            )  # fmt: skip
        service_admin.adopt(obj, party)
        request._new_client_secret = secret  # type: ignore[attr-defined]  # for response_add

    def response_add(
        self, request: HttpRequest, obj: ThirdParty, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The credentials, once: the secret is stored hashed and cannot be shown again."""
        response = TemplateResponse(
            request,
            "admin/privacy/thirdparty/credentials.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "party": obj,
                "client_id": self.client_id(obj),
                "client_secret": getattr(request, "_new_client_secret", ""),
                "title": _("Credentials of %(name)s") % {"name": obj.name},
            },
        )
        response["Cache-Control"] = "no-store"
        return response
