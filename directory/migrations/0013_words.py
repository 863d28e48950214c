"""The typo-correction vocabulary (directory/spelling.py), filled from the search index.

The rows come with the index: search_index.rebuild() (after migrating, see
DirectoryConfig) fills both.

Its trigram GIN index is not in Meta.indexes because SQLite cannot create it
(as in 0004; pg_trgm was created there). It is built after the rows: built on
an empty table, its statistics would keep the planner from using it.
"""

from django.db import migrations, models

# As spelling.CREATE_TRIGRAM_INDEX.
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS directory_word_trgm ON directory_word"
    " USING gin (word gin_trgm_ops) WITH (fastupdate = off)"
)
DROP_INDEX = "DROP INDEX IF EXISTS directory_word_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


class Migration(migrations.Migration):
    dependencies = [("directory", "0012_search_index")]

    operations = [
        migrations.CreateModel(
            name="Word",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=50, unique=True)),
                ("frequency", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name": "search word", "verbose_name_plural": "search words"},
        ),
        migrations.RunPython(create_index, drop_index),
    ]
