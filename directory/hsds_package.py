"""HSDS tabular data packages: a datapackage.json and one CSV per table (docs/hsds.md).

Reading: a package (a folder or a zip) of HSDS 3.0, or of 1.x/2.x mapped onto
3.0 (directory/hsds_tables.py), becomes the nested HSDS 3.0 service
documents the HSDS JSON import reads (directory/hsds.py), and is imported by
it, all or nothing, with its row-level errors traced back to the table row.
Every row of every table is accounted for: imported, merged into which
record, or skipped and why.

Writing: the public HSDS export's service documents (hsds.service_to_hsds:
public listings only, never a confidential location) flattened into the
tables of the official datapackage.json, as a zip.
"""

import csv
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import hsds
from .hsds_tables import BY_NAME, WEEKDAYS, WRITTEN_TABLES, table_for_file
from .import_records import ImportFileError, ImportReport, RowError
from .imports import import_records

logger = logging.getLogger(__name__)

DESCRIPTOR = "datapackage.json"
DESCRIPTOR_PATH = Path(__file__).parent / "data" / "hsds-datapackage.json"
# A package is read into memory: these bound what a zip may unpack to.
MAX_MEMBERS = 200
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
NUMBER_COLUMNS = {"latitude", "longitude", "year_incorporated", "minimum_age", "maximum_age"}
TIME = re.compile(r"^(\d{1,2}):(\d{2})(:\d{2})?$")

IMPORTED, MERGED, SKIPPED = "imported", "merged", "skipped"


@dataclass
class RowFate:
    """What became of one row of a package's table."""

    file: str
    row: int  # 2 is the first row under the header
    id: str
    action: str  # IMPORTED, MERGED or SKIPPED
    detail: str  # into what, or why not
    link: str = ""  # the row's links (e.g. organization_id “42”) when they explain a skip


@dataclass
class FileNote:
    file: str
    note: str


@dataclass
class PackageReport:
    """The import's report, and what became of every row and file of the package."""

    import_report: ImportReport
    rows: list = field(default_factory=list)
    files: list = field(default_factory=list)
    version: str = ""

    # The import's own report, as the admin page and the command read it.
    errors = property(lambda self: self.import_report.errors)
    outcomes = property(lambda self: self.import_report.outcomes)
    warnings = property(lambda self: self.import_report.warnings)
    created = property(lambda self: self.import_report.created)
    updated = property(lambda self: self.import_report.updated)
    written = property(lambda self: self.import_report.written)

    def summary(self):
        """[(file, imported, merged, skipped)] in the package's order."""
        counts = {}
        for fate in self.rows:
            counts.setdefault(fate.file, {IMPORTED: 0, MERGED: 0, SKIPPED: 0})[fate.action] += 1
        return [(name, c[IMPORTED], c[MERGED], c[SKIPPED]) for name, c in counts.items()]

    def skipped_reasons(self):
        """[(file, reason, count)]: why rows were skipped, most frequent first per file."""
        counts = {}
        for fate in self.rows:
            if fate.action == SKIPPED:
                key = (fate.file, fate.detail)
                counts[key] = counts.get(key, 0) + 1
        return sorted(
            ((f, reason, n) for (f, reason), n in counts.items()), key=lambda t: (t[0], -t[2])
        )


# ---------------------------------------------------------------- opening


def is_package(name):
    return str(name).lower().endswith(".zip") or Path(name).is_dir()


def refuse_descriptor(payload):
    """A datapackage.json on its own describes tables; it holds no listings."""
    if isinstance(payload, dict) and "resources" in payload and "profile" in payload:
        raise ImportFileError(
            _(
                "This is the description of a data package (datapackage.json), not listings. "
                "Import the package itself: its folder, or a .zip of the datapackage.json "
                "with its CSV files."
            )
        )


