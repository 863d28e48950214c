"""Canaries: every kind of hidden listing, and an anonymous visitor walking every public surface.

Each canary carries words, a phone number, an email, a website, a language, a
category and a detention facility that nothing public has. The walk must not
show any of them, and every page must be byte for byte what it is once the
hidden listings are deleted: so no count, option or order gives one away.
"""

import io
import re
import zipfile
from html import escape
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit

import pytest

from directory.models import (
    DetentionFacility,
    Kind,
    OrganizationRedirect,
    PhoneType,
    Population,
    PopulationServed,
    Status,
    Visibility,
)
from tests.factories import (
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_resource,
    make_service,
    make_term,
)
from tests.search_form import default_submission

pytestmark = pytest.mark.django_db

# kind of hidden listing: (its word, its language code and name, its phone digits); none of
# the languages is an interface language, whose name the language switcher shows on every page.
CANARIES = {
    "partners": ("Zorblatt", ("bn", "Bengali"), "7001"),
    "draft": ("Quibbleford", ("am", "Amharic"), "7002"),
    "in review": ("Wexmoorin", ("so", "Somali"), "7003"),
    "archived": ("Plonkhaven", ("ur", "Urdu"), "7004"),
    "partners service": ("Fennimorph", ("ne", "Nepali"), "7005"),
    "draft service": ("Snarfwick", ("ti", "Tigrinya"), "7006"),
}
# The confidential location of a public organization: only its city is public.
CONFIDENTIAL = {
    "name": "Glimmerhaus annex",
    "address_1": "913 Vexley Lane",
    "address_2": "Unit Brindleq",
    "postal_code": "91199",
    "transit": "Brindlecart tram to the end",
    "accessibility": "Thimblewick ramp at the back",
    "latitude": 34.18731,
    "longitude": -118.06197,
}
# Kinds and populations only canaries have.
HIDDEN_KIND, HIDDEN_POPULATION = Kind.YOUTH, Population.LGBTQ
HIDDEN_CITY = "Fresno"


def _canary_words():
    words = []
    for word, (_code, language), digits in CANARIES.values():
        words += [word, language, f"555-{digits}", f"555{digits}", f"{word.lower()}.example"]
    words += [CONFIDENTIAL[field] for field in ("name", "address_1", "address_2", "postal_code")]
    words += ["Vexley", "Brindleq", "Brindlecart", "Thimblewick", "Glimmerhaus"]
    words += ["34.1873", "118.0619", "34.187", "118.062"]
    return words


def _detailed(org_or_service, word, digits, language, *, is_org):
    """Give a listing the canary's distinctive text (and a phone)."""
    org_or_service.description = f"{word} description: the {word} way."
    org_or_service.email = f"help@{word.lower()}.example"
    field = "website" if is_org else "url"
    setattr(org_or_service, field, f"https://{word.lower()}.example/")
    org_or_service.save()
    owner = {"organization" if is_org else "service": org_or_service}
    make_phone(f"(555) 555-{digits}", type=PhoneType.HOTLINE, is_24_hours=True, **owner)


def _hidden_service(org, word, digits, language, status=Status.PUBLISHED):
    code, name = language
    make_language(code, name)
    service = make_service(
        org,
        f"{word} service",
        status=status,
        languages=[code],
        serves_detained=True,
        remote_by_phone=True,
        open_24_7=True,
        fee="free",
    )
    service.taxonomy_terms.set([make_term(f"{word.lower()}-help", f"{word} help")])
    service.detention_facilities.set(
        [DetentionFacility.objects.create(name=f"{word} Processing", city="X", state="CA")]
    )
    service.populations.set(PopulationServed.objects.filter(code=HIDDEN_POPULATION))
    _detailed(service, word, digits, language, is_org=False)
    return service


