"""What an import reads a file into, and what it reports: plain records, no database.

The readers (directory/imports.py for our CSV and Excel, directory/hsds.py and
directory/hsds_package.py for HSDS) turn a file into these records; the
writer (imports._Writer, import_batches) stores them. Kept apart so the
readers need not import the writer, nor the writer the readers.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from .models import PhoneType


class ImportFileError(Exception):
    """The file cannot be read at all (wrong format, not UTF-8, bad JSON)."""


# No HSDS object nests anywhere near this deep.
MAX_JSON_DEPTH = 64


@dataclass(slots=True)
class RowError:
    row: str
    column: str
    message: str

    def __str__(self):
        return (
            f"{self.row}, {self.column}: {self.message}"
            if self.column
            else f"{self.row}: {self.message}"
        )


@dataclass(slots=True)
class RowWarning:
    """What an import keeps only in part, or not at all, though the file is accepted."""

    row: str
    column: str
    message: str

    __str__ = RowError.__str__


@dataclass(slots=True)
class PhoneRecord:
    number: str
    extension: str = ""
    type: str = PhoneType.VOICE
    is_24_hours: bool = False
    description: str = ""
    id: uuid.UUID | None = None
    languages: list = field(default_factory=list)  # [(code, name)]


@dataclass(slots=True)
class TermRecord:
    code: str
    name: str
    id: uuid.UUID | None = None
    description: str = ""
    taxonomy: str = ""
    term_uri: str = ""
    parent_id: uuid.UUID | None = None
    source: str = ""  # where it is in the file, for warnings
    column: str = ""


class Fields(Mapping):
    """A record's model field values: read like a dict, stored like a tuple.

    A file's records all have the same few sets of names, so each set's
    positions are kept once and a record holds only its values: a service's
    22 fields take 264 bytes instead of a dict's 832, which over 100,000
    services held until the file is written is about 60 MB.
    """

    __slots__ = ("_positions", "_values")
    _shapes = {}  # names -> {name: position}, shared by every record of that shape

    def __init__(self, values=()):
        values = dict(values)
        names = tuple(values)
        positions = self._shapes.get(names)
        if positions is None:
            positions = self._shapes[names] = {name: i for i, name in enumerate(names)}
        self._positions = positions
        self._values = tuple(values.values())

    def __getitem__(self, name):
        return self._values[self._positions[name]]

    def __setitem__(self, name, value):
        position = self._positions.get(name)
        if position is None:  # a new name: a new shape (rare: HSDS's "online")
            self.__init__({**self, name: value})
        else:
            self._values = (*self._values[:position], value, *self._values[position + 1 :])

    def __iter__(self):
        return iter(self._positions)

    def __len__(self):
        return len(self._positions)

    def items(self):
        return zip(self._positions, self._values, strict=True)

    def __repr__(self):
        return f"Fields({dict(self)!r})"


def _compact(record):
    if not isinstance(record.fields, Fields):
        record.fields = Fields(record.fields)


@dataclass(slots=True)
class LocationRecord:
    source: str
    fields: Fields  # given as a dict
    columns: dict  # model field -> column name, for error messages
    id: uuid.UUID | None = None
    external_id: str = ""  # the publisher's own id (see SourceId)

    __post_init__ = _compact


@dataclass(slots=True)
class ServiceRecord:
    source: str
    fields: Fields  # given as a dict
    columns: dict
    id: uuid.UUID | None = None
    external_id: str = ""
    status: str | None = None  # what the file's status demands; None: the usual rule
    terms: list | None = None  # [TermRecord]
    populations: list | None = None
    languages: list | None = None  # [(code, name, via)]
    phones: list | None = None
    hours: list | None = None  # [(weekday, opens, closes, id or None)], the service's usual hours
    translations: dict | None = None  # {language: {field: text}}, of the file's columns only
    # [(location key, sal id, sal description, hours like above or None)]
    locations: list = field(default_factory=list)

    __post_init__ = _compact


@dataclass(slots=True)
class OrganizationRecord:
    source: str
    fields: Fields  # given as a dict
    columns: dict
    id: uuid.UUID | None = None
    external_id: str = ""
    kinds: list | None = None
    phones: list | None = None
    translations: dict | None = None  # as ServiceRecord's
    locations: dict = field(default_factory=dict)  # key -> LocationRecord
    services: list = field(default_factory=list)

    __post_init__ = _compact


@dataclass(slots=True)
class Outcome:
    source: str
    model: str
    name: str
    action: str  # "created", "updated" or (by a sync) "archived"
    matched_by: str = ""


@dataclass(slots=True)
class ImportReport:
    outcomes: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # [RowWarning]
    written: bool = False

    @property
    def created(self):
        return [o for o in self.outcomes if o.action == "created"]

    @property
    def updated(self):
        return [o for o in self.outcomes if o.action == "updated"]

    @property
    def archived(self):
        return [o for o in self.outcomes if o.action == "archived"]


class TooLongNumber:
    """A JSON integer too long to be any value we store, reported where it is used."""

    def __init__(self, digits):
        self.digits = digits
