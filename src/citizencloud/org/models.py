"""Regions in tiers, departments with contact channels, service points, staff roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock


class Tier(models.TextChoices):
    """The three tiers of government; streets and communities form the third."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    STREET = "street", _("Street or town")
    COMMUNITY = "community", _("Community")


class Region(models.Model):
    """An administrative area: 成都市, a district or county, a street or town, a community."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, blank=True
    )  # 区 / 县 / 县级市 / 功能区 / 街道 / 镇
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path of codes ("510100/510104/510104021"): a subtree is a prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("path",)
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government body at a tier: a city bureau, its district counterpart, a service centre."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    # The function shared by a bureau and its counterparts at other tiers ("hrss", "gjj" …).
    function = models.CharField(_("function"), max_length=32, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    address = models.CharField(_("address"), max_length=200, blank=True)
    # [{"kind": "phone" | "hotline" | "web" | "email", "value": "12333", "label": "…"}]
    contacts = models.JSONField(_("contact channels"), default=list, blank=True)

    class Meta:
        ordering = ("region__path", "code")
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class ServicePointKind(models.TextChoices):
    HALL = "hall", _("Government service hall")
    HOSPITAL = "hospital", _("Hospital")
    COMMUNITY = "community", _("Community service centre")


class ServicePoint(models.Model):
    """A place where citizens are served in person: a hall with windows, a hospital, a centre."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ServicePointKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="service_points")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="service_points"
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # [{"numbers": "1–8", "label": "综合受理", "label_en": "General intake"}]
    windows = models.JSONField(_("windows"), default=list, blank=True)

    class Meta:
        ordering = ("region__path", "code")
        verbose_name = _("service point")
        verbose_name_plural = _("service points")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    REVIEWER = "reviewer", _("Reviewer")
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    CATALOG_EDITOR = "catalog_editor", _("Catalog editor")


class StaffRole(models.Model):
    """A role a staff account holds in one department, over a region (and its subtree)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="staff_roles")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="staff_roles")
    granted_at = models.DateTimeField(_("granted at"), default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("user", "role", "department"), name="org_staffrole_unique_per_department"
            )
        ]
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.department}"
