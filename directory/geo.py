"""Offline place lookup and distances: no geocoding service is ever called.

Coordinates come from the `zipcodes` package, which ships US ZIP code
centroids inside its wheel, and a small file of Los Angeles County
neighborhoods (data/neighborhoods.csv). A city is the average of its ZIP
centroids. The tables are built once per process and kept in memory.
"""

import csv
import math
import re
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EARTH_RADIUS_MILES = 3958.8
NEIGHBORHOODS = Path(__file__).resolve().parent / "data" / "neighborhoods.csv"
_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
_COORDINATES = re.compile(r"^(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$")
_CITY_STATE = re.compile(r"^(.+?)\s*,\s*([A-Za-z]{2})$")
# Places this far from the one used are named as the other places a name may mean.
OTHER_PLACE_MILES = 25
# A place name typed with a typo is read as the nearest name this similar
# (pg_trgm's trigram similarity, directory/spelling.py) and this few edits away.
PLACE_SIMILARITY, PLACE_EDITS = 0.5, 2

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
    "GU": "Guam", "VI": "Virgin Islands",
}  # fmt: skip
# Spanish names that differ from the English ones.
SPANISH_STATES = {
    "Carolina del Norte": "NC", "Carolina del Sur": "SC", "Dakota del Norte": "ND",
    "Dakota del Sur": "SD", "Hawái": "HI", "Luisiana": "LA", "Misisipi": "MS", "Misuri": "MO",
    "Nueva Jersey": "NJ", "Nueva York": "NY", "Nuevo México": "NM", "Pensilvania": "PA",
    "Tejas": "TX", "Virginia Occidental": "WV",
}  # fmt: skip
# Short names people use for a few cities.
NICKNAMES = {
    "la": ("los angeles", "CA"),
    "l a": ("los angeles", "CA"),
    "nyc": ("new york", "NY"),
    "sf": ("san francisco", "CA"),
    "nueva york": ("new york", "NY"),
}
# Tiers of names: the curated neighborhoods first, then the Postal Service's
# city names, then the other names it knows for a ZIP code (e.g. "East Los
# Angeles" for 90022, "Boyle Heights" for 90033).
NEIGHBORHOOD, CITY, OTHER_NAME = 0, 1, 2


def key(text):
    """A place name as looked up: folded, punctuation as spaces, "St." as "Saint"."""
    from .search import fold

    words = re.sub(r"[^\w]+|_", " ", fold(text)).split()
    expand = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
    if words and words[0] in expand and len(words) > 1:
        words[0] = expand[words[0]]
    return " ".join(words)


def _average(points):
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


@cache
def _tables():
    """(ZIP -> point, (city, ST) -> point, name key -> [candidate]), built once per process."""
    by_zip, by_city, zips_of_city, other_names = {}, {}, {}, {}
    for row in _zip_rows():
        city = (row["city"], row["state"])
        zips_of_city[city] = zips_of_city.get(city, 0) + 1
        point = (float(row["lat"] or 0), float(row["long"] or 0))
        if point == (0.0, 0.0):  # a few PO boxes have no location
            continue
        by_zip[row["zip_code"]] = point
        by_city.setdefault((row["city"].casefold(), row["state"]), []).append(point)
        names = row["acceptable_cities"]
        if row["zip_code_type"] == "STANDARD":
            # For other ZIP types this lists the companies that own them.
            names = [*names, *row["unacceptable_cities"]]
        for name in names:
            other_names.setdefault((name, row["state"]), []).append(point)
    cities = {place: _average(points) for place, points in by_city.items()}
    names = {}
    for (city, state), count in zips_of_city.items():
        point = cities.get((city.casefold(), state))
        if point:
            names.setdefault(key(city), []).append((CITY, -count, f"{city}, {state}", state, point))
    for (name, state), points in other_names.items():
        names.setdefault(key(name), []).append(
            (OTHER_NAME, -len(points), f"{name}, {state}", state, _average(points))
        )
    for row in _neighborhoods():
        for alias in row["names"]:
            names.setdefault(key(alias), []).append(
                (NEIGHBORHOOD, 0, row["label"], row["state"], row["point"])
            )
    for nickname, (city, state) in NICKNAMES.items():
        names.setdefault(nickname, []).extend(
            c for c in names.get(city, []) if c[0] == CITY and c[3] == state
        )
    for candidates in names.values():
        candidates.sort()
    return by_zip, cities, names


def _zip_rows():
    """Every ZIP code's row, read a hundredth at a time.

    `zipcodes.list_all()` builds all 42,000 row dicts at once and keeps them for the
    life of the process (about 150 MB, which a long import never gets back);
    a prefix at a time peaks at a few MB more than the tables built from them.
    """
    import zipcodes

    for prefix in range(100):
        yield from zipcodes.similar_to(f"{prefix:02d}")


