"""Admin editing: an editor changes only their department's services; each save is a version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from citizencloud.catalog.models import Service
from citizencloud.identity.models import User, UserKind
from citizencloud.org import selectors as org
from citizencloud.org import services as org_services
from citizencloud.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def gjj_editor(client: Client) -> Client:
    user = User.objects.create_user(
        "editor.gjj.test", "pw-123456789", kind=UserKind.STAFF, is_staff=True
    )
    org_services.assign_role(
        user=user, role=Role.CATALOG_EDITOR, department=org.get_department("cd-gjj")
    )
    client.force_login(user)
    return client


def _form(service: Service, **changes: Any) -> dict[str, Any]:
    assert service.published is not None
    data: dict[str, Any] = {
        "name": service.name,
        "name_en": service.name_en,
        "theme": service.theme_id,
        "department": service.department_id,
        "tier": service.tier,
        "audience": service.audience,
        "status": service.status,
        "successor": "",
        "popularity": service.popularity,
        "points": list(service.points.values_list("pk", flat=True)),
        "verb_choices": service.verb_list(),
        "guide_json": json.dumps(service.published.guide, ensure_ascii=False),
        "change_note": "测试修改",
    }
    data.update(changes)
    return data


def test_the_editor_sees_only_their_departments_services(gjj_editor: Client) -> None:
    html = gjj_editor.get("/admin/catalog/service/?all=").content.decode()
    assert "gjj-withdraw-rent" in html
    assert "hj-residence-permit" not in html


def test_the_editor_cannot_open_another_departments_service(gjj_editor: Client) -> None:
    other = Service.objects.get(code="hj-residence-permit")
    response = gjj_editor.get(f"/admin/catalog/service/{other.pk}/change/")
    assert response.status_code == 302  # "does not exist" for this editor
    response = gjj_editor.post(f"/admin/catalog/service/{other.pk}/change/", _form(other))
    assert response.status_code == 302
    assert Service.objects.get(pk=other.pk).published == other.published


def test_an_edit_in_the_admin_is_a_new_version_with_the_editor(gjj_editor: Client) -> None:
    service = Service.objects.select_related("published").get(code="gjj-withdraw-rent")
    before = service.published
    assert before is not None
    guide = dict(before.guide, fee="不收费（测试）")
    response = gjj_editor.post(
        f"/admin/catalog/service/{service.pk}/change/",
        _form(service, guide_json=json.dumps(guide, ensure_ascii=False)),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.published is not None
    assert service.published.number == before.number + 1
    assert service.published.guide["fee"] == "不收费（测试）"
    assert service.published.editor is not None
    assert service.published.editor.username == "editor.gjj.test"


def test_an_invalid_guide_is_refused_with_a_message(gjj_editor: Client) -> None:
    service = Service.objects.select_related("published").get(code="gjj-withdraw-rent")
    response = gjj_editor.post(
        f"/admin/catalog/service/{service.pk}/change/",
        _form(service, guide_json=json.dumps({"materials": []})),
    )
    assert response.status_code == 200
    assert "materials" in response.content.decode()


def test_the_editor_cannot_move_a_service_to_another_department(gjj_editor: Client) -> None:
    service = Service.objects.select_related("published").get(code="gjj-withdraw-rent")
    police = org.get_department("cd-police")
    response = gjj_editor.post(
        f"/admin/catalog/service/{service.pk}/change/", _form(service, department=police.pk)
    )
    assert response.status_code == 200  # form error: not a valid choice
    assert Service.objects.get(pk=service.pk).department_id == service.department_id


def test_staff_without_a_catalog_role_see_no_catalog(client: Client) -> None:
    clerk = User.objects.create_user("clerk.x", "pw-123456789", kind=UserKind.STAFF, is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/catalog/service/").status_code == 403


def test_nobody_deletes_a_service(admin_client: Client) -> None:
    service = Service.objects.get(code="gjj-withdraw-rent")
    assert admin_client.get(f"/admin/catalog/service/{service.pk}/delete/").status_code == 403
