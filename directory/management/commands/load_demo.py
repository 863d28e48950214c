"""Load the reference vocabularies and the fictional demo listings.

Used by `make run`. Safe to run again: fixtures carry fixed keys, so a second
run updates rows instead of adding new ones. Demo staff accounts are created
only while DEBUG is on, so a production database never gets known passwords.
Fixture rows skip the search-text rebuild on save (directory/signals.py), so
it is rebuilt here, once per organization, and the typo-correction
vocabulary after it (directory/spelling.py).
"""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand

from directory import search_index

REFERENCE_FIXTURES = ["languages", "taxonomy", "detention_facilities"]
DEMO_ACCOUNTS = [
    # username, password, group
    ("curator", "demo-curator-pass", "Curators"),
    ("publisher", "demo-publisher-pass", "Publishers"),
]


class Command(BaseCommand):
    help = "Load reference data and fictional demo listings (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only", action="store_true", help="Load only the reference vocabularies."
        )

    def handle(self, *args, reference_only=False, **options):
        fixtures = REFERENCE_FIXTURES + ([] if reference_only else ["demo", "demo_translations"])
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
        # Also after the reference data alone: renamed categories change listings' text.
        search_index.rebuild()
        if reference_only:
            return
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no demo accounts created.")
            return
        for username, password, group in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(Group.objects.get(name=group))
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded (all organizations are fictional sample data).")
        )
        self.stdout.write("Sign in at /admin/ as a demo curator or publisher:")
        for username, password, group in DEMO_ACCOUNTS:
            self.stdout.write(f"  {group[:-1]:<10} username {username!r}, password {password!r}")
