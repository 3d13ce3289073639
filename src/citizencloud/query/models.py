"""The last copy of each of a citizen's records, encrypted: the short-TTL cache and stale copy."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from citizencloud.kernel.crypto import EncryptedField


class RecordCopy(models.Model):
    """What a department answered for one citizen and one record kind, and when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("record kind"), max_length=32)
    data = EncryptedField(_("record"))  # JSON text
    department = models.CharField(_("department"), max_length=120, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["citizen", "kind"], name="query_one_copy_per_kind")
        ]
        verbose_name = _("record copy")
        verbose_name_plural = _("record copies")

    def __str__(self) -> str:
        return f"{self.kind} copy"
