"""Opening hours: "open now" in SQL for the search filter (over the search index), and "open now /
opens at" in Python for display, each service in its own time zone.

A closing time earlier than the opening time means the service closes after
midnight: Friday 20:00–02:00 is open early on Saturday too. A holiday
closure cancels the openings that start on that day.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Exists, OuterRef, Q


def _zone(name):
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def open_now_q(moment, time_zones, organization_ids=None):
    """Return a Q on ServiceEntry: the service is open at `moment`, in its own time zone.

    `organization_ids` narrows the openings looked at (a page of results).

    An indexed range test on the precomputed weekly intervals
    (search_index.weekly_intervals): for each zone in use, the local minute
    of the week must fall in an opening that started today or yesterday,
    unless a closure cancels that day's openings.
    """
    from .models import Closure, OpeningInterval
    from .search_index import MINUTES_PER_DAY

    week = 7 * MINUTES_PER_DAY
    # Zones whose clocks read the same now share one test: a few UTC offsets
    # instead of dozens of zone names.
    same_clock = defaultdict(list)
    for name in sorted(set(time_zones)):
        local = moment.astimezone(_zone(name))
        minute = local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
        same_clock[(local.date(), minute)].append(name)
    q = Q()
    closed = Closure.objects.filter(service=OuterRef("service_id"))
    for (today, minute), names in same_clock.items():
        yesterday = today - timedelta(days=1)
        # An opening that started yesterday: on a Monday, yesterday's Sunday
        # opening runs past the end of the week.
        earlier = minute + week if today.weekday() == 0 else minute
        q |= Q(
            time_zone__in=names, weekday=today.weekday(), starts__lte=minute, ends__gt=minute
        ) & ~Exists(closed.filter(date=today))
        q |= Q(
            time_zone__in=names,
            weekday=yesterday.weekday(),
            starts__lte=earlier,
            ends__gt=earlier,
        ) & ~Exists(closed.filter(date=yesterday))
    always = Q(tags__has_all=["always"])
    if not q:
        return always
    openings = OpeningInterval.objects.filter(q)
    if organization_ids is not None:
        openings = openings.filter(organization_id__in=organization_ids)
    # EXISTS: a page of results probes its services' openings by index; a
    # count over all of them may still hash them once.
    return always | Exists(openings.filter(service_id=OuterRef("pk")))


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
