"""One way from a set of listings to an export file, for the public, curators and the command.

The public search's downloads (directory/views.py), the admin's export actions
(directory/admin_io.py) and `manage.py export_listings` all describe what they
want as an Export and write it through here, so a format means the same bytes
wherever it is asked for. What differs is who asks: the public gets public
rows and fields; curators get their columns (drafts, curator notes...) for
the rows they selected, though HSDS stays public-only for everyone.
"""

import tempfile
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from . import exports, hsds, hsds_package, listing_translations

# Format -> content type. "hsds" is HSDS 3.0 JSON, "hsds-package" its tabular data package.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vcf": "text/vcard; charset=utf-8",
    "hsds": "application/json",
    "hsds-package": "application/zip",
}
# The addresses' file extensions (/search/export.json, the admin's export/zip/).
BY_EXTENSION = {"csv": "csv", "xlsx": "xlsx", "vcf": "vcf", "json": "hsds", "zip": "hsds-package"}
EXTENSIONS = {name: extension for extension, name in BY_EXTENSION.items()}
# Written whole before the first byte can go: a zip's directory, a workbook's parts.
WHOLE = {"xlsx", "hsds-package"}


@dataclass
class Export:
    format: str  # a key of CONTENT_TYPES
    organizations: QuerySet
    services: QuerySet
    curator: bool = False  # the curators' columns, for the rows given (CSV and Excel)
    services_only: bool = False  # curators: only the services given, not all of theirs
    text_language: str | None = None  # HSDS: the listings' text in this language

    def __post_init__(self):
        if self.format not in CONTENT_TYPES:
            raise ValueError(f"Unknown export format {self.format!r}")

    @property
    def counts_services(self):
        return self.format.startswith("hsds")

    @property
    def filename(self):
        name = exports.export_filename(
            "hsds.zip" if self.format == "hsds-package" else EXTENSIONS[self.format]
        )
        return f"curator-{name}" if self.curator else name

    def _hsds_services(self):
        if self.curator:
            return self.services  # the rows selected; HSDS itself keeps only public ones
        return self.services.filter(organization__in=self.organizations.values("pk"))

    def total(self):
        """How many services (HSDS) or organizations (the rest) the file will hold."""
        if self.counts_services:
            return self._hsds_services().count()
        return self.organizations.count()

    def excel_refusal(self):
        """The message refusing a public workbook too large to build, or None."""
        if self.format != "xlsx" or self.curator:
            return None
        count = exports.exported_services_count(self.organizations, self.services)
        return exports.excel_limit_message(count) if count > exports.EXCEL_LIMIT else None

    def items(self):
        """What the file is made of, one by one: HSDS services or organizations to export."""
        if self.counts_services:
            return hsds.services_for_hsds(self._hsds_services(), self.text_language)
        if self.curator:
            return exports.organizations_for_export(
                self.organizations,
                self.services,
                curator=True,
                translations=bool(self._languages),
            )
        reading = (
            exports.CONTACTS if self.format == "vcf" else exports.table_reading(self._languages)
        )
        return exports.public_organizations(self.organizations, self.services, reading)

    @cached_property
    def _languages(self):
        """The translation columns of the CSV and Excel: the languages the listings have."""
        if self.format not in ("csv", "xlsx"):
            return ()
        if self.curator:
            return listing_translations.used_languages(self.organizations, self.services)
        return exports.public_languages(self.organizations, self.services)

    def _table(self):
        table = {"languages": self._languages}
        if self.curator:
            table |= {"curator": True, "services_only": self.services_only}
        return table

    def chunks(self, items=None):
        """The file in pieces of bytes, for the formats that stream."""
        items = self.items() if items is None else items
        if self.format == "csv":
            return exports.csv_export(items, **self._table())
        if self.format == "vcf":
            return exports.vcard_chunks(items)
        if self.format == "hsds":
            return hsds.json_chunks(items)
        raise ValueError(f"{self.format} is written whole, not streamed")

    def write(self, stream, items=None):
        """Write the whole file to a binary stream."""
        if self.format == "hsds-package":
            return hsds_package.write_package(self._hsds_services(), stream, self.text_language)
        items = self.items() if items is None else items
        if self.format == "xlsx":
            return exports.write_xlsx(exports.rows(items, **self._table()), stream)
        for chunk in self.chunks(items):
            stream.write(chunk)
        return None


def response(export):
    """The export as a download: streamed, or built in a temporary file when written whole."""
    refusal = export.excel_refusal()
    if refusal:
        return HttpResponse(refusal, status=400, content_type="text/plain; charset=utf-8")
    content_type = CONTENT_TYPES[export.format]
    if export.format in WHOLE:
        output = tempfile.TemporaryFile()
        export.write(output)
        output.seek(0)
        return FileResponse(
            output, as_attachment=True, filename=export.filename, content_type=content_type
        )
    download = StreamingHttpResponse(export.chunks(), content_type=content_type)
    download["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return download
