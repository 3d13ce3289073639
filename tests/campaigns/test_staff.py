"""Staff create and schedule campaigns: validated input, problem+json errors, audited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from citizencloud.campaigns.models import Campaign
from citizencloud.identity.models import User, UserKind
from citizencloud.identity.services.common import Origin
from citizencloud.identity.services.sessions import start_session
from citizencloud.kernel import clock
from citizencloud.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/staff/campaigns"


def _staff(*, allowed: bool = True, kind: str = UserKind.STAFF) -> dict[str, str]:
    user = User(username=f"campaign-staff-{clock.now().timestamp()}", kind=kind)
    user.set_password("x-long-enough-password")
    user.save()
    if allowed:
        user.user_permissions.add(Permission.objects.get(codename="add_campaign"))
    _, token = start_session(user=user, mfa=True, origin=Origin(ip="127.0.0.1"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _body(**overrides: Any) -> dict[str, Any]:
    opens = clock.now() + dt.timedelta(days=1)
    body: dict[str, Any] = {
        "slug": "red-envelopes-2027",
        "title": "数字人民币红包",
        "title_en": "Digital RMB red envelopes",
        "kind": "lottery",
        "opens_at": opens.isoformat(),
        "closes_at": (opens + dt.timedelta(hours=40)).isoformat(),
        "draw_at": (opens + dt.timedelta(hours=48)).isoformat(),
        "tiers": [{"amount_fen": 17800, "count": 138805}, {"amount_fen": 23800, "count": 64255}],
        "min_assurance": 2,
        "regions": ["5101"],
        "min_age": 18,
    }
    body.update(overrides)
    return body


def test_staff_create_a_lottery_with_its_commitment_and_it_is_audited(client: Client) -> None:
    headers = _staff()
    response = client.post(URL, _body(), content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert [t["count"] for t in body["tiers"]] == [138805, 64255]
    assert len(body["seed_hash"]) == 64
    assert body["seed"] == ""
    campaign = Campaign.objects.get(pk=body["id"])
    assert (campaign.regions, campaign.min_age, campaign.min_assurance) == (["5101"], 18, 2)
    (entry,) = AuditEntry.objects.filter(action="campaigns.created")
    assert entry.actor_kind == "staff"
    assert entry.details["tiers"] == [[17800, 138805], [23800, 64255]]
    again = client.post(URL, _body(), content_type="application/json", **headers)
    assert (again.status_code, again.json()["code"]) == (409, "campaigns.slug_taken")


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"tiers": []}, 422, None),
        ({"tiers": [{"amount_fen": 0, "count": 3}]}, 422, None),
        ({"kind": "raffle"}, 422, None),
        ({"regions": ["Chengdu"]}, 422, None),
        ({"opens_at": "2020-01-01T08:00:00+08:00"}, 422, "campaigns.opens_in_past"),
        ({"draw_at": None}, 422, "campaigns.bad_draw"),
        ({"min_age": 60, "max_age": 18}, 422, "campaigns.bad_age"),
        ({"closes_at": "2020-01-01T08:00:00+08:00"}, 422, "campaigns.bad_window"),
        ({"opens_at": "2099-01-01T08:00:00"}, 422, "campaigns.naive_time"),
        (
            {"kind": "first_come", "draw_at": None},
            422,
            "campaigns.one_tier",
        ),
    ],
)
def test_invalid_campaigns_are_refused_with_problem_json(
    client: Client, overrides: dict[str, Any], status: int, code: str | None
) -> None:
    response = client.post(URL, _body(**overrides), content_type="application/json", **_staff())
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    if code is not None:
        assert response.json()["code"] == code
    assert not Campaign.objects.exists()


def test_only_staff_with_the_permission_may_create(client: Client) -> None:
    for headers in (_staff(allowed=False), _staff(kind=UserKind.CITIZEN)):
        response = client.post(URL, _body(), content_type="application/json", **headers)
        assert (response.status_code, response.json()["code"]) == (403, "campaigns.staff_only")
    assert client.post(URL, _body(), content_type="application/json").status_code == 401
    assert not Campaign.objects.exists()


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = User.objects.create_user(
        "campaigns.admin.test", "pw-123456789", kind=UserKind.STAFF, is_staff=True
    )
    for codename in ("add_campaign", "change_campaign", "view_campaign"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def _admin_form(**overrides: Any) -> dict[str, Any]:
    body = _body()
    form = {k: v for k, v in body.items() if k not in ("tiers", "regions", "draw_at")}
    form.update(
        regions='["5101"]',
        draw_at=body["draw_at"],
        tiers_text="17800×138805\n23800 x 64255",
        description="",
        description_en="",
        max_age="",
    )
    for key in ("opens_at", "closes_at", "draw_at"):  # the admin splits date and time
        local = dt.datetime.fromisoformat(form.pop(key)).astimezone(LOCAL)
        form[f"{key}_0"], form[f"{key}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
    form.update(overrides)
    return form


def test_admin_creates_a_campaign_through_the_service(admin_client: Client) -> None:
    assert admin_client.get("/admin/campaigns/campaign/add/").status_code == 200
    bad = admin_client.post("/admin/campaigns/campaign/add/", _admin_form(tiers_text="lots"))
    assert bad.status_code == 200
    assert not Campaign.objects.exists()
    response = admin_client.post("/admin/campaigns/campaign/add/", _admin_form())
    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    campaign = Campaign.objects.get()
    assert [(t.amount_fen, t.count) for t in campaign.tiers.all()] == [
        (17800, 138805),
        (23800, 64255),
    ]
    assert len(campaign.seed_hash) == 64
    assert AuditEntry.objects.filter(action="campaigns.created").count() == 1
    page = admin_client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert page.status_code == 200
    assert campaign.seed_hash in page.content.decode()
