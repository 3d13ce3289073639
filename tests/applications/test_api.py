"""The API of the issue, bad input, and the IDOR matrix (citizen A/B, staff of two departments)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from citizencloud.applications.models import Application, Attachment
from citizencloud.kernel.models import AuditEntry
from tests.factories.applications import (
    RENT_FORM,
    create_citizen,
    create_department,
    create_service,
    create_staff,
    token_for,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit(client: Client, auth: dict[str, str], **form: Any) -> Any:
    create_service()
    return client.post(
        "/api/v1/applications",
        {"service_code": "gjj-withdraw-rent", "form": {**RENT_FORM, **form}},
        content_type="application/json",
        **auth,
    )


def _act(client: Client, auth: dict[str, str], case_id: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/staff/cases/{case_id}/actions", body, content_type="application/json", **auth
    )


def test_the_whole_case_through_the_api(client: Client) -> None:
    citizen = token_for(create_citizen())
    clerk = token_for(create_staff("clerk"))
    reviewer = token_for(create_staff("reviewer"))
    created = _submit(client, citizen)
    assert created.status_code == 201, created.content
    case = created.json()
    assert case["state"] == "submitted"
    assert case["next_actions"] == ["withdraw"]
    assert "住房公积金管理中心" in case["department"]
    queue = client.get("/api/v1/staff/cases", **clerk).json()
    assert [c["id"] for c in queue] == [case["id"]]
    assert queue[0]["applicant"] == {"name": "张*"}
    assert _act(client, clerk, case["id"], action="claim").status_code == 200
    assert _act(client, clerk, case["id"], action="accept").json()["state"] == "accepted"
    asked = _act(
        client, clerk, case["id"], action="request_supplement", items=["租赁合同", "银行卡正面"]
    )
    assert asked.json()["state"] == "supplement_requested"
    mine = client.get(f"/api/v1/applications/{case['id']}", **citizen).json()
    assert mine["supplement_items"] == ["租赁合同", "银行卡正面"]
    assert mine["next_actions"] == ["supply", "withdraw"]
    supplied = client.post(
        f"/api/v1/applications/{case['id']}/supplements",
        {
            "message": "已补",
            "files": [{"name": "lease.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        },
        content_type="application/json",
        **citizen,
    )
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["state"] == "in_review"
    assert supplied.json()["attachments"][0]["size"] == len(PDF)
    # A clerk may not approve here: the workflow names reviewers for it.
    assert _act(client, clerk, case["id"], action="approve").status_code == 403
    assert _act(client, reviewer, case["id"], action="approve").json()["state"] == "approved"
    done = _act(client, clerk, case["id"], action="complete").json()
    assert done["state"] == "completed"
    kinds = [
        s["action"]
        for s in client.get(f"/api/v1/applications/{case['id']}", **citizen).json()["timeline"]
    ]
    assert kinds == ["submit", "accept", "request_supplement", "supply", "approve", "complete"]
    assert client.post(f"/api/v1/applications/{case['id']}/withdraw", **citizen).status_code == 409
    stored = Attachment.objects.get()
    assert b"%PDF" not in stored.content.encode() if isinstance(stored.content, str) else True


def test_invalid_form_gives_field_errors_in_the_users_language(client: Client) -> None:
    citizen = token_for(create_citizen())
    response = _submit(client, citizen, phone="123", monthly_rent="lots", rent_kind="public")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"phone", "monthly_rent", "lease_start"}
    english = _submit(client, {**citizen, "HTTP_ACCEPT_LANGUAGE": "en"}, phone="123")
    assert english.json()["errors"]["phone"] == "Enter an 11-digit mobile number."
    assert Application.objects.count() == 0


def test_refusal_needs_a_reason_and_supplement_items(client: Client) -> None:
    citizen = token_for(create_citizen())
    clerk = token_for(create_staff("clerk"))
    case_id = _submit(client, citizen).json()["id"]
    assert _act(client, clerk, case_id, action="refuse").status_code == 422
    assert _act(client, clerk, case_id, action="request_supplement").status_code == 422
    assert _act(client, clerk, case_id, action="frobnicate").status_code == 422
    refused = _act(client, clerk, case_id, action="refuse", reason="不属于本中心受理范围")
    assert refused.json()["state"] == "not_accepted"


def test_stale_version_is_told(client: Client) -> None:
    citizen = token_for(create_citizen())
    clerk = token_for(create_staff("clerk"))
    case = _submit(client, citizen).json()
    assert (
        _act(client, clerk, case["id"], action="accept", version=case["version"]).status_code == 200
    )
    late = _act(client, clerk, case["id"], action="refuse", reason="x", version=case["version"])
    assert late.status_code == 409


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("scan.pdf", b"", "empty"),
        ("../../etc/passwd.pdf", PDF, "bad_name"),
        ("..\\win.pdf", PDF, "bad_name"),
        ("scan.pdf", b"MZ\x90\x00 not a pdf", "wrong_type"),
        ("scan.png", PDF, "wrong_type"),
        ("scan.pdf", PDF + b"<html><script>alert(1)</script></html>", "polyglot"),
        ("scan.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "too_large"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    client: Client, name: str, content: bytes, reason: str
) -> None:
    citizen = token_for(create_citizen())
    clerk = token_for(create_staff("clerk"))
    case_id = _submit(client, citizen).json()["id"]
    _act(client, clerk, case_id, action="request_supplement", items=["合同"])
    response = client.post(
        f"/api/v1/applications/{case_id}/supplements",
        {"files": [{"name": name, "content_base64": base64.b64encode(content).decode()}]},
        content_type="application/json",
        **citizen,
    )
    assert response.status_code == 422, response.content
    assert response.json()["reason"] == reason
    assert Application.objects.get().state == "supplement_requested"


def test_idor_matrix(client: Client) -> None:
    """Citizen B and staff of another department cannot see or act on A's case."""
    gjj = create_service().department
    other = create_department("medins", "医保局")
    a, b = token_for(create_citizen()), token_for(create_citizen())
    own_clerk = token_for(create_staff("clerk", "reviewer", department=gjj))
    foreign_clerk = token_for(create_staff("clerk", "reviewer", department=other))
    case_id = _submit(client, a).json()["id"]
    AuditEntry.objects.all().delete()
    assert client.get(f"/api/v1/applications/{case_id}", **b).status_code == 404
    assert client.post(f"/api/v1/applications/{case_id}/withdraw", **b).status_code == 404
    assert (
        client.post(
            f"/api/v1/applications/{case_id}/supplements", {}, content_type="application/json", **b
        ).status_code
        == 404
    )
    assert client.get("/api/v1/applications", **b).json() == []
    assert _act(client, foreign_clerk, case_id, action="accept").status_code == 403
    assert client.get("/api/v1/staff/cases", **foreign_clerk).json() == []
    # Citizens are not staff and staff are not applicants.
    assert _act(client, a, case_id, action="accept").status_code == 403
    assert client.get(f"/api/v1/applications/{case_id}", **own_clerk).status_code == 403
    assert client.get("/api/v1/applications/not-a-uuid", **a).status_code == 404
    denied = list(AuditEntry.objects.filter(action="applications.access_denied"))
    assert len(denied) == 4
    assert Application.objects.get().state == "submitted"
    assert _act(client, own_clerk, case_id, action="accept").status_code == 200


def test_supervisor_assigns_to_a_colleague_of_the_department(client: Client) -> None:
    department = create_service().department
    citizen = token_for(create_citizen())
    clerk = create_staff("clerk", department=department)
    supervisor = token_for(create_staff("supervisor", department=department))
    outsider = create_staff("clerk", department=create_department("medins", "医保局"))
    case_id = _submit(client, citizen).json()["id"]
    refused = _act(client, token_for(clerk), case_id, action="assign", assignee=clerk.username)
    assert refused.status_code == 403
    wrong = _act(client, supervisor, case_id, action="assign", assignee=outsider.username)
    assert wrong.status_code == 422
    done = _act(client, supervisor, case_id, action="assign", assignee=clerk.username)
    assert done.status_code == 200
    assert Application.objects.get().assignee == clerk
