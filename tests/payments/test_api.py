"""The API of issue 10: bills, bindings, orders, and every bad input refused without a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from citizencloud.kernel.models import AuditEntry
from citizencloud.payments import billers
from citizencloud.payments.models import Bill, BillerAccount, Payment
from tests.payments.support import (
    auth,
    bind,
    create_bill,
    create_biller,
    create_payment_via_api,
    create_user,
    token_for,
)

pytestmark = pytest.mark.django_db


def test_my_bills_lists_only_bills_of_confirmed_accounts() -> None:
    user = create_user()
    mine, other = create_bill(account="10086001"), create_bill(account="99990000")
    bind(user, mine)
    response = Client().get("/api/v1/me/bills", **auth(token_for(user)))
    assert response.status_code == 200
    assert [b["id"] for b in response.json()] == [str(mine.public_id)]
    assert str(other.public_id) not in response.content.decode()


def test_binding_is_pending_until_the_biller_confirms_it() -> None:
    user, biller = create_user(), create_biller(secret="s3cret")
    client = Client()
    response = client.post(
        "/api/v1/me/biller-accounts",
        {"biller": "water", "account_number": "10086001"},
        content_type="application/json",
        **auth(token_for(user)),
    )
    assert response.status_code == 201, response.content
    binding = response.json()
    assert binding["status"] == "pending"
    path = f"/api/v1/billers/water/bindings/{binding['id']}"
    body = json.dumps({"confirmed": True}).encode()
    forged = client.post(
        path,
        body,
        content_type="application/json",
        HTTP_X_BILLER_SIGNATURE=billers.signature("wrong", "POST", path, body),
    )
    assert forged.status_code == 401
    signed = client.post(
        path,
        body,
        content_type="application/json",
        HTTP_X_BILLER_SIGNATURE=billers.signature("s3cret", "POST", path, body),
    )
    assert signed.status_code == 200
    assert signed.json()["status"] == "confirmed"
    assert BillerAccount.objects.get(public_id=binding["id"]).status == "confirmed"
    assert biller.accounts.count() == 1


def test_biller_api_stores_valid_bills_and_reports_rejected_rows() -> None:
    create_biller(secret="s3cret")
    path = "/api/v1/billers/water/bills"
    body = json.dumps(
        {
            "bills": [
                {"reference": "B1", "account_number": "10086001", "amount_fen": 4680},
                {"reference": "B2", "account_number": "10086001", "amount_fen": 0},
                {"reference": "B3", "account_number": "10086001", "amount_fen": -5},
                {"reference": "B 4", "account_number": "10086001", "amount_fen": 5},
                {"reference": "B1", "account_number": "10086001", "amount_fen": 4680},
                {"reference": "B1", "account_number": "10086001", "amount_fen": 1},
            ]
        }
    ).encode()
    response = Client().post(
        path,
        body,
        content_type="application/json",
        HTTP_X_BILLER_SIGNATURE=billers.signature("s3cret", "POST", path, body),
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["accepted"] == 1
    assert report["unchanged"] == 1
    assert [r["row"] for r in report["rejected"]] == [2, 3, 4, 6]
    assert Bill.objects.get(reference="B1").amount_fen == 4680


def test_biller_api_refuses_fractional_amounts_and_bad_signatures() -> None:
    create_biller(secret="s3cret")
    path = "/api/v1/billers/water/bills"
    body = b'{"bills": [{"reference": "B1", "account_number": "10086001", "amount_fen": 46.8}]}'
    client = Client()
    signed = billers.signature("s3cret", "POST", path, body)
    assert (
        client.post(
            path, body, content_type="application/json", HTTP_X_BILLER_SIGNATURE=signed
        ).status_code
        == 422
    )
    stale = billers.signature("s3cret", "POST", path, body, stamp=1)
    assert (
        client.post(
            path, body, content_type="application/json", HTTP_X_BILLER_SIGNATURE=stale
        ).status_code
        == 401
    )
    assert Bill.objects.count() == 0


def test_payment_needs_an_idempotency_key() -> None:
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    response = Client().post(
        "/api/v1/payments",
        {"bill_id": str(bill.public_id), "amount_fen": 4680},
        content_type="application/json",
        **auth(token_for(user)),
    )
    assert response.status_code == 428
    assert response.json()["code"] == "idempotency.key_required"
    assert Payment.objects.count() == 0


def test_a_retry_with_the_same_key_replays_the_same_order() -> None:
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    client, token = Client(), token_for(user)
    first = create_payment_via_api(client, token, bill, key="k-1")
    again = create_payment_via_api(client, token, bill, key="k-1")
    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["state"] == "pending"
    assert first.json()["cashier_url"].startswith("http://127.0.0.1:9/cashier?")
    other_tab = create_payment_via_api(client, token, bill, key="k-2")
    assert other_tab.json()["id"] == first.json()["id"]  # two tabs share one order
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", [-4680, 0, 46.8, "4680", 4681, None])
def test_bad_amounts_are_refused(amount: object) -> None:
    user = create_user()
    bill = create_bill()
    bind(user, bill)
    response = Client().post(
        "/api/v1/payments",
        {"bill_id": str(bill.public_id), "amount_fen": amount},
        content_type="application/json",
        **auth(token_for(user), "key"),
    )
    assert response.status_code == 422, response.content
    assert Payment.objects.count() == 0


def test_foreign_paid_and_expired_bills_are_refused() -> None:
    user, stranger = create_user(), create_user()
    bill = create_bill()
    bind(stranger, bill)
    client, token = Client(), token_for(user)
    assert create_payment_via_api(client, token, bill).status_code == 404
    assert create_payment_via_api(client, token, create_bill(reference="nope")).status_code == 404
    bad_id = client.post(
        "/api/v1/payments",
        {"bill_id": "not-a-uuid", "amount_fen": 1},
        content_type="application/json",
        **auth(token, "k"),
    )
    assert bad_id.status_code == 404
    paid = create_bill(status="paid", account="55550001")
    bind(user, paid)
    assert create_payment_via_api(client, token, paid).json()["code"] == "payments.bill_paid"
    expired = create_bill(account="55550002", due_date=dt.date(2020, 1, 1))
    bind(user, expired)
    assert create_payment_via_api(client, token, expired).json()["code"] == "payments.bill_expired"
    assert Payment.objects.count() == 0


def test_someone_elses_payment_is_not_found() -> None:
    owner, other = create_user(), create_user()
    bill = create_bill()
    bind(owner, bill)
    client = Client()
    created = create_payment_via_api(client, token_for(owner), bill).json()
    assert (
        client.get(f"/api/v1/payments/{created['id']}", **auth(token_for(other))).status_code == 404
    )
    mine = client.get(f"/api/v1/payments/{created['id']}", **auth(token_for(owner)))
    assert mine.status_code == 200
    assert mine.json()["amount_fen"] == 4680


def test_anonymous_callers_are_refused() -> None:
    assert Client().get("/api/v1/me/bills").status_code == 401
    assert AuditEntry.objects.filter(action="payments.created").count() == 0


def test_a_bill_being_paid_by_someone_else_is_refused() -> None:
    first, second = create_user(), create_user()
    bill = create_bill()
    bind(first, bill)
    bind(second, bill)  # e.g. two flatmates bound the same water account
    client = Client()
    assert create_payment_via_api(client, token_for(first), bill).status_code == 201
    refused = create_payment_via_api(client, token_for(second), bill)
    assert refused.status_code == 409
    assert refused.json()["code"] == "payments.bill_in_payment"
    assert Payment.objects.count() == 1


def test_the_biller_lists_bindings_waiting_for_it() -> None:
    user = create_user()
    create_biller(secret="s3cret")
    from citizencloud.payments import services

    services.bind_account(user=user, biller_code="water", account_number="10086001")
    path = "/api/v1/billers/water/bindings"
    client = Client()
    listed = client.get(path, HTTP_X_BILLER_SIGNATURE=billers.signature("s3cret", "GET", path, b""))
    assert listed.status_code == 200
    assert [b["account_number"] for b in listed.json()] == ["10086001"]
    assert client.get(path).status_code == 401
    assert client.get("/api/v1/billers/nobody/bindings").status_code == 401


def test_an_agent_without_the_pay_power_cannot_pay_for_the_business() -> None:
    from citizencloud.identity.models import AgentGrant, Business, UserSession
    from citizencloud.kernel import clock

    owner, agent = create_user(), create_user()
    business = Business.objects.create(
        name="示范科技", uscc="91510100MA6123456W", legal_representative=owner
    )
    AgentGrant.objects.create(
        business=business, agent=agent, powers=["view"], granted_by=owner, granted_at=clock.now()
    )
    bill = create_bill()
    BillerAccount.objects.create(
        biller=bill.biller,
        account_number=bill.account_number,
        holder=agent,
        business=business,
        status="confirmed",
    )
    token = token_for(agent)
    UserSession.objects.filter(user=agent).update(acting_as=business)
    refused = create_payment_via_api(Client(), token, bill)
    assert refused.status_code == 403
    AgentGrant.objects.filter(agent=agent).update(powers=["view", "pay"])
    assert create_payment_via_api(Client(), token, bill).status_code == 201
