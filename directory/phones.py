"""Which number to offer a visitor: the one place that decides.

A listing's phones are stored ordered by type, which puts a fax first. Results,
the organization page, the home page and the printable sheet ask here instead.
"""

from .models import PhoneType

# Best first. A fax is listed (last) but never offered as the number to call.
_OFFER_ORDER = {PhoneType.HOTLINE: 0, PhoneType.VOICE: 1, PhoneType.TEXT: 2, PhoneType.FAX: 3}


def _rank(phone):
    return (_OFFER_ORDER.get(phone.type, len(_OFFER_ORDER)), not phone.is_24_hours)


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
