"""Pull another directory's listings from its HSDS 3.0 API, all or nothing (docs/hsds.md)."""

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.template.defaultfilters import pluralize

from directory.hsds_sync import SyncError, sync
from directory.management.reports import write_report


class Command(BaseCommand):
    help = (
        "Read every page of an HSDS 3.0 API's /services (after the first run, only what "
        "changed since) and import it under the source's ids, all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", help="The API's address, e.g. https://example.org/api")
        parser.add_argument(
            "--source",
            help="Whose ids the listings carry (default: the API's address). Keep it the same "
            "from run to run, or the next run will not find the listings it made.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new organizations at once (default: they wait as drafts for review).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and check, but write nothing."
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help=(
                "Ask for every service, not only what changed since the last run, and "
                "archive what the source no longer lists."
            ),
        )

    @no_translations
    def handle(
        self,
        *args,
        url,
        source=None,
        publish=False,
        dry_run=False,
        everything=False,
        verbosity=1,
        **options,
    ):
        try:
            run, report = sync(
                url, source=source, publish=publish, dry_run=dry_run, everything=everything
            )
        except SyncError as exc:
            raise CommandError(f"Nothing was synced: {exc}") from None
        asked = (
            f"changes since {run.modified_after:%Y-%m-%d %H:%M:%S} UTC"
            if run.modified_after
            else "everything"
        )
        self.stdout.write(
            f"{run.url}: asked for {asked}; read {run.items} service{pluralize(run.items)}"
            f" on {run.pages} page{pluralize(run.pages)}."
        )
        write_report(
            self,
            report,
            dry_run=dry_run,
            verbosity=verbosity,
            done="Synced",
            refused="Nothing was synced",
        )
