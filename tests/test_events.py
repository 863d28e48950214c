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
