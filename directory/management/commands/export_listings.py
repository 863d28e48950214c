"""Export public listings as CSV, Excel, vCard, HSDS 3.0 JSON or an HSDS data package.

Organizers hand lists to 211 lines and partner directories. The options are
the public search's filters, so `--category legal --language es` exports
what /search/?category=legal&language=es shows. Only public rows and public
fields leave; output streams, so a large directory exports in constant memory.
"""

import sys

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.http import QueryDict

from directory import exports, hsds, hsds_package, listing_translations
from directory.progress import ProgressBar

# hsds is HSDS 3.0 JSON; hsds-package the tabular data package (a zip of CSV tables).
FORMATS = ["csv", "xlsx", "vcf", "hsds", "hsds-package"]
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
        if format == "hsds-package":
            return self._package(organizations, services, output, text_language)
        languages = ()  # translation columns, for the CSV and Excel
        if format == "hsds":
            services = services.filter(organization__in=organizations.values("pk"))
            total = services.count()
            items = hsds.services_for_hsds(services, text_language)
        else:
            total = organizations.count()
            if format != "vcf":
                languages = exports.public_languages(organizations, services)
            reading = exports.CONTACTS if format == "vcf" else exports.table_reading(languages)
            items = exports.public_organizations(organizations, services, reading)
        bar = ProgressBar(f"Exporting {format}", total)
        items = _counted(items, bar)
        try:
            stream = open(output, "wb") if output else sys.stdout.buffer
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        try:
            if format == "xlsx":
                exports.write_xlsx(exports.rows(items, languages=languages), stream)
            else:
                chunks = {
                    "csv": lambda: exports.csv_export(items, languages=languages),
                    "vcf": lambda: exports.vcard_chunks(items),
                    "hsds": lambda: hsds.json_chunks(items),
                }[format]()
                for chunk in chunks:
                    stream.write(chunk)
        finally:
            if output:
                stream.close()
        bar.finish()
        if output:
            self.stderr.write(
                f"Wrote {total} {'services' if format == 'hsds' else 'organizations'} to {output}."
            )

    def _package(self, organizations, services, output, language):
        """Write the zip (a zip is written whole, so no progress bar)."""
        services = services.filter(organization__in=organizations.values("pk"))
        try:
            stream = open(output, "wb") if output else sys.stdout.buffer
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        try:
            total = hsds_package.write_package(services, stream, language)
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"Wrote {total} services to {output}.")


def _counted(items, bar):
    for item in items:
        yield item
        bar.advance()
