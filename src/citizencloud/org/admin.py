from django.contrib import admin

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
