"""Finding a campaign: the list page, the home page's cards and where each campaign stands."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from citizencloud.campaigns import policies, services
from citizencloud.campaigns.models import Campaign, Kind
from citizencloud.kernel import clock
from tests.campaigns import factories

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 2, 24, 0, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("first_come", "opens", "closes", "drawn", "remaining", "expected"),
    [
        (False, 1, 2, False, 0, policies.UPCOMING),
        (False, 0, 2, False, 0, policies.OPEN),  # a lottery has no stock to run out of
        (True, 0, 2, False, 5, policies.OPEN),
        (True, 0, 2, False, 0, policies.SOLD_OUT),
        (True, -2, 0, False, 5, policies.CLOSED),  # the window closes at closes_at itself
        (False, -2, -1, False, 0, policies.CLOSED),
        (False, -3, -2, True, 0, policies.DRAWN),
    ],
)
def test_phase(
    first_come: bool, opens: int, closes: int, drawn: bool, remaining: int, expected: str
) -> None:
    assert (
        policies.phase(
            first_come=first_come,
            opens_at=T0 + opens * HOUR,
            closes_at=T0 + closes * HOUR,
            drawn_at=T0 - HOUR if drawn else None,
            remaining=remaining,
            now=T0,
        )
        == expected
    )


def _forget_the_list() -> None:
    """The list page is cached for a few seconds: an earlier test's copy must not answer."""
    cache.delete_many([f"campaigns:list:{language}" for language in ("zh-hans", "en")])


@pytest.fixture
def campaigns() -> dict[str, Campaign]:
    _forget_the_list()
    now = clock.now()
    made = {
        "open": factories.create_campaign(
            kind=Kind.LOTTERY,
            title="数字人民币红包",
            title_en="Digital RMB red envelopes",
            draw_at=now + 3 * HOUR,
        ),
        "sold_out": factories.create_campaign(title="消费券（已抢完）"),
        "upcoming": factories.create_campaign(
            title="下周的消费券", opens_at=now + 24 * HOUR, closes_at=now + 48 * HOUR
        ),
        "closed": factories.create_campaign(
            kind=Kind.LOTTERY,
            title="等待开奖的抽签",
            opens_at=now - 5 * HOUR,
            closes_at=now - HOUR,
        ),
        "drawn": factories.create_campaign(
            kind=Kind.LOTTERY,
            title="已开奖的抽签",
            opens_at=now - 50 * HOUR,
            closes_at=now - 48 * HOUR,
        ),
    }
    Campaign.objects.filter(pk=made["sold_out"].pk).update(remaining=0)
    Campaign.objects.filter(pk=made["drawn"].pk).update(drawn_at=now - 47 * HOUR)
    return made


def _section(html: str, group: str) -> str:
    found = re.search(rf'<section aria-labelledby="campaigns-{group}">(.*?)</section>', html, re.S)
    assert found is not None, group
    return found.group(1)


def test_the_list_groups_campaigns_by_where_they_stand(
    client: Client, campaigns: dict[str, Campaign]
) -> None:
    response = client.get("/campaigns/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    current, upcoming, past = (_section(html, g) for g in ("current", "upcoming", "past"))
    assert "数字人民币红包" in current
    assert "消费券（已抢完）" in current
    assert "报名中" in current
    assert "已售罄" in current
    assert "随时报名，中签机会相同" in current  # the lottery says there is no need to rush
    assert "下周的消费券" in upcoming
    assert "尚未开始" in upcoming
    assert past.index("等待开奖的抽签") < past.index("已开奖的抽签")  # latest ended first
    assert "已截止，等待抽签" in past
    assert "已公布结果" in past
    assert "1,780" in current  # 10 prizes of ¥178: ¥1,780 in all
    for c in campaigns.values():
        assert f'href="/campaigns/{c.pk}/"' in html
    assert "csrfmiddlewaretoken" not in html  # public and cacheable: nothing of the reader's


def test_the_list_in_english(client: Client, campaigns: dict[str, Campaign]) -> None:
    html = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Digital RMB red envelopes" in html
    assert "Open for registration" in html
    assert "Closed, awaiting the draw" in html
    assert "10 prizes, ¥1,780 in all" in html


def test_the_list_is_cached_and_revalidated_without_a_query(
    client: Client, campaigns: dict[str, Campaign], django_assert_num_queries: object
) -> None:
    first = client.get("/campaigns/")
    assert "public" in first["Cache-Control"]
    assert "max-age" in first["Cache-Control"]
    with django_assert_num_queries(0):  # type: ignore[operator]
        again = client.get("/campaigns/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_an_empty_list_says_so(client: Client) -> None:
    _forget_the_list()
    html = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No campaign is open now." in html
    assert "No campaign has ended yet." in html


def test_the_home_page_shows_what_is_open_or_coming_and_links_the_list(
    client: Client, campaigns: dict[str, Campaign]
) -> None:
    html = client.get("/").content.decode()
    assert "数字人民币红包" in html
    assert "下周的消费券" in html
    assert "等待开奖的抽签" not in html
    assert "已开奖的抽签" not in html
    assert 'href="/campaigns/"' in html


def test_the_home_page_has_no_campaign_section_when_none_is_open_or_coming(
    client: Client,
) -> None:
    now = clock.now()
    services.create_campaign(
        slug="ended", title="已结束的活动", kind=Kind.FIRST_COME, opens_at=now - 3 * HOUR,
        closes_at=now - 2 * HOUR, tiers=[services.TierSpec(100, 1)], min_assurance=0,
    )  # fmt: skip
    html = client.get("/").content.decode()
    assert "campaigns-title" not in html
    assert "已结束的活动" not in html


def test_the_campaign_page_writes_prizes_with_separators(client: Client) -> None:
    campaign = factories.create_campaign(
        kind=Kind.LOTTERY,
        tiers=[services.TierSpec(17800, 138_805), services.TierSpec(23850, 64_255)],
    )
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "<td>¥178</td><td>138,805</td>" in html
    assert "<td>¥238.50</td><td>64,255</td>" in html
