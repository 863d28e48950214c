"""Offline place lookup and distances: no geocoding service is ever called.

Coordinates come from the `zipcodes` package, which ships US ZIP code
centroids inside its wheel. A "City, ST" is the average of that city's ZIP
centroids. The tables are built once per process and kept in memory.
"""

import math
import re
import secrets
from functools import cache

EARTH_RADIUS_MILES = 3958.8
_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
_COORDINATES = re.compile(r"^(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)$")
_CITY_STATE = re.compile(r"^(.+?)\s*,\s*([A-Za-z]{2})$")


@cache
def _tables():
    import zipcodes

    by_zip, by_city = {}, {}
    for row in zipcodes.list_all():
        point = (float(row["lat"] or 0), float(row["long"] or 0))
        if point == (0.0, 0.0):  # a few PO boxes have no location
            continue
        by_zip[row["zip_code"]] = point
        by_city.setdefault((row["city"].casefold(), row["state"]), []).append(point)
    cities = {
        key: (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        for key, points in by_city.items()
    }
    # zipcodes keeps its 42,000 row dicts (about 90 MB) for the life of the
    # process; these tables are all we need of them.
    if hasattr(zipcodes, "_zips_cache"):
        zipcodes._zips_cache = None
    return by_zip, cities


def zip_centroid(code):
    match = _ZIP.match(code.strip())
    return _tables()[0].get(match.group(1)) if match else None


def city_centroid(city, state):
    return _tables()[1].get((city.strip().casefold(), state.strip().upper()))


def locate(text):
    """Return (latitude, longitude) for a ZIP, "City, ST" or "lat,lon", else None.

    "lat,lon" is what the "use my location" button fills in, already rounded
    by the browser script.
    """
    text = text.strip()
    if match := _COORDINATES.match(text):
        lat, lon = float(match.group(1)), float(match.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return (round(lat, 2), round(lon, 2))
        return None
    if _ZIP.match(text):
        return zip_centroid(text)
    if match := _CITY_STATE.match(text):
        return city_centroid(match.group(1), match.group(2))
    return None


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
