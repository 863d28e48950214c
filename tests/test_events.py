"""Events: lifecycle and roles, repeat rules, cancellations and daylight saving."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from directory import events
from directory.models import Event, Repeat, Status, Visibility
from directory.publishing import may_move
from tests.factories import cancel, make_event, make_location, make_organization, make_service
from tests.test_publish_rule import REFUSED, _as_sent

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
# 2027 in the United States: summer time ends on 7 November, starts on 14 March.
BEFORE_FALL_BACK = datetime(2027, 10, 20, 12, tzinfo=LA)


def _url(obj, view="change", *args):
    return reverse(f"admin:directory_{obj._meta.model_name}_{view}", args=[obj.pk, *args])


def _utc(occurrence):
    return occurrence.start.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- lifecycle and roles


def test_a_curator_cannot_publish_an_event(curator_client):
    event = make_event(status=Status.DRAFT)
    r = curator_client.post(
        _url(event), _as_sent(curator_client.get(_url(event)), status="published")
    )
    assert r.status_code == 200
    event.refresh_from_db()
    assert event.status == Status.DRAFT


def test_a_curator_can_edit_a_draft_and_send_it_for_review(curator_client):
    event = make_event(status=Status.DRAFT, title="Old title")
    page = curator_client.get(_url(event))
    r = curator_client.post(_url(event), _as_sent(page, status="review", title="New title"))
    assert r.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.title) == (Status.IN_REVIEW, "New title")


def test_a_curator_cannot_make_an_event_public_or_hide_it(curator_client):
    event = make_event(status=Status.DRAFT, visibility=Visibility.PARTNERS)
    page = curator_client.get(_url(event))
    r = curator_client.post(_url(event), _as_sent(page, visibility="public"))
    assert r.status_code == 200
    event.refresh_from_db()
    assert event.visibility == Visibility.PARTNERS


def test_a_curator_cannot_publish_through_the_bulk_action(curator_client):
    event = make_event(status=Status.IN_REVIEW)
    changelist = reverse("admin:directory_event_changelist")
    curator_client.post(changelist, {"action": "publish", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == Status.IN_REVIEW


def test_a_publisher_publishes_and_the_history_records_it(publisher_client, publisher):
    event = make_event(status=Status.IN_REVIEW)
    page = publisher_client.get(_url(event))
    r = publisher_client.post(_url(event), _as_sent(page, status="published"))
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.PUBLISHED
    assert event.history.first().history_user == publisher


def test_history_revert_cannot_republish_for_a_curator(curator_client):
    event = make_event(status=Status.PUBLISHED)
    published = event.history.get()
    event.status = Status.DRAFT  # a publisher took it down
    event.save()
    url = _url(event, "simple_history", published.history_id)
    r = curator_client.post(url, _as_sent(curator_client.get(url), status="published"))
    assert r.status_code == 200
    assert REFUSED in r.content.decode() or "Select a valid choice" in r.content.decode()
    event.refresh_from_db()
    assert event.status == Status.DRAFT


def test_history_restores_an_earlier_version_of_an_event(curator_client):
    event = make_event(status=Status.DRAFT, title="Right title")
    first = event.history.get()
    event.title = "Vandalised"
    event.save()
    url = _url(event, "simple_history", first.history_id)
    r = curator_client.post(url, _as_sent(curator_client.get(url)))
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.title == "Right title"


def test_the_rule_decides_events_like_other_listings(curator, publisher):
    event = make_event(status=Status.DRAFT)
    assert may_move(curator, event, status=Status.IN_REVIEW)
    assert not may_move(curator, event, status=Status.PUBLISHED)
    assert not may_move(curator, event, visibility=Visibility.PARTNERS)
    assert may_move(publisher, event, status=Status.PUBLISHED)
    published = make_event(status=Status.PUBLISHED)
    assert not may_move(curator, published, organization=make_organization())


def test_cancellations_are_edited_inline(curator_client):
    event = make_event(status=Status.DRAFT, repeat=Repeat.WEEKLY)
    page = curator_client.get(_url(event))
    day = event.starts_on + timedelta(weeks=1)
    data = _as_sent(page)
    data.update(
        {
            "cancellations-TOTAL_FORMS": "1",
            "cancellations-0-date": day.isoformat(),
            "cancellations-0-note": "Holiday",
        }
    )
    r = curator_client.post(_url(event), data)
    assert r.status_code == 302
    assert list(event.cancellations.values_list("date", "note")) == [(day, "Holiday")]


def test_the_place_must_be_the_organizations():
    event = make_event()
    event.location = make_location(make_organization())
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "location" in error.value.message_dict


def test_an_event_needs_a_place_or_to_be_online():
    event = make_event(online=False)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "location" in error.value.message_dict


def test_the_service_must_be_the_organizations():
    event = make_event(service=make_service())
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "service" in error.value.message_dict


def test_an_unknown_time_zone_is_refused():
    event = make_event(time_zone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time_zone" in error.value.message_dict


# ---------------------------------------------------------------- repeat rules


def _event(**fields):
    """An unsaved event: the rules need no database."""
    fields.setdefault("start_time", time(18))
    fields.setdefault("end_time", time(20))
    fields.setdefault("time_zone", "America/Los_Angeles")
    return Event(title="Clinic", **fields)


def _dates(event, now, limit=5):
    return [o.date for o in events.occurrences(event, now, limit=limit)]


def test_weekly_keeps_the_local_time_across_the_fall_change():
    event = _event(starts_on=date(2027, 10, 26), repeat=Repeat.WEEKLY)
    found = events.occurrences(event, BEFORE_FALL_BACK, limit=3)
    assert [o.start.hour for o in found] == [18, 18, 18]
    # 6 pm is 01:00 UTC the next day in summer time, 02:00 in winter time.
    assert [_utc(o) for o in found] == [
        datetime(2027, 10, 27, 1),
        datetime(2027, 11, 3, 1),
        datetime(2027, 11, 10, 2),
    ]


def test_weekly_keeps_the_local_time_across_the_spring_change():
    event = _event(starts_on=date(2027, 3, 8), repeat=Repeat.WEEKLY, time_zone="America/New_York")
    found = events.occurrences(event, datetime(2027, 3, 1, tzinfo=UTC), limit=2)
    assert [_utc(o) for o in found] == [datetime(2027, 3, 8, 23), datetime(2027, 3, 15, 22)]


def test_every_n_weeks_with_an_end_date():
    event = _event(
        starts_on=date(2027, 1, 5),
        repeat=Repeat.EVERY_N_WEEKS,
        repeat_interval=3,
        repeat_until=date(2027, 2, 20),
    )
    assert _dates(event, datetime(2027, 1, 1, tzinfo=UTC)) == [
        date(2027, 1, 5),
        date(2027, 1, 26),
        date(2027, 2, 16),
    ]


def test_monthly_by_weekday():
    # 12 January 2027 is the second Tuesday of its month.
    event = _event(starts_on=date(2027, 1, 12), repeat=Repeat.MONTHLY_WEEKDAY)
    assert _dates(event, datetime(2027, 1, 1, tzinfo=UTC), 4) == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]
    assert events.repeat_description(event) == "Every month on the 2nd Tuesday"


def test_a_fifth_weekday_repeats_as_the_last():
    event = _event(starts_on=date(2027, 3, 30), repeat=Repeat.MONTHLY_WEEKDAY)
    assert _dates(event, datetime(2027, 3, 1, tzinfo=UTC), 3) == [
        date(2027, 3, 30),
        date(2027, 4, 27),
        date(2027, 5, 25),
    ]


def test_past_dates_are_skipped_and_a_date_under_way_is_kept():
    event = _event(starts_on=date(2027, 1, 5), repeat=Repeat.WEEKLY)
    during = datetime(2027, 1, 19, 19, tzinfo=LA)  # the 19 January clinic is on
    assert _dates(event, during, 2) == [date(2027, 1, 19), date(2027, 1, 26)]
    after = datetime(2027, 1, 19, 21, tzinfo=LA)
    assert _dates(event, after, 1) == [date(2027, 1, 26)]


def test_a_one_off_event_is_gone_once_over():
    event = _event(starts_on=date(2027, 1, 5))
    assert _dates(event, datetime(2027, 1, 5, 12, tzinfo=LA)) == [date(2027, 1, 5)]
    assert _dates(event, datetime(2027, 1, 6, tzinfo=LA)) == []


def test_a_cancelled_date_is_marked_not_dropped():
    event = make_event(starts_on=date(2027, 10, 26), repeat=Repeat.WEEKLY)
    cancel(event, date(2027, 11, 2), "Election day")
    found = events.occurrences(event, BEFORE_FALL_BACK, limit=3)
    assert [(o.date, o.cancelled, o.note) for o in found] == [
        (date(2027, 10, 26), False, ""),
        (date(2027, 11, 2), True, "Election day"),
        (date(2027, 11, 9), False, ""),
    ]
    nxt = events.next_occurrence(event, datetime(2027, 10, 28, tzinfo=LA))
    assert nxt.date == date(2027, 11, 9)


def test_upcoming_leaves_out_events_that_are_over():
    today = date.today()
    past = make_event(starts_on=today - timedelta(days=3))
    ended = make_event(
        starts_on=today - timedelta(weeks=5),
        repeat=Repeat.WEEKLY,
        repeat_until=today - timedelta(days=3),
    )
    going = make_event(starts_on=today - timedelta(weeks=5), repeat=Repeat.WEEKLY)
    soon = make_event()
    upcoming = set(Event.objects.upcoming())
    assert {going, soon} <= upcoming and not {past, ended} & upcoming


# ---------------------------------------------------------------- public pages and filters


def _titles(response):
    return [event.title for event in response.context["page"].object_list]


@pytest.fixture
def listed():
    """Four public events that each filter tells apart."""
    soon = date.today() + timedelta(days=3)
    boyle = make_organization("Boyle Heights Center")
    # 90033 itself; Pasadena is about 8 miles away.
    near = make_location(boyle, latitude=34.0437, longitude=-118.2101, postal_code="90033")
    far_org = make_organization("Fresno Rights")
    far = make_location(far_org, city="Fresno", latitude=36.7378, longitude=-119.7871)
    return {
        "clinic": make_event(
            boyle,
            "DACA clinic",
            event_type="legal_clinic",
            location=near,
            online=False,
            starts_on=soon,
            languages=["es"],
        ),
        "forum": make_event(
            far_org,
            "Town forum",
            event_type="forum",
            location=far,
            online=False,
            starts_on=soon + timedelta(days=20),
            is_free=False,
            fee_note="$5",
            languages=["en"],
        ),
        "webinar": make_event(
            boyle, "Online workshop", starts_on=soon + timedelta(days=1), languages=["ko"]
        ),
        "weekly": make_event(
            far_org,
            "Support circle",
            event_type="support_group",
            location=far,
            online=False,
            repeat=Repeat.WEEKLY,
            starts_on=date.today() - timedelta(weeks=4),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "legal_clinic"}, ["DACA clinic"]),
        ({"type": ["forum", "support_group"]}, ["Support circle", "Town forum"]),
        ({"language": "ko"}, ["Online workshop"]),
        ({"near": "90033", "radius": "10"}, ["DACA clinic"]),
        ({"near": "Fresno, CA"}, ["Support circle", "Town forum"]),
        ({"online": "on"}, ["Online workshop"]),
        ({"free": "on", "type": "forum"}, []),
    ],
)
def test_filters(client, listed, query, expected):
    assert sorted(_titles(client.get("/events/", query))) == expected


def test_the_date_range_keeps_events_with_a_date_in_it(client, listed):
    start = date.today() + timedelta(days=15)
    end = date.today() + timedelta(days=30)
    r = client.get("/events/", {"start": start.isoformat(), "end": end.isoformat()})
    assert sorted(_titles(r)) == ["Support circle", "Town forum"]
    weekly = next(e for e in r.context["page"].object_list if e.title == "Support circle")
    assert all(start <= o.date <= end for o in weekly.upcoming)


def test_events_are_listed_by_their_next_date(client, listed):
    titles = _titles(client.get("/events/"))
    assert (
        titles.index("DACA clinic") < titles.index("Online workshop") < titles.index("Town forum")
    )


def test_the_form_keeps_what_was_typed_and_submits_it_again(client, listed):
    from tests.search_form import default_submission

    query = {
        "type": ["legal_clinic", "workshop"],
        "language": "es",
        "near": "90033",
        "radius": "10",
        "start": date.today().isoformat(),
        "online": "",
        "free": "on",
    }
    first = client.get("/events/", query)
    action, pairs = default_submission(first.content.decode(), "event-search")
    assert action == "/events/"
    sent = dict(pairs)
    assert sent["near"] == "90033" and sent["radius"] == "10" and sent["language"] == "es"
    assert sorted(v for k, v in pairs if k == "type") == ["legal_clinic", "workshop"]
    assert sent["free"] == "on" and "online" not in sent
    again = client.get(action, pairs)
    assert _titles(again) == _titles(first) == ["DACA clinic"]


def test_a_wrong_date_is_said_and_the_other_filters_still_apply(client, listed):
    r = client.get("/events/", {"start": "not a date", "type": "forum"})
    assert r.status_code == 200
    assert r.context["form"].errors["start"]
    assert _titles(r) == ["Town forum"]


def test_an_unknown_place_is_said(client, listed):
    r = client.get("/events/", {"near": "Atlantis, ZZ"})
    assert "We could not find that place" in r.content.decode()


def test_the_page_works_without_javascript_and_fits_a_phone(client, listed):
    html = client.get("/events/").content.decode()
    assert '<form class="event-search" method="get" action="/events/">' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'name="viewport" content="width=device-width' in html


def test_the_events_page_query_count_does_not_grow_with_rows(
    client, listed, django_assert_max_num_queries
):
    client.get("/events/")  # warm up the per-process caches
    with django_assert_max_num_queries(8) as few:
        client.get("/events/")
    org = make_organization()
    place = make_location(org)
    for n in range(15):
        event = make_event(org, location=place, online=False, languages=["es", "en"])
        cancel(event, event.starts_on, f"Note {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/events/")
    assert r.context["count"] == 19


def test_a_past_date_disappears_and_a_cancelled_date_says_so(client):
    event = make_event(
        title="Weekly clinic", repeat=Repeat.WEEKLY, starts_on=date.today() - timedelta(weeks=2)
    )
    dates = [o.date for o in events.occurrences(event, limit=3)]
    cancel(event, dates[1], "Closed for the holiday")
    html = client.get(event.get_absolute_url()).content.decode()
    assert event.starts_on.isoformat() not in html
    assert "Cancelled" in html and "Closed for the holiday" in html


def test_the_event_page_has_json_ld_event(client):
    import json
    import re

    event = make_event(
        title="Citizenship day", languages=["es"], online_url="https://meet.example/x"
    )
    html = client.get(event.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html).group(1))
    assert data["@type"] == "Event" and data["name"] == "Citizenship day"
    assert data["location"] == {"@type": "VirtualLocation", "url": "https://meet.example/x"}
    assert data["startDate"].endswith(("-08:00", "-07:00"))
    assert data["eventAttendanceMode"].endswith("OnlineEventAttendanceMode")
    assert data["inLanguage"] == ["es"]


def test_times_are_shown_in_the_events_own_time_zone(client):
    event = make_event(time_zone="America/New_York", start_time=time(18), end_time=time(19))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "6 p.m." in html and "America/New_York" in html


def test_the_organization_and_home_pages_show_upcoming_events(client):
    event = make_event(title="Rights workshop")
    make_event(event.organization, title="Old workshop", starts_on=date.today() - timedelta(days=2))
    for url in ("/", event.organization.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Rights workshop" in html and "Old workshop" not in html, url
    assert "webcal://" in client.get(event.organization.get_absolute_url()).content.decode()


def test_the_sitemap_lists_public_upcoming_events(client):
    event = make_event()
    make_event(title="Past", starts_on=date.today() - timedelta(days=5))
    body = client.get("/sitemap.xml").content.decode()
    assert event.get_absolute_url() in body and body.count("/events/") >= 2


# ---------------------------------------------------------------- calendars


def _parse(body):
    import icalendar

    return icalendar.Calendar.from_ical(body)


def _expanded(vevent, count):
    """The VEVENT's dates in UTC, expanded by python-dateutil (not by our code)."""
    from dateutil.rrule import rrulestr

    start = vevent.decoded("dtstart")
    rule = rrulestr(vevent["rrule"].to_ical().decode(), dtstart=start)
    excluded = set()
    for exdate in (
        vevent.get("exdate", [])
        if isinstance(vevent.get("exdate"), list)
        else [vevent.get("exdate")]
    ):
        if exdate is not None:
            excluded |= {d.dt for d in exdate.dts}
    found = []
    for moment in rule:
        if moment not in excluded:
            found.append(moment.astimezone(UTC).replace(tzinfo=None))
        if len(found) == count:
            break
    return found


