"""查: the 我的 dashboard and the records API, against the department simulator process."""

from __future__ import annotations

import datetime as dt
import time

from django.test import Client, override_settings

from citizencloud.exchange import breaker
from citizencloud.exchange import services as exchange
from citizencloud.exchange.models import Message, Peer
from citizencloud.kernel import clock
from citizencloud.org.models import Department
from citizencloud.privacy.models import DataAccess
from citizencloud.query import services
from citizencloud.query.kinds import KINDS
from citizencloud_sim import dept as sim
from tests.exchange.support import DeptSim, create_citizen
from tests.factories.applications import create_region, token_for


def _page(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_dashboard_shows_a_card_per_record_kind_with_the_departments_values(
    dept_sim: DeptSim,
) -> None:
    citizen = create_citizen()
    response = _page(citizen).get("/me/")
    assert response.status_code == 200
    html = response.content.decode()
    for kind in KINDS:
        assert f'id="record-{kind}"' in html
    fund = sim.records("housing_fund", exchange.pseudonym(citizen, "dept-gjj"))
    whole, cents = divmod(fund["balance_fen"], 100)
    assert f"¥{whole:,}.{cents:02d}" in html
    assert 'data-status="fresh"' in html
    assert "stale" not in html.split("<main")[-1].split("records")[0]


def test_each_fetch_is_in_the_ledger_as_the_citizens_own_query(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    services.records(citizen=citizen)
    accesses = DataAccess.objects.filter(citizen=citizen)
    assert accesses.count() == len(KINDS)
    fund = accesses.get(purpose="Own query through the platform: housing_fund")
    assert fund.accessor_id == str(citizen.public_id)
    assert (fund.legal_basis, fund.channel) == ("consent", "exchange")
    assert "housing_fund.balance_fen" in fund.fields
    assert Message.objects.filter(direction="out", outcome="ok").count() == len(KINDS)


def test_records_are_cached_for_the_ttl_then_fetched_again(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    services.records(citizen=citizen, kinds=["housing_fund"])
    again = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    assert again.status == "cached"
    assert dept_sim.stats()["gjj.answered"] == 1
    assert DataAccess.objects.filter(citizen=citizen).count() == 1  # a cache hit is no fetch
    with clock.frozen(clock.now() + dt.timedelta(seconds=61)):
        later = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    assert later.status == "fresh"
    assert dept_sim.stats()["gjj.answered"] == 2


def test_a_department_down_shows_the_last_copy_as_of_its_time_and_the_contact(
    dept_sim: DeptSim,
) -> None:
    citizen = create_citizen()
    department, _ = Department.objects.get_or_create(
        code="cd-gjj",
        defaults={"name": "成都住房公积金管理中心", "function": "gjj", "region": create_region()},
    )
    department.contacts = [{"kind": "hotline", "value": "12329", "label": "服务热线"}]
    department.save()
    first = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    dept_sim.faults("gjj", down=True)
    with clock.frozen(clock.now() + dt.timedelta(seconds=120)):
        for _ in range(3):
            services.records(citizen=citizen, kinds=["housing_fund"])
        assert breaker.state("dept-gjj") == "open"
        started = time.monotonic()
        response = _page(citizen).get("/me/")
        stale = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    assert time.monotonic() - started < 2.5
    html = response.content.decode()
    card = html.split('id="record-housing_fund"')[1].split("</li>")[0]
    assert 'data-status="stale"' in card
    local = first.as_of.astimezone(dt.timezone(dt.timedelta(hours=8)))  # type: ignore[union-attr]
    assert local.strftime("%Y-%m-%d %H:%M") in card
    assert "12329" in card  # the housing fund centre's hotline
    assert stale.data == first.data
    assert stale.error_code == "exchange.circuit_open"


def test_a_department_down_with_no_copy_says_so_and_shows_no_data(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    dept_sim.faults("land", down=True)
    record = services.records(citizen=citizen, kinds=["real_estate"])[0]
    assert (record.status, record.data) == ("unavailable", None)
    card = _page(citizen).get("/me/").content.decode().split('id="record-real_estate"')[1]
    assert 'data-status="unavailable"' in card.split("</li>")[0]


def test_a_slow_department_does_not_hold_the_page_beyond_the_timeout(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    dept_sim.faults("health", slow_ms=8000)
    started = time.monotonic()
    response = _page(citizen).get("/me/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 2.0  # QUERY_FETCH_SECONDS (1.5 s) + rendering, within the 2 s timeout
    html = response.content.decode()
    assert (
        'data-status="unavailable"' in html.split('id="record-vaccinations"')[1].split("</li>")[0]
    )
    assert 'data-status="fresh"' in html.split('id="record-housing_fund"')[1].split("</li>")[0]


def test_a_tampered_or_foreign_answer_is_never_shown_as_data(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    dept_sim.faults("gjj", tamper=True)
    record = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    assert record.data is None
    assert record.error_code == "exchange.bad_digest"
    assert not DataAccess.objects.filter(citizen=citizen).exists()


def test_an_answer_about_someone_else_is_refused(dept_sim: DeptSim) -> None:
    citizen, other = create_citizen(), create_citizen("someone-else")
    services.records(citizen=other, kinds=["housing_fund"])
    dept_sim.faults("gjj", replay=True)  # answers with the other citizen's signed record
    record = services.records(citizen=citizen, kinds=["housing_fund"])[0]
    assert record.data is None
    assert record.error_code == "exchange.replayed"


def test_the_api_returns_one_record_kind(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    response = Client().get("/api/v1/me/records/housing_fund", **token_for(citizen))
    assert response.status_code == 200
    body = response.json()
    subject = exchange.pseudonym(citizen, "dept-gjj")
    assert body["data"] == sim.records("housing_fund", subject)
    assert (body["status"], body["stale"], body["kind"]) == ("fresh", False, "housing_fund")
    assert body["department"] == "成都住房公积金管理中心"


def test_the_api_answers_stale_when_the_department_is_down(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    Client().get("/api/v1/me/records/vehicles", **token_for(citizen))
    dept_sim.faults("police", down=True)
    with override_settings(QUERY_CACHE_SECONDS=0):
        body = Client().get("/api/v1/me/records/vehicles", **token_for(citizen)).json()
    assert body["stale"] is True
    assert body["status"] == "stale"
    assert body["data"]["licence"]
    assert body["as_of"]
    assert body["error_code"] == "exchange.unavailable"


def test_the_api_refuses_unknown_kinds_and_non_citizens(dept_sim: DeptSim) -> None:
    citizen = create_citizen()
    unknown = Client().get("/api/v1/me/records/horoscope", **token_for(citizen))
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "query.unknown_kind"
    anonymous = Client().get("/api/v1/me/records/housing_fund")
    assert anonymous.status_code == 401


def test_a_department_not_connected_is_not_asked_and_not_logged(dept_sim: DeptSim) -> None:
    Peer.objects.filter(code="dept-gjj").delete()
    citizen = create_citizen()
    records = {r.kind.code: r for r in services.records(citizen=citizen)}
    assert records["housing_fund"].status == "unavailable"
    assert records["housing_fund"].error_code == "query.not_connected"
    assert records["vaccinations"].status == "fresh"
    assert not Message.objects.filter(peer_code="dept-gjj").exists()
    assert dept_sim.stats().get("gjj.requests", 0) == 0
