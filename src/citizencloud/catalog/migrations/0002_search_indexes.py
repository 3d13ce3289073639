"""Search indexes: an FTS5 trigram table on SQLite, pg_trgm GIN indexes on PostgreSQL.

The FTS5 table is an external-content index of ``catalog_service`` kept in step by triggers.
Each engine's half is skipped on the other engine. If this SQLite lacks the trigram tokenizer
(before 3.34), no table is made and search falls back to LIKE (``catalog.search``).
Note: a later migration that makes Django rebuild ``catalog_service`` on SQLite drops these
triggers; such a migration must run ``create_sqlite_fts`` again (see docs/decisions).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations
from django.db.utils import OperationalError

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_service_fts USING fts5("
    "search_name, search_text, content='catalog_service', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_ai AFTER INSERT ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(rowid, search_name, search_text) "
    "VALUES (new.id, new.search_name, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_ad AFTER DELETE ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(catalog_service_fts, rowid, search_name, search_text) "
    "VALUES ('delete', old.id, old.search_name, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_service_fts_au AFTER UPDATE ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(catalog_service_fts, rowid, search_name, search_text) "
    "VALUES ('delete', old.id, old.search_name, old.search_text); "
    "INSERT INTO catalog_service_fts(rowid, search_name, search_text) "
    "VALUES (new.id, new.search_name, new.search_text); END",
    "INSERT INTO catalog_service_fts(catalog_service_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_service_fts_ai",
    "DROP TRIGGER IF EXISTS catalog_service_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_service_fts_au",
    "DROP TABLE IF EXISTS catalog_service_fts",
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
