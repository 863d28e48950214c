"""Sharing a public page without a third party: its link, and its QR code.

A shared link is the page's canonical public address: the language prefix
kept, a search's own filters kept, anything else (tracking parameters, the
page number) dropped. The QR code view encodes only such an address of a
page the visitor may see, never a URL someone typed: no open redirect, and
no QR code of an attacker's site drawn by our server under our name.
"""

import io
from urllib.parse import quote, urlencode, urlsplit

import segno
from django.conf import settings
from django.http import QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .filters import DirectoryFilter
from .models import Organization, Visibility

# The public pages worth sharing. Forms, thanks pages and partner pages are not.
SHAREABLE = {
    "directory:home",
    "directory:search",
    "directory:search-sheet",
    "directory:who-can-help",
    "directory:organization-detail",
}
# Pages whose query string is the search; it is kept, its own filters only.
SEARCHES = {"directory:search", "directory:search-sheet"}
# Longer than any canonical search (the free text alone is at most 200 characters).
MAX_ADDRESS = 2000


class BadAddress(ValueError):
    """Not an address of a page on this site: answered with 400 and this message."""


class NotShareable(LookupError):
    """A local address, but of no public page this visitor may see: answered with 404."""


def search_query(query):
    """Return the urlencoded search filters of a query string, and nothing else."""
    names = DirectoryFilter.base_filters.keys()
    kept = QueryDict(mutable=True)
    for name in names:
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def resolve_public(address):
    """Return (canonical path and query, resolver match) of a local public page's address.

    Raise BadAddress for anything that is not a path on this site, and
    NotShareable for a path that is not a shareable public page.
    """
    if not isinstance(address, str) or not address:
        raise BadAddress(_("Give the address of a page of this directory, such as /search/."))
    parts = urlsplit(address)
    if (
        len(address) > MAX_ADDRESS
        or parts.scheme
        or parts.netloc
        or not address.startswith("/")
        or address.startswith("//")
        or "\\" in address
        or any(ord(character) < 32 or ord(character) == 127 for character in address)
    ):
        raise BadAddress(
            _("Only the address of a page of this directory can be shared, such as /search/.")
        )
    # The language prefix decides which patterns match (/es/o/<slug>/ is Spanish).
    language = translation.get_language_from_path(parts.path) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            match = resolve(parts.path)
        except Resolver404:
            raise NotShareable(address) from None
        if match.view_name not in SHAREABLE:
            raise NotShareable(address)
        path = reverse(match.view_name, kwargs=match.kwargs)
    if match.view_name in SEARCHES:
        query = search_query(QueryDict(parts.query))
        if query:
            path = f"{path}?{query}"
    return path, match


def audience(match, user):
    """Return who may see the page: "public", "partners", or None if not this visitor."""
    if match.view_name != "directory:organization-detail":
        return "public"
    visibility = (
        Organization.objects.visible_to(user)
        .filter(slug=match.kwargs["slug"])
        .values_list("visibility", flat=True)
        .first()
    )
    if visibility is None:
        return None
    return "public" if visibility == Visibility.PUBLIC else "partners"


def qr_svg(url):
    """Return the QR code of a URL as a standalone SVG document (bytes).

    Raise BadAddress if the URL is too long for a QR code a phone can read.
    """
    try:
        # Error correction M: readable from a creased or smudged flyer.
        code = segno.make(url, error="m", micro=False)
    except segno.DataOverflowError:
        raise BadAddress(_("This address is too long for a QR code.")) from None
    output = io.BytesIO()
    # A viewBox without a fixed size: the page sets how large it is drawn.
    code.save(
        output,
        kind="svg",
        omitsize=True,
        title=_("QR code of %(url)s") % {"url": url},
        dark="#000",
        light="#fff",
        svgclass=None,
        lineclass=None,
    )
    return output.getvalue()


def _default_title(view_name):
    titles = {
        "directory:search": _("Immigration help: search results"),
        "directory:search-sheet": _("Where to get help"),
        "directory:who-can-help": _("Who can give immigration legal advice"),
    }
    return titles.get(view_name, _("Find immigration help near you"))


def links(request, title=""):
    """Return the share links of the page being shown, or None if it is not shareable.

    No query: the visitor is looking at the page, so they may see it.
    """
    try:
        path, match = resolve_public(request.get_full_path())
    except (BadAddress, NotShareable):
        return None
    url = request.build_absolute_uri(path)
    title = str(title or _default_title(match.view_name))
    message = f"{title}\n{url}"
    return {
        "url": url,
        # RFC 6068: spaces as %20 (a "+" stays a plus in mail clients).
        "mailto": "mailto:?"
        + urlencode(
            {"subject": f"{title} · {settings.SITE_NAME}", "body": message}, quote_via=quote
        ),
        # "sms:?&body=" is the form both iOS and Android fill in.
        "sms": "sms:?&body=" + quote(message, safe=""),
        "qr": f"{reverse('directory:share-qr')}?{urlencode({'path': path})}",
    }
