"""The Django side over HTTP: a signed-in citizen gets a pass; published data; the page."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.campaigns.models import Kind
from tests.campaigns import factories
from tests.identity.support import ZHANG, bearer, register, sign_in

pytestmark = pytest.mark.django_db


def test_signed_in_citizen_gets_a_pass_and_anonymous_does_not(client: Client) -> None:
    campaign = factories.create_campaign(min_assurance=1, regions=["5101"])
    assert client.post(f"/api/v1/campaigns/{campaign.pk}/pass").status_code == 401
    register(client)
    token = sign_in(client, ZHANG["phone"])
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/pass", **bearer(token))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("cp2.")
    assert body["entry_url"] == f"/api/v1/campaigns/{campaign.pk}/entries"


def test_ineligible_citizen_gets_problem_json(client: Client) -> None:
    campaign = factories.create_campaign(min_assurance=1, regions=["3101"])
    register(client)
    token = sign_in(client, ZHANG["phone"])
    response = client.post(f"/api/v1/campaigns/{campaign.pk}/pass", **bearer(token))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "campaigns.region_not_eligible"
    # The refusal read the ID number: that read stays in the ledger though the request failed.
    from citizencloud.privacy.models import DataAccess

    assert DataAccess.objects.filter(fields=["id_number"], channel="system").count() == 1


def test_published_campaign_data(client: Client) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    body = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert body["equal_odds"] is True
    assert len(body["seed_hash"]) == 64
    assert body["seed"] == ""
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/ledger").content == b""


def test_lottery_page_states_equal_odds_is_cacheable_and_cached(
    client: Client, django_assert_num_queries: object
) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY)
    url = f"/campaigns/{campaign.pk}/"
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert first.status_code == 200
    assert "exactly the same odds" in first.content.decode()
    assert "public" in first["Cache-Control"]
    assert "max-age" in first["Cache-Control"]
    assert "csrfmiddlewaretoken" not in first.content.decode()
    with django_assert_num_queries(0):  # type: ignore[operator]
        again = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_join_page_needs_sign_in_and_carries_a_pass(client: Client) -> None:
    campaign = factories.create_campaign(kind=Kind.LOTTERY, min_assurance=1)
    anonymous = client.get(f"/campaigns/{campaign.pk}/join")
    assert anonymous.status_code == 302
    assert "next=" in anonymous["Location"]
    register(client)
    sign_in(client, ZHANG["phone"])
    page = client.get(f"/campaigns/{campaign.pk}/join")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'action="/campaigns/{campaign.pk}/enter"' in html
    assert 'name="pass" value="cp2.' in html


def test_join_page_explains_a_refusal(client: Client) -> None:
    campaign = factories.create_campaign(min_assurance=1, regions=["3101"])
    register(client)
    sign_in(client, ZHANG["phone"])
    page = client.get(f"/campaigns/{campaign.pk}/join")
    assert page.status_code == 403
    assert 'name="pass"' not in page.content.decode()
