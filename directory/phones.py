"""Which number to offer a visitor: the one place that decides.

A listing's phones are stored ordered by type, which puts a fax first. Results,
the organization page, the home page and the printable sheet ask here instead.
"""

from django.db.models import Q

from .models import Phone, PhoneType

# Best first. A fax is listed (last) but never offered as the number to call.
_OFFER_ORDER = {PhoneType.HOTLINE: 0, PhoneType.VOICE: 1, PhoneType.TEXT: 2, PhoneType.FAX: 3}


def _rank(phone):
    return (_OFFER_ORDER.get(phone.type, len(_OFFER_ORDER)), not phone.is_24_hours)


def can_call(phone):
    """Whether a person can ring this number: a hotline or a voice line (the call list's)."""
    return phone.type in (PhoneType.HOTLINE, PhoneType.VOICE)


def can_call_or_text(phone):
    """Whether a person can ring or text this number: anything but a fax (contacts' numbers)."""
    return phone.type != PhoneType.FAX


def in_offer_order(phones):
    """Return the phones best first: hotlines, voice lines, text lines, then faxes."""
    return sorted(phones, key=_rank)


def best_number(organization, services=()):
    """Return the phone to offer for these (matching) services of the organization, or None.

    A matching service's hotline or voice line first, then the organization's
    hotline or voice line, then a text line (of a service, then the
    organization's); never a fax. Reads `phones.all()`, so prefetch them.
    """
    service_phones = [phone for service in services for phone in service.phones.all()]
    own_phones = list(organization.phones.all())
    candidates = [
        (_rank(phone)[0] == _OFFER_ORDER[PhoneType.TEXT], position, _rank(phone), phone)
        for position, phones in enumerate((service_phones, own_phones))
        for phone in phones
        if phone.type != PhoneType.FAX
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: candidate[:3])[3]


def attach_phones(organizations, services):
    """Load the phones of these organizations and services in one query (two with languages).

    Each gets its own list, read by `phones.all()` as a prefetch would.
    """
    own, theirs = {}, {}
    if organizations or services:
        rows = Phone.objects.filter(
            Q(service__isnull=True, organization__in=organizations) | Q(service__in=services)
        ).prefetch_related("languages")
        for phone in rows:
            if phone.service_id is None:
                own.setdefault(phone.organization_id, []).append(phone)
            else:
                theirs.setdefault(phone.service_id, []).append(phone)
    for listing, found in [(o, own) for o in organizations] + [(s, theirs) for s in services]:
        listing._prefetched_objects_cache = getattr(listing, "_prefetched_objects_cache", {})
        listing._prefetched_objects_cache["phones"] = found.get(listing.pk, [])


def call_and_text(organization, services=()):
    """Return (number to call, number to text) for the top of an organization's page.

    The best of all its lines and its services' (a 24-hour hotline first, the
    organization's own before a service's of the same kind); either may be
    None. Never a fax. Reads `phones.all()`, so prefetch them.
    """
    phones = in_offer_order(
        [*organization.phones.all(), *(p for service in services for p in service.phones.all())]
    )
    call = next((p for p in phones if p.type in (PhoneType.HOTLINE, PhoneType.VOICE)), None)
    text = next((p for p in phones if p.type == PhoneType.TEXT), None)
    return call, text
