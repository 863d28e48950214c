"""Likely duplicate organizations: same website domain, same phone number,
or a very similar name in the same city.

Plain Python over the directory's few thousand rows (difflib for names), so it
works the same on SQLite and PostgreSQL.
"""

import difflib
import re
from dataclasses import dataclass, field
from itertools import combinations
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .models import Organization, Status

NAME_SIMILARITY = 0.85
_FILLER = re.compile(r"\b(the|of|inc|llc|la|el|los|las|de|del|and|y)\b")


def website_domain(url):
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    return host.removeprefix("www.")


def phone_digits(number):
    digits = re.sub(r"\D", "", number)
    return digits[-10:] if len(digits) >= 10 else ""


def _name_key(name):
    name = re.sub(r"[^\w\s]", " ", name.lower())
    return " ".join(_FILLER.sub(" ", name).split())


@dataclass
class Signature:
    name: str
    domain: str = ""
    phones: set = field(default_factory=set)
    cities: set = field(default_factory=set)

    @classmethod
    def of(cls, org):
        return cls(
            name=_name_key(org.name),
            domain=website_domain(org.website),
            phones={phone_digits(p.number) for p in org.phones.all()} - {""},
            cities={loc.city.strip().lower() for loc in org.locations.all()},
        )

    def reasons(self, other):
        found = []
        if self.domain and self.domain == other.domain:
            found.append(_("same website (%(domain)s)") % {"domain": self.domain})
        if self.phones & other.phones:
            found.append(_("same phone number"))
        same_city = self.cities & other.cities
        if same_city and difflib.SequenceMatcher(None, self.name, other.name).ratio() >= (
            NAME_SIMILARITY
        ):
            found.append(_("similar name in %(city)s") % {"city": sorted(same_city)[0].title()})
        return found


def _candidates():
    return Organization.objects.exclude(status=Status.ARCHIVED).prefetch_related(
        "phones", "locations"
    )


def likely_duplicates(name, website="", phones=(), cities=(), exclude_pk=None):
    """Existing organizations that look like the one described: [(org, reasons)]."""
    new = Signature(
        name=_name_key(name),
        domain=website_domain(website),
        phones={phone_digits(p) for p in phones} - {""},
        cities={c.strip().lower() for c in cities if c.strip()},
    )
    found = []
    for org in _candidates().exclude(pk=exclude_pk):
        reasons = new.reasons(Signature.of(org))
        if reasons:
            found.append((org, reasons))
    return found


def duplicate_pairs():
    """Every pair of existing organizations that look alike: [(a, b, reasons)]."""
    signed = [(org, Signature.of(org)) for org in _candidates()]
    pairs = []
    for (a, sig_a), (b, sig_b) in combinations(signed, 2):
        reasons = sig_a.reasons(sig_b)
        if reasons:
            pairs.append((a, b, reasons))
    return pairs
