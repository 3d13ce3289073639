"""Businesses: registered by an L2 legal representative who grants agents scoped, revocable
powers; acting-as switches between oneself and represented businesses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from citizencloud.identity.models import AgentGrant, User
from tests.identity.support import WANG, ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db
USCC = "91510100MA6123456W"


def post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", **headers)


@pytest.fixture
def tokens() -> dict[str, str]:
    register(Client(), ZHANG)
    register(Client(), WANG)
    zhang = sign_in(Client(), ZHANG["phone"])
    assert post(Client(), "/api/v1/me/verify-identity", {}, **bearer(zhang)).status_code == 200
    return {"zhang": zhang, "wang": sign_in(Client(), WANG["phone"])}


def test_real_name_verification_raises_to_l2(tokens: dict[str, str]) -> None:
    me = Client().get("/api/v1/me", **bearer(tokens["zhang"])).json()
    assert me["assurance_level"] == 2


def test_a_name_the_registry_does_not_confirm_stays_l1() -> None:
    register(Client(), {**WANG, "name": "王六"})
    token = sign_in(Client(), WANG["phone"])
    response = post(Client(), "/api/v1/me/verify-identity", {}, **bearer(token))
    assert response.status_code == 422
    assert response.json()["code"] == "identity.realname_mismatch"


def test_l1_may_not_register_a_business(tokens: dict[str, str]) -> None:
    response = post(
        Client(), "/api/v1/businesses", {"name": "某公司", "uscc": USCC}, **bearer(tokens["wang"])
    )
    assert response.status_code == 403


def test_bad_credit_code_is_a_field_error(tokens: dict[str, str]) -> None:
    response = post(
        Client(),
        "/api/v1/businesses",
        {"name": "某公司", "uscc": "91510100MA6123456X"},
        **bearer(tokens["zhang"]),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "uscc"]


def test_grant_act_as_and_revoke(tokens: dict[str, str]) -> None:
    created = post(
        Client(),
        "/api/v1/businesses",
        {"name": "示范科技", "uscc": USCC},
        **bearer(tokens["zhang"]),
    )
    assert created.status_code == 201, created.content
    business_id = created.json()["id"]
    duplicate = post(
        Client(),
        "/api/v1/businesses",
        {"name": "示范科技", "uscc": USCC},
        **bearer(tokens["zhang"]),
    )
    assert duplicate.status_code == 409
    not_owner = post(
        Client(),
        f"/api/v1/businesses/{business_id}/agents",
        {"agent_phone": ZHANG["phone"], "powers": ["pay"]},
        **bearer(tokens["wang"]),
    )
    assert not_owner.status_code == 404
    granted = post(
        Client(),
        f"/api/v1/businesses/{business_id}/agents",
        {"agent_phone": WANG["phone"], "powers": ["apply", "view"]},
        **bearer(tokens["zhang"]),
    )
    assert granted.status_code == 201, granted.content
    mine = Client().get("/api/v1/me/businesses", **bearer(tokens["wang"])).json()
    assert mine == [
        {
            "id": business_id,
            "name": "示范科技",
            "uscc": USCC,
            "representative": False,
            "powers": ["apply", "view"],
        }
    ]
    switched = Client().put(
        "/api/v1/me/acting-as",
        {"business_id": business_id},
        content_type="application/json",
        **bearer(tokens["wang"]),
    )
    assert switched.status_code == 200
    assert switched.json()["acting_as"] == business_id
    revoke = Client().delete(
        f"/api/v1/businesses/{business_id}/agents/{granted.json()['id']}",
        **bearer(tokens["zhang"]),
    )
    assert revoke.status_code == 204
    assert Client().get("/api/v1/me", **bearer(tokens["wang"])).json()["acting_as"] is None
    assert Client().get("/api/v1/me/businesses", **bearer(tokens["wang"])).json() == []
    refused = Client().put(
        "/api/v1/me/acting-as",
        {"business_id": business_id},
        content_type="application/json",
        **bearer(tokens["wang"]),
    )
    assert refused.status_code == 404
    assert AgentGrant.objects.get().revoked_at is not None


def test_unknown_powers_and_unknown_agents_are_field_errors(tokens: dict[str, str]) -> None:
    business_id = post(
        Client(),
        "/api/v1/businesses",
        {"name": "示范科技", "uscc": USCC},
        **bearer(tokens["zhang"]),
    ).json()["id"]
    for body, field in (
        ({"agent_phone": WANG["phone"], "powers": ["own"]}, "powers"),
        ({"agent_phone": "13911112222", "powers": ["pay"]}, "agent_phone"),
    ):
        response = post(
            Client(), f"/api/v1/businesses/{business_id}/agents", body, **bearer(tokens["zhang"])
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", field]
    assert User.objects.count() == 2
