"""Search quality (Chinese, pinyin, initials, synonyms, English), filters and bad input."""

from __future__ import annotations

import pytest
from django.db import connection

from citizencloud.catalog import search, text
from citizencloud.catalog.models import Service
from citizencloud.kernel.errors import DomainError

pytestmark = pytest.mark.django_db

# query → a service that must be among the first ``top`` results.
QUALITY = [
    ("公积金", "gjj-withdraw-purchase", 1),
    ("gongjijin", "gjj-withdraw-purchase", 1),
    ("gjj", "gjj-withdraw-purchase", 1),
    ("公积金提取", "gjj-withdraw-purchase", 1),
    ("提取公积金", "gjj-withdraw-purchase", 3),  # words in another order
    ("租房提取", "gjj-withdraw-rent", 1),
    ("居住证", "hj-residence-permit", 1),
    ("juzhuzheng", "hj-residence-permit", 1),
    ("jzz", "hj-residence-permit", 1),
    ("新生儿落户", "hj-newborn-registration", 1),
    ("落户", "hj-newborn-registration", 3),
    ("医保", "yb-record-query", 1),
    ("医保参保", "yb-resident-enrol", 3),
    ("医疗保险", "yb-resident-enrol", 3),  # synonym of 医保
    ("yibao", "yb-resident-enrol", 3),
    ("异地就医", "yb-offsite-filing", 1),
    ("社保卡", "sb-card-apply", 1),
    ("sbk", "sb-card-apply", 1),
    ("结婚", "mz-marriage-registration", 1),
    ("领证", "mz-marriage-registration", 3),
    ("护照", "crj-passport", 1),
    ("passport", "crj-passport", 1),
    ("港澳", "crj-hk-macao-permit", 2),
    ("个体户", "qy-individual-setup", 1),
    ("注册公司", "qy-company-setup", 1),
    ("驾照", "jt-licence-renew", 3),
    ("违章", "jt-violation-handle", 1),
    ("交电费", "sh-power-bill", 1),
    ("挂号", "jk-hospital-appointment", 1),
    ("打疫苗", "jk-vaccination-book", 1),
    ("个税", "gs-annual-settlement", 3),
    ("失业金", "sb-unemployment-benefit", 1),
    ("小学报名", "edu-primary-admission", 1),
    ("一卡通", "ykt-subsidy-query", 3),
    ("养老金", "sb-pension-claim", 3),
]


@pytest.mark.parametrize(("query", "expected", "top"), QUALITY, ids=[q for q, _, _ in QUALITY])
def test_search_quality(query: str, expected: str, top: int) -> None:
    codes = [s.code for s in search.search(query)[:top]]
    assert expected in codes, f"{query!r} → {codes}"


BAD_INPUT = [
    "",
    "   ",
    '"',
    "'",
    "*",
    "公积金*",
    '"公积金',
    "NEAR(公积金 提取)",
    "((((",
    ")))",
    "公积金 AND OR NOT",
    "^提取",
    "a:b",
    "%_%",
    "'; DROP TABLE catalog_service; --",
    "\x00",
    "🙂",
    "x" * 200,
    "公" * 200,
    "公积金\n提取",
    "ｇｊｊ",
    "１２３４５",
]


@pytest.mark.parametrize("query", BAD_INPUT)
def test_hostile_or_odd_queries_never_fail(query: str) -> None:
    results = list(search.search(query)[:5])
    assert isinstance(results, list)
    assert Service.objects.filter(code="gjj-withdraw-purchase").exists()


def test_full_width_initials_are_normalised() -> None:
    assert search.search("ｇｊｊ")[0].code == "gjj-withdraw-purchase"


def test_an_empty_query_lists_by_popularity() -> None:
    first = list(search.search("")[:3])
    assert [s.popularity for s in first] == sorted((s.popularity for s in first), reverse=True)


def test_a_query_over_200_characters_is_a_clear_error() -> None:
    with pytest.raises(DomainError) as info:
        search.search("x" * 201)
    assert info.value.code == "catalog.query_too_long"
    assert info.value.status == 400


def test_one_and_two_character_queries_fall_back_to_like() -> None:
    assert search.search("证").count() > 10
    assert "hj-residence-permit" in [s.code for s in search.search("居住")[:3]]


def test_every_term_must_match() -> None:
    codes = [s.code for s in search.search("公积金 退休")]
    assert codes == ["gjj-withdraw-retire"]


def test_filters_by_theme_tier_verb_audience_and_region() -> None:
    assert {s.theme.code for s in search.search("", theme="gjj")} == {"gjj"}
    assert {s.tier for s in search.search("", tier="street")} == {"street"}
    assert all("pay" in s.verb_list() for s in search.search("", verb="pay"))
    assert {s.audience for s in search.search("", audience="business")} == {"business"}
    jinjiang = search.search("居住证", region="510104")
    assert "hj-residence-permit" in [s.code for s in jinjiang]
    # Passports are issued at the exit-entry hall in 青羊区, not in 锦江区.
    assert not search.search("", region="510104").filter(code="crj-passport").exists()
    assert search.search("", region="510105").filter(code="crj-passport").exists()


def test_the_index_fits_the_engine() -> None:
    if connection.vendor == "sqlite":
        assert search.fts_available()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM catalog_service_fts WHERE catalog_service_fts MATCH ?",
                ['"公积金"'],
            )
            assert cursor.fetchone()[0] >= 10
            cursor.execute(
                "SELECT count(*) FROM catalog_service_bigram WHERE catalog_service_bigram MATCH ?",
                ['"医保"'],
            )
            assert cursor.fetchone()[0] >= 5
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'catalog_service_%%_trgm'"
            )
            assert len(cursor.fetchall()) == 4


def test_text_parsing_strips_syntax_and_expands_synonyms() -> None:
    terms = text.parse('"医保*" NEAR(报销)', [("医保", "医疗保险")])
    assert [t.text for t in terms] == ["医保", "near", "报销"]
    assert terms[0].alternatives == ("医保", "医疗保险")
    assert text.expand("住房公积金", [("公积金", "住房公积金")]) == ("住房公积金", "公积金")
    assert text.pinyin_keys(["公积金"]) == ("|gongjijin|", "|gjj|")
    assert text.bigram_tokens(["公积金", "公积金提取"]) == "公积 积金 gj jj 金提 提取 jt tq"