def test_the_ics_of_a_weekly_event_keeps_6_pm_across_the_fall_change(client):
    event = make_event(
        title="Clinic",
        starts_on=date(2027, 10, 26),
        repeat=Repeat.WEEKLY,
        repeat_until=date(2027, 12, 31),
    )
    cancel(event, date(2027, 11, 2), "Election day")
    r = client.get(reverse("directory:event-ics", args=[event.pk]))
    assert r["Content-Type"].startswith("text/calendar")
    cal = _parse(r.content)
    (vevent,) = cal.walk("VEVENT")
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert vevent["dtstart"].params["TZID"] == "America/Los_Angeles"
    assert _expanded(vevent, 3) == [
        datetime(2027, 10, 27, 1),  # 6 pm PDT
        datetime(2027, 11, 10, 2),  # 6 pm PST; 2 November is cancelled
        datetime(2027, 11, 17, 2),
    ]
    # Our own expansion says the same.
    ours = [o for o in events.occurrences(event, BEFORE_FALL_BACK, limit=4) if not o.cancelled]
    assert [_utc(o) for o in ours] == _expanded(vevent, 3)


def test_the_ics_of_a_monthly_event_across_the_spring_change(client):
    event = make_event(starts_on=date(2027, 2, 9), repeat=Repeat.MONTHLY_WEEKDAY)
    cal = _parse(client.get(reverse("directory:event-ics", args=[event.pk])).content)
    (vevent,) = cal.walk("VEVENT")
    assert vevent["rrule"]["BYDAY"] == ["2TU"]
    # 9 March is still winter time (summer time starts on the 14th); 13 April is not.
    assert _expanded(vevent, 3) == [
        datetime(2027, 2, 10, 2),
        datetime(2027, 3, 10, 2),
        datetime(2027, 4, 14, 1),
    ]


