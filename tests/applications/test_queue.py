"""The staff queue: filters (state, service, assignee, SLA colour) on the page and the API, bulk
actions (claim, assign to a colleague, release) with their department/role checks and audit, and
the SLA sweep handing an overdue case to the department's supervisor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from citizencloud.applications import definitions, presenters, selectors, services, tasks
from citizencloud.applications.models import Application, Step
from citizencloud.kernel import clock
from citizencloud.kernel.models import AuditEntry
from citizencloud.notifications.models import Message
from tests.applications.test_views import _login
from tests.factories.applications import (
    create_application,
    create_department,
    create_service,
    create_staff,
    token_for,
)
from tests.identity.support import run_tasks

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Chengdu


def _ids(rows: Any) -> set[str]:
    return {str(c.public_id) for c in rows}


def _api(client: Client, auth: dict[str, str], **query: str) -> Any:
    return client.get("/api/v1/staff/cases", query, **auth)


def test_filters_by_service_and_assignee_on_the_api_and_the_page(client: Client) -> None:
    department = create_service().department
    other_service = create_service("gjj-withdraw-purchase", department=department)
    clerk, colleague = create_staff("clerk"), create_staff("clerk")
    mine, theirs, free = create_application(), create_application(), create_application()
    purchase = create_application()
    Application.objects.filter(pk=purchase.pk).update(service=other_service)
    services.claim(staff=clerk, public_id=mine.public_id)
    services.claim(staff=colleague, public_id=theirs.public_id)
    auth = token_for(clerk)

    def listed(**query: str) -> set[str]:
        response = _api(client, auth, **query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()}

    everything = _ids([mine, theirs, free, purchase])
    assert listed() == everything
    assert listed(assignee="anyone") == everything
    assert listed(assignee="me") == _ids([mine])
    assert listed(assignee="unassigned") == _ids([free, purchase])
    assert listed(service="gjj-withdraw-purchase") == _ids([purchase])
    assert listed(service="gjj-withdraw-rent", assignee="unassigned") == _ids([free])
    assert listed(state="accepted") == set()
    assert _api(client, auth, sla="purple").status_code == 422

    _login(client, clerk)
    page = client.get("/staff/cases/", {"assignee": "me"}).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page
    assert free.reference not in page
    assert 'value="gjj-withdraw-purchase"' in page  # the service filter offers its services
    page = client.get("/staff/cases/", {"service": "gjj-withdraw-purchase"}).content.decode()
    assert purchase.reference in page
    assert mine.reference not in page


def test_sla_colour_filter_agrees_with_the_colour_each_row_shows(client: Client) -> None:
    """Cases of several SLA lengths, started on different days, some paused: on each day the
    green/amber/red filters partition the queue exactly as ``presenters.sla_of`` colours it."""
    clerk = create_staff("clerk")
    cal = definitions.calendar()
    cases = []
    with clock.frozen(MONDAY) as advance:
        for day in range(8):
            for sla_days in (1, 3, 5, 10):
                case = create_application()
                deadline = cal.add_working_days(case.started_on, sla_days)
                Application.objects.filter(pk=case.pk).update(sla_days=sla_days, deadline=deadline)
                if (day + sla_days) % 3 == 0:
                    services.act(
                        staff=clerk,
                        public_id=case.public_id,
                        action="request_supplement",
                        details={"items": ["合同"]},
                    )
                cases.append(case)
            advance(dt.timedelta(days=1))
        seen: set[str] = set()
        for _ in range(10):
            shown: dict[str, set[str]] = {"green": set(), "amber": set(), "red": set()}
            for case in Application.objects.all():
                shown[presenters.sla_of(case).colour].add(str(case.public_id))
            for colour, expected in shown.items():
                filtered = _ids(selectors.queue(clerk, sla=colour))
                assert filtered == expected, (clock.now(), colour)
                if expected:
                    seen.add(colour)
            advance(dt.timedelta(days=1))
    assert seen == {"green", "amber", "red"}  # the days covered every colour
    assert len(cases) == 32


def test_bulk_assign_and_release_with_scopes_and_audit(client: Client) -> None:
    create_service()
    supervisor = create_staff("supervisor", username="sup.gjj")
    clerk = create_staff("clerk", username="clerk.a")
    other_clerk = create_staff("clerk", username="clerk.b")
    outsider_department = create_department("medins", "医保局")
    outsider = create_staff("clerk", department=outsider_department, username="clerk.medins")
    first, second, third = create_application(), create_application(), create_application()
    ids = [str(c.public_id) for c in (first, second, third)]

    # A clerk may not hand out cases: every one is skipped, and the refusal is audited.
    _login(client, clerk)
    response = client.post(
        "/staff/cases/", {"action": "assign", "assignee": "clerk.a", "case": ids}, follow=True
    )
    assert response.status_code == 200
    assert Application.objects.filter(assignee__isnull=False).count() == 0
    assert AuditEntry.objects.filter(action="applications.action_denied").count() == 3

    # The supervisor assigns two to a colleague of the department …
    _login(client, supervisor)
    page = client.get("/staff/cases/").content.decode()
    assert 'value="clerk.b"' in page
    assert 'value="clerk.medins"' not in page
    client.post(
        "/staff/cases/",
        {"action": "assign", "assignee": "clerk.b", "case": ids[:2], "back": "assignee=unassigned"},
    )
    assert {c.assignee for c in Application.objects.filter(pk__in=[first.pk, second.pk])} == {
        other_clerk
    }
    assert AuditEntry.objects.filter(action="applications.assigned").count() == 2
    # … but not to someone of another department (422 through the API, nothing changed).
    wrong = client.post(
        "/api/v1/staff/cases/bulk",
        {"action": "assign", "assignee": "clerk.medins", "ids": [ids[2]]},
        content_type="application/json",
        **token_for(supervisor),
    )
    assert wrong.json() == {"done": 0, "skipped": 1}

    # A clerk releases their own case, not a colleague's; staff of another department get
    # nothing of this department (403 audited as access_denied, counted as skipped).
    services.claim(staff=clerk, public_id=third.public_id)
    own = client.post(
        "/api/v1/staff/cases/bulk",
        {"action": "release", "ids": ids},
        content_type="application/json",
        **token_for(clerk),
    )
    assert own.json() == {"done": 1, "skipped": 2}
    third.refresh_from_db()
    assert third.assignee is None
    assert AuditEntry.objects.filter(action="applications.released").count() == 1
    foreign = client.post(
        "/api/v1/staff/cases/bulk",
        {"action": "release", "ids": ids[:1]},
        content_type="application/json",
        **token_for(outsider),
    )
    assert foreign.json() == {"done": 0, "skipped": 1}
    assert AuditEntry.objects.filter(action="applications.access_denied").count() == 1

    # The supervisor releases a colleague's case through the single-case action (versioned).
    first.refresh_from_db()
    released = client.post(
        f"/api/v1/staff/cases/{first.public_id}/actions",
        {"action": "release", "version": first.version},
        content_type="application/json",
        **token_for(supervisor),
    )
    assert released.status_code == 200, released.content
    stale = client.post(
        f"/api/v1/staff/cases/{first.public_id}/actions",
        {"action": "release", "version": first.version},
        content_type="application/json",
        **token_for(supervisor),
    )
    assert stale.status_code == 409
    steps = Step.objects.filter(application=first).values_list("action", flat=True)
    assert list(steps) == ["submit", "assign", "release"]
    bogus = client.post(
        "/api/v1/staff/cases/bulk",
        {"action": "approve", "ids": ids},
        content_type="application/json",
        **token_for(supervisor),
    )
    assert bogus.status_code == 422


def test_sweep_escalates_an_overdue_case_to_the_departments_supervisor(client: Client) -> None:
    clerk = create_staff("clerk")
    create_staff("supervisor", username="sup.first")
    create_staff("supervisor", username="sup.second")  # the longest-serving one is chosen
    with clock.frozen(MONDAY) as advance:
        case = create_application()
        services.claim(staff=clerk, public_id=case.public_id)
        version = Application.objects.get(pk=case.pk).version
        advance(dt.timedelta(days=4))  # Friday: past Thursday's deadline
        assert tasks.sweep().escalated == 1
        assert tasks.sweep().escalated == 0  # once only
    case.refresh_from_db()
    supervisor = case.assignee
    assert supervisor is not None
    assert supervisor.username == "sup.first"
    assert case.version == version + 1  # a clerk's open form is now stale
    step = Step.objects.get(application=case, action="escalate")
    assert step.details == {"assignee": "sup.first"}
    entry = AuditEntry.objects.get(action="applications.escalated")
    assert entry.details["from"] == clerk.pk
    # The supervisor finds it in their own queue, flagged, on the page and the API.
    rows = client.get("/api/v1/staff/cases", {"assignee": "me"}, **token_for(supervisor)).json()
    assert [(r["reference"], r["escalated"]) for r in rows] == [(case.reference, True)]
    _login(client, supervisor)
    with clock.frozen(MONDAY + dt.timedelta(days=4)):
        page = client.get("/staff/cases/", {"assignee": "me", "sla": "red"}).content.decode()
    assert case.reference in page
    # The events become notices: the supervisor's "escalated to you" (the applicant gets none
    # for an internal escalation).
    run_tasks()
    notice = Message.objects.get(
        recipient=supervisor, template__code="service.application_escalated"
    )
    assert notice.category == "service"
    assert case.reference in notice.body_zh
    assert not Message.objects.filter(recipient=case.citizen, body_zh__contains="升级").exists()


def test_escalation_without_a_supervisor_still_marks_the_case() -> None:
    with clock.frozen(MONDAY) as advance:
        case = create_application()
        advance(dt.timedelta(days=4))
        assert tasks.sweep().escalated == 1
    case.refresh_from_db()
    assert case.sla_escalated_at is not None
    assert case.assignee is None


def test_sweep_commits_in_batches_and_escalates_every_overdue_case(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tasks, "BATCH", 2)
    create_staff("supervisor", username="sup.batch")
    with clock.frozen(MONDAY) as advance:
        cases = [create_application() for _ in range(5)]
        advance(dt.timedelta(days=4))
        assert tasks.sweep().escalated == 5
    assert {
        c.assignee.username for c in Application.objects.filter(pk__in=[c.pk for c in cases])
    } == {"sup.batch"}


def test_case_page_releases_and_offers_colleagues(client: Client) -> None:
    case = create_application()
    clerk = create_staff("clerk", username="clerk.case")
    services.claim(staff=clerk, public_id=case.public_id)
    case.refresh_from_db()
    _login(client, clerk)
    page = client.get(f"/staff/cases/{case.public_id}/").content.decode()
    assert 'class="action-release"' in page
    assert '<option value="clerk.case">' in page
    client.post(f"/staff/cases/{case.public_id}/", {"op": "release", "version": case.version})
    case.refresh_from_db()
    assert case.assignee is None
    assert AuditEntry.objects.filter(action="applications.released").count() == 1
