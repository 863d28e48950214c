"""Distance searches cannot locate a confidential address (docs/privacy.md).

The attacker runs many anonymous searches around a safe house, reads everything
a visitor sees (the distance shown, whether it is inside the radius, its place
in the order next to public listings, the rows and distances of the outreach
CSV), and fits the point that best explains all of it. The fit must stay at least 2 miles from
the real address.
"""

import csv
import importlib
import io
import math
import re

import pytest
from django.apps import apps

from directory import geo
from directory.filters import RADIUS_CHOICES
from directory.models import Location
from tests.factories import make_location, make_organization

pytestmark = pytest.mark.django_db

# Kettleman City, CA has one ZIP code, so its centroid is 0.26 mi from this house.
HOUSE = (36.0111, -119.9650)
# Public listings the attacker knows the position of, to order targets against.
REFERENCES = {
    "Ref north": (36.0600, -119.9500),
    "Ref southwest": (35.9700, -120.0200),
    "Ref east": (36.0000, -119.8900),
}
# The safe house of an organization with no other site, and the one of an
# organization that also has a public site (its distance is to the nearer).
PUBLIC_SITE = (36.0500, -120.0400)
TARGETS = {"Casa Segura": None, "Refugio Dos Sitios": PUBLIC_SITE}
PROMISE_MILES = 2.0


def _plant():
    for name, public_site in TARGETS.items():
        target = make_organization(name)
        make_location(
            target,
            address_1="12 Hidden Lane",
            city="Kettleman City",
            state="CA",
            postal_code="93239",
            latitude=HOUSE[0],
            longitude=HOUSE[1],
            is_confidential=True,
        )
        if public_site:
            make_location(
                target, city="Kettleman City", latitude=public_site[0], longitude=public_site[1]
            )
    for name, (lat, lon) in REFERENCES.items():
        make_location(make_organization(name), city="Kettleman City", latitude=lat, longitude=lon)


# -- what the attacker sees

_RESULT = re.compile(r'<h3 class="result__name"><a [^>]*>([^<]+)</a></h3>.*?</article>', re.DOTALL)
_DISTANCE = re.compile(r'<span class="result__distance">([^<]*)</span>')


def _results(html):
    """[(name, distance label or None)] in the order shown."""
    out = []
    for match in _RESULT.finditer(html):
        label = _DISTANCE.search(match.group(0))
        out.append((match.group(1).strip(), label.group(1).strip() if label else None))
    return out


def _bounds(label):
    """(low, high) miles a distance label allows, the low end exclusive for a band."""
    if m := re.fullmatch(r"([\d.]+) mi away", label):
        miles = float(m.group(1))
        return (miles - 0.06, miles + 0.06)  # shown to 0.1 mi
    if m := re.fullmatch(r"within (\d+) mi \(.*\)", label):
        return (0.0, float(m.group(1)))
    if m := re.fullmatch(r"(\d+)–(\d+) mi away \(.*\)", label):
        return (float(m.group(1)), float(m.group(2)))
    if m := re.fullmatch(r"more than (\d+) mi away \(.*\)", label):
        return (float(m.group(1)), math.inf)
    raise AssertionError(f"a distance label the attacker cannot read: {label!r}")


def _ring_of_points():
    """41 search points on rings 0.5-9 mi around the house, rounded as the app does."""
    points = [(round(HOUSE[0], 2), round(HOUSE[1], 2))]
    for ring, miles in enumerate((0.5, 2, 4, 6.5, 9)):
        for step in range(8):
            bearing = math.radians(45 * step + 9 * ring)
            lat = HOUSE[0] + miles * math.cos(bearing) / 69.09
            lon = HOUSE[1] + miles * math.sin(bearing) / (69.09 * math.cos(math.radians(lat)))
            points.append((round(lat, 2), round(lon, 2)))
    return points


