"""Themes, services and their versions, life events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel import clock
from citizencloud.org.models import Department, ServicePoint, Tier


class Verb(models.TextChoices):
    QUERY = "query", _("Query")
    BOOK = "book", _("Book")
    APPLY = "apply", _("Apply")
    PAY = "pay", _("Pay")


class Audience(models.TextChoices):
    CITIZEN = "citizen", _("Citizens")
    BUSINESS = "business", _("Businesses")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    MERGED = "merged", _("Merged into another service")


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64)
    summary = models.CharField(_("summary"), max_length=200, blank=True)
    summary_en = models.CharField(_("English summary"), max_length=300, blank=True)
    glyph = models.CharField(max_length=2, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A catalog item. What a citizen reads comes from its published version."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="services")
    # The department that owns the catalog entry (and whose editors may change it).
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    tier = models.CharField(_("tier handled at"), max_length=16, choices=Tier.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    # Comma-wrapped verb list (",query,apply,") so one LIKE filters on any engine.
    verbs = models.CharField(_("verbs"), max_length=40)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors"
    )
    popularity = models.PositiveIntegerField(_("popularity"), default=0)
    points = models.ManyToManyField(ServicePoint, blank=True, related_name="+")
    published = models.ForeignKey(
        "ServiceVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Denormalised from the published version for listing and search.
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    search_name = models.CharField(max_length=400, editable=False, default="")
    search_text = models.TextField(editable=False, default="")
    search_pinyin = models.TextField(editable=False, default="")
    search_initials = models.CharField(max_length=400, editable=False, default="")
    # Overlapping two-character pieces of the Chinese text ("公积 积金"), for 2-character queries.
    search_bigrams = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ("theme__position", "-popularity", "code")
        indexes = [models.Index(fields=("status", "-popularity"), name="catalog_svc_status_pop")]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def verb_list(self) -> list[str]:
        return [verb for verb in self.verbs.split(",") if verb]


class ServiceVersion(models.Model):
    """One immutable edit of a service's guide; the published one is what citizens see."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=128)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    guide = models.JSONField(_("guide"))
    change_note = models.CharField(_("change note"), max_length=300)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("service", "-number")
        constraints = [
            models.UniqueConstraint(fields=("service", "number"), name="catalog_version_unique")
        ]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")

    def __str__(self) -> str:
        return f"{self.service.code} v{self.number}"


class LifeEvent(models.Model):
    """A bundle of services for a moment in life (出生, 入学, 结婚 …), in the order to do them."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    name_en = models.CharField(_("English name"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("English summary"), max_length=400, blank=True)
    glyph = models.CharField(max_length=2, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("life event")
        verbose_name_plural = _("life events")

    def __str__(self) -> str:
        return self.name


class LifeEventStep(models.Model):
    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="steps")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True)
    note_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("event", "position")
        constraints = [
            models.UniqueConstraint(fields=("event", "position"), name="catalog_step_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event.code} #{self.position}"
