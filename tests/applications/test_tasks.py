"""The SLA sweep and the e-certificate with its public verification page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from citizencloud.applications import certificates, services, tasks
from citizencloud.applications.models import Certificate, Step
from citizencloud.kernel import clock
from tests.factories.applications import create_application, create_staff

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Chengdu


def test_sweep_warns_at_80_percent_then_escalates_once() -> None:
    with clock.frozen(MONDAY) as advance:
        case = create_application()  # 3 working days: deadline Thursday 5 March
        assert case.deadline == dt.date(2026, 3, 5)
        assert tasks.sweep().warned == 0
        advance(dt.timedelta(days=3))  # Thursday: 3 of 3 days used → amber
        assert (tasks.sweep().warned, tasks.sweep().warned) == (1, 0)
        advance(dt.timedelta(days=1))  # Friday: past the deadline
        first, second = tasks.sweep(), tasks.sweep()
    assert (first.escalated, second.escalated) == (1, 0)
    actions = list(Step.objects.filter(application=case).values_list("action", flat=True))
    assert actions == ["submit", "sla_warning", "escalate"]


def test_paused_case_is_not_escalated() -> None:
    with clock.frozen(MONDAY) as advance:
        case = create_application()
        services.act(
            staff=create_staff("clerk"),
            public_id=case.public_id,
            action="request_supplement",
            details={"items": ["合同"]},
        )
        advance(dt.timedelta(days=10))
        assert tasks.sweep().escalated == 0
        services.supply(citizen=case.citizen, public_id=case.public_id)
    case.refresh_from_db()
    assert case.paused_days == 8  # working days 3–12 March, resumed on the 12th
    assert case.deadline == dt.date(2026, 3, 17)


def _complete(case_id: object) -> None:
    clerk, reviewer = create_staff("clerk"), create_staff("reviewer")
    for staff, action in [
        (clerk, "accept"),
        (clerk, "start_review"),
        (reviewer, "approve"),
        (clerk, "complete"),
    ]:
        services.act(staff=staff, public_id=case_id, action=action)


def test_certificate_signed_and_verifiable_without_personal_data(client: Client) -> None:
    case = create_application()
    _complete(case.public_id)
    certificate = Certificate.objects.get(application=case)
    assert certificates.verify(certificate).valid
    page = client.get(f"/verify/{certificate.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "提取审批结果通知书" in html
    assert "张三" not in html
    assert "张*" not in html
    assert client.get("/verify/00000000-0000-0000-0000-000000000000/").status_code == 404
    certificate.statement = {**certificate.statement, "reference": "FORGED"}
    certificate.save()
    assert not certificates.verify(certificate).valid
    assert "invalid" in client.get(f"/verify/{certificate.public_id}/").content.decode()


def test_certificate_pdf_embeds_the_cjk_font_and_the_verify_link() -> None:
    case = create_application()
    _complete(case.public_id)
    certificate = Certificate.objects.get(application=case)
    body = certificates.pdf(certificate, verify_url="https://city.example/verify/x/")
    assert body.startswith(b"%PDF-")
    assert b"WenQuanYiMicroHei" in body  # the CJK font, embedded: no empty boxes
    assert b"/FontFile2" in body
    assert len(body) > 5_000


def test_the_sla_sweep_is_a_periodic_job() -> None:
    from citizencloud.kernel import periodic

    names = [schedule.name for schedule in periodic.schedules()]
    assert "applications.sla_sweep" in names