@pytest.fixture
def world():
    """Public listings, then every kind of hidden listing; return the hidden ones."""
    legal = make_term("legal", "Legal help")
    make_language("es", "Spanish")
    open_harbor = make_organization("Open Harbor", kinds=["community"], slug="open-harbor")
    service = make_service(open_harbor, "Accompaniment", terms=[legal], languages=["es"])
    make_phone("(626) 555-0100", organization=open_harbor)
    make_location(
        open_harbor,
        services=[service],
        city="Pasadena",
        latitude=34.1478,
        longitude=-118.1445,
        address_1="1 Public Way",
        postal_code="91101",
    )
    make_location(open_harbor, city="Pasadena", is_confidential=True, **CONFIDENTIAL)
    clinic = make_organization("Eastside Clinic", kinds=["legal"], doj_recognized=True)
    make_service(clinic, "Asylum help", terms=[legal], languages=["es"], fee="sliding")
    make_location(clinic, latitude=34.0437, longitude=-118.2101, postal_code="90033")

    hidden = []
    statuses = {
        "partners": (Status.PUBLISHED, Visibility.PARTNERS),
        "draft": (Status.DRAFT, Visibility.PUBLIC),
        "in review": (Status.IN_REVIEW, Visibility.PUBLIC),
        "archived": (Status.ARCHIVED, Visibility.PUBLIC),
    }
    for kind, (status, visibility) in statuses.items():
        word, language, digits = CANARIES[kind]
        org = make_organization(
            f"{word} Collective",
            status=status,
            visibility=visibility,
            kinds=[HIDDEN_KIND],
            slug=word.lower(),
            doj_recognized=True,
            attorneys_on_staff=2,
        )
        _detailed(org, word, digits, language, is_org=True)
        _hidden_service(org, word, digits, language)
        make_location(org, city=HIDDEN_CITY, latitude=36.7378, longitude=-119.7871)
        hidden.append(org)
    partners = hidden[0]
    word, language, digits = CANARIES["partners service"]
    hidden.append(_hidden_service(partners, word, digits, language))
    word, language, digits = CANARIES["draft service"]
    hidden.append(_hidden_service(open_harbor, word, digits, language, status=Status.DRAFT))
    # Rights material: public, but sourced from the partners-only organization; and a draft.
    make_resource("Door card", slug="door-card", source_organization=partners)
    word = CANARIES["draft"][0]
    hidden.append(make_resource(f"{word} rights card", slug="hidden-card", status=Status.DRAFT))
    # Merged away into hidden survivors: the old addresses must not lead there.
    OrganizationRedirect.objects.create(old_slug="zorblatt-old", organization=partners)
    OrganizationRedirect.objects.create(old_slug="quibbleford-old", organization=hidden[1])
    return hidden


def _body(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):  # Excel: the text is in the zipped XML
        with zipfile.ZipFile(io.BytesIO(body)) as xlsx:
            return "".join(
                xlsx.read(name).decode()
                for name in sorted(xlsx.namelist())
                if name != "docProps/core.xml"
            )
    return body.decode("utf-8-sig")


def _search_urls(client):
    """Every search a visitor can make from the form: each option, each canary's value."""
    values = set()
    for prefix in ("", "/es"):
        _action, pairs = default_submission(client.get(f"{prefix}/search/").content.decode())
        values |= set(pairs)
    html = client.get("/search/").content.decode()
    values |= set(re.findall(r'name="(\w+)" value="([^"]+)"', html))
    values |= {("kind", code) for code in Kind.values}
    values |= {("population", code) for code in Population.values}
    for name in ("detention", "open_now", "remote"):
        values.add((name, "true"))
    for word, (code, _language), digits in CANARIES.values():
        values |= {("language", code), ("category", f"{word.lower()}-help"), ("q", word)}
        values |= {("q", f"555-{digits}"), ("q", f"{word.lower()}.example")}
    values |= {
        ("facility", str(pk)) for pk in DetentionFacility.objects.values_list("pk", flat=True)
    }
    values |= {("q", word) for word in ("Glimmerhaus", "Vexley", "Brindlecart", "Thimblewick")}
    values |= {("near", f"{HIDDEN_CITY}, CA"), ("near", "Pasadena, CA"), ("near", "91199")}
    values |= {("near", f"{CONFIDENTIAL['latitude']},{CONFIDENTIAL['longitude']}")}
    searches = [urlencode([pair]) for pair in sorted(values) if pair[1] and pair[0] != "radius"]
    searches += ["", "near=Pasadena%2C+CA&sort=distance&radius=5", "detention=true&remote=true"]
    return searches


