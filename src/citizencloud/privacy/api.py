"""``/api/v1/me/data-access``: the citizen's own data-access ledger."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from citizencloud.privacy import selectors
from citizencloud.privacy.models import DataAccess
from citizencloud.privacy.schemas import DataAccessListItem

router = Router(tags=["privacy"])


@router.get(
    "/me/data-access",
    response=list[DataAccessListItem],
    auth=django_auth,
    summary="Who read my personal data, newest first",
)
@paginate(PageNumberPagination, page_size=20)
def my_data_access(request: HttpRequest) -> QuerySet[DataAccess]:
    return selectors.accesses_for(request.user)
