"""Pages: home by themes and life events, search (plain and HTMX), guide, history, org pages."""

from __future__ import annotations

import pytest
from django.test import Client

from citizencloud.catalog import services
from citizencloud.catalog.models import Service

pytestmark = pytest.mark.django_db


def test_home_shows_search_themes_and_life_events(client: Client) -> None:
    html = client.get("/").content.decode()
    assert 'name="q"' in html
    assert "hx-get" in html
    assert "公积金" in html
    assert "迁入成都" in html
    assert "/themes/gjj/" in html


def test_search_without_javascript_renders_a_full_page(client: Client) -> None:
    response = client.get("/services/", {"q": "公积金"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "住房公积金提取（购买自住住房）" in html


def test_search_with_htmx_renders_only_the_results(client: Client) -> None:
    response = client.get("/services/", {"q": "gjj"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results"')
    assert "/services/gjj-withdraw-purchase/" in html


@pytest.mark.parametrize("query", ['"', "NEAR((", "x" * 201, "%", "🙂"])
def test_search_page_never_fails(client: Client, query: str) -> None:
    response = client.get("/services/", {"q": query})
    assert response.status_code == 200
    if len(query) > 200:
        assert "200" in response.content.decode()


def test_the_guide_has_a_checklist_and_what_the_government_holds(client: Client) -> None:
    html = client.get("/services/hj-residence-permit/").content.decode()
    assert 'class="checklist"' in html
    assert 'type="checkbox"' in html
    assert "合法稳定住所证明" in html
    assert "个工作日" in html
    assert "《居住证暂行条例》" in html
    # Every material of a newborn's registration is already held: nothing to bring.
    html = client.get("/services/hj-newborn-registration/").content.decode()
    assert "新生儿落户" in html
    assert "出生医学证明" in html
    assert 'type="checkbox"' not in html
    assert "无需" in html


def test_the_guide_lists_local_points_for_a_chosen_district(client: Client) -> None:
    html = client.get("/services/yb-resident-enrol/", {"region": "510104"}).content.decode()
    assert "和平社区党群服务中心" in html
    assert "草堂" not in html


def test_the_guide_in_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/services/crj-passport/").content.decode()
    assert "Passport application" in html
    assert "What to bring" in html


def test_an_unknown_service_page_is_a_404_with_a_suggestion(client: Client) -> None:
    response = client.get("/services/crj-pasport/")
    assert response.status_code == 404
    assert "/services/crj-passport/" in response.content.decode()


def test_a_merged_service_page_redirects(client: Client) -> None:
    services.retire(
        service=Service.objects.get(code="gjj-account-merge"),
        editor=None,
        note="并入",
        successor=Service.objects.get(code="gjj-transfer"),
    )
    response = client.get("/services/gjj-account-merge/")
    assert response.status_code == 301
    assert response["Location"] == "/services/gjj-transfer/"


@pytest.mark.parametrize(
    "url",
    [
        "/services/gjj-transfer/history/",
        "/themes/gjj/",
        "/life-events/birth/",
        "/departments/cd-gjj/",
        "/service-points/hall-city/",
        "/regions/",
        "/regions/?region=510104",
    ],
)
def test_pages_answer(client: Client, url: str) -> None:
    assert client.get(url).status_code == 200


def test_unknown_department_and_point_are_404_pages(client: Client) -> None:
    assert client.get("/departments/nope/").status_code == 404
    assert client.get("/service-points/nope/").status_code == 404
    assert client.get("/life-events/nope/").status_code == 404
