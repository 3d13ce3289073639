"""Once-only: application forms are filled from department records and name their source;
materials a department already holds are never asked for."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from citizencloud.catalog.models import ServiceVersion
from citizencloud.exchange import services as exchange
from citizencloud.privacy.models import DataAccess
from citizencloud_sim import dept as sim
from tests.exchange.support import DeptSim
from tests.factories.applications import create_citizen, create_service


def _apply_page(citizen: object, code: str) -> str:
    client = Client()
    client.force_login(citizen)  # type: ignore[arg-type]
    response = client.get(f"/apply/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def _field(html: str, name: str) -> str:
    return html.split(f'id="f_{name}"')[1].split("</div>")[0]


def test_the_housing_fund_withdrawal_form_is_filled_from_the_departments(
    dept_sim: DeptSim,
) -> None:
    create_service("gjj-withdraw-purchase")
    citizen = create_citizen()
    html = _apply_page(citizen, "gjj-withdraw-purchase")
    fund = sim.records("housing_fund", exchange.pseudonym(citizen, "dept-gjj"))
    homes = sim.records("real_estate", exchange.pseudonym(citizen, "dept-land"))["properties"]
    amount = _field(html, "amount")
    assert f'value="{fund["balance_fen"] // 100}"' in amount
    assert 'id="f_amount_source"' in amount
    assert "成都住房公积金管理中心" in amount
    assert f'value="{fund["account_number"]}"' in _field(html, "gjj_account")
    assert f'value="{fund["bank_card"]}"' in _field(html, "bank_card")
    if homes:
        address = _field(html, "house_address")
        assert f'value="{homes[0]["address"]}"' in address
        assert "成都市不动产登记中心" in address
    # Plain account values are not marked as coming from a department.
    assert "_source" not in _field(html, "name")
    fetched = DataAccess.objects.filter(citizen=citizen).values_list("purpose", flat=True)
    assert set(fetched) == {
        "Own query through the platform: housing_fund",
        "Own query through the platform: real_estate",
    }


def test_the_form_still_opens_when_the_department_is_down(dept_sim: DeptSim) -> None:
    create_service("gjj-withdraw-purchase")
    dept_sim.faults("gjj", down=True)
    html = _apply_page(create_citizen(), "gjj-withdraw-purchase")
    assert 'id="f_amount_source"' not in html
    assert 'name="amount" value=""' in html


def test_materials_held_by_the_government_are_not_asked_for(dept_sim: DeptSim) -> None:
    service = create_service("gjj-withdraw-rent")
    citizen = create_citizen()
    assert 'name="file_lease_contract"' in _apply_page(citizen, "gjj-withdraw-rent")
    held = {"code": "lease_contract", "name": "房屋租赁合同", "form": "original",
            "held_by_government": True, "note": "由住建部门共享核验"}  # fmt: skip
    number = (
        service.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = ServiceVersion.objects.create(
        service=service,
        number=number,
        name=service.name,
        guide={"materials": [held]},
        change_note="t",
    )
    service.published = version
    service.save()
    cache.clear()
    html = _apply_page(citizen, "gjj-withdraw-rent")
    assert 'name="file_lease_contract"' not in html
    assert "房屋租赁合同" in html.split('id="held"')[1].split("</section>")[0]


def test_the_apply_page_asks_departments_outside_a_request_transaction() -> None:
    # GET may wait QUERY_FETCH_SECONDS for departments: no request transaction (and so no SQLite
    # write lock) is held meanwhile; the POST opens its own (applications/views.py, ADR 0015).
    from django.urls import resolve

    assert resolve("/apply/gjj-withdraw-purchase/").func._non_atomic_requests == {"default"}  # type: ignore[attr-defined]
