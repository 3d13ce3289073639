from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from citizencloud.org import services
from citizencloud.org.models import Department, Region, ServicePoint, StaffRole


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "name_en", "tier", "kind", "parent")
    list_filter = ("tier",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "function", "region")
    list_filter = ("function", "region__tier")
    search_fields = ("code", "name", "name_en", "short_name")


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kind", "region", "opening_hours")
    list_filter = ("kind",)
    search_fields = ("code", "name", "address")


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "role", "department", "region", "granted_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "department", "region")
    fields = ("user", "role", "department", "region")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # grant a new role and revoke the old one: both are audited

    def save_model(self, request: HttpRequest, obj: StaffRole, form: Any, change: bool) -> None:
        """Grant through ``services.assign_role`` so the rules and the audit entry apply."""
        granted = services.assign_role(
            user=obj.user,
            role=obj.role,
            department=obj.department,
            region=obj.region,
            actor=request.user,  # type: ignore[arg-type]
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: StaffRole) -> None:
        services.revoke_role(staff_role=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for staff_role in queryset:
            self.delete_model(request, staff_role)
