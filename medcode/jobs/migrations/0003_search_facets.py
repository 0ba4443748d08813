"""Filters join the full-text index: Posting.search_facets holds a token per filter value
(xmoderemote, xcredcpc, ...), indexed beside the text, so "words + remote + CPC" is one index
lookup instead of a row-by-row check of every live posting (see search.py).

The FTS5 table and its triggers (SQLite) and the generated tsvector (PostgreSQL) are made
again with the new column. Adding the column makes Django rebuild the SQLite table, which
would drop the old triggers anyway: they are dropped first and created last.
"""

import re

from django.db import migrations, models

COLUMNS = "title, company, description, search_facets"
NEW = "new.title, new.company, new.description, new.search_facets"
OLD = "old.title, old.company, old.description, old.search_facets"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS jobs_posting_fts_insert",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_delete",
    "DROP TRIGGER IF EXISTS jobs_posting_fts_update",
    "DROP TABLE IF EXISTS jobs_posting_fts",
]
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE jobs_posting_fts USING fts5({COLUMNS},
        content='jobs_posting', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER jobs_posting_fts_insert AFTER INSERT ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
    f"""CREATE TRIGGER jobs_posting_fts_delete AFTER DELETE ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {OLD});
    END""",
    f"""CREATE TRIGGER jobs_posting_fts_update AFTER UPDATE OF {COLUMNS} ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, {COLUMNS})
        VALUES ('delete', old.id, {OLD});
        INSERT INTO jobs_posting_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW});
    END""",
    "INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('rebuild')",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS jobs_posting_search",
    "ALTER TABLE jobs_posting DROP COLUMN IF EXISTS search_vector",
]
POSTGRES_CREATE = [
    """ALTER TABLE jobs_posting ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(company, '')), 'B')
            || setweight(to_tsvector('english', coalesce(description, '')), 'C')
            || to_tsvector('simple', coalesce(search_facets, ''))
        ) STORED""",
    "CREATE INDEX jobs_posting_search ON jobs_posting USING gin (search_vector)",
]
# 0002's structures, for going back.
SQLITE_0002 = [
    """CREATE VIRTUAL TABLE jobs_posting_fts USING fts5(title, company, description,
        content='jobs_posting', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER jobs_posting_fts_insert AFTER INSERT ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(rowid, title, company, description)
        VALUES (new.id, new.title, new.company, new.description);
    END""",
    """CREATE TRIGGER jobs_posting_fts_delete AFTER DELETE ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, title, company, description)
        VALUES ('delete', old.id, old.title, old.company, old.description);
    END""",
    """CREATE TRIGGER jobs_posting_fts_update AFTER UPDATE OF title, company, description
        ON jobs_posting BEGIN
        INSERT INTO jobs_posting_fts(jobs_posting_fts, rowid, title, company, description)
        VALUES ('delete', old.id, old.title, old.company, old.description);
        INSERT INTO jobs_posting_fts(rowid, title, company, description)
        VALUES (new.id, new.title, new.company, new.description);
    END""",
    "INSERT INTO jobs_posting_fts(jobs_posting_fts) VALUES ('rebuild')",
]
POSTGRES_0002 = [
    """ALTER TABLE jobs_posting ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(company, '')), 'B')
            || setweight(to_tsvector('english', coalesce(description, '')), 'C')
        ) STORED""",
    "CREATE INDEX jobs_posting_search ON jobs_posting USING gin (search_vector)",
]


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def token(field, value):
    return "x" + field + re.sub(r"[\W_]+", "", value.lower())


def fill_facets(apps, schema_editor):
    """search.facets_of as it is today, frozen here for the postings already stored."""
    Posting = apps.get_model("jobs", "Posting")
    for posting in Posting.objects.prefetch_related("credentials"):
        values = [
            ("mode", posting.work_mode),
            ("type", posting.employment_type),
            ("spec", posting.specialty),
            ("state", posting.state),
            ("city", posting.city),
            *(("cred", c) for c in sorted({c.credential for c in posting.credentials.all()})),
        ]
        posting.search_facets = " ".join(token(f, v) for f, v in values if v)
        posting.save(update_fields=["search_facets"])


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_fulltext")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
            run_for_vendor({"sqlite": SQLITE_0002, "postgresql": POSTGRES_0002}),
        ),
        migrations.AddField(
            model_name="posting",
            name="search_facets",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddIndex(
            model_name="posting",
            index=models.Index(fields=["status", "expires_on"], name="jobs_posting_live_open"),
        ),
        migrations.RunPython(fill_facets, migrations.RunPython.noop),
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            run_for_vendor({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
