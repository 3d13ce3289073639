"""Service search: Chinese full text, pinyin and initials, synonyms, ranking, filters.

Candidates come from the FTS5 trigram index on SQLite (terms of 3+ characters), from LIKE on the
pg_trgm-indexed columns on PostgreSQL, and from LIKE for 1–2 character terms everywhere. Every
term must match (through one of its synonyms); ranking sums per-term scores (name start > name >
pinyin/initials > keywords and theme) and breaks ties by popularity.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from citizencloud.catalog import text
from citizencloud.catalog.models import Service, Status
from citizencloud.catalog.synonyms import groups as synonyms
from citizencloud.kernel.errors import DomainError
from citizencloud.org import selectors as org

_fts_ready: bool | None = None


class QueryTooLong(DomainError):
    code = "catalog.query_too_long"
    status = 400


def fts_available() -> bool:
    """Whether this database has the SQLite FTS5 trigram table (checked once per process)."""
    global _fts_ready
    if connection.vendor != "sqlite":
        return False
    if _fts_ready is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'catalog_service_fts'"
            )
            _fts_ready = cursor.fetchone() is not None
    return _fts_ready


def optimize_index() -> None:
    """Merge the FTS5 segments after a bulk load (SQLite only; PostgreSQL needs nothing)."""
    if not fts_available():
        return
    with connection.cursor() as cursor:
        for table in ("catalog_service_fts", "catalog_service_bigram"):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608


def _fts(phrase: str, table: str = "catalog_service_fts") -> Q:
    # The phrase holds only letters, digits and CJK (text.parse), quoted as one FTS5 string and
    # bound as a parameter; the table name is one of two constants.
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"  # noqa: S608
    return Q(pk__in=RawSQL(sql, ['"' + phrase.replace('"', "") + '"']))  # noqa: S611


def _match(term: text.Term) -> Q:
    condition = Q()
    for alternative in term.alternatives:
        if len(alternative) >= 3 and fts_available():
            condition |= _fts(alternative)  # trigram index: name, keywords, pinyin, initials
        elif len(alternative) == 2 and fts_available():
            # Chinese pieces and initials pairs; a two-letter English word is not indexed.
            condition |= _fts(alternative, "catalog_service_bigram")
        elif term.is_latin:
            condition |= (
                Q(search_pinyin__contains=alternative)
                | Q(search_initials__contains=alternative)
                | Q(search_name__contains=alternative)
                | Q(search_text__contains=alternative)
            )
        else:
            condition |= Q(search_name__contains=alternative) | Q(search_text__contains=alternative)
    return condition


def _score(term: text.Term) -> Case:
    """Name score (the word as typed outranks its synonyms) plus keyword score."""
    name = []
    for index, alternative in enumerate(term.alternatives):
        start, inside = (60, 40) if index == 0 else (35, 25)
        name += [
            (start, Q(search_name__startswith=alternative)),
            (inside, Q(search_name__contains=alternative)),
        ]
        if term.is_latin:
            name += [
                (35, Q(search_pinyin__contains="|" + alternative)),
                (35, Q(search_initials__contains="|" + alternative)),
                (25, Q(search_pinyin__contains=alternative)),
                (25, Q(search_initials__contains=alternative)),
            ]
    name.sort(key=lambda pair: -pair[0])  # CASE takes the first match: best score first
    keywords = [
        (20 if i == 0 else 10, Q(search_text__contains=a)) for i, a in enumerate(term.alternatives)
    ]
    return _case(name) + _case(keywords)  # type: ignore[return-value]


def _case(pairs: list[tuple[int, Q]]) -> Case:
    whens = [When(condition, then=Value(score)) for score, condition in pairs]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def search(
    query: str = "",
    *,
    theme: str | None = None,
    tier: str | None = None,
    region: str | None = None,
    verb: str | None = None,
    audience: str | None = None,
) -> QuerySet[Service]:
    """Active services matching ``query`` and the filters, best first."""
    try:
        terms = text.parse(query, synonyms())
    except text.QueryTooLong:
        raise QueryTooLong(
            f"The search is too long: at most {text.MAX_QUERY_LENGTH} characters.",
            extra={"max_length": text.MAX_QUERY_LENGTH},
        ) from None
    qs = _filtered(theme=theme, tier=tier, region=region, verb=verb, audience=audience)
    if not terms:
        return qs.order_by("-popularity", "code")
    matched = _ranked(qs, terms)
    if any(len(t.text) >= 4 and not t.is_latin for t in terms) and not matched.exists():
        # "提取公积金" finds "公积金提取": retry with the two-character pieces of long words.
        loose = [
            piece
            for t in terms
            for piece in (text.bigrams(t.text) if len(t.text) >= 4 and not t.is_latin else [t.text])
        ][: text.MAX_TERMS]
        matched = _ranked(qs, [text.Term(p, text.expand(p, synonyms())) for p in loose])
    return matched


def _ranked(qs: QuerySet[Service], terms: list[text.Term]) -> QuerySet[Service]:
    for term in terms:
        qs = qs.filter(_match(term))
    score = sum((_score(term) for term in terms[1:]), _score(terms[0]))
    exact = Case(
        When(name__in=[t.text for t in terms], then=Value(100)),
        default=Value(0),
        output_field=IntegerField(),
    )
    popularity = Cast("popularity", IntegerField()) / Value(100)
    return qs.annotate(score=score + exact + popularity).order_by("-score", "-popularity", "code")


def _filtered(
    *,
    theme: str | None,
    tier: str | None,
    region: str | None,
    verb: str | None,
    audience: str | None,
) -> QuerySet[Service]:
    qs = Service.objects.filter(status=Status.ACTIVE).select_related("department", "theme")
    if theme:
        qs = qs.filter(theme__code=theme)
    if tier:
        qs = qs.filter(tier=tier)
    if verb:
        qs = qs.filter(verbs__contains=f",{verb},")
    if audience:
        qs = qs.filter(audience=audience)
    if region:
        place = org.get_region(region)
        points = Service.points.through.objects.filter(service_id=OuterRef("pk")).filter(
            Q(servicepoint__region__path=place.path)
            | Q(servicepoint__region__path__startswith=place.path + "/")
        )
        qs = qs.filter(Exists(points))
    return qs