def _neighborhoods():
    with NEIGHBORHOODS.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        name, city, state = row["name"], row["city"], row["state"]
        yield {
            "names": [name, *filter(None, row["aliases"].split("|"))],
            "label": f"{name}, {state}" if city == name else f"{name}, {city}, {state}",
            "state": state,
            "point": (float(row["latitude"]), float(row["longitude"])),
        }


def zip_centroid(code):
    match = _ZIP.match(code.strip())
    return _tables()[0].get(match.group(1)) if match else None


def city_centroid(city, state):
    return _tables()[1].get((city.strip().casefold(), state.strip().upper()))


@dataclass(frozen=True)
class Place:
    """Where a search is near: `point`, and what the text was read as.

    `name` is the place used ("Boyle Heights, Los Angeles, CA"), `others`
    the other places the same name may mean, likeliest first, and
    `corrected` says the name was read with a typo corrected.
    """

    point: tuple
    name: str = ""
    others: tuple = ()
    corrected: bool = False


def _state_code(text):
    """The two-letter code of a state typed as its code or its name (English or Spanish), or None."""
    folded = key(text)
    if len(folded) == 2 and folded.upper() in STATES:
        return folded.upper()
    return _state_names().get(folded)


@cache
def _state_names():
    names = {key(name): code for code, name in STATES.items()}
    names.update({key(name): code for name, code in SPANISH_STATES.items()})
    return names


