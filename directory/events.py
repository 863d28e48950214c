"""The dates of an event: its repeat rule turned into occurrences.

An event's date and times are wall-clock times in its own time zone, so a
weekly 6 pm clinic is at 6 pm before and after daylight saving changes: the
dates are made in local time and only then given their zone (zoneinfo picks
the right offset for each). The same rule is written into calendars as an
RRULE (directory/calendars.py); tests check the two agree.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Event, Language, Location, Repeat

# A repeating event is looked at this far ahead at most.
HORIZON_DAYS = 366
# How many dates an event's own page lists.
DETAIL_DATES = 8

ORDINALS = {
    1: lambda: pgettext("week of the month", "1st"),
    2: lambda: pgettext("week of the month", "2nd"),
    3: lambda: pgettext("week of the month", "3rd"),
    4: lambda: pgettext("week of the month", "4th"),
    -1: lambda: pgettext("week of the month", "last"),
}


@dataclass(frozen=True)
class Occurrence:
    event: object
    start: datetime  # aware, in the event's time zone
    end: datetime
    cancelled: bool = False
    note: str = ""

    @property
    def date(self):
        return self.start.date()


def week_of_month(day):
    """Which weekday of its month `day` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def _nth_weekday(year, month, weekday, n):
    """The n-th (or with -1 the last) `weekday` of a month."""
    weeks = calendar.monthcalendar(year, month)
    days = [week[weekday] for week in weeks if week[weekday]]
    return date(year, month, days[n - 1] if n > 0 else days[-1])


def _dates(event):
    """Every date of the event, in order (endless for an open-ended repeat)."""
    first = event.starts_on
    if event.repeat == Repeat.NONE:
        yield first
        return
    if event.repeat in (Repeat.WEEKLY, Repeat.EVERY_N_WEEKS):
        step = timedelta(weeks=1 if event.repeat == Repeat.WEEKLY else event.repeat_interval)
        day = first
        while True:
            yield day
            day += step
    n, weekday = week_of_month(first), first.weekday()
    year, month = first.year, first.month
    while True:
        yield _nth_weekday(year, month, weekday, n)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _at(day, time, tz):
    return datetime.combine(day, time).replace(tzinfo=tz)


def occurrences(event, now=None, limit=None, start=None, end=None):
    """The event's occurrences not yet over at `now`, in order, cancelled ones marked.

    `start` and `end` (dates) keep only occurrences on those days; `limit`
    stops after that many. Reads `event.cancellations.all()` (prefetch it
    for a list).
    """
    now = now or timezone.now()
    tz = event.tz
    today = now.astimezone(tz).date()
    last = today + timedelta(days=HORIZON_DAYS)
    if event.repeat_until:
        last = min(last, event.repeat_until)
    if end:
        last = min(last, end)
    cancelled = {c.date: c.note for c in event.cancellations.all()}
    found = []
    for day in _dates(event):
        if day > last:
            break
        if day < today or (start and day < start):
            continue
        ends = _at(day, event.end_time, tz)
        if ends <= now:
            continue
        found.append(
            Occurrence(
                event,
                _at(day, event.start_time, tz),
                ends,
                cancelled=day in cancelled,
                note=cancelled.get(day, ""),
            )
        )
        if limit and len(found) >= limit:
            break
    return found


def next_occurrence(event, now=None, start=None, end=None):
    """The next occurrence that takes place (not cancelled), or None."""
    for occurrence in occurrences(event, now, start=start, end=end):
        if not occurrence.cancelled:
            return occurrence
    return None


def repeat_description(event):
    """The rule in words: "Every week on Tuesday", "Every month on the 2nd Tuesday"."""
    weekday = WEEKDAYS[event.starts_on.weekday()]
    if event.repeat == Repeat.WEEKLY:
        text = _("Every week on %(weekday)s") % {"weekday": weekday}
    elif event.repeat == Repeat.EVERY_N_WEEKS:
        text = _("Every %(n)d weeks on %(weekday)s") % {
            "n": event.repeat_interval,
            "weekday": weekday,
        }
    elif event.repeat == Repeat.MONTHLY_WEEKDAY:
        text = _("Every month on the %(nth)s %(weekday)s") % {
            "nth": ORDINALS[week_of_month(event.starts_on)](),
            "weekday": weekday,
        }
    else:
        return ""
    if event.repeat_until:
        text = _("%(rule)s, until %(date)s") % {
            "rule": text,
            "date": date_format(event.repeat_until, "DATE_FORMAT"),
        }
    return text


def with_next_dates(events, now=None, start=None, end=None, count=3):
    """The events that have a date in the range, each with `upcoming` (its next few dates).

    In the order of their next date; an event whose dates there are all
    cancelled stays, so the cancellation is seen.
    """
    listed = []
    for event in events:
        event.upcoming = occurrences(event, now, limit=count, start=start, end=end)
        if event.upcoming:
            listed.append(event)
    listed.sort(key=lambda e: (e.upcoming[0].start, e.title))
    return listed


def offered_languages():
    """The languages public upcoming events are given in (the /events/ language choices)."""
    return Language.objects.filter(events__in=Event.objects.public().upcoming()).distinct()


def search(queryset, data, now=None):
    """The events of `queryset` matching the /events/ filters, with their next dates.

    `data` is the form's cleaned data (the valid fields only). Returns
    (events, notices). Near a place: events at a location within the
    radius of it, measured to the location's search point (a decoy for a
    confidential place, as in the directory search).
    """
    from . import geo

    notices = []
    events = queryset.upcoming()
    if data.get("type"):
        events = events.filter(event_type__in=data["type"])
    if data.get("language"):
        events = events.filter(languages__code=data["language"])
    if data.get("online"):
        events = events.filter(online=True)
    if data.get("free"):
        events = events.filter(is_free=True)
    if data.get("near"):
        point = geo.locate(data["near"])
        if point is None:
            notices.append(_("We could not find that place. Try a ZIP code."))
        else:
            miles = data.get("radius") or 25
            nearby = (
                Location.objects.within(geo.bounding_box(point, miles))
                .with_distance(point)
                .filter(distance__lte=miles)
            )
            events = events.filter(location__in=nearby.values("pk"))
    found = with_next_dates(
        events.distinct().for_listing(), now, start=data.get("start"), end=data.get("end")
    )
    return found, notices
