"""The Partners group, and moderation permissions for curators and publishers.

Partners are vetted organizations: non-staff accounts that may see
partners-only listings. Curators and publishers moderate suggestions and
reports (view and change, never add: those come from the public).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATED = ["suggestion", "report"]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Partners")
    codenames = [f"{action}_{model}" for model in MODERATED for action in ("view", "change")]
    codenames += ["view_organizationredirect"]
    perms = list(
        Permission.objects.filter(content_type__app_label="directory", codename__in=codenames)
    )
    for name in ("Curators", "Publishers"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Partners").delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_curator_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
