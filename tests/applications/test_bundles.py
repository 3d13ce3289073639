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


def test_bundle_page_shows_every_departments_case_in_parallel(client: Client) -> None:
    from citizencloud.kernel.models import AuditEntry
    from tests.applications.test_views import _login
    from tests.factories.applications import create_staff

    _members()
    citizen = create_citizen()
    _login(client, citizen)
    response = client.post("/apply/bundle/birth/", BIRTH)
    assert response.status_code == 302
    reference = Application.objects.values_list("bundle_reference", flat=True).first()
    assert response["Location"] == f"/my/bundles/{reference}/"
    police = Application.objects.get(service__code="hj-newborn-registration")
    health = Application.objects.get(service__code="mz-birth-registration")
    clerk = create_staff("clerk", department=police.department)
    services.act(
        staff=clerk,
        public_id=police.public_id,
        action="request_supplement",
        details={"items": ["户口簿原件照片"]},
    )
    services.act(
        staff=create_staff("clerk", department=health.department),
        public_id=health.public_id,
        action="accept",
    )
    html = client.get(response["Location"]).content.decode()
    assert html.count('class="lane ') == 3
    for case in Application.objects.all():
        case.refresh_from_db()
        assert case.department.name in html
        assert case.reference in html
        assert case.deadline.isoformat() in html
    assert "state-supplement_requested" in html
    assert "state-accepted" in html
    assert "户口簿原件照片" in html  # each lane carries its own timeline
    assert "0 / 3" in html or "0 of 3" in html or "3 个部门中已有 0 个" in html
    # The case page links to its bundle; the API gives the same lanes.
    assert (
        f"/my/bundles/{reference}/"
        in client.get(f"/my/applications/{police.public_id}/").content.decode()
    )
    api = client.get(f"/api/v1/application-bundles/{reference}", **token_for(citizen)).json()
    assert [lane["service_code"] for lane in api["cases"]] == definitions.bundle("birth").services
    assert api["waiting_for_you"] == [police.reference]
    assert [lane["state"] for lane in api["cases"]] == [
        "accepted",
        "supplement_requested",
        "submitted",
    ]
    assert api["total"] == 3
    # Someone else's bundle is not found, and the attempt is audited.
    stranger = create_citizen()
    assert (
        client.get(f"/api/v1/application-bundles/{reference}", **token_for(stranger)).status_code
        == 404
    )
    _login(client, stranger)
    assert client.get(f"/my/bundles/{reference}/").status_code == 404
    assert AuditEntry.objects.filter(action="applications.access_denied").count() == 2
