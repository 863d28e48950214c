"""The search index keeps Chinese, Japanese, Thai and Khmer text as pairs of letters.

Its rows are emptied here; after the migrations DirectoryConfig's post_migrate
hook sees a directory without an index and rebuilds it (with the typo
vocabulary) by the current code, search.terms included.
"""

from django.db import migrations


def empty_search_index(apps, schema_editor):
    entries = apps.get_model("directory", "SearchEntry").objects
    entries.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0021_phone_translations")]

    operations = [migrations.RunPython(empty_search_index, migrations.RunPython.noop)]
