"""Reads of the privacy app."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from citizencloud.kernel import clock
from citizencloud.privacy.models import DataAccess


def accesses_for(citizen: Any) -> QuerySet[DataAccess]:
    """The accesses ``citizen`` may see now (restricted ones once shown), newest first."""
    return (
        DataAccess.objects.filter(citizen=citizen)
        .filter(Q(show_from__isnull=True) | Q(show_from__lte=clock.now()))
        .order_by("-accessed_at", "-id")
    )
