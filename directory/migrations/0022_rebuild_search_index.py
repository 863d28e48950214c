"""The search index is rebuilt: letter pairs for unspaced scripts, and its vector kept inline.

- Chinese, Japanese, Thai and Khmer text is indexed as pairs of letters
  (search.terms), so a word is found inside a run of letters.
- PostgreSQL: every search reads `document` of every matching row (the match,
  the rank). Moved out of line into TOAST, as it was beside the long `text`,
  each read is an index lookup in the TOAST table: about four times slower
  over 50,000 rows than reading it inline. So `text` (read only to rebuild
  the typo vocabulary, and by SQLite's search) goes out of line first
  (EXTERNAL) and `document` stays in the row unless nothing else fits (MAIN).

The rows are emptied here; after the migrations DirectoryConfig's post_migrate
hook sees a directory without an index and rebuilds it by the current code,
which writes every row anew under the new storage.
"""

from django.db import migrations

STORAGE = (
    "ALTER TABLE directory_searchentry"
    " ALTER COLUMN document SET STORAGE MAIN, ALTER COLUMN text SET STORAGE EXTERNAL"
)
DEFAULT_STORAGE = (
    "ALTER TABLE directory_searchentry"
    " ALTER COLUMN document SET STORAGE EXTENDED, ALTER COLUMN text SET STORAGE EXTENDED"
)


def store_and_empty(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(STORAGE)
    entries = apps.get_model("directory", "SearchEntry").objects
    entries.using(schema_editor.connection.alias).all().delete()


def default_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULT_STORAGE)


class Migration(migrations.Migration):
    dependencies = [("directory", "0021_phone_translations")]

    operations = [migrations.RunPython(store_and_empty, default_storage)]