def _observe(client, bodies):
    """Constraints on each target's distance: {target: [(search point, low, high)]}."""
    constraints = {target: [] for target in TARGETS}
    for i, point in enumerate(_ring_of_points()):
        near = f"{point[0]},{point[1]}"
        for radius in (5, 10):
            r = client.get("/search/", {"near": near, "radius": radius, "sort": "distance"})
            assert r.status_code == 200
            html = r.content.decode()
            bodies.append(html)
            shown = _results(html)
            names = [name for name, _label in shown]
            for target, found in constraints.items():
                if target not in names:
                    found.append((point, radius, math.inf))  # outside the radius
                    continue
                found.append((point, 0.0, radius))
                found.append((point, *_bounds(dict(shown)[target])))
                found.extend(_order(point, names, target))
        if i % 5 == 0:  # the outreach CSV lists the same search in the screen's order
            r = client.get("/search/outreach.csv", {"near": near, "radius": 10, "sort": "distance"})
            body = b"".join(r.streaming_content).decode()
            bodies.append(body)
            rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
            names = [row["Organization"] for row in rows]
            for target, found in constraints.items():
                if target in names:
                    distance = rows[names.index(target)]["Distance"]
                    found.append((point, *_bounds(distance)))
                    found.extend(_order(point, names, target))
            # The data export (for re-import) is ordered by name: it tells nothing more.
            r = client.get("/search/export.csv", {"near": near, "radius": 10, "sort": "distance"})
            bodies.append(b"".join(r.streaming_content).decode())
    return constraints


def _order(point, names, target):
    """Before a reference means nearer than it; after means farther."""
    at = names.index(target)
    out = []
    for name, position in REFERENCES.items():
        if name in names:
            miles = geo.haversine(point, position)
            before = at < names.index(name)
            out.append((point, 0.0, miles) if before else (point, miles, math.inf))
    return out


# -- the fit


def _fit(constraints, public_site):
    """Grid search (0.25 mi, then 0.02 mi) for the point best explaining every constraint.

    Returns (best point, [every coarse grid point explaining them as well]).
    """
    lat0 = math.radians(HOUSE[0])
    scale = math.radians(1) * geo.EARTH_RADIUS_MILES

    def xy(point):
        return ((point[1] - HOUSE[1]) * scale * math.cos(lat0), (point[0] - HOUSE[0]) * scale)

    prepared = []
    for point, low, high in constraints:
        px, py = xy(point)
        # The attacker knows the public site: the distance shown is to the nearer.
        floor = geo.haversine(point, public_site) if public_site else math.inf
        prepared.append((px, py, floor, low, high))

    def cost(x, y):
        total = 0.0
        for px, py, floor, low, high in prepared:
            d = min(math.hypot(x - px, y - py), floor)
            if d < low:
                total += (low - d) ** 2
            elif d > high:
                total += (d - high) ** 2
        return total

    coarse = [(cost(x / 4, y / 4), x / 4, y / 4) for x in range(-40, 41) for y in range(-40, 41)]
    best_cost = min(c for c, _x, _y in coarse)
    tied = [(x, y) for c, x, y in coarse if c <= best_cost + 1e-9]
    _c, bx, by = min(coarse)
    fine = min(
        (cost(bx + dx / 50, by + dy / 50), bx + dx / 50, by + dy / 50)
        for dx in range(-12, 13)
        for dy in range(-12, 13)
    )

    def to_point(x, y):
        return (HOUSE[0] + y / scale, HOUSE[1] + x / (scale * math.cos(lat0)))

    return to_point(fine[1], fine[2]), [to_point(x, y) for x, y in tied]


def test_many_searches_cannot_place_a_confidential_location_near_its_address(client):
    _plant()
    bodies = []
    constraints = _observe(client, bodies)
    for target, public_site in TARGETS.items():
        assert len(constraints[target]) > 100
        best, equally_good = _fit(constraints[target], public_site)
        # The attacker reads what is shown right: the fit finds the decoy...
        decoy = Location.objects.filter(organization__name=target, is_confidential=True).get()
        assert geo.haversine(best, (decoy.search_latitude, decoy.search_longitude)) < 1.0, target
        # ...which is all it finds.
        assert geo.haversine(best, HOUSE) >= PROMISE_MILES, target
        assert min(geo.haversine(p, HOUSE) for p in equally_good) >= PROMISE_MILES, target
    # Nor does any page or export carry the real coordinates or street.
    everything = "\n".join(bodies)
    assert "36.0111" not in everything
    assert "-119.965" not in everything
    assert "Hidden Lane" not in everything


def test_a_confidential_distance_is_only_a_band(client):
    _plant()
    html = client.get("/search/", {"near": "Kettleman City, CA", "radius": 10}).content.decode()
    label = dict(_results(html))["Casa Segura"]
    assert "approximate: confidential address" in label
    assert re.fullmatch(r"within 5 mi \(.*\)|5–10 mi away \(.*\)", label)
    html = client.get("/es/search/", {"near": "Kettleman City, CA", "radius": 10}).content.decode()
    assert "aproximado: dirección confidencial" in html
    # A band's edges are the radius choices: it says no more than the radius filter.
    assert geo.DISTANCE_BANDS == tuple(value for value, _label in RADIUS_CHOICES)


