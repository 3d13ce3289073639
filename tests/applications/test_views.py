"""The pages: apply without JavaScript, the case page, supplement, withdraw, the staff queue,
reveal with a purpose (data-access ledger), and refusals that are audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from citizencloud.applications.models import Application
from citizencloud.identity.middleware import SESSION_ID
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.kernel.models import AuditEntry
from citizencloud.privacy.models import DataAccess
from tests.factories.applications import (
    RENT_FORM,
    create_application,
    create_citizen,
    create_department,
    create_service,
    create_staff,
)

pytestmark = pytest.mark.django_db


def _login(client: Client, user: object) -> Client:
    session, _ = start_session(user=user, mfa=True, origin=Origin(ip="127.0.0.1"))  # type: ignore[arg-type]
    client.force_login(user)  # type: ignore[arg-type]
    s = client.session
    s[SESSION_ID] = str(session.public_id)
    s.save()
    return client


def test_apply_page_renders_validates_and_submits(client: Client) -> None:
    create_service()
    citizen = create_citizen()
    _login(client, citizen)
    page = client.get("/apply/gjj-withdraw-rent/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="monthly_rent"' in html
    assert 'type="number"' in html
    assert "<script" not in html.split("<main")[1]
    assert "5101**" in html  # masked ID number prefilled
    bad = client.post("/apply/gjj-withdraw-rent/", {**RENT_FORM, "phone": "12"})
    assert bad.status_code == 200
    assert 'aria-invalid="true"' in bad.content.decode()
    assert Application.objects.count() == 0
    pdf = SimpleUploadedFile("lease.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    ok = client.post("/apply/gjj-withdraw-rent/", {**RENT_FORM, "file_lease_contract": pdf})
    case = Application.objects.get()
    assert ok.status_code == 302
    assert ok["Location"] == f"/my/applications/{case.public_id}/"
    assert case.attachments.count() == 1
    detail = client.get(ok["Location"]).content.decode()
    assert "住房公积金管理中心" in detail
    assert case.deadline.isoformat() in detail
    assert "Withdraw" in detail or "撤回" in detail or "withdraw" in detail
    assert client.get("/my/applications/").status_code == 200


def test_citizen_supplements_and_withdraws(client: Client) -> None:
    case = create_application()
    _login(client, case.citizen)
    clerk = create_staff("clerk")
    staff_client = _login(Client(), clerk)
    response = staff_client.post(
        f"/staff/cases/{case.public_id}/",
        {"op": "request_supplement", "version": case.version, "items": "租赁合同\n银行卡"},
    )
    assert response.status_code == 302
    page = client.get(f"/my/applications/{case.public_id}/").content.decode()
    assert "租赁合同" in page
    assert "银行卡" in page
    pdf = SimpleUploadedFile("more.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(f"/my/applications/{case.public_id}/supplement/", {"files": [pdf], "message": "ok"})
    case.refresh_from_db()
    assert case.state == "in_review"
    assert case.paused_since is None
    client.post(f"/my/applications/{case.public_id}/withdraw/")
    case.refresh_from_db()
    assert case.state == "withdrawn"


def test_staff_queue_reveal_and_other_department(client: Client) -> None:
    case = create_application()
    clerk = create_staff("clerk", "reviewer")
    _login(client, clerk)
    queue = client.get("/staff/cases/").content.decode()
    assert case.reference in queue
    assert "张三" not in queue
    assert "张*" in queue
    view = client.get(f"/staff/cases/{case.public_id}/").content.decode()
    assert "张三" not in view
    revealed = client.post(
        f"/staff/cases/{case.public_id}/", {"op": "reveal", "purpose": "核对申请人身份"}
    )
    assert "张三" in revealed.content.decode()
    assert DataAccess.objects.filter(citizen=case.citizen, purpose="核对申请人身份").count() == 1
    foreign = _login(
        Client(), create_staff("clerk", department=create_department("medins", "医保局"))
    )
    assert foreign.get(f"/staff/cases/{case.public_id}/").status_code == 403
    other_citizen = _login(Client(), create_citizen())
    assert other_citizen.get(f"/my/applications/{case.public_id}/").status_code == 404
    assert AuditEntry.objects.filter(action="applications.access_denied").count() == 2


def test_drafts_are_kept_until_submission(client: Client) -> None:
    from citizencloud.applications.models import Draft

    create_service()
    _login(client, create_citizen())
    saved = client.post(
        "/apply/gjj-withdraw-rent/", {"op": "draft", "monthly_rent": "2100"}, HTTP_HX_REQUEST="true"
    )
    assert saved.status_code == 200
    assert "Draft saved" in saved.content.decode() or "草稿" in saved.content.decode()
    assert 'value="2100"' in client.get("/apply/gjj-withdraw-rent/").content.decode()
    plain = client.post("/apply/gjj-withdraw-rent/", {"op": "draft", "monthly_rent": "2200"})
    assert plain.status_code == 302
    assert Draft.objects.count() == 1
    client.post("/apply/gjj-withdraw-rent/", {**RENT_FORM})
    assert Application.objects.count() == 1
    assert Draft.objects.count() == 0


def test_bulk_claim_from_the_queue(client: Client) -> None:
    first, second = create_application(), create_application()
    clerk, other = create_staff("clerk"), create_staff("clerk")
    from citizencloud.applications import services

    services.claim(staff=other, public_id=second.public_id)
    _login(client, clerk)
    response = client.post(
        "/staff/cases/", {"case": [str(first.public_id), str(second.public_id)]}, follow=True
    )
    assert "1" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.assignee, second.assignee) == (clerk, other)


def test_tampered_version_is_told_not_a_500(client: Client) -> None:
    case = create_application()
    _login(client, create_staff("clerk"))
    response = client.post(
        f"/staff/cases/{case.public_id}/", {"op": "accept", "version": "abc"}, follow=True
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.state == "submitted"