def test_an_until_date_ends_the_rrule_on_that_day(client):
    event = make_event(
        starts_on=date(2027, 1, 4),
        repeat=Repeat.EVERY_N_WEEKS,
        repeat_interval=2,
        repeat_until=date(2027, 2, 1),
    )
    (vevent,) = _parse(client.get(reverse("directory:event-ics", args=[event.pk])).content).walk(
        "VEVENT"
    )
    assert len(_expanded(vevent, 10)) == 3  # 4 January, 18 January, 1 February


def test_a_cancelled_one_off_event_is_cancelled_in_the_calendar(client):
    event = make_event()
    cancel(event, event.starts_on)
    (vevent,) = _parse(client.get(reverse("directory:event-ics", args=[event.pk])).content).walk(
        "VEVENT"
    )
    assert vevent["status"] == "CANCELLED"


def test_the_feeds_hold_the_right_events(client, listed):
    everything = _parse(client.get(reverse("directory:events-feed")).content)
    assert sorted(str(v["summary"]) for v in everything.walk("VEVENT")) == sorted(
        e.title for e in listed.values()
    )
    clinics = _parse(client.get(reverse("directory:events-feed"), {"type": "legal_clinic"}).content)
    assert [str(v["summary"]) for v in clinics.walk("VEVENT")] == ["DACA clinic"]
    org = listed["forum"].organization
    feed = _parse(
        client.get(reverse("directory:organization-events-feed", args=[org.slug])).content
    )
    assert sorted(str(v["summary"]) for v in feed.walk("VEVENT")) == [
        "Support circle",
        "Town forum",
    ]


