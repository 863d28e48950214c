"""Import listings from our CSV/Excel format, HSDS 3.0 JSON, or an HSDS data package.

Curators arrive with years of spreadsheets, and partners send HSDS. The file
is imported whole or not at all: any invalid row means nothing is written,
and every error is listed with its row and column. Listings arrive as drafts
unless --publish is given. A data package (a folder or a .zip of
datapackage.json and CSV tables, HSDS 3.0 or 1.x/2.x) also gets an account
of every row of every table: imported, merged into what, or skipped and why.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from directory.hsds_package import SKIPPED, import_package, is_package
from directory.imports import ImportFileError, import_records, read_file
from directory.management.reports import write_report
from directory.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Import listings from a .csv, .xlsx or HSDS .json file, or an HSDS data package "
        "(a folder or .zip), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="A .csv or .xlsx file in our export format, HSDS .json, or an HSDS data "
            "package: a folder or .zip with datapackage.json and its CSV tables.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, but write nothing."
        )
        parser.add_argument(
            "--source",
            help=(
                "Who publishes the file, so their ids find the same listings next time "
                "(default: the file's name). Give the same source to every file of one publisher."
            ),
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported listings (default: drafts).",
        )

    @no_translations
    def handle(
        self, *args, path, dry_run=False, publish=False, source=None, verbosity=1, **options
    ):
        path = Path(path)
        if is_package(path):
            return self._package(
                path, dry_run, publish, path.name if source is None else source, verbosity
            )
        try:
            # Read as a stream: a large file is never held whole in memory.
            with path.open("rb") as data:
                records, errors = read_file(path.name, data)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        bar = ProgressBar("Importing", len(records), stream=self.stderr._out)
        report = import_records(
            records,
            publish=publish,
            dry_run=dry_run,
            errors=errors,
            progress=bar.advance,
            source=path.name if source is None else source,
        )
        bar.finish()
        write_report(
            self,
            report,
            dry_run=dry_run,
            verbosity=verbosity,
            done="Imported",
            refused="Nothing was imported",
        )

    def _package(self, path, dry_run, publish, source, verbosity):
        """Import a package; say what became of each file and row, then as for a file."""
        try:
            if path.is_dir():
                report = import_package(path, publish=publish, dry_run=dry_run, source=source)
            else:
                with path.open("rb") as data:
                    report = import_package(data, publish=publish, dry_run=dry_run, source=source)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        for note in report.files:
            self.stdout.write(f"{note.file}: {note.note}")
        for file_name, imported, merged, skipped in report.summary():
            self.stdout.write(
                f"{file_name}: {imported} imported, {merged} merged, {skipped} skipped"
            )
        if verbosity >= 2:
            for fate in report.rows:
                link = f" ({fate.link})" if fate.link else ""
                self.stdout.write(f"{fate.file} row {fate.row}: {fate.action}. {fate.detail}{link}")
        else:
            for file_name, reason, count in report.skipped_reasons():
                self.stdout.write(f"{file_name}: {count} {SKIPPED}: {reason}")
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        for error in report.errors:
            self.stderr.write(str(error))
        summary = (
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.errors)} errors"
        )
        if report.errors:
            raise CommandError(f"Nothing was imported: {summary}.")
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing written: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}."))
