"""Grant the staff groups permissions from a data migration (directory/migrations).

Permission rows are made after all migrations (post_migrate), so a migration
that grants them makes them first. Only the `apps` registry it is given is
used: the historical models of the migration that calls it.
"""

from django.contrib.auth.management import create_permissions

STAFF = ("Curators", "Publishers")


def editing(*models):
    """The add, change, delete and view codenames of these models."""
    return [
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    ]


def grant(apps, codenames, groups=STAFF):
    """Give each of `groups` these directory permissions, making the rows first."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(
        Permission.objects.filter(content_type__app_label="directory", codename__in=codenames)
    )
    for name in groups:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*perms)
