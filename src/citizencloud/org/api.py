"""Public API of the org app: regions, departments, service points.

No ``from __future__ import annotations`` here: Ninja reads the parameter types at import.
"""

from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from citizencloud.org import selectors
from citizencloud.org.models import Department, Region, ServicePoint
from citizencloud.org.schemas import DepartmentOut, RegionOut, ServicePointOut

router = Router(tags=["org"])

TierParam = Literal["city", "district", "street", "community"]


@router.get("/regions", response=list[RegionOut], summary="Regions in tiers")
@paginate(PageNumberPagination, page_size=100)
def list_regions(
    request: HttpRequest, tier: TierParam | None = None, parent: str | None = None
) -> QuerySet[Region]:
    return selectors.regions(tier=tier, parent=parent)


@router.get("/departments", response=list[DepartmentOut], summary="Departments at each tier")
@paginate(PageNumberPagination, page_size=100)
def list_departments(
    request: HttpRequest,
    region: str | None = None,
    function: str | None = None,
    tier: Literal["city", "district", "street"] | None = None,
) -> QuerySet[Department]:
    return selectors.departments(region=region, function=function, tier=tier)


@router.get("/service-points", response=list[ServicePointOut], summary="Halls, hospitals, centres")
@paginate(PageNumberPagination, page_size=100)
def list_service_points(
    request: HttpRequest,
    region: str | None = None,
    kind: Literal["hall", "hospital", "community"] | None = None,
) -> QuerySet[ServicePoint]:
    return selectors.service_points(region=region, kind=kind)
