"""The API's query parameters: read, checked, and refused with a clear message.

Each reader takes the request's GET data and returns the value, None when the
parameter is absent, or raises BadParameter, which the views answer with a
400 JSON error naming the parameter. Parameters the reference does not define
for an endpoint are ignored, as HTTP APIs usually do; one given with an
empty value is refused, as any value its schema does not allow.
"""

import math
import re
import uuid
from datetime import UTC, datetime, time

from django.utils.dateparse import parse_date, parse_datetime

from ..search import MAX_QUERY_LENGTH

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# Far beyond any directory's last page, but small enough never to overflow SQL.
MAX_PAGE = 1_000_000_000
# A proximity search reaches at most this far (meters): 500 km.
MAX_PROXIMITY = 500_000
_DIGITS = re.compile(r"^[0-9]{1,12}$")
_ZIP = re.compile(r"^([0-9]{5})(-[0-9]{4})?$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?$")
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class BadParameter(ValueError):
    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


def _raw(data, name):
    value = data.get(name)
    if value is None:
        return None
    return value.replace("\x00", "").strip()


def text(data, name):
    """Free text (search): NUL bytes dropped, cut to what the search reads."""
    value = _raw(data, name)
    return value[:MAX_QUERY_LENGTH] if value else None


def whole_number(data, name, default, low, high):
    value = _raw(data, name)
    if value is None:
        return default
    if not _DIGITS.match(value) or not low <= int(value) <= high:
        raise BadParameter(name, f"{name} must be a whole number from {low:,} to {high:,}.")
    return int(value)


def page(data):
    return whole_number(data, "page", 1, 1, MAX_PAGE)


def per_page(data):
    return whole_number(data, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)


def boolean(data, name):
    value = _raw(data, name)
    if value is None:
        return False
    if value in ("true", "false"):
        return value == "true"
    raise BadParameter(name, f"{name} must be true or false.")


def identifier(data, name):
    """A UUID (our ids all are), as a UUID; None when absent."""
    value = _raw(data, name)
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise BadParameter(name, f"{name} must be a UUID, such as {uuid.UUID(int=0)}.") from None


def response_format(data):
    value = _raw(data, "format")
    if value is not None and value.lower() != "json":
        raise BadParameter("format", "format must be json: no other format is served.")
    return "json"


def modified_after(data):
    """An ISO 8601 date or date-time; without a time zone it is UTC."""
    value = _raw(data, "modified_after")
    if value is None:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:  # well formed but impossible, e.g. 2024-02-30
        moment = None
    if moment is None:
        raise BadParameter(
            "modified_after",
            "modified_after must be an ISO 8601 date or date-time, such as 2024-05-01T00:00:00Z.",
        )
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    # In UTC: databases refuse some offsets ISO 8601 allows (PostgreSQL, beyond ±15:59).
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01 ahead of UTC, or 9999-12-31 behind it
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def postcode(data):
    """A US ZIP code (five digits, or ZIP+4): its five digits."""
    value = _raw(data, "postcode")
    if value is None:
        return None
    match = _ZIP.match(value)
    if not match:
        raise BadParameter("postcode", "postcode must be a US ZIP code, such as 90012.")
    return match.group(1)


def proximity(data):
    """Meters, from 1 to MAX_PROXIMITY."""
    value = _raw(data, "proximity")
    if value is None:
        return None
    try:
        meters = float(value)
    except ValueError:
        meters = math.nan
    # NaN fails too; so does a tiny one (1e-323), which no database float can hold.
    if not 1 <= meters <= MAX_PROXIMITY:
        raise BadParameter(
            "proximity",
            f"proximity must be a distance in meters, from 1 to {MAX_PROXIMITY:,}.",
        )
    return meters


def day(data):
    """A weekday, by English name or HSDS code (monday, MO): 0 for Monday."""
    value = _raw(data, "day")
    if value is None:
        return None
    value = value.lower()
    for index, (name, code) in enumerate(zip(DAYS, DAY_CODES, strict=True)):
        if value in (name, code.lower()):
            return index
    raise BadParameter("day", "day must be a weekday, such as monday (or MO).")


def clock_time(data, name):
    """HH:MM (or HH:MM:SS), as minutes after midnight."""
    value = _raw(data, name)
    if value is None:
        return None
    match = _TIME.match(value)
    if not match:
        raise BadParameter(name, f"{name} must be a time of day as HH:MM, such as 09:30.")
    return int(match.group(1)) * 60 + int(match.group(2))
