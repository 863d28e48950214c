"""HSDS schedules -> our weekly hours, or a readable note when they are not weekly hours.

We store hours as weekday rows (directory.models.Schedule): "every Monday,
9 to 5". An HSDS schedule is an iCalendar rule, which can say much more:
every other week, the first Monday of the month, only until June, no times
at all. Turning such a rule into weekly rows would change what it means (a
fortnightly clinic shown as weekly), so it becomes a sentence in the
service's `hours_note` instead, and the import reports it.
"""

from datetime import date, time

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .exports import WEEKDAY_CODES
from .models import Weekday

# Rule parts that make a schedule more than "every week on these days".
NOT_WEEKLY_PARTS = ("bymonthday", "byweekno", "byyearday", "until", "count", "valid_to")


def _text(obj, key):
    value = obj.get(key)
    return "" if value is None else str(value).strip()


def _clock(value):
    try:
        return time.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def _future(value):
    try:
        return date.fromisoformat(value[:10]) > date.today()
    except ValueError:
        return False


def _days(byday):
    """[(ordinal or "", weekday index)] for "MO,1TU,-1FR"; None if a part is unreadable."""
    days = []
    for part in byday.upper().replace(" ", "").split(","):
        if not part:
            continue
        code, ordinal = part[-2:], part[:-2]
        if code not in WEEKDAY_CODES or ordinal not in ("", "+1", "1", "2", "3", "4", "5", "-1"):
            return None
        days.append((ordinal.lstrip("+"), WEEKDAY_CODES.index(code)))
    return days


def weekly_rows(item):
    """Return [(weekday, opens, closes)] when the schedule is plain weekly hours, else None."""
    freq = _text(item, "freq").upper() or "WEEKLY"
    interval = item.get("interval")
    if freq != "WEEKLY" or interval not in (None, "", 1):
        return None
    if any(item.get(part) not in (None, "") for part in NOT_WEEKLY_PARTS):
        return None
    if _future(_text(item, "valid_from")) or _future(_text(item, "dtstart")):
        return None
    opens, closes = _clock(_text(item, "opens_at")), _clock(_text(item, "closes_at"))
    days = _days(_text(item, "byday"))
    if opens is None or closes is None or opens == closes or not days:
        return None
    if any(ordinal for ordinal, _day in days):
        return None
    return [(day, opens, closes) for _ordinal, day in days]


