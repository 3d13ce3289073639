"""The pages work without JavaScript: plain form posts, field errors in Chinese by default,
Post → Redirect → Get; the development SMS pages exist only outside production."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from django.test import Client

from citizencloud.identity.models import User
from citizencloud.kernel import clock
from tests.identity.support import PASSWORD, WANG, ZHANG, latest_code, run_tasks

pytestmark = pytest.mark.django_db


def register_by_pages(client: Client) -> None:
    page = client.get("/account/register/")
    assert page.status_code == 200
    sent = client.post("/account/register/", {**ZHANG, "password": PASSWORD})
    assert sent.status_code == 302
    assert sent["Location"].startswith("/account/register/verify/")
    run_tasks()
    done = client.post(
        "/account/register/verify/", {"phone": ZHANG["phone"], "code": latest_code(ZHANG["phone"])}
    )
    assert done.status_code == 302
    assert done["Location"] == "/account/login/"


def login_by_pages(client: Client, login: str = ZHANG["phone"]) -> None:
    response = client.post("/account/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_register_login_account_logout_with_plain_forms() -> None:
    client = Client()
    register_by_pages(client)
    login_by_pages(client, ZHANG["id_number"])
    account = client.get("/account/").content.decode()
    assert "5101**********1682" in account
    assert "138****0001" in account
    assert ZHANG["id_number"] not in account
    assert ZHANG["phone"] not in account
    assert client.get("/account/devices/").status_code == 200
    assert "登录" in client.get("/account/activity/").content.decode()
    assert client.post("/account/logout/").status_code == 302
    assert client.get("/account/").status_code == 302


def test_field_errors_are_shown_on_the_form() -> None:
    response = Client().post(
        "/account/register/", {**ZHANG, "id_number": "510114200105071683", "password": "short"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="field-error"') == 2


def test_wrong_password_on_the_page_is_a_form_error() -> None:
    client = Client()
    register_by_pages(client)
    response = client.post("/account/login/", {"login": ZHANG["phone"], "password": "nope-nope"})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()


def test_mfa_enrolment_and_second_step_on_pages() -> None:
    client = Client()
    register_by_pages(client)
    login_by_pages(client)
    assert client.post("/account/mfa/", {"start": "1"}).status_code == 302
    page = client.get("/account/mfa/").content.decode()
    assert "data:image/svg+xml" in page
    secret = User.objects.get(username__startswith="c-").totp.secret
    totp = pyotp.TOTP(str(secret))
    confirmed = client.post("/account/mfa/", {"confirm": "1", "code": totp.now()})
    assert confirmed.status_code == 302
    assert "recovery-codes" in client.get("/account/mfa/").content.decode()
    client.post("/account/logout/")
    login_by_pages(client)
    second = client.get("/account/login/mfa/")
    assert second.status_code == 200
    with clock.frozen(clock.now() + dt.timedelta(seconds=30)):
        done = client.post("/account/login/mfa/", {"code": totp.at(clock.now())})
    assert done.status_code == 302
    assert client.get("/account/").status_code == 200


def test_header_shows_sign_in_then_my_account() -> None:
    client = Client()
    assert "/account/login/" in client.get("/").content.decode()
    register_by_pages(client)
    login_by_pages(client)
    assert 'class="report-link account-link" href="/account/"' in client.get("/").content.decode()


def test_admin_login_goes_through_the_account_pages() -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_dev_sms_pages_list_newest_first() -> None:
    client = Client()
    for person in (ZHANG, WANG):
        client.post(
            "/api/v1/citizens", {**person, "password": PASSWORD}, content_type="application/json"
        )
    run_tasks()
    messages = client.get("/dev/sms.json").json()
    assert [set(m) for m in messages] == [{"phone", "text", "code", "time"}] * 2
    assert messages[0]["time"] >= messages[1]["time"]
    assert [m["phone"] for m in messages] == [WANG["phone"], ZHANG["phone"]]
    assert messages[0]["code"] in client.get("/dev/sms").content.decode()


def test_dev_sms_pages_do_not_exist_in_production(settings: object) -> None:
    settings.ENVIRONMENT = "production"  # type: ignore[attr-defined]
    assert Client().get("/dev/sms").status_code == 404
    assert Client().get("/dev/sms.json").status_code == 404


def test_business_pages_register_grant_switch_and_revoke() -> None:
    from citizencloud.identity.models import AgentGrant, UserSession

    client = Client()
    register_by_pages(client)
    login_by_pages(client)
    assert client.post("/account/verify-identity/").status_code == 302
    uscc = "91510100MA6123456W"
    created = client.post("/account/businesses/", {"name": "示范科技", "uscc": uscc})
    assert created.status_code == 302
    bad = client.post("/account/businesses/", {"name": "示范科技", "uscc": "123"})
    assert 'class="field-error"' in bad.content.decode()
    from citizencloud.identity.models import Business

    business = Business.objects.get()
    from tests.identity.support import register as api_register

    api_register(Client(), WANG)
    agents_url = f"/account/businesses/{business.public_id}/agents/"
    granted = client.post(
        agents_url, {"grant": "1", "agent_phone": WANG["phone"], "powers": ["pay", "view"]}
    )
    assert granted.status_code == 302
    grant = AgentGrant.objects.get()
    assert grant.powers == ["pay", "view"]
    agent = Client()
    login_by_pages(agent, WANG["phone"])
    switched = agent.post("/account/businesses/acting-as/", {"business_id": business.public_id})
    assert switched.status_code == 302
    assert UserSession.objects.filter(acting_as=business).count() == 1
    assert "示范科技" in agent.get("/account/businesses/").content.decode()
    assert client.post(agents_url, {"revoke": str(grant.public_id)}).status_code == 302
    assert UserSession.objects.filter(acting_as=business).count() == 0
    assert Client().get(agents_url).status_code == 302  # signed out: to the login page
    assert agent.get(agents_url).status_code == 404  # not the representative


def test_this_wasnt_me_ends_that_session() -> None:
    from citizencloud.identity.models import Activity

    client = Client()
    register_by_pages(client)
    stranger = Client()
    login_by_pages(stranger)
    login_by_pages(client)
    entry = Activity.objects.filter(kind="login").order_by("at").first()
    assert entry is not None
    assert client.post(f"/account/activity/{entry.public_id}/not-me/").status_code == 302
    assert stranger.get("/account/").status_code == 302
    assert client.get("/account/").status_code == 200