def _chosen(candidates, corrected=False):
    """The likeliest candidate as a Place, naming the other places far from it."""
    best = candidates[0]
    # Only places about as likely: not every hamlet that shares a city's name.
    fewest_zips = max(3, -best[1] // 4)
    others = []
    for tier, weight, label, _state, point in candidates[1:]:
        far = haversine(point, best[4]) > OTHER_PLACE_MILES
        if tier == CITY and -weight >= fewest_zips and far and label not in others:
            others.append(label)
    return Place(best[4], best[2], tuple(others[:3]), corrected)


def _named(name, state=None):
    candidates = _tables()[2].get(key(name), [])
    if state:
        candidates = [c for c in candidates if c[3] == state]
    return _chosen(candidates) if candidates else None


def _split_state(text):
    """(name, state code) when the text ends with a state, with or without a comma."""
    if "," in text:
        name, _, last = text.rpartition(",")
        state = _state_code(last)
        return (name, state) if state and key(name) else (text, None)
    words = text.split()
    for size in (3, 2, 1):
        if len(words) > size:
            state = _state_code(" ".join(words[-size:]))
            if state:
                return " ".join(words[:-size]), state
    return text, None


def find_place(text):
    """Return the Place a "near" text means, or None.

    A ZIP code, "lat,lon" (what the "use my location" button fills in,
    already rounded), or a place name: a city, a Los Angeles County
    neighborhood (directory/data/neighborhoods.csv) or another name the
    Postal Service knows, with or without its state ("Fresno", "fresno ca",
    "Boyle Heights, CA", "Los Ángeles, California"). A name that several places
    have means the likeliest: a neighborhood of the directory's region, else
    the city with the most ZIP codes (a stand-in for its population); the
    others are in `others`. A name not found is read with a typo corrected
    when one place name is near enough.
    """
    text = text.strip()
    if match := _COORDINATES.match(text):
        lat, lon = float(match.group(1)), float(match.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Place((round(lat, 2), round(lon, 2)))
        return None
    if _ZIP.match(text):
        point = zip_centroid(text)
        return Place(point) if point else None
    if not key(text):
        return None
    name, state = _split_state(text)
    if _CITY_STATE.match(text) and not state:
        return None  # "Atlantis, ZZ": a state we do not know
    if "," not in text and (whole := _named(text)):
        # "East LA" is a place, not "East" in Louisiana.
        return whole
    found = _named(name, state)
    if found is None and "," in name:
        # "Boyle Heights, Los Angeles": the first part is the place.
        found = _named(name.split(",")[0], state)
    return found or _corrected(name.split(",")[0], state)


def build_tables():
    """Build the place tables and their misspelling index now (directory/warmup.py)."""
    _tables()
    _name_index()


@cache
def _name_index():
    from .spelling import MemoryVocabulary

    return MemoryVocabulary([(name, 0) for name in _tables()[2]])


def _corrected(name, state):
    """The place a misspelt name most likely means, or None."""
    from .spelling import edits, similarity

    typed = key(name)
    if not 4 <= len(typed) <= 60:  # longer is no place name, and costs more to compare
        return None
    names = _tables()[2]
    scored = []
    for candidate, _frequency in _name_index().similar(typed):
        score = similarity(typed, candidate)
        distance = edits(typed, candidate)
        if score < PLACE_SIMILARITY or distance > PLACE_EDITS:
            continue
        places = [c for c in names[candidate] if not state or c[3] == state]
        if places:
            scored.append((distance, -score, places[0][:2], candidate, places))
    if not scored:
        return None
    return _chosen(min(scored)[4], corrected=True)


def locate(text):
    """Return (latitude, longitude) for what find_place understands, else None."""
    place = find_place(text)
    return place.point if place else None


# A confidential location is searched by a decoy: a point drawn at random, once,
# this many miles from its real place (docs/privacy.md). Even with perfect
# knowledge of the decoy, a fit stays at least DECOY_MIN_MILES from the address;
# the margin over the 2 miles promised covers the error of any fit.
DECOY_MIN_MILES, DECOY_MAX_MILES = 3.0, 5.0
# Confidential places this close together (one shelter listed twice) share a decoy.
SHARE_MILES = 0.5
# A confidential location's distance is shown only as the band between two of
# these, the search's radius choices (directory/filters.py): the band tells
# nothing the radius filter does not already tell.
DISTANCE_BANDS = (5, 10, 25, 50, 100)
_random = secrets.SystemRandom()


def anchor_point(location):
    """Return the real point a location stands for, or None when nothing is known.

    A confidential location without coordinates stands for its city's centroid,
    never its ZIP code: the ZIP is private, the city is shown anyway.
    """
    if location.latitude is not None:
        return (location.latitude, location.longitude)
    if location.is_confidential:
        return city_centroid(location.city, location.state)
    return zip_centroid(location.postal_code or "") or city_centroid(location.city, location.state)


def decoy_point(anchor, rng=_random):
    """Return a point DECOY_MIN_MILES..DECOY_MAX_MILES from `anchor`, direction at random.

    Drawn from the operating system's randomness, never from the address, so
    nothing an attacker knows can be inverted to reach it. The distance is
    drawn uniformly over the ring's area, so every point of the ring around the
    decoy is equally likely to be the real place.
    """
    miles = math.sqrt(rng.uniform(DECOY_MIN_MILES**2, DECOY_MAX_MILES**2))
    bearing = rng.uniform(0, 2 * math.pi)
    return destination(anchor, bearing, miles)


def search_point(location, previous=None, neighbours=()):
    """Return the point a location is found by in distance searches.

    A public location is found by its anchor point. A confidential one is
    found by its decoy, drawn once: every other decoy for the same place
    would be one more ring an attacker could intersect. So `previous` (the
    stored row) keeps its decoy while its anchor is unchanged, and a
    confidential neighbour within SHARE_MILES lends its decoy when that is
    still far enough from this place.
    """
    anchor = anchor_point(location)
    if not location.is_confidential or anchor is None:
        return anchor
    if (
        previous is not None
        and previous.is_confidential
        and previous.search_latitude is not None
        and anchor_point(previous) == anchor
    ):
        return (previous.search_latitude, previous.search_longitude)
    for other in neighbours:
        decoy = (other.search_latitude, other.search_longitude)
        if (
            haversine(anchor_point(other), anchor) <= SHARE_MILES
            and haversine(decoy, anchor) >= DECOY_MIN_MILES - SHARE_MILES
        ):
            return decoy
    return decoy_point(anchor)


def distance_band(miles):
    """Return (low, high) of the band `miles` falls in; high is None past the last."""
    low = 0
    for high in DISTANCE_BANDS:
        if miles <= high:
            return (low, high)
        low = high
    return (low, None)


def destination(point, bearing, miles):
    """Return the point `miles` from `point` along `bearing` (radians from north)."""
    lat, lon = map(math.radians, point)
    angle = miles / EARTH_RADIUS_MILES
    lat2 = math.asin(
        math.sin(lat) * math.cos(angle) + math.cos(lat) * math.sin(angle) * math.cos(bearing)
    )
    lon2 = lon + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat),
        math.cos(angle) - math.sin(lat) * math.sin(lat2),
    )
    lon2 = (math.degrees(lon2) + 540) % 360 - 180
    return (math.degrees(lat2), lon2)


def haversine(a, b):
    """Return the great-circle distance in miles between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def bounding_box(point, miles):
    """Return (min_lat, max_lat, min_lon, max_lon) around a point: a cheap SQL prefilter."""
    lat, lon = point
    dlat = miles / 69.0
    dlon = miles / max(69.0 * math.cos(math.radians(lat)), 0.01)
    return (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
