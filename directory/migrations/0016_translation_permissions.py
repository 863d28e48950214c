"""Curators and publishers translate listings: every permission on the translation models.

A translation edits public words, like a phone row does, so it follows the
listing's own rules; no publish step of its own.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["organizationtranslation", "servicetranslation"]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")
    ]
    perms = list(
        Permission.objects.filter(content_type__app_label="directory", codename__in=codenames)
    )
    for name in ("Curators", "Publishers"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [("directory", "0015_listing_translations")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