def test_the_events_page_offers_the_feed_of_its_search_as_webcal(client, listed):
    html = client.get("/events/", {"type": "forum"}).content.decode()
    assert 'href="webcal://testserver/events/calendar.ics?type=forum"' in html


# ---------------------------------------------------------------- CSV


def test_the_csv_is_formula_safe_and_follows_the_search(client, listed):
    import csv
    import io

    listed["clinic"].title = '=HYPERLINK("https://evil.example")'
    listed["clinic"].save()
    r = client.get(reverse("directory:events-export"), {"type": ["legal_clinic", "forum"]})
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["title"] for row in rows) == [
        '\'=HYPERLINK("https://evil.example")',
        "Town forum",
    ]
    forum = next(row for row in rows if row["title"] == "Town forum")
    assert (forum["cost"], forum["free"], forum["place"]) == ("$5", "no", "Fresno, CA")
    assert "curator" not in text


def test_the_organization_page_query_count_does_not_grow_with_events(
    client, django_assert_max_num_queries
):
    org = make_organization()
    make_event(org, languages=["es"])
    client.get(org.get_absolute_url())
    with django_assert_max_num_queries(16) as few:
        client.get(org.get_absolute_url())
    for _n in range(6):
        cancel(make_event(org, languages=["es", "en"]), date.today() + timedelta(days=7))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(org.get_absolute_url()).status_code == 200


