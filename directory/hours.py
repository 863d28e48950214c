"""Opening hours: "open now" in SQL for the search filter, and "open now /
opens at" in Python for display, each service in its own time zone.

A closing time earlier than the opening time means the service closes after
midnight: Friday 20:00–02:00 is open early on Saturday too. A holiday
closure cancels the openings that start on that day.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q


def _zone(name):
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def open_at_q(moment, time_zones):
    """Return a Q on Service: open at `moment`, given the time zones services use."""
    from .models import Closure, Schedule

    q = Q(open_24_7=True)
    for name in set(time_zones):
        local = moment.astimezone(_zone(name))
        today, now = local.date(), local.time()
        yesterday = today - timedelta(days=1)
        hours = Schedule.objects.filter(service=OuterRef("pk"))
        closed = Closure.objects.filter(service=OuterRef("pk"))
        started_today = Exists(
            hours.filter(weekday=today.weekday(), opens_at__lte=now).filter(
                Q(closes_at__gt=now) | Q(closes_at__lt=F("opens_at"))
            )
        ) & ~Exists(closed.filter(date=today))
        started_yesterday = Exists(
            hours.filter(
                weekday=yesterday.weekday(), closes_at__lt=F("opens_at"), closes_at__gt=now
            )
        ) & ~Exists(closed.filter(date=yesterday))
        q |= Q(time_zone=name) & (started_today | started_yesterday)
    return q


def _openings(service, day):
    """Yield (opens, closes) aware datetimes of openings starting on `day`."""
    tz = _zone(service.time_zone)
    if any(closure.date == day for closure in service.closures.all()):
        return
    for row in service.schedules.all():
        if row.weekday != day.weekday():
            continue
        opens = datetime.combine(day, row.opens_at, tz)
        closes = datetime.combine(
            day + timedelta(days=1) if row.is_overnight else day, row.closes_at, tz
        )
        yield opens, closes


def status(service, moment):
    """Return ("always", None), ("open", closes), ("opens", opens) or (None, None).

    Times are naive, in the service's own time zone, so templates show them
    as the service states them. Uses the prefetched schedules and closures.
    """
    if service.open_24_7:
        return ("always", None)
    local = moment.astimezone(_zone(service.time_zone))
    today = local.date()
    for opens, closes in sorted(_openings(service, today - timedelta(days=1))) + sorted(
        _openings(service, today)
    ):
        if opens <= local < closes:
            return ("open", closes.replace(tzinfo=None))
    for offset in range(8):
        for opens, _closes in sorted(_openings(service, today + timedelta(days=offset))):
            if opens > local:
                return ("opens", opens.replace(tzinfo=None))
    return (None, None)
