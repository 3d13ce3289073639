from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from citizencloud.identity.models import ClientProfile, Consent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "kind", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff")
    search_fields = ("username", "display_name")
    ordering = ("username",)
    readonly_fields = ("public_id", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("username", "password", "public_id")}),
        ("Profile", {"fields": ("display_name", "kind")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "kind", "password1", "password2")}),)


@admin.register(ClientProfile)
class ClientProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Department apps and partner cities: the OAuth application itself is registered under
    "Django OAuth Toolkit › Applications" (RS256, authorization code, exact redirect URIs)."""

    list_display = ("application", "owner", "sector_identifier")
    search_fields = ("owner", "sector_identifier", "application__name")
    raw_id_fields = ("application",)


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("public_id", "application", "scopes", "granted_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("public_id", "user", "application", "scopes", "granted_at", "revoked_at")
