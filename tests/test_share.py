"""Sharing a page without a third party: the link, mailto:, sms: and a QR code drawn here."""

import html
import io
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import segno
from django.contrib.auth.models import Group, User
from django.urls import reverse

from directory.models import Visibility
from tests.factories import make_organization, make_service

pytestmark = pytest.mark.django_db

QR = "/share/qr.svg"


def _qr_of(url, title="QR code of"):
    """The SVG the server must send for this URL: the same code, drawn the same way."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        out,
        kind="svg",
        omitsize=True,
        title=f"{title} {url}",
        dark="#000",
        light="#fff",
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue()


def _share_block(page):
    block = re.search(r'<section class="share.*?</section>', page, re.S)
    assert block, "no share block"
    return block.group(0)


def _attribute(block, pattern):
    match = re.search(pattern, block)
    assert match, pattern
    return html.unescape(match.group(1))


@pytest.fixture
def organization():
    org = make_organization("Safe Harbor")
    make_service(org, "Asylum clinic")
    return org


@pytest.fixture
def partner(client):
    user = User.objects.create_user("refugio", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name="Partners"))
    client.force_login(user)
    return user


def test_a_search_shares_its_canonical_link_without_tracking_or_page(client, organization):
    r = client.get("/es/search/?q=asilo&language=es&utm_source=flyer&fbclid=abc&page=3&near=")
    block = _share_block(r.content.decode())
    link = "http://testserver/es/search/?q=asilo&language=es"
    assert _attribute(block, r'<input type="url" id="share-url"[^>]*value="([^"]*)"') == link
    assert re.search(r'<input type="url" id="share-url"[^>]*readonly', block)
    mailto = urlsplit(_attribute(block, r'href="(mailto:[^"]*)"'))
    fields = parse_qs(mailto.query)
    assert mailto.path == ""  # no address: the visitor chooses whom to send it to
    assert link in fields["body"][0]
    assert "Directorio" in fields["subject"][0] or "Directory" in fields["subject"][0]
    assert "+" not in mailto.query  # spaces are %20: mail clients keep a "+" as a plus
    sms = _attribute(block, r'href="(sms:[^"]*)"')
    assert sms.startswith("sms:?&body=")
    assert link in unquote(sms.removeprefix("sms:?&body="))
    qr = _attribute(block, r'<img src="([^"]*)"')
    assert qr == "/es/share/qr.svg?path=%2Fes%2Fsearch%2F%3Fq%3Dasilo%26language%3Des"
    # The page is in Spanish, and the copy button waits for the script.
    assert "Copiar enlace" in block
    assert re.search(r"<button[^>]*data-copy[^>]*hidden", block)


def test_an_organization_page_shares_its_own_address(client, organization):
    r = client.get(f"/es/o/{organization.slug}/?utm_campaign=spring")
    block = _share_block(r.content.decode())
    url = f"http://testserver/es/o/{organization.slug}/"
    assert _attribute(block, r'id="share-url"[^>]*value="([^"]*)"') == url
    subject = parse_qs(urlsplit(_attribute(block, r'href="(mailto:[^"]*)"')).query)["subject"]
    assert subject[0].startswith("Safe Harbor")
    qr = client.get(_attribute(block, r'<img src="([^"]*)"'))
    assert qr.status_code == 200
    assert qr.content == _qr_of(url, title="Código QR de")


def test_the_resource_sheet_prints_a_qr_code_of_itself(client, organization):
    r = client.get("/search/sheet/?q=asylum&gclid=x")
    page = r.content.decode()
    block = _share_block(page)
    assert "share--printed" in block
    src = _attribute(block, r'<figure class="share__qr">\s*<img src="([^"]*)"')
    assert 'loading="lazy"' not in block  # printed at once, not when scrolled to
    qr = client.get(src)
    assert qr.content == _qr_of("http://testserver/search/sheet/?q=asylum")


def test_the_qr_code_is_an_svg_from_here_cacheable_and_sets_no_cookie(client, organization):
    r = client.get(QR, {"path": "/search/?category=legal&fee=free&utm_medium=print"})
    assert r.status_code == 200
    assert r["Content-Type"] == "image/svg+xml"
    assert r.content == _qr_of("http://testserver/search/?category=legal&fee=free")
    assert (
        r.content.startswith(b"<?xml") and b'<svg xmlns="http://www.w3.org/2000/svg"' in r.content
    )
    assert "public" in r["Cache-Control"] and "max-age=" in r["Cache-Control"]
    assert not r.cookies and "Set-Cookie" not in r.headers
    # Spanish and English pages are different codes.
    es = client.get(QR, {"path": "/es/"})
    assert es.content == _qr_of("http://testserver/es/")


@pytest.mark.parametrize(
    "address",
    [
        "https://evil.example/",
        "//evil.example/search/",
        "http:/search/",
        "javascript:alert(1)",
        "search/",
        "/\\evil.example",
        "/search/\n",
        "/" + "a" * 2001,
        "",
    ],
)
def test_the_qr_code_refuses_anything_but_a_path_here(client, address):
    r = client.get(QR, {"path": address})
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/plain")
    assert "directory" in r.content.decode()
    assert not r.cookies


def test_the_qr_code_of_a_search_too_long_for_a_code_is_refused_clearly(client):
    # 300 Korean letters: 2,700 characters once percent-encoded, more than a code holds.
    r = client.get(QR, {"path": "/search/?q=" + "한" * 300 + "&language=ko"})
    assert r.status_code == 400
    assert "too long for a QR code" in r.content.decode()


@pytest.mark.parametrize(
    "address",
    ["/suggest/", "/partners/", "/admin/", "/o/no-such-place/", "/de/", "/es/suggest/", "/nope/"],
)
def test_the_qr_code_of_a_page_that_is_not_public_is_404(client, address):
    r = client.get(QR, {"path": address})
    assert r.status_code == 404
    assert not r["Content-Type"].startswith("image/")


def test_a_partners_only_page_has_no_qr_code_for_anonymous_visitors(client):
    secret = make_organization("Rapid Response Line", visibility=Visibility.PARTNERS)
    for address in [secret.get_absolute_url(), f"/es{secret.get_absolute_url()}"]:
        r = client.get(QR, {"path": address})
        assert r.status_code == 404
        assert "Rapid Response Line" not in r.content.decode()
    draft = make_organization("Draft org", status="draft")
    assert client.get(QR, {"path": draft.get_absolute_url()}).status_code == 404


def test_a_partner_may_share_a_partners_only_page_never_cached(client, partner):
    secret = make_organization("Rapid Response Line", visibility=Visibility.PARTNERS)
    page = client.get(secret.get_absolute_url()).content.decode()
    block = _share_block(page)
    assert "Only partners who are signed in can open this link." in block
    r = client.get(_attribute(block, r'<img src="([^"]*)"'))
    assert r.status_code == 200
    assert r.content == _qr_of(f"http://testserver{secret.get_absolute_url()}")
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    assert "public" not in r["Cache-Control"]


def test_a_public_page_says_nothing_of_partners(client, organization):
    block = _share_block(client.get(organization.get_absolute_url()).content.decode())
    assert "partners" not in block.lower()


def test_pages_with_nothing_to_share_have_no_share_block(client, organization):
    for url in ["/suggest/", reverse("directory:organization-report", args=[organization.slug])]:
        assert 'class="share' not in client.get(url).content.decode()


def test_the_share_block_asks_the_database_nothing(client, organization, monkeypatch):
    """The visitor is looking at the page, so its links need no visibility query."""
    from directory import share

    def refuse(*args):
        raise AssertionError("the share block asked who may see the page")

    monkeypatch.setattr(share, "audience", refuse)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "share-url" in _share_block(page)


def test_the_results_link_every_export_of_the_same_search_hsds_included(client, organization):
    page = client.get("/search/?q=asylum").content.decode()
    # The outreach files for people first, the data formats for other directories after.
    links = " ".join(re.findall(r'<p class="export-links[^"]*">.*?</p>', page, re.S))
    for fmt in ["csv", "xlsx", "vcf", "json"]:
        assert f'href="/search/export.{fmt}?q=asylum"' in links, fmt
    r = client.get("/search/export.json?q=asylum")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
