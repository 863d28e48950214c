from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def build_missing_search_index(sender, using="default", **kwargs):
    """Build the search index once, when a database has listings but no index yet.

    That is a database migrated from before the index existed; afterwards
    every write keeps the index current (directory/indexing.py).
    """
    from django.db import connections

    from .models import Organization, SearchEntry
    from .search_index import rebuild, vacuum

    with connections[using].cursor() as cursor:
        tables = connections[using].introspection.table_names(cursor)
    if SearchEntry._meta.db_table not in tables:  # migrated backwards, past the index
        return
    if not SearchEntry.objects.using(using).exists() and (
        Organization.objects.using(using).public().exists()
    ):
        rebuild()
        vacuum()


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import images, signals  # noqa: F401 (they connect signal receivers)

        post_migrate.connect(build_missing_search_index, sender=self)
