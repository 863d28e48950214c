"""Offline place lookup and the point each location is searched by."""

import pytest

from directory import geo
from tests.factories import make_location, make_organization

LA_CITY = geo.city_centroid("Los Angeles", "CA")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("90012", (34.0614, -118.2385)),
        ("90012-1234", (34.0614, -118.2385)),
        (" los angeles , ca ", LA_CITY),
        ("34.0512,-118.2398", (34.05, -118.24)),
        ("00000", None),
        ("Atlantis, ZZ", None),
        ("95.0,10.0", None),
        ("", None),
    ],
)
def test_locate(text, expected):
    assert geo.locate(text) == expected


def test_city_centroid_is_near_the_city():
    # The average of Los Angeles ZIP centroids lies within a few miles of downtown.
    assert geo.haversine(LA_CITY, (34.0522, -118.2437)) < 5


@pytest.mark.django_db
def test_search_point_of_each_kind_of_location():
    org = make_organization()
    exact = make_location(org, latitude=34.0437, longitude=-118.2101)
    by_zip = make_location(org, postal_code="90012")
    hidden = make_location(
        org, postal_code="90033", latitude=34.0437, longitude=-118.2101, is_confidential=True
    )
    assert (exact.search_latitude, exact.search_longitude) == (34.0437, -118.2101)
    assert (by_zip.search_latitude, by_zip.search_longitude) == (34.0614, -118.2385)
    # A confidential location is searched by a decoy 3-5 miles from its real place.
    decoy = (hidden.search_latitude, hidden.search_longitude)
    assert 3 <= geo.haversine(decoy, (34.0437, -118.2101)) <= 5.01
