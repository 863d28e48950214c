"""The API's modified_after reads an indexed date in the search index.

Each ServiceEntry keeps the later of its service's and its organization's
updated_at (a service document nests its organization), so the filter is an
index range test instead of a join of three tables with an OR. The rows are
emptied here and rebuilt by DirectoryConfig's post_migrate hook, which fills
the new column, as in 0022.
"""

from django.db import migrations, models


def empty_index(apps, schema_editor):
    entries = apps.get_model("directory", "SearchEntry").objects
    entries.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0023_sync_runs_count_archived")]

    operations = [
        migrations.AddField(
            model_name="serviceentry",
            name="last_modified",
            field=models.DateTimeField(db_index=True, null=True),
        ),
        migrations.RunPython(empty_index, migrations.RunPython.noop),
    ]