def test_a_public_location_distance_is_still_accurate(client):
    _plant()
    point = (36.1, -119.9)
    html = client.get("/search/", {"near": f"{point[0]},{point[1]}", "radius": 25}).content.decode()
    shown = dict(_results(html))
    for name, position in REFERENCES.items():
        assert shown[name] == f"{geo.haversine(point, position):.1f} mi away"
    # From beside the public site, the organization is shown by its exact distance there.
    beside = (36.05, -120.05)
    html = client.get(
        "/search/", {"near": f"{beside[0]},{beside[1]}", "radius": 5}
    ).content.decode()
    shown = dict(_results(html))["Refugio Dos Sitios"]
    assert shown == f"{geo.haversine(beside, PUBLIC_SITE):.1f} mi away"


def test_a_confidential_location_without_coordinates_is_found_by_its_city(client):
    make_location(
        make_organization("Refugio Avenal"),
        address_1="3 Quiet Court",
        city="Avenal",
        state="CA",
        postal_code="93204",
        is_confidential=True,
    )
    html = client.get("/search/", {"near": "Avenal, CA", "radius": 10}).content.decode()
    assert "approximate: confidential address" in dict(_results(html))["Refugio Avenal"]
    html = client.get("/search/", {"near": "Fresno, CA", "radius": 25}).content.decode()
    assert "Refugio Avenal" not in html


def _decoy(location):
    location.refresh_from_db()
    return (location.search_latitude, location.search_longitude)


def test_the_decoy_is_drawn_once_and_again_only_when_the_place_changes():
    location = make_location(
        make_organization(),
        city="Kettleman City",
        state="CA",
        latitude=HOUSE[0],
        longitude=HOUSE[1],
        is_confidential=True,
    )
    first = _decoy(location)
    assert geo.DECOY_MIN_MILES <= geo.haversine(first, HOUSE) <= geo.DECOY_MAX_MILES + 0.01
    location.name = "Back door"
    location.transit = "Bus 12"
    location.save()
    # A second decoy for the same house would be a second ring to intersect.
    assert _decoy(location) == first
    location.latitude, location.longitude = 36.0200, -119.9700
    location.save()
    moved = _decoy(location)
    assert moved != first
    assert geo.DECOY_MIN_MILES <= geo.haversine(moved, (36.02, -119.97)) <= 5.01
    location.is_confidential = False
    location.save()
    assert _decoy(location) == (36.02, -119.97)


def test_the_migration_gives_existing_confidential_locations_a_decoy():
    location = make_location(
        make_organization(),
        city="Kettleman City",
        state="CA",
        latitude=HOUSE[0],
        longitude=HOUSE[1],
        is_confidential=True,
    )
    # As every confidential location was before: searched by its city centroid.
    Location.objects.filter(pk=location.pk).update(
        search_latitude=36.0083, search_longitude=-119.9618
    )
    migration = importlib.import_module("directory.migrations.0011_confidential_location_decoys")
    migration.draw_decoys(apps, None)
    point = _decoy(location)
    assert geo.DECOY_MIN_MILES <= geo.haversine(point, HOUSE) <= geo.DECOY_MAX_MILES + 0.01


def test_one_place_listed_twice_shares_one_decoy():
    # Two decoys for one house would be two rings crossing near it.
    kwargs = dict(city="Kettleman City", state="CA", is_confidential=True)
    first = make_location(make_organization(), latitude=HOUSE[0], longitude=HOUSE[1], **kwargs)
    second = make_location(make_organization(), latitude=36.0120, longitude=-119.9660, **kwargs)
    far = make_location(make_organization(), latitude=36.1, longitude=-119.8, **kwargs)
    assert _decoy(second) == _decoy(first)
    assert _decoy(far) != _decoy(first)
    citywide = [make_location(make_organization(), **kwargs) for _ in range(2)]
    assert _decoy(citywide[0]) == _decoy(citywide[1])
    centroid = geo.city_centroid("Kettleman City", "CA")
    assert geo.haversine(_decoy(citywide[0]), centroid) >= geo.DECOY_MIN_MILES
