"""Offline place lookup and distances: no geocoding service is ever called.

Coordinates come from the `zipcodes` package, which ships US ZIP code
centroids inside its wheel. A "City, ST" is the average of that city's ZIP
centroids. The tables are built once per process and kept in memory.
"""

import math
import re
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


def search_point(location):
    """Return the point a location is found by in distance searches.

    A confidential location is searched by its city's centroid, never its real
    coordinates or ZIP code: a distance to a hidden address would reveal it.
    Without coordinates, a location is searched by its ZIP code or city.
    """
    if location.is_confidential:
        return city_centroid(location.city, location.state)
    if location.latitude is not None:
        return (location.latitude, location.longitude)
    return zip_centroid(location.postal_code or "") or city_centroid(location.city, location.state)


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