def _zip_members(data):
    """{file name: bytes} of the package's folder inside a zip."""
    try:
        archive = zipfile.ZipFile(data if hasattr(data, "read") else io.BytesIO(data))
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError(_("This is not a readable .zip file.")) from None
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
            raise ImportFileError(
                _("This .zip holds more than a data package does (%(files)d files, %(mb)d MB).")
                % {"files": len(infos), "mb": sum(i.file_size for i in infos) // 2**20}
            )
        paths = {i.filename: PurePosixPath(i.filename) for i in infos}
        marks = [
            p
            for p in paths.values()
            if p.name in (DESCRIPTOR, "organizations.csv", "services.csv")
            and "__MACOSX" not in p.parts
        ]
        if not marks:
            raise ImportFileError(
                _(
                    "This .zip is no HSDS data package: it has no datapackage.json or organizations.csv."
                )
            )
        root = min((p.parent for p in marks), key=lambda p: len(p.parts))
        try:
            return {
                p.name: archive.read(name)
                for name, p in paths.items()
                if p.parent == root and p.suffix.lower() in (".csv", ".json")
            }
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise ImportFileError(_("This .zip file is damaged: %s") % exc) from None


def _folder_members(path):
    members = {
        p.name: p.read_bytes()
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() in (".csv", ".json")
    }
    if not {DESCRIPTOR, "organizations.csv", "services.csv"} & set(members):
        raise ImportFileError(
            _(
                "This folder is no HSDS data package: it has no datapackage.json or organizations.csv."
            )
        )
    return members


def _csv_rows(file_name, data):
    """(header, [(row number, {column: value})]) of one CSV file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("%s is not UTF-8. Save it as “CSV UTF-8” and try again.") % file_name
        ) from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in next(reader, [])]
        rows = []
        for number, values in enumerate(reader, start=2):
            if any(v.strip() for v in values):
                rows.append(
                    (number, {h: v.strip() for h, v in zip(header, values, strict=False) if h})
                )
    except csv.Error as exc:
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s") % {"file": file_name, "error": exc}
        ) from None
    return header, rows


# ---------------------------------------------------------------- reading


@cache
def _language_codes():
    """Language names (English and their own) -> codes, for files that give only a name."""
    from django.conf.locale import LANG_INFO

    codes = {}
    for code, info in LANG_INFO.items():
        if "name" in info:
            codes.setdefault(info["name"].lower(), code)
            codes.setdefault(info["name_local"].lower(), code)
    return codes


def _language(value):
    """(code, name) of a language given by code or by name."""
    lower = value.lower()
    if lower in _language_codes():
        return _language_codes()[lower], value
    if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", lower):
        return lower, ""
    return "", value


def _number(value):
    try:
        number = float(value)
    except ValueError:
        return value  # the HSDS import reports it where it matters
    return int(number) if number.is_integer() and "." not in value else number


def _clock(value):
    match = TIME.match(value)
    return f"{int(match[1]):02d}:{match[2]}" if match else value


class _Reader:
    """One package's tables -> HSDS 3.0 service documents, and the fate of every row."""

    def __init__(self, members):
        self.rows = []  # RowFate
        self.files = []  # FileNote
        self.tables = {}  # table name -> [(file, number, row)]
        self.version = ""
        self._load(members)

    # -- the files

    def _load(self, members):
        descriptor = members.pop(DESCRIPTOR, None)
        listed = set()
        if descriptor is not None:
            listed = self._descriptor(descriptor)
        for name, data in members.items():
            if name.lower().endswith(".json"):
                self.files.append(
                    FileNote(name, _("Not read: a package's tables are its CSV files."))
                )
                continue
            header, rows = _csv_rows(name, data)
            table = table_for_file(name, header)
            if table is None:
                self.files.append(
                    FileNote(
                        name,
                        _("Not read: no HSDS table has this file name.") + self._rows_note(rows),
                    )
                )
                continue
            if not rows:
                self.files.append(FileNote(name, _("Empty: the file has no rows.")))
            for number, row in rows:
                self.tables.setdefault(table.name, []).append(
                    (name, number, self._aliased(table, name, row))
                )
        for name in sorted(listed - set(members)):
            self.files.append(
                FileNote(name, _("Listed in datapackage.json, but the package has no such file."))
            )

    @staticmethod
    def _rows_note(rows):
        if not rows:
            return ""
        count = len(rows)
        return (
            " "
            + ngettext("Its %d row is not imported.", "Its %d rows are not imported.", count)
            % count
        )

    def _descriptor(self, data):
        try:
            descriptor = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFileError(
                _("The package's datapackage.json is not valid JSON: %s") % exc
            ) from None
        if not isinstance(descriptor, dict):
            raise ImportFileError(
                _("The package's datapackage.json is not a data package description.")
            )
        self.version = str(descriptor.get("version") or "")
        self.files.append(
            FileNote(
                DESCRIPTOR,
                _("Read: %(title)s, version %(version)s.")
                % {
                    "title": descriptor.get("title") or descriptor.get("name") or "",
                    "version": self.version or "?",
                },
            )
        )
        return {
            PurePosixPath(str(r.get("path"))).name
            for r in descriptor.get("resources") or []
            if isinstance(r, dict) and isinstance(r.get("path"), str)
        }

    @staticmethod
    def _aliased(table, file_name, row):
        for column, older in table.aliases.items():
            if not row.get(column):
                for name in older:
                    if row.get(name):
                        row[column] = row[name]
                        break
        if file_name == "physical_addresses.csv":
            row.setdefault("address_type", "physical")
        elif file_name == "postal_addresses.csv":
            row.setdefault("address_type", "postal")
        if table.name == "address":
            # 1.x had four street lines; 3.0 has two.
            extra = [row.pop(c, "") for c in ("address_3", "address_4")]
            row["address_2"] = ", ".join(filter(None, [row.get("address_2", ""), *extra]))
        return row

    def table(self, name):
        return self.tables.get(name, [])

    def fate(self, entry, action, detail, link=""):
        file_name, number, row = entry
        self.rows.append(RowFate(file_name, number, row.get("id", ""), action, str(detail), link))

    @staticmethod
    def _link_text(row, *columns):
        columns = columns or [c for c in row if c.endswith("_id") and c != "id"]
        return ", ".join(f"{c} “{row[c]}”" for c in columns if row.get(c))

    # -- the documents

    def documents(self):
        """Return ([service or organization document], {item number: {path: (file, row)}})."""
        for name, entries in self.tables.items():
            if not BY_NAME[name].stored:
                for entry in entries:
                    self.fate(
                        entry,
                        SKIPPED,
                        _("The directory stores nothing of this table."),
                    )
        self._organizations()
        self._services()
        self._locations()
        self._links()
        self._details()
        return self._assemble()

    @staticmethod
    def _fields(row, skip=()):
        doc = {}
        for column, value in row.items():
            if value == "" or column in skip:
                continue
            doc[column] = _number(value) if column in NUMBER_COLUMNS else value
        return doc

    def _organizations(self):
        self.orgs = {}  # id -> [entry, doc]
        self.org_order = []
        for entry in self.table("organization"):
            row = entry[2]
            if not row.get("name"):
                self.fate(entry, SKIPPED, _("It has no name."))
                continue
            key = row.get("id") or f"row {entry[1]}"
            if key in self.orgs:
                self.fate(entry, SKIPPED, _("Its id %s is also an earlier row's.") % key)
                continue
            doc = self._fields(row, skip={"url"})
            doc.setdefault("description", "")
            doc["phones"], doc["locations"] = [], []
            self.orgs[key] = [entry, doc]
            self.org_order.append(key)

    @staticmethod
    def _label(kind, doc):
        name = doc.get("name") or doc.get("id", "")
        return {
            "organization": _("organization “%s”"),
            "service": _("service “%s”"),
            "location": _("location “%s”"),
        }[kind] % name

    def _services(self):
        self.services = {}  # id -> [entry, doc, org id]
        for entry in self.table("service"):
            row = entry[2]
            org_id = row.get("organization_id", "")
            if not row.get("name"):
                self.fate(entry, SKIPPED, _("It has no name."))
                continue
            if org_id not in self.orgs:
                self.fate(
                    entry,
                    SKIPPED,
                    _("Its organization_id is not in organizations.csv.")
                    if org_id
                    else _("It has no organization_id."),
                    self._link_text(row, "organization_id"),
                )
                continue
            key = row.get("id") or f"row {entry[1]}"
            if key in self.services:
                self.fate(entry, SKIPPED, _("Its id %s is also an earlier row's.") % key)
                continue
            doc = self._fields(row, skip={"fees", "taxonomy_ids"})
            for name in ("phones", "schedules", "service_at_locations", "languages"):
                doc[name] = []
            for name in ("required_documents", "service_areas", "attributes"):
                doc[name] = []
            self.services[key] = [entry, doc, org_id]

    def _locations(self):
        """Locations with their addresses; only one with a city can be stored."""
        addresses = {}
        for entry in self.table("address"):
            addresses.setdefault(entry[2].get("location_id", ""), []).append(entry)
        self.locations = {}  # id -> [entry, doc or None (not stored), reason]
        for entry in self.table("location"):
            row = entry[2]
            key = row.get("id") or f"row {entry[1]}"
            if key in self.locations:
                self.fate(entry, SKIPPED, _("Its id %s is also an earlier row's.") % key)
                continue
            doc = self._fields(row, skip={"organization_id"})
            doc.setdefault("location_type", "physical")
            if row.get("organization_id"):
                doc["organization_id"] = row["organization_id"]
            own = sorted(
                addresses.pop(key, []) if row.get("id") else [],
                key=lambda e: e[2].get("address_type") != "physical",
            )
            usable = [e for e in own if e[2].get("city")]
            for address in own:
                if address not in usable:
                    self.fate(address, SKIPPED, _("It has no city."))
            for address in usable[1:]:
                self.fate(
                    address,
                    SKIPPED,
                    _("The directory keeps one address for a location: this one's first is used."),
                )
            if usable:
                doc["addresses"] = [self._fields(usable[0][2], skip={"organization_id"})]
                self.fate(usable[0], MERGED, _("Into %s.") % self._label("location", doc))
                self.locations[key] = [entry, doc, ""]
            else:
                reason = (
                    _(
                        "It has no address with a city (the addresses table is empty), and the directory stores a place by its address."
                    )
                    if not self.table("address")
                    else _(
                        "It has no address with a city, and the directory stores a place by its address."
                    )
                )
                self.locations[key] = [entry, None, reason]
        for location_id, entries in addresses.items():
            for entry in entries:
                self.fate(
                    entry,
                    SKIPPED,
                    _("Its location_id is not in locations.csv.")
                    if location_id
                    else _("It has no location_id."),
                    self._link_text(entry[2], "location_id"),
                )

    def _links(self):
        """Services at locations; a location's services, for what hangs on the location."""
        self.at_location = {}  # location id -> [service id]
        self.sals = {}  # sal id -> (service id, location id)
        for entry in self.table("service_at_location"):
            row = entry[2]
            location_id = row.get("location_id", "")
            service_ids = [s.strip() for s in row.get("service_id", "").split(",") if s.strip()]
            known = [s for s in service_ids if s in self.services]
            unknown = [s for s in service_ids if s not in self.services]
            if location_id not in self.locations:
                self.fate(
                    entry,
                    SKIPPED,
                    _("Its location_id is not in locations.csv."),
                    self._link_text(row, "location_id"),
                )
                continue
            if not known:
                self.fate(
                    entry,
                    SKIPPED,
                    _("Its service_id is no imported service.")
                    if service_ids
                    else _("It has no service_id."),
                    self._link_text(row, "service_id"),
                )
                continue
            location = self.locations[location_id]
            names = []
            for service_id in known:
                self.at_location.setdefault(location_id, []).append(service_id)
                service = self.services[service_id][1]
                names.append(self._label("service", service))
                if location[1] is not None:
                    sal = self._fields(row, skip={"service_id"})
                    sal["service_id"] = service_id
                    if len(known) > 1:
                        sal.pop("id", None)
                    sal["schedules"], sal["location"] = [], location[1]
                    service["service_at_locations"].append(sal)
            if row.get("id"):
                self.sals[row["id"]] = (known[0], location_id)
            detail = _("Into %s.") % ", ".join(names)
            if location[1] is None:
                detail += " " + _(
                    "Its location is not stored: the place's phones and hours go to the service."
                )
            if unknown:
                detail += " " + _("Not in services.csv: %s.") % ", ".join(unknown)
            self.fate(entry, MERGED, detail)
        for key, (entry, doc, reason) in self.locations.items():
            if doc is None:
                self.fate(entry, SKIPPED, reason)
            elif key in self.at_location:
                self.fate(entry, IMPORTED, _("As %s.") % self._label("location", doc))
            elif doc.get("organization_id") in self.orgs:
                self.orgs[doc["organization_id"]][1]["locations"].append(doc)
                self.fate(entry, IMPORTED, _("As %s.") % self._label("location", doc))
            else:
                self.fate(
                    entry,
                    SKIPPED,
                    _(
                        "No imported service is offered there, and its organization_id "
                        "is not in organizations.csv."
                    ),
                    self._link_text(entry[2], "organization_id"),
                )

    def _owners(self, row, *, by_location="services"):
        """The service documents (or the organization) a row of a detail table belongs to."""
        service_id = row.get("service_id", "")
        if service_id in self.services:
            return [self.services[service_id][1]], None
        sal = self.sals.get(row.get("service_at_location_id", ""))
        if sal:
            return [self.services[sal[0]][1]], None
        org_id = row.get("organization_id", "")
        if by_location == "organization" and org_id in self.orgs:
            return [], self.orgs[org_id][1]
        location_id = row.get("location_id", "")
        if location_id in self.locations:
            services = [self.services[s][1] for s in self.at_location.get(location_id, [])]
            if services:
                return services, None
            location = self.locations[location_id]
            org_id = org_id or location[0][2].get("organization_id", "")
            if by_location == "organization" and org_id in self.orgs:
                return [], self.orgs[org_id][1]
        return [], None

    def _details(self):
        self._phones()
        self._schedules()
        self._languages()
        self._service_rows("required_document", "required_documents")
        self._service_rows("service_area", "service_areas")
        self._eligibility()
        self._accessibility()
        self._attributes()

    def _unowned(self, entry, name):
        self.fate(
            entry,
            SKIPPED,
            {
                "service": _("It belongs to no imported service."),
                "service or organization": _("It belongs to no imported service or organization."),
                "service or phone": _("It belongs to no imported service or phone."),
            }[name],
            self._link_text(entry[2]),
        )

    def _phones(self):
        self.phones = {}
        for entry in self.table("phone"):
            row = entry[2]
            if not row.get("number"):
                self.fate(entry, SKIPPED, _("It has no number."))
                continue
            services, org = self._owners(row, by_location="organization")
            if not services and org is None:
                org_id = row.get("organization_id", "")
                if org_id in self.orgs:
                    org = self.orgs[org_id][1]
            if not services and org is None:
                self._unowned(entry, "service or organization")
                continue
            doc = self._fields(
                row,
                skip={
                    "location_id",
                    "service_id",
                    "organization_id",
                    "contact_id",
                    "service_at_location_id",
                    "language",
                    "department",
                },
            )
            doc["languages"] = [
                {"code": code, "name": name}
                for code, name in (_language(p.strip()) for p in row.get("language", "").split(","))
                if code
            ]
            owners = services or [org]
            for i, owner in enumerate(owners):
                copy = dict(doc) if i == 0 else {k: v for k, v in doc.items() if k != "id"}
                owner["phones"].append(copy)
                if i == 0 and doc.get("id"):
                    self.phones[doc["id"]] = copy
            kind = "service" if services else "organization"
            self.fate(
                entry,
                MERGED,
                _("Into the phones of %s.") % ", ".join(self._label(kind, o) for o in owners),
            )

    def _schedule(self, row):
        doc = self._fields(
            row, skip={"service_id", "location_id", "service_at_location_id", "weekday"}
        )
        for name in ("opens_at", "closes_at"):
            if name in doc:
                doc[name] = _clock(doc[name])
        if row.get("weekday"):  # a 1.x regular schedule row
            doc.update(
                freq="WEEKLY", byday=WEEKDAYS.get(row["weekday"].strip().lower(), row["weekday"])
            )
        return doc

    def _at(self, service_id, location_id):
        service = self.services[service_id][1]
        sal = next(x for x in service["service_at_locations"] if x["location_id"] == location_id)
        return sal["schedules"], _("%s at its location") % self._label("service", service)

    def _schedule_targets(self, row):
        """[(schedule list, label)]: where a schedule row goes."""
        sal = self.sals.get(row.get("service_at_location_id", ""))
        if sal and self.locations[sal[1]][1] is not None:
            return [self._at(*sal)]
        service = self.services.get(row.get("service_id", ""))
        if service:
            return [(service[1]["schedules"], self._label("service", service[1]))]
        location_id = row.get("location_id", "")
        if location_id not in self.locations:
            return []
        if self.locations[location_id][1] is not None:
            return [self._at(s, location_id) for s in self.at_location.get(location_id, [])]
        # A place we cannot store: its hours are its services' hours.
        services = [self.services[s][1] for s in self.at_location.get(location_id, [])]
        return [(s["schedules"], self._label("service", s)) for s in services]

    def _schedules(self):
        for entry in self.table("schedule"):
            row = entry[2]
            if row.get("weekday") and not (row.get("opens_at") or row.get("closes_at")):
                self.fate(
                    entry, SKIPPED, _("Closed that day (no opening hours): nothing to store.")
                )
                continue
            targets = self._schedule_targets(row)
            if not targets:
                self._unowned(entry, "service")
                continue
            doc = self._schedule(row)
            for i, (rows, _label) in enumerate(targets):
                rows.append(dict(doc) if i == 0 else {k: v for k, v in doc.items() if k != "id"})
            detail = _("Into the hours of %s.") % ", ".join(label for _rows, label in targets)
            if (doc.get("freq") or "WEEKLY").upper() != "WEEKLY" or not doc.get("opens_at"):
                detail += " " + _("The import keeps weekly opening hours only (see its warnings).")
            self.fate(entry, MERGED, detail)

    def _languages(self):
        for entry in self.table("language"):
            row = entry[2]
            code, name = _language(row.get("code") or row.get("name") or "")
            if row.get("name"):
                name = row["name"]
            if not code:
                self.fate(
                    entry, SKIPPED, _("It has no language code, and its name is not one we know.")
                )
                continue
            doc = {"code": code, "name": name, "note": row.get("note", "")}
            doc = {k: v for k, v in doc.items() if v}
            phone = self.phones.get(row.get("phone_id", ""))
            services, _org = self._owners(row)
            if services:
                for i, service in enumerate(services):
                    own = {**doc, "id": row["id"]} if i == 0 and row.get("id") else doc
                    service["languages"].append(dict(own))
                labels = ", ".join(self._label("service", s) for s in services)
                self.fate(entry, MERGED, _("Into the languages of %s.") % labels)
            elif phone is not None:
                phone["languages"].append(doc)
                self.fate(entry, MERGED, _("Into the languages of the phone %s.") % phone["number"])
            else:
                self._unowned(entry, "service or phone")

    def _service_rows(self, table, key):
        for entry in self.table(table):
            row = entry[2]
            services = self._services_of(row)
            if not services:
                self._unowned(entry, "service")
                continue
            for service in services:
                service[key].append(self._fields(row, skip={"service_area", "service_id"}))
            labels = ", ".join(self._label("service", s) for s in services)
            self.fate(entry, MERGED, _("Into %s.") % labels)

    def _services_of(self, row):
        """The services of a row's service_id; some 1.x files list several, comma-separated."""
        ids = [s.strip() for s in row.get("service_id", "").split(",")]
        return [self.services[s][1] for s in ids if s in self.services]

    def _eligibility(self):
        for entry in self.table("eligibility"):
            row = entry[2]
            services = self._services_of(row)
            if not row.get("eligibility"):
                self.fate(entry, SKIPPED, _("It is empty."))
            elif not services:
                self._unowned(entry, "service")
            else:
                for doc in services:
                    doc["eligibility_description"] = "\n".join(
                        filter(None, [doc.get("eligibility_description"), row["eligibility"]])
                    )
                labels = ", ".join(self._label("service", s) for s in services)
                self.fate(entry, MERGED, _("Into the eligibility of %s.") % labels)

    def _accessibility(self):
        for entry in self.table("accessibility"):
            row = entry[2]
            location = self.locations.get(row.get("location_id", ""))
            if location is None or location[1] is None:
                self.fate(entry, SKIPPED, _("Its location is not stored."))
                continue
            text = ". ".join(filter(None, [row.get("description"), row.get("details")]))
            location[1].setdefault("accessibility", []).append(
                {**self._fields(row), "description": text}
            )
            self.fate(entry, MERGED, _("Into %s.") % self._label("location", location[1]))

    def _attributes(self):
        taxonomies = {e[2].get("id"): e for e in self.table("taxonomy") if e[2].get("id")}
        terms = {}
        for entry in self.table("taxonomy_term"):
            term = self._fields(entry[2], skip={"vocabulary", "parent_name"})
            taxonomy = taxonomies.get(term.get("taxonomy_id", ""))
            if taxonomy and not term.get("taxonomy"):
                term["taxonomy"] = taxonomy[2].get("name", "")
            key = entry[2].get("id") or f"row {entry[1]}"
            if key in terms:
                self.fate(entry, SKIPPED, _("Its id %s is also an earlier row's.") % key)
                continue
            terms[key] = [entry, term, []]
        for entry in self.table("attribute"):
            row = entry[2]
            service = self.services.get(row.get("link_id", ""))
            term = terms.get(row.get("taxonomy_term_id", ""))
            entity = (row.get("link_entity") or row.get("link_type") or "service").lower()
            if service is None:
                self.fate(
                    entry,
                    SKIPPED,
                    _(
                        "Its link_id is no imported service: the directory keeps categories "
                        "of services only."
                    ),
                    self._link_text(row, "link_id"),
                )
            elif term is None:
                self.fate(
                    entry,
                    SKIPPED,
                    _("Its taxonomy_term_id is not in taxonomy_terms.csv."),
                    self._link_text(row, "taxonomy_term_id"),
                )
            else:
                doc = self._fields(row, skip={"service_id", "taxonomy_id", "taxonomy_detail"})
                doc.update(link_id=row["link_id"], link_entity=entity, taxonomy_term=term[1])
                service[1]["attributes"].append(doc)
                term[2].append(service[1])
                self.fate(
                    entry,
                    MERGED,
                    _("Into the categories of %s.") % self._label("service", service[1]),
                )
        used_taxonomies = set()
        for entry, term, services in terms.values():
            if services:
                used_taxonomies.add(term.get("taxonomy_id"))
                labels = ", ".join(self._label("service", s) for s in services)
                self.fate(entry, IMPORTED, _("As a category of %s.") % labels)
            else:
                self.fate(entry, SKIPPED, _("No imported service has this term."))
        for entry in self.table("taxonomy"):
            if entry[2].get("id") in used_taxonomies:
                self.fate(entry, MERGED, _("Into its terms' taxonomy name."))
            else:
                self.fate(entry, SKIPPED, _("No imported service has a term of it."))

    # -- the documents, in the package's order

    def _assemble(self):
        items, origins = [], {}
        by_org = {}
        for key, (entry, doc, org_id) in self.services.items():
            by_org.setdefault(org_id, []).append((key, entry, doc))
        for org_key in self.org_order:
            org_entry, org = self.orgs[org_key]
            services = by_org.get(org_key, [])
            self.fate(org_entry, IMPORTED, _("As %s.") % self._label("organization", org))
            org = {k: v for k, v in org.items() if v != []}
            if not services:
                items.append(org)
                origins[len(items)] = {"": org_entry[:2], "organization": org_entry[:2]}
                self._origin_locations(origins[len(items)], org, "locations", org_entry)
                continue
            for _key, entry, doc in services:
                doc = {k: v for k, v in doc.items() if v != []}
                doc["organization"] = org
                items.append(doc)
                paths = origins[len(items)] = {"": entry[:2], "organization": org_entry[:2]}
                self._origin_locations(paths, org, "organization.locations", org_entry)
                for i, sal in enumerate(doc.get("service_at_locations", [])):
                    location = self.locations.get(sal.get("location_id", ""))
                    if location:
                        paths[f"service_at_locations[{i}].location"] = location[0][:2]
                self.fate(entry, IMPORTED, _("As %s.") % self._label("service", doc))
        return items, origins

    def _origin_locations(self, paths, org, prefix, org_entry):
        for i, location in enumerate(org.get("locations", [])):
            found = self.locations.get(location.get("id", ""))
            if found:
                paths[f"{prefix}[{i}]"] = found[0][:2]


def _traced(errors, origins):
    """The import's errors, each named by the package row it came from where known."""
    items = {_("Item %d") % number: paths for number, paths in origins.items()}
    traced = []
    for error in errors:
        paths = items.get(error.row)
        if not paths:
            traced.append(error)
            continue
        column = error.column
        prefix = max(
            (p for p in paths if p == "" or column == p or column.startswith((p + ".", p + "["))),
            key=len,
            default="",
        )
        file_name, number = paths[prefix]
        rest = column[len(prefix) :].lstrip(".") if prefix else column
        traced.append(
            RowError(
                _("%(file)s row %(row)d (%(item)s)")
                % {"file": file_name, "row": number, "item": error.row},
                rest,
                error.message,
            )
        )
    return traced


def import_upload(name, data, **kwargs):
    """Import an uploaded file: a package when it is a .zip, else as imports.import_file does."""
    if str(name).lower().endswith(".zip"):
        # The publisher's ids are kept under `source`, by default the file's name.
        kwargs["source"] = kwargs.get("source") or name
        return import_package(io.BytesIO(data), **kwargs)
    from .imports import import_file

    return import_file(name, data, **kwargs)


def read_package(source):
    """Return (documents, origins, reader) for a package folder (a Path) or zip (bytes or a file)."""
    if isinstance(source, Path) and source.is_dir():
        members = _folder_members(source)
    else:
        members = _zip_members(source)
    reader = _Reader(members)
    documents, origins = reader.documents()
    return documents, origins, reader


def import_package(package, **kwargs):
    """Import a package with the HSDS JSON import; return a PackageReport.

    A package that cannot be read is one error, and every row is then
    unaccounted for: nothing was read.
    """
    try:
        documents, origins, reader = read_package(package)
    except ImportFileError as exc:
        return PackageReport(ImportReport(errors=[RowError(_("File"), "", str(exc))]))
    except Exception:
        # Whatever else is wrong with a package is its fault, not a server error.
        logger.exception("Cannot read the HSDS package")
        message = _("This file cannot be read: it does not follow the import format.")
        return PackageReport(ImportReport(errors=[RowError(_("File"), "", message)]))
    records, errors = hsds.records_from_hsds(documents)
    report = import_records(records, errors=errors, **kwargs)
    report.errors[:] = _traced(report.errors, origins)
    rows = sorted(reader.rows, key=lambda fate: (fate.file, fate.row))
    return PackageReport(report, rows, reader.files, reader.version)


# ---------------------------------------------------------------- writing


@cache
def descriptor():
    """The official HSDS 3.0 datapackage.json (a copy of Open Referral's, CC BY-SA 4.0)."""
    return json.loads(DESCRIPTOR_PATH.read_text())


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Tables:
    def __init__(self):
        self.rows = {name: [] for name in WRITTEN_TABLES}
        self.seen = set()

    def add(self, table, row):
        key = (table, row.get("id"))
        if key not in self.seen:
            self.seen.add(key)
            self.rows[table].append(row)

    def phones(self, phones):
        for phone in phones:
            self.add("phone", phone)
            for language in phone.get("languages", []):
                self.add("language", language)

    def service(self, doc):
        self.add("organization", doc["organization"])
        self.phones(doc["organization"].get("phones", []))
        self.add("service", doc)
        self.phones(doc.get("phones", []))
        for name, table in (
            ("schedules", "schedule"),
            ("languages", "language"),
            ("required_documents", "required_document"),
            ("service_areas", "service_area"),
            ("attributes", "attribute"),
        ):
            for row in doc.get(name, []):
                self.add(table, row)
        for attribute in doc.get("attributes", []):
            self.add("taxonomy_term", attribute["taxonomy_term"])
        for sal in doc.get("service_at_locations", []):
            self.add("service_at_location", sal)
            for schedule in sal.get("schedules", []):
                self.add("schedule", schedule)
            location = sal["location"]
            self.add("location", location)
            for address in location.get("addresses", []):
                self.add("address", address)
            for row in location.get("accessibility", []):
                self.add("accessibility", row)


def write_package(services, output, language=None):
    """Write a zip of the public services' HSDS 3.0 package to a binary file; return the service count.

    The documents are the public HSDS export's (hsds.service_to_hsds over
    hsds.services_for_hsds), so a package holds exactly what the JSON
    export does, in `language` if given.
    """
    tables = _Tables()
    count = 0
    for service in hsds.services_for_hsds(services, language):
        tables.service(hsds.service_to_hsds(service))
        count += 1
    resources = {r["name"]: r for r in descriptor()["resources"]}
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DESCRIPTOR, DESCRIPTOR_PATH.read_bytes())
        for resource in descriptor()["resources"]:
            columns = [f["name"] for f in resource["schema"]["fields"]]
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(columns)
            for row in tables.rows.get(resource["name"], []):
                writer.writerow([_cell(row.get(c)) for c in columns])
            archive.writestr(resources[resource["name"]]["path"], text.getvalue().encode())
    return count
