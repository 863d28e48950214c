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
from django.db.models import BooleanField, Exists, Expression, F, OuterRef, Q


def _zone(name):
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


class _OpenAt(Expression):
    """On an opening row: it is open at one of these clocks, and no closure cancels its day.

    Rendered straight to SQL. Built of a Q and an Exists per clock, the same
    test cost the ORM about 25 ms to build and compile at 28 time zones, on
    each of the three or four uses a results page makes of it. The columns
    are resolved as usual, so the SQL names the table as the query aliases it.
    """

    conditional = True
    output_field = BooleanField()
    _COLUMNS = ("time_zone", "weekday", "starts", "ends", "service_id")

    def __init__(self, clocks):
        super().__init__()
        self.clocks = clocks  # [(zone names, weekday, minute of the week, date)]
        self.columns = [F(name) for name in self._COLUMNS]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def as_sql(self, compiler, connection):
        from .models import Closure

        zone, weekday, starts, ends, service = (compiler.compile(c)[0] for c in self.columns)
        closures = connection.ops.quote_name(Closure._meta.db_table)
        branches, params = [], []
        for names, day, minute, date in self.clocks:
            # Integers first: the terms are tested in this order, and most
            # openings fail on the hour before the zone names are compared.
            branches.append(
                f"({ends} > %s AND {starts} <= %s AND {weekday} = %s"
                f" AND {zone} IN ({', '.join(['%s'] * len(names))}) AND NOT EXISTS (SELECT 1"
                f" FROM {closures} closure WHERE closure.service_id = {service}"
                " AND closure.date = %s))"
            )
            params += [minute, minute, day, *names, connection.ops.adapt_datefield_value(date)]
        return "(" + " OR ".join(branches) + ")", params


def open_now_q(moment, time_zones, organization_ids=None):
    """Return a Q on ServiceEntry: the service is open at `moment`, in its own time zone.

    `organization_ids` narrows the openings looked at (a page of results).

    An indexed range test on the precomputed weekly intervals
    (search_index.weekly_intervals): for each zone in use, the local minute
    of the week must fall in an opening that started today or yesterday,
    unless a closure cancels that day's openings.
    """
    from .models import OpeningInterval
    from .search_index import MINUTES_PER_DAY

    week = 7 * MINUTES_PER_DAY
    # Zones whose clocks read the same now share one test: a few UTC offsets
    # instead of dozens of zone names.
    same_clock = defaultdict(list)
    for name in sorted(set(time_zones)):
        local = moment.astimezone(_zone(name))
        minute = local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute
        same_clock[(local.date(), minute)].append(name)
    clocks = []
    for (today, minute), names in same_clock.items():
        yesterday = today - timedelta(days=1)
        # An opening that started yesterday: on a Monday, yesterday's Sunday
        # opening runs past the end of the week.
        earlier = minute + week if today.weekday() == 0 else minute
        clocks += [
            (names, today.weekday(), minute, today),
            (names, yesterday.weekday(), earlier, yesterday),
        ]
    always = Q(tags__has_all=["always"])
    if not clocks:
        return always
    openings = OpeningInterval.objects.filter(_OpenAt(clocks))
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