# One message per ordinal and weekday, not "ordinal + weekday": the ordinal agrees with
# the weekday's gender (ru: первый понедельник, первая среда) and goes after it in some
# languages (ar: الاثنين الأول; vi, th, km).
MONTHLY_WEEKDAYS = {
    ("1", 0): pgettext_lazy("a weekday in the month", "first Monday"),
    ("1", 1): pgettext_lazy("a weekday in the month", "first Tuesday"),
    ("1", 2): pgettext_lazy("a weekday in the month", "first Wednesday"),
    ("1", 3): pgettext_lazy("a weekday in the month", "first Thursday"),
    ("1", 4): pgettext_lazy("a weekday in the month", "first Friday"),
    ("1", 5): pgettext_lazy("a weekday in the month", "first Saturday"),
    ("1", 6): pgettext_lazy("a weekday in the month", "first Sunday"),
    ("2", 0): pgettext_lazy("a weekday in the month", "second Monday"),
    ("2", 1): pgettext_lazy("a weekday in the month", "second Tuesday"),
    ("2", 2): pgettext_lazy("a weekday in the month", "second Wednesday"),
    ("2", 3): pgettext_lazy("a weekday in the month", "second Thursday"),
    ("2", 4): pgettext_lazy("a weekday in the month", "second Friday"),
    ("2", 5): pgettext_lazy("a weekday in the month", "second Saturday"),
    ("2", 6): pgettext_lazy("a weekday in the month", "second Sunday"),
    ("3", 0): pgettext_lazy("a weekday in the month", "third Monday"),
    ("3", 1): pgettext_lazy("a weekday in the month", "third Tuesday"),
    ("3", 2): pgettext_lazy("a weekday in the month", "third Wednesday"),
    ("3", 3): pgettext_lazy("a weekday in the month", "third Thursday"),
    ("3", 4): pgettext_lazy("a weekday in the month", "third Friday"),
    ("3", 5): pgettext_lazy("a weekday in the month", "third Saturday"),
    ("3", 6): pgettext_lazy("a weekday in the month", "third Sunday"),
    ("4", 0): pgettext_lazy("a weekday in the month", "fourth Monday"),
    ("4", 1): pgettext_lazy("a weekday in the month", "fourth Tuesday"),
    ("4", 2): pgettext_lazy("a weekday in the month", "fourth Wednesday"),
    ("4", 3): pgettext_lazy("a weekday in the month", "fourth Thursday"),
    ("4", 4): pgettext_lazy("a weekday in the month", "fourth Friday"),
    ("4", 5): pgettext_lazy("a weekday in the month", "fourth Saturday"),
    ("4", 6): pgettext_lazy("a weekday in the month", "fourth Sunday"),
    ("5", 0): pgettext_lazy("a weekday in the month", "fifth Monday"),
    ("5", 1): pgettext_lazy("a weekday in the month", "fifth Tuesday"),
    ("5", 2): pgettext_lazy("a weekday in the month", "fifth Wednesday"),
    ("5", 3): pgettext_lazy("a weekday in the month", "fifth Thursday"),
    ("5", 4): pgettext_lazy("a weekday in the month", "fifth Friday"),
    ("5", 5): pgettext_lazy("a weekday in the month", "fifth Saturday"),
    ("5", 6): pgettext_lazy("a weekday in the month", "fifth Sunday"),
    ("-1", 0): pgettext_lazy("a weekday in the month", "last Monday"),
    ("-1", 1): pgettext_lazy("a weekday in the month", "last Tuesday"),
    ("-1", 2): pgettext_lazy("a weekday in the month", "last Wednesday"),
    ("-1", 3): pgettext_lazy("a weekday in the month", "last Thursday"),
    ("-1", 4): pgettext_lazy("a weekday in the month", "last Friday"),
    ("-1", 5): pgettext_lazy("a weekday in the month", "last Saturday"),
    ("-1", 6): pgettext_lazy("a weekday in the month", "last Sunday"),
}


def _rule(item):
    """The schedule's repetition, in words: "every 2 weeks", "every month"."""
    freq = _text(item, "freq").upper() or "WEEKLY"
    interval = item.get("interval")
    every = interval if isinstance(interval, int) and interval > 1 else 1
    units = {
        "DAILY": (_("every day"), _("every %d days")),
        "WEEKLY": (_("every week"), _("every %d weeks")),
        "MONTHLY": (_("every month"), _("every %d months")),
        "YEARLY": (_("every year"), _("every %d years")),
    }
    one, many = units.get(freq, (_("on a schedule we cannot read (%s)") % freq, None))
    return one if every == 1 or many is None else many % every


def describe(item):
    """Return one schedule as a sentence, e.g. "Every 2 weeks, on Monday, 09:00–12:00."."""
    words = _text(item, "description")
    if not _text(item, "freq") and not _text(item, "byday") and words:
        return words  # a schedule that is only text (our export writes the note so)
    parts = [_rule(item)]
    days = _days(_text(item, "byday")) or []
    if days:
        names = [
            str(MONTHLY_WEEKDAYS[ordinal, day]) if ordinal else str(Weekday(day).label)
            for ordinal, day in days
        ]
        parts.append(_("on %s") % ", ".join(names))
    if _text(item, "bymonthday"):
        parts.append(_("on day %s of the month") % _text(item, "bymonthday"))
    opens, closes = _text(item, "opens_at"), _text(item, "closes_at")
    if opens and closes:
        parts.append(f"{opens[:5]}–{closes[:5]}")
    else:
        parts.append(_("no times given"))
    start = _text(item, "valid_from") or _text(item, "dtstart")
    end = _text(item, "valid_to") or _text(item, "until")
    if start:
        parts.append(_("from %s") % start[:10])
    if end:
        parts.append(_("until %s") % end[:10])
    if isinstance(item.get("count"), int):
        parts.append(_("%d times") % item["count"])
    sentence = ", ".join(parts)
    sentence = sentence[:1].upper() + sentence[1:] + "."
    extra = " ".join(filter(None, [words, _text(item, "notes")]))
    return f"{sentence} {extra}" if extra else sentence


def notes_of(item):
    """Text a weekly schedule carries besides its times (its description and notes)."""
    return " ".join(filter(None, [_text(item, "description"), _text(item, "notes")]))
