"""Bookable resources in the admin site (staff edit schedules on /booking/staff/ pages; slots and
bookings are read-only here: their counters move only through the services)."""

from django.contrib import admin

from citizencloud.booking.models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin[Resource]):
    list_display = ("code", "name", "kind", "point", "capacity", "slot_minutes", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    readonly_fields = ("version",)
