"""Create the fixed vocabularies and the two staff roles.

Curators add and edit listings; Publishers can also publish, unpublish and
archive them (the publish_* permissions).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

KINDS = [
    "legal", "community", "faith", "mental_health", "mutual_aid",
    "rapid_response", "youth", "worker", "coalition", "public_agency",
]
POPULATIONS = [
    "detained", "children", "families", "youth", "survivors", "lgbtq",
    "asylum_seekers", "workers", "elders", "any_status",
]
EDITED_MODELS = [
    "organization", "service", "location", "phone", "schedule", "closure",
    "serviceatlocation", "servicelanguage", "taxonomyterm", "language",
    "detentionfacility",
]
VIEWED_MODELS = ["organizationkind", "populationserved"]


def forwards(apps, schema_editor):
    for code in KINDS:
        apps.get_model("directory", "OrganizationKind").objects.get_or_create(code=code)
    for code in POPULATIONS:
        apps.get_model("directory", "PopulationServed").objects.get_or_create(code=code)

    # Permissions are normally created after migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}"
        for model in EDITED_MODELS
        for action in ("add", "change", "delete", "view")
    ] + [f"view_{model}" for model in VIEWED_MODELS]
    curator_perms = list(
        Permission.objects.filter(content_type__app_label="directory", codename__in=codenames)
    )
    curators, _ = Group.objects.get_or_create(name="Curators")
    curators.permissions.add(*curator_perms)
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(
        *curator_perms,
        *Permission.objects.filter(
            content_type__app_label="directory",
            codename__in=["publish_organization", "publish_service"],
        ),
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Curators", "Publishers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
