"""Full text over postings (title, company, description), one structure per database.

SQLite: an external-content FTS5 table kept in step by triggers, so every write (services,
admin, bulk inserts) is indexed; the update trigger fires only when an indexed column
changes, so view and apply counters never touch the index. Django rebuilds a SQLite table
for some later ALTERs and that drops its triggers: a migration that alters jobs_posting must
create them again (medcode/jobs/tests/test_search.py checks they exist).
PostgreSQL: a stored generated tsvector (A title, B company, C description) with a GIN index.
"""

from django.db import migrations

COLUMNS = "title, company, description"
SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE jobs_posting_fts USING fts5({COLUMNS},
        content='jobs_posting', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER jobs_posting_fts_insert AFTER INSERT ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(rowid, {COLUMNS})
        VALUES (new.id, new.title, new.company, new.description);
    END""",
    f"""CREATE TRIGGER jobs_posting_fts_delete AFTER DELETE ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.company, old.description);
    END""",
    f"""CREATE TRIGGER jobs_posting_fts_update AFTER UPDATE OF {COLUMNS} ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, old.title, old.company, old.description);
        INSERT INTO jobs_posting_fts(rowid, {COLUMNS})
        VALUES (new.id, new.title, new.company, new.description);
    END""",
    "INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS jobs_posting_fts_insert",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_delete",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_update",
    "DROP TABLE IF EXISTS jobs_posting_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE jobs_posting ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(company, '')), 'B')
            || setweight(to_tsvector('english', coalesce(description, '')), 'C')
        ) STORED""",
    "CREATE INDEX jobs_posting_search ON jobs_posting USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS jobs_posting_search",
    "ALTER TABLE jobs_posting DROP COLUMN IF EXISTS search_vector",
]


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