def _surfaces(client):
    urls = ["/", "/robots.txt", "/sitemap.xml", "/o/open-harbor/", "/who-can-help/"]
    urls += ["/resources/", "/resources/door-card/", "/resources/hidden-card/"]
    urls += ["/resources/?topic=agents&language=en", "/resources/door-card/?lang=es"]
    for search in _search_urls(client):
        urls.append(f"/search/?{search}")
    for search in ("", "q=Zorblatt", "language=hi", "category=legal"):
        urls += [f"/search/export.{fmt}?{search}" for fmt in ("csv", "xlsx", "vcf", "json")]
        urls += [f"/search/outreach.{fmt}?{search}" for fmt in ("csv", "xlsx")]
        urls.append(f"/search/calls.csv?{search}")
        urls.append(f"/search/sheet/?{search}")
    for word, *_rest in CANARIES.values():
        urls += [f"/o/{word.lower()}/", f"/o/{word.lower()}/report/", f"/o/{word.lower()}-old/"]
        # The QR code of a hidden listing's page (directory/share.py): 404 as the page.
        urls.append(f"/share/qr.svg?path=%2Fo%2F{word.lower()}%2F")
    urls += ["/o/no-such-listing/", "/share/qr.svg?path=%2Fo%2Fopen-harbor%2F"]
    return urls + [f"/es{url}" for url in urls if url not in ("/robots.txt", "/sitemap.xml")]


def _walk(client):
    seen = {}
    for url in _surfaces(client):
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        seen[url] = (r.status_code, _body(r))
    return seen


def _without_echo(url, body):
    """The body minus what the visitor typed (a page may repeat a search back)."""
    for _name, value in parse_qsl(urlsplit(url).query):
        for form in {
            value,
            escape(value),
            quote_plus(value),
            quote(value),
            escape(quote_plus(value)),
            # The share block's mailto:, sms: and QR code links quote the page's link again.
            quote(quote_plus(value), safe=""),
        }:
            body = body.replace(form, "")
    return body


def test_no_public_surface_shows_or_counts_a_hidden_listing(client, world):
    with_canaries = _walk(client)
    words = _canary_words()
    for url, (_status, body) in with_canaries.items():
        body = _without_echo(url, body).lower()
        found = [word for word in words if word.lower() in body]
        assert found == [], url
    for slug in ("zorblatt", "quibbleford", "wexmoorin", "plonkhaven"):
        assert with_canaries[f"/o/{slug}/"][0] == 404
        assert with_canaries[f"/o/{slug}-old/"][0] == 404
        assert with_canaries[f"/share/qr.svg?path=%2Fo%2F{slug}%2F"][0] == 404
    assert "Open Harbor" in with_canaries["/search/?near=Pasadena%2C+CA"][1]
    assert "Eastside Clinic" in with_canaries["/search/export.csv?"][1]

    for listing in world:
        listing.delete()
    without_canaries = _walk(client)
    assert without_canaries.keys() == with_canaries.keys()
    differs = [url for url in with_canaries if with_canaries[url] != without_canaries[url]]
    assert differs == []


def test_the_walk_covers_every_filter_and_both_languages(client, world):
    urls = _surfaces(client)
    for name in ("category", "language", "kind", "population", "credential", "fee", "facility"):
        assert any(f"/search/?{name}=" in url for url in urls), name
    for name in ("detention", "open_now", "remote", "q", "near"):
        assert f"/search/?{name}=" in " ".join(urls), name
    assert "/es/search/?language=bn" in urls and "/es/o/open-harbor/" in urls
    assert {url.split("?")[0] for url in urls} >= {
        "/search/export.csv",
        "/search/export.xlsx",
        "/search/export.vcf",
        "/search/export.json",
        "/search/outreach.csv",
        "/search/outreach.xlsx",
        "/search/calls.csv",
        "/search/sheet/",
    }
