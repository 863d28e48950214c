"""What a result card says in one line each: what it is, open now, cost, languages.

Read from what the results page already loaded (the search entry's tags and
the matching services with their hours, languages and fees): no query.
"""

from datetime import datetime

from django import template

from ..models import Fee, Kind

register = template.Library()

_KIND_LABELS = dict(Kind.choices)
_FEE_ORDER = {value: position for position, value in enumerate(Fee.values)}
# The best news first: open around the clock, open now, opening soon.
_HOURS_ORDER = {"always": 0, "open": 1, "opens": 2}


@register.filter
def kinds(organization):
    """The organization's kinds, as labels, from its search entry's `k:` tags."""
    tags = getattr(organization, "index_tags", None) or []
    codes = [tag[2:] for tag in tags if tag.startswith("k:")]
    return [str(_KIND_LABELS[code]) for code in codes if code in _KIND_LABELS]


@register.filter
def soonest_open(organization):
    """The matching service whose hours read best (open 24 hours, open now, opens next), or None."""
    services = [s for s in organization.matching_services if s.hours_status[0] in _HOURS_ORDER]
    if not services:
        return None

    def best_first(service):
        state, when = service.hours_status
        # Of services opening later, the one opening first.
        return (_HOURS_ORDER[state], when if state == "opens" else datetime.min)

    return min(services, key=best_first)


@register.filter
def lowest_fee(organization):
    """The cheapest fee among the matching services (e.g. "Free"), or ""."""
    fees = [s.fee for s in organization.matching_services if s.fee in _FEE_ORDER]
    return Fee(min(fees, key=_FEE_ORDER.get)).label if fees else ""


@register.filter
def all_free(organization):
    """Every matching service is free (so its lawyers are free for this search)."""
    services = organization.matching_services
    return bool(services) and all(s.fee == Fee.FREE for s in services)


@register.filter
def languages(organization):
    """The matching services' languages, each once, in their order.

    Each in its own name (español, 한국어), as its speakers look for it; short.
    """
    names = {}
    for service in organization.matching_services:
        for language in service.languages.all():
            names.setdefault(language.pk, language.native_name or language.display_name)
    return list(names.values())
