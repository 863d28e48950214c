"""PostgreSQL search indexes, and the search text and search points of existing rows.

The GIN indexes are not in Meta.indexes because SQLite cannot create them
(`USING gin`); they are created here on PostgreSQL only. The extension
operations are no-ops on other databases.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_INDEXES = [
    # Full-text search: WHERE search_document @@ query.
    (
        "CREATE INDEX IF NOT EXISTS org_search_document_gin "
        "ON directory_organization USING gin (search_document)",
        "DROP INDEX IF EXISTS org_search_document_gin",
    ),
    # Typo tolerance: WHERE search_text %> query (pg_trgm word similarity).
    (
        "CREATE INDEX IF NOT EXISTS org_search_text_trgm "
        "ON directory_organization USING gin (search_text gin_trgm_ops)",
        "DROP INDEX IF EXISTS org_search_text_trgm",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for create, _drop in POSTGRES_INDEXES:
        schema_editor.execute(create)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _create, drop in POSTGRES_INDEXES:
        schema_editor.execute(drop)


def backfill(apps, schema_editor):
    from directory import geo

    Location = apps.get_model("directory", "Location")
    for location in Location.objects.all():
        point = geo.search_point(location) or (None, None)
        Location.objects.filter(pk=location.pk).update(
            search_latitude=point[0], search_longitude=point[1]
        )
    # The search text was rebuilt here; migration 0012 replaced it with the
    # search index, which it builds itself.


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_search_and_geo_fields")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
