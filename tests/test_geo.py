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


@pytest.mark.parametrize(
    "text, name",
    [
        ("Los Angeles", "Los Angeles, CA"),
        ("los angeles", "Los Angeles, CA"),
        ("Los Ángeles", "Los Angeles, CA"),
        ("Los Angeles, California", "Los Angeles, CA"),
        ("LA", "Los Angeles, CA"),
        ("fresno", "Fresno, CA"),
        ("Fresno CA", "Fresno, CA"),
        ("Boyle Heights", "Boyle Heights, Los Angeles, CA"),
        ("boyle heights, ca", "Boyle Heights, Los Angeles, CA"),
        ("Boyle Heights, Los Angeles", "Boyle Heights, Los Angeles, CA"),
        ("East Los Angeles", "East Los Angeles, CA"),
        ("East LA", "East Los Angeles, CA"),
        ("Koreatown", "Koreatown, Los Angeles, CA"),
        ("Pico Union", "Pico-Union, Los Angeles, CA"),
        ("Huntington Park", "Huntington Park, CA"),
        ("St. Louis", "Saint Louis, MO"),
        ("Nueva York", "New York, NY"),
        ("Highland Park, IL", "Highland Park, IL"),
    ],
)
def test_places_by_name_with_or_without_a_state(text, name):
    place = geo.find_place(text)
    assert place is not None and place.name == name
    assert not place.corrected


def test_each_neighborhood_lies_in_its_city():
    """The file's approximate centres are in the region, near their city's ZIP centroids."""
    downtown = (34.05, -118.25)
    for row in geo._neighborhoods():
        parts = row["label"].split(", ")
        assert geo.haversine(downtown, row["point"]) < 35, row["label"]
        centroid = geo.city_centroid(parts[-2], row["state"])
        if centroid:  # East Los Angeles and Florence-Firestone are not postal cities
            assert geo.haversine(centroid, row["point"]) < 30, row["label"]


def test_a_name_several_places_have_means_the_likeliest_and_names_the_others():
    glendale = geo.find_place("Glendale")
    assert glendale.name == "Glendale, CA"
    assert "Glendale, AZ" in glendale.others
    assert geo.find_place("Hollywood").others[0] == "Hollywood, FL"
    # Hamlets that share a big city's name are not worth a mention.
    assert geo.find_place("Fresno").others == ()


def test_a_misspelt_place_is_read_as_the_nearest_name():
    place = geo.find_place("Los Angles")
    assert (place.name, place.corrected) == ("Los Angeles, CA", True)
    assert geo.find_place("Boyle Hieghts").name == "Boyle Heights, Los Angeles, CA"
    assert geo.find_place("Qwxzzy") is None
    assert geo.find_place("Atlantis, ZZ") is None


def test_the_zip_rows_read_in_slices_are_every_zip_the_package_has():
    """geo reads zipcodes a prefix at a time; no ZIP may be lost or read twice."""
    import zipcodes

    read = [row["zip_code"] for row in geo._zip_rows()]
    assert len(read) == len(set(read))
    assert set(read) == {row["zip_code"] for row in zipcodes._zipcodes.list_all()}
