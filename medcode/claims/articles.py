"""The LCD article crosswalk, indexed for the claim check.

The importer keeps the crosswalk as 208k JSON reference rows with no index on the code (a
scan took over a second), so the first claim check that needs a release's crosswalk copies
it, in one INSERT ... SELECT, into ArticleListing, indexed by procedure code. The copy and its
ArticleIndex marker are written in one transaction: a check racing another sees either none
or all of it. CasePilot's coverage answers read the same copy (`listed`).
"""

from __future__ import annotations

from django.db import IntegrityError, OperationalError, connection, transaction

from medcode.claims.models import ArticleIndex, ArticleListing
from medcode.codes.models import ReferenceRow

ARTICLE_KEY = "article_icd10"

_COPY_SQLITE = (
    "INSERT INTO {listing} (release_id, hcpcs, icd10cm, status, lcd_ids) "
    "SELECT release_id, json_extract(data, '$.hcpcs'), json_extract(data, '$.icd10cm'), "
    "json_extract(data, '$.status'), "
    "(SELECT coalesce(group_concat(value, ' '), '') FROM json_each(data, '$.lcd_ids')) "
    "FROM {rows} WHERE release_id = %s AND key = %s"
)
_COPY_POSTGRES = (
    "INSERT INTO {listing} (release_id, hcpcs, icd10cm, status, lcd_ids) "
    "SELECT release_id, data->>'hcpcs', data->>'icd10cm', data->>'status', "
    "array_to_string(ARRAY(SELECT jsonb_array_elements_text(data->'lcd_ids')), ' ') "
    "FROM {rows} WHERE release_id = %s AND key = %s"
)


def ensure_index(release_id: int) -> bool:
    """Copy a release's crosswalk into ArticleListing unless it is there already; False when
    another process is still copying it (this check then goes without the crosswalk)."""
    if ArticleIndex.objects.filter(release_id=release_id).exists():
        return True
    template = _COPY_POSTGRES if connection.vendor == "postgresql" else _COPY_SQLITE
    sql = template.format(
        listing=connection.ops.quote_name(ArticleListing._meta.db_table),
        rows=connection.ops.quote_name(ReferenceRow._meta.db_table),
    )
    try:
        with transaction.atomic():
            if ArticleIndex.objects.filter(release_id=release_id).exists():
                return True
            with connection.cursor() as cursor:
                cursor.execute(sql, [release_id, ARTICLE_KEY])
                copied = cursor.rowcount
            ArticleIndex.objects.create(release_id=release_id, rows=copied)
    except (IntegrityError, OperationalError):
        # Another check built it at the same time (its marker won), or holds the write lock
        # (SQLite): that copy is whole when it commits.
        return ArticleIndex.objects.filter(release_id=release_id).exists()
    return True


def listed(release_id: int, hcpcs: str) -> list[tuple[str, str, str]] | None:
    """A procedure code's crosswalk rows in the release, in the order of the reference rows:
    (ICD-10-CM code, status, space-separated LCD ids); None when the copy is not there and
    another process is making it."""
    if not ensure_index(release_id):
        return None
    rows = ArticleListing.objects.filter(release_id=release_id, hcpcs=hcpcs).order_by("pk")
    return list(rows.values_list("icd10cm", "status", "lcd_ids"))
