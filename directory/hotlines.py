"""The home page's 24-hour lines, each labelled with the area it serves.

Someone in an emergency picks the line for their area from the label, so a
Chicago number among Los Angeles ones says so.
"""

from . import recent
from .models import AreaType, Location, Phone, PhoneType, Service

LIMIT = 12


def _areas(names):
    return [name.strip() for name in names.split(";") if name.strip()]


def shown():
    """The lines as the home and error pages show them: the same until a listing changes."""
    return recent.answer(("hotlines",), twenty_four_hour_lines)


def twenty_four_hour_lines():
    """Return up to LIMIT public 24-hour lines (never a fax), each with `owner` and its area.

    The area: `nationwide`, `areas` (the service's areas served; for an
    organization's own line, those of its public services) and `places`
    ("City, ST" of the organization's locations, which are public even for a
    confidential one). Three queries.
    """
    lines = list(
        Phone.objects.public()
        .filter(is_24_hours=True)
        .exclude(type=PhoneType.FAX)
        .select_related("organization", "service__organization")
        .order_by("number")[:LIMIT]
    )
    for phone in lines:
        phone.owner = phone.organization or phone.service.organization
    owners = {phone.owner.pk for phone in lines}
    places, served = {}, {}
    for organization_id, city, state in Location.objects.filter(
        organization__in=owners
    ).values_list("organization_id", "city", "state"):
        found = places.setdefault(organization_id, [])
        if f"{city}, {state}" not in found:
            found.append(f"{city}, {state}")
    for organization_id, area_type, names in (
        Service.objects.public()
        .filter(organization__in=owners)
        .values_list("organization_id", "area_type", "area_names")
    ):
        served.setdefault(organization_id, []).append((area_type, names))
    for phone in lines:
        if phone.service is not None:
            services = [(phone.service.area_type, phone.service.area_names)]
        else:
            services = served.get(phone.owner.pk, [])
        phone.nationwide = any(area_type == AreaType.NATIONWIDE for area_type, _n in services)
        phone.areas = list(dict.fromkeys(a for _t, names in services for a in _areas(names)))
        phone.places = places.get(phone.owner.pk, [])[:2]
    return lines
