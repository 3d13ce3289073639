"""Search indexes: FTS5 trigram and bigram tables on SQLite, pg_trgm GIN indexes on PostgreSQL.

The FTS5 tables are external-content indexes of ``catalog_service`` kept in step by triggers.
Each engine's half is skipped on the other engine. If this SQLite lacks the trigram tokenizer
(before 3.34), no table is made and search falls back to LIKE (``catalog.search``).
Note: a later migration that makes Django rebuild ``catalog_service`` on SQLite drops these
triggers; such a migration must run ``create_sqlite_fts`` again (see docs/decisions).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.utils import OperationalError

COLUMNS = "search_name, search_text, search_pinyin, search_initials"
NEW = "new.search_name, new.search_text, new.search_pinyin, new.search_initials"
OLD = "old.search_name, old.search_text, old.search_pinyin, old.search_initials"
# Two external-content indexes of catalog_service: trigrams of every search column (3+
# characters, Chinese and pinyin alike), and the space-separated Chinese bigrams as tokens
# (two-character queries such as 医保, which trigrams cannot serve).
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS catalog_service_fts USING fts5({COLUMNS}, "
    "content='catalog_service', content_rowid='id', tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_service_bigram USING fts5(search_bigrams, "
    "content='catalog_service', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_ai AFTER INSERT ON catalog_service BEGIN "  # noqa: S608 (constants)
    f"INSERT INTO catalog_service_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); "
    "INSERT INTO catalog_service_bigram(rowid, search_bigrams) VALUES (new.id, new.search_bigrams); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_ad AFTER DELETE ON catalog_service BEGIN "  # noqa: S608 (constants)
    f"INSERT INTO catalog_service_fts(catalog_service_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); "
    "INSERT INTO catalog_service_bigram(catalog_service_bigram, rowid, search_bigrams) "
    "VALUES ('delete', old.id, old.search_bigrams); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_au AFTER UPDATE ON catalog_service BEGIN "  # noqa: S608 (constants)
    f"INSERT INTO catalog_service_fts(catalog_service_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); "
    f"INSERT INTO catalog_service_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); "
    "INSERT INTO catalog_service_bigram(catalog_service_bigram, rowid, search_bigrams) "
    "VALUES ('delete', old.id, old.search_bigrams); "
    "INSERT INTO catalog_service_bigram(rowid, search_bigrams) VALUES (new.id, new.search_bigrams); "
    "END",
    "INSERT INTO catalog_service_fts(catalog_service_fts) VALUES ('rebuild')",
    "INSERT INTO catalog_service_bigram(catalog_service_bigram) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_service_fts_ai",
    "DROP TRIGGER IF EXISTS catalog_service_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_service_fts_au",
    "DROP TABLE IF EXISTS catalog_service_fts",
    "DROP TABLE IF EXISTS catalog_service_bigram",
]
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS catalog_service_name_trgm "
    "ON catalog_service USING gin (search_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_service_text_trgm "
    "ON catalog_service USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_service_pinyin_trgm "
    "ON catalog_service USING gin (search_pinyin gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_service_initials_trgm "
    "ON catalog_service USING gin (search_initials gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS catalog_service_name_trgm",
    "DROP INDEX IF EXISTS catalog_service_text_trgm",
    "DROP INDEX IF EXISTS catalog_service_pinyin_trgm",
    "DROP INDEX IF EXISTS catalog_service_initials_trgm",
]


def create_sqlite_fts(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute(SQLITE_FTS[0])
        except OperationalError:
            return  # no trigram tokenizer in this SQLite: LIKE fallback
        for statement in SQLITE_FTS[1:]:
            cursor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        create_sqlite_fts(schema_editor)
    elif vendor == "postgresql":
        for statement in POSTGRES_INDEXES:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_themes_services_versions_life_events")]

    operations = [
        TrigramExtension(),  # CreateExtension skips every engine but PostgreSQL
        migrations.RunPython(forwards, backwards),
    ]
