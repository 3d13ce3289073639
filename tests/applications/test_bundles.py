"""一件事一次办: the birth bundle opens one case per department from one submission."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.applications import definitions, services
from citizencloud.applications.models import Application
from tests.factories.applications import (
    create_citizen,
    create_department,
    create_service,
    token_for,
)

pytestmark = pytest.mark.django_db

BIRTH = {
    "name": "张三",
    "phone": "13800000001",
    "spouse_name": "李梅",
    "expected_date": "2026-10-20",
    "child_order": 1,
    "child_name": "张小宝",
    "child_birth_date": "2026-10-20",
    "hukou_address": "成都市锦江区东大街100号",
}


def _members() -> None:
    for code, dept in [
        ("mz-birth-registration", "health"),
        ("hj-newborn-registration", "police"),
        ("yb-newborn-enrol", "medins"),
    ]:
        create_service(code, department=create_department(dept, dept))


def test_birth_bundle_opens_three_parallel_cases(client: Client) -> None:
    _members()
    citizen = create_citizen()
    response = client.post(
        "/api/v1/application-bundles",
        {"bundle_code": "birth", "form": BIRTH},
        content_type="application/json",
        **token_for(citizen),
    )
    assert response.status_code == 201, response.content
    cases = list(Application.objects.order_by("pk"))
    assert [c.service.code for c in cases] == definitions.bundle("birth").services
    assert len({c.department_id for c in cases}) == 3
    assert len({c.bundle_reference for c in cases}) == 1
    assert all(c.state == "submitted" for c in cases)
    # Each department receives only the answers its own form asks for.
    assert set(services.form_answers(cases[2])) == {
        "name",
        "phone",
        "child_name",
        "child_birth_date",
    }


def test_bundle_form_errors_open_nothing(client: Client) -> None:
    _members()
    response = client.post(
        "/api/v1/application-bundles",
        {"bundle_code": "birth", "form": {**BIRTH, "child_birth_date": "not a date"}},
        content_type="application/json",
        **token_for(create_citizen()),
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"child_birth_date"}
    assert Application.objects.count() == 0
