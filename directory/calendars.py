"""iCalendar files and feeds of events, written with the `icalendar` library.

Each event is one VEVENT: its first date in its own time zone (DTSTART with
a TZID, and the VTIMEZONE that defines it, so calendar apps keep 6 pm at 6 pm
across daylight saving), its repeat rule as an RRULE, and its cancelled
dates as EXDATE (a cancelled one-off event says STATUS:CANCELLED). Only
public fields: a confidential place is its city and state, as on the page.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as VEvent

from .events import week_of_month
from .models import Repeat

PRODID = "-//Immigrant advocacy directory//Events//EN"
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def place_text(event):
    """Where, in public words: the address (a confidential place: city and state), or online."""
    parts = []
    if event.location_id:
        location = event.location
        lines = location.public_address_lines
        if location.name and not location.is_confidential:
            lines = [location.name, *lines]
        parts.append(", ".join(lines))
    if event.online:
        parts.append(_("Online"))
    return " · ".join(parts)


def _rrule(event):
    if event.repeat == Repeat.WEEKLY:
        rule = {"freq": "weekly"}
    elif event.repeat == Repeat.EVERY_N_WEEKS:
        rule = {"freq": "weekly", "interval": event.repeat_interval}
    else:
        weekday = _WEEKDAYS[event.starts_on.weekday()]
        rule = {"freq": "monthly", "byday": f"{week_of_month(event.starts_on)}{weekday}"}
    if event.repeat_until:
        # With a zoned DTSTART, UNTIL is in UTC (RFC 5545 3.3.10): the end of that local day.
        last = datetime.combine(event.repeat_until, time(23, 59, 59), event.tz)
        rule["until"] = last.astimezone(UTC)
    return rule


def vevent(event, request):
    tz = event.tz
    item = VEvent()
    item.add("uid", f"event-{event.pk}@{request.get_host()}")
    item.add("dtstamp", event.updated_at.astimezone(UTC))
    item.add("last-modified", event.updated_at.astimezone(UTC))
    item.add("summary", event.title)
    item.add("dtstart", datetime.combine(event.starts_on, event.start_time, tz))
    item.add("dtend", datetime.combine(event.starts_on, event.end_time, tz))
    url = request.build_absolute_uri(event.get_absolute_url())
    item.add("url", url)
    lines = [event.description] if event.description else []
    if event.online and event.online_url:
        lines.append(_("Join online: %(url)s") % {"url": event.online_url})
    if event.registration:
        lines.append(_("How to register: %(text)s") % {"text": event.registration})
    if event.registration_url:
        lines.append(event.registration_url)
    lines.append(_("More: %(url)s") % {"url": url})
    item.add("description", "\n\n".join(lines))
    if place := place_text(event):
        item.add("location", place)
    item.add("organizer", request.build_absolute_uri(event.organization.get_absolute_url()))
    item["organizer"].params["CN"] = event.organization.name
    cancelled = sorted(c.date for c in event.cancellations.all())
    if event.repeats:
        item.add("rrule", _rrule(event))
        if cancelled:
            item.add("exdate", [datetime.combine(day, event.start_time, tz) for day in cancelled])
    elif event.starts_on in cancelled:
        item.add("status", "CANCELLED")
    return item


def calendar(events, request, name):
    """The iCalendar bytes of these events (each with its cancellations prefetched)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    today = first = timezone.localdate()
    for event in events:
        cal.add_component(vevent(event, request))
        first = min(first, event.starts_on)
    # Only the years the events need, not every daylight-saving change since 1970.
    cal.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=today + timedelta(days=366 * 5)
    )
    return cal.to_ical()


def webcal_url(request, path):
    """A subscription link: calendar apps open webcal:// and keep the feed up to date."""
    return "webcal://" + request.build_absolute_uri(path).split("://", 1)[1]