def test_load_demo_makes_sample_events_dated_from_today(client, settings):
    from django.core.management import call_command

    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    samples = Event.objects.filter(title__startswith="Sample:")
    assert samples.count() == 6
    assert all(events.occurrences(event) for event in samples)
    assert samples.filter(visibility=Visibility.PARTNERS).count() == 1
    assert samples.filter(location__is_confidential=True).exists()
    assert samples.filter(online=True).exists() and samples.exclude(repeat=Repeat.NONE).exists()
    html = client.get("/events/").content.decode()
    assert "Sample: DACA renewal clinic" in html
    assert "Rapid-response volunteer training" not in html
    call_command("load_demo", verbosity=0)  # again: the same rows, not new ones
    assert Event.objects.filter(title__startswith="Sample:").count() == 6


@pytest.mark.parametrize(
    "prefix, start_label, wrong",
    [("/es", "Desde", ">De<"), ("/zh-hans", "开始日期", "来源"), ("/ko", "시작일", "출처")],
)
def test_the_date_range_says_from_as_a_date_not_as_a_source(client, prefix, start_label, wrong):
    # "From" is also the outreach workbook's "From: <site>" (a source): two messages.
    page = client.get(f"{prefix}/events/").content.decode()
    form = page.split('name="start"', 1)[0].rsplit("<label", 1)[1]
    assert start_label in form and wrong not in form
