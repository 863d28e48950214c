"""Export public listings as CSV, Excel, vCard, HSDS 3.0 JSON or an HSDS data package.

Organizers hand lists to 211 lines and partner directories. The options are
the public search's filters, so `--category legal --language es` exports
what /search/?category=legal&language=es shows. Only public rows and public
fields leave; output streams, so a large directory exports in constant memory.
"""

import sys

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.http import QueryDict

from directory import export_files, exports, listing_translations
from directory.progress import ProgressBar

# hsds is HSDS 3.0 JSON; hsds-package the tabular data package (a zip of CSV tables).
FORMATS = list(export_files.CONTENT_TYPES)
# Options that may be given several times, as on the search form.
MULTI_FILTERS = ["category", "kind", "language", "population", "credential", "facility", "remote"]
SINGLE_FILTERS = ["q", "near", "radius", "fee", "detention", "open_now", "sort"]


class Command(BaseCommand):
    help = "Export published listings (same filters as the public search)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--text-language",
            choices=listing_translations.languages(),
            help="HSDS only: the listings' text in this language where it is translated.",
        )
        for name in SINGLE_FILTERS:
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, help="Search filter.")
        for name in MULTI_FILTERS:
            parser.add_argument(
                f"--{name}", dest=name, action="append", help="Search filter; may repeat."
            )

    @no_translations
    def handle(self, *args, format="csv", output=None, text_language=None, **options):
        query = QueryDict(mutable=True)
        for name in SINGLE_FILTERS + MULTI_FILTERS:
            value = options.get(name)
            if value:
                query.setlist(name, value if isinstance(value, list) else [value])
        organizations, services = exports.search(query)
        export = export_files.Export(format, organizations, services, text_language=text_language)
        total = export.total()
        try:
            stream = open(output, "wb") if output else sys.stdout.buffer
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        try:
            if format == "hsds-package":
                total = export.write(stream)  # a zip is written whole: no progress bar
            else:
                bar = ProgressBar(f"Exporting {format}", total)
                export.write(stream, _counted(export.items(), bar))
                bar.finish()
        finally:
            if output:
                stream.close()
        if output:
            kind = "services" if export.counts_services else "organizations"
            self.stderr.write(f"Wrote {total} {kind} to {output}.")


def _counted(items, bar):
    for item in items:
        yield item
        bar.advance()
