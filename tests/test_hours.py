"""Open now, with a frozen clock, across time zones and overnight hours."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from directory.models import Closure
from tests.factories import make_hours, make_organization, make_service

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def open_names(client):
    r = client.get("/search/?open_now=true")
    assert r.status_code == 200
    return [org.name for org in r.context["page"].object_list]


@pytest.fixture
def services():
    # Friday 2026-11-20. Weekdays: Monday is 0, so Friday is 4, Saturday 5.
    east = make_service(make_organization("East office"), time_zone="America/New_York")
    make_hours(east, 4, (9, 0), (17, 0))
    west = make_service(make_organization("West office"), time_zone="America/Los_Angeles")
    make_hours(west, 4, (9, 0), (17, 0))
    night = make_service(make_organization("Night line"), time_zone="America/Los_Angeles")
    make_hours(night, 4, (20, 0), (2, 0))
    make_service(make_organization("Always line"), open_24_7=True)
    return east, west, night


@pytest.mark.parametrize(
    "moment, expected",
    [
        # 10:00 in New York is 07:00 in Los Angeles.
        (datetime(2026, 11, 20, 10, 0, tzinfo=NEW_YORK), ["Always line", "East office"]),
        # 16:00 in Los Angeles is 19:00 in New York: only the west is open.
        (datetime(2026, 11, 20, 16, 0, tzinfo=LOS_ANGELES), ["Always line", "West office"]),
        # Friday 23:00 and Saturday 01:30 in Los Angeles: the overnight line.
        (datetime(2026, 11, 20, 23, 0, tzinfo=LOS_ANGELES), ["Always line", "Night line"]),
        (datetime(2026, 11, 21, 1, 30, tzinfo=LOS_ANGELES), ["Always line", "Night line"]),
        (datetime(2026, 11, 21, 2, 30, tzinfo=LOS_ANGELES), ["Always line"]),
    ],
)
def test_open_now_filter(client, services, moment, expected):
    with time_machine.travel(moment, tick=False):
        assert open_names(client) == expected


def test_a_holiday_closes_the_day_and_its_overnight_hours(client, services):
    east, _west, night = services
    Closure.objects.create(service=east, date=date(2026, 11, 20))
    Closure.objects.create(service=night, date=date(2026, 11, 20))
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=NEW_YORK), tick=False):
        assert open_names(client) == ["Always line"]
    with time_machine.travel(datetime(2026, 11, 21, 1, 0, tzinfo=LOS_ANGELES), tick=False):
        assert open_names(client) == ["Always line"]


def test_organization_page_says_open_now_or_when_it_opens(client, services):
    east, _west, night = services
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=NEW_YORK), tick=False):
        html = client.get(east.organization.get_absolute_url()).content.decode()
        assert "Open now, until 5 p.m." in html
        html = client.get(night.organization.get_absolute_url()).content.decode()
        assert "Closed now. Opens Friday at 8 p.m." in html
    with time_machine.travel(datetime(2026, 11, 21, 1, 0, tzinfo=LOS_ANGELES), tick=False):
        html = client.get(night.organization.get_absolute_url()).content.decode()
        assert "Open now, until 2 a.m." in html
