"""The full-text structures each database needs: FTS5 tables on SQLite, a stored weighted
tsvector with GIN indexes and pg_trgm on PostgreSQL. Each step runs on its vendor only."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        code_text, title, synonyms, editorial,
        content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_word_fts USING fts5(
        word, content='search_word', content_rowid='id', tokenize='trigram')""",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts", "DROP TABLE IF EXISTS search_word_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE search_document ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(code_text, '')), 'A')
            || setweight(to_tsvector('english', coalesce(title, '')), 'B')
            || setweight(to_tsvector('english', coalesce(editorial, '')), 'B')
            || setweight(to_tsvector('english', coalesce(synonyms, '')), 'C')
        ) STORED""",
    "CREATE INDEX search_document_fts ON search_document USING gin (search_vector)",
    "CREATE INDEX search_word_trgm ON search_word USING gin (word gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_trgm",
    "DROP INDEX IF EXISTS search_document_fts",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
]


def run_for_vendor(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
