"""Rights material: /resources/ and a resource's page, as a reader sees them; curators' uploads."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfWriter

from directory.models import Resource, ResourceVersion, Status, Visibility
from directory.publishing import may_move
from tests.factories import make_organization, make_resource
from tests.test_publish_rule import _as_sent

pytestmark = pytest.mark.django_db

HIDDEN_SOURCE = "Glimmerhaus Partners Collective"


def _url(name, language="en", *args):
    with translation.override(language):
        return reverse(f"directory:{name}", args=args)


@pytest.fixture
def library():
    card = make_resource(
        "Your rights at the door",
        topic="agents",
        reviewed_on="2026-11-02",
        reviewed_by="An immigration attorney",
        source_organization=make_organization("Puente Legal"),
        versions={
            "en": ("Your rights at the door", "Keep the door closed.\n\nAsk for a warrant."),
            "es": ("Sus derechos en la puerta", "Mantenga la puerta cerrada."),
            "ko": ("문 앞에서의 권리", "문을 닫아 두십시오."),
            "fa": ("حقوق شما دم در", "در را بسته نگه دارید."),
        },
    )
    plan = make_resource(
        "Family preparedness plan",
        kind="checklist",
        topic="family-plan",
        not_legal_advice=False,
        source_organization=make_organization(HIDDEN_SOURCE, visibility=Visibility.PARTNERS),
        versions={"en": ("Family preparedness plan", "Choose who cares for your children.")},
    )
    draft = make_resource("Glimmer draft guide", status=Status.DRAFT)
    empty = Resource.objects.create(
        title="Glimmer empty",
        slug="glimmer-empty",
        kind="guide",
        topic="other",
        status=Status.PUBLISHED,
    )
    return {"card": card, "plan": plan, "draft": draft, "empty": empty}


def _titles(response):
    return re.findall(
        r'class="resource-card__title"><a [^>]*>([^<]+)</a>', response.content.decode()
    )


def test_the_library_lists_published_material_and_nothing_else(client, library):
    r = client.get(_url("resources"))
    assert _titles(r) == ["Family preparedness plan", "Your rights at the door"]
    page = r.content.decode()
    assert "Glimmer" not in page  # drafts, and material with no language version
    assert "Español" in page and "한국어" in page  # languages in their own names
    assert "set-cookie" not in {h.lower() for h in r.headers}


def test_filters_come_from_the_form_as_the_browser_sends_it(client, library):
    # An untouched form sends every field, empty.
    assert len(_titles(client.get(_url("resources") + "?topic=&language="))) == 2
    assert _titles(client.get(_url("resources") + "?topic=family-plan&language=")) == [
        "Family preparedness plan"
    ]
    # In Korean: the Korean version's title, linked to that version.
    r = client.get(_url("resources") + "?topic=&language=ko")
    assert _titles(r) == ["문 앞에서의 권리"]
    assert f'href="{library["card"].get_absolute_url()}?lang=ko" lang="ko"' in r.content.decode()
    # The language list offers only languages the material exists in.
    options = re.findall(r'<option value="([^"]*)"', r.content.decode())
    assert {"en", "es", "ko", "fa"} <= set(options) and "vi" not in options


def test_a_filter_we_cannot_use_says_so_and_keeps_the_page(client, library):
    r = client.get(_url("resources") + "?topic=<script>&language=xx")
    assert r.status_code == 200
    assert "Select a valid choice" in r.content.decode()
    assert "<script>" not in r.content.decode()
    assert len(_titles(r)) == 2


def test_the_page_is_in_the_readers_language_where_it_exists(client, library):
    card = library["card"]
    spanish = client.get(_url("resource-detail", "es", card.slug)).content.decode()
    assert "Sus derechos en la puerta" in spanish and "Mantenga la puerta cerrada." in spanish
    assert 'class="notice"' not in spanish
    # Chosen by hand: Persian is right to left inside a page of another language.
    persian = client.get(card.get_absolute_url() + "?lang=fa").content.decode()
    assert 'lang="fa" dir="rtl"' in persian and "حقوق شما دم در" in persian
    # A language it does not exist in: the original, and the page says so.
    vietnamese = client.get(_url("resource-detail", "vi", card.slug)).content.decode()
    assert "Your rights at the door" in vietnamese
    assert 'lang="en" dir="ltr"' in vietnamese
    with translation.override("vi"):
        notice = translation.gettext("Not available in your language yet: shown in %(language)s.")
    assert notice % {"language": "English"} in vietnamese
    # Every other version is one link away, named in its own language.
    assert 'hreflang="ko" lang="ko">한국어: 문 앞에서의 권리</a>' in spanish


def test_the_page_says_who_reviewed_it_and_that_it_is_not_advice(client, library):
    page = client.get(library["card"].get_absolute_url()).content.decode()
    assert "Reviewed on Nov. 2, 2026 by An immigration attorney." in page
    assert "This is general information, not legal advice about your case." in page
    assert 'href="/o/puente-legal/"' in page or "Puente Legal" in page
    plan = client.get(library["plan"].get_absolute_url()).content.decode()
    assert "not legal advice" not in plan


def test_a_hidden_source_organization_is_never_named(client, library):
    for url in (
        _url("resources"),
        library["plan"].get_absolute_url(),
        "/sitemap.xml",
    ):
        assert HIDDEN_SOURCE not in client.get(url).content.decode(), url


def test_drafts_and_empty_material_are_not_found_and_not_in_the_sitemap(client, library):
    assert client.get(library["draft"].get_absolute_url()).status_code == 404
    assert client.get(library["empty"].get_absolute_url()).status_code == 404
    sitemap = client.get("/sitemap.xml").content.decode()
    assert library["card"].get_absolute_url() in sitemap
    assert "glimmer" not in sitemap and "/resources/</loc>" in sitemap


def test_the_library_reads_the_same_few_queries_however_much_it_holds(
    client, library, django_assert_max_num_queries
):
    for n in range(12):
        make_resource(f"Card {n:02d}", versions={"en": (f"Card {n:02d}", "Text"), "es": ("T", "x")})
    with django_assert_max_num_queries(4):
        assert client.get(_url("resources")).status_code == 200


def test_every_page_links_the_library(client, library):
    home = client.get(_url("home", "es")).content.decode()
    assert f'href="{_url("resources", "es")}"' in home


# -- curators


def _pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _new_resource_form(client, **overrides):
    page = client.get(reverse("admin:directory_resource_add"))
    data = _as_sent(page)
    data.update(
        {
            "title": "Rights card",
            "slug": "rights-card",
            "kind": "card",
            "topic": "agents",
            "audience": "everyone",
            "status": "draft",
            "versions-0-language": "es",
            "versions-0-title": "Tarjeta de derechos",
            "versions-0-text": "",
        }
    )
    data.update(overrides)
    return data


def test_a_curator_adds_a_draft_with_a_pdf_stored_under_a_new_name(curator_client):
    upload = SimpleUploadedFile("maria-lopez-card.pdf", _pdf(), "application/pdf")
    r = curator_client.post(
        reverse("admin:directory_resource_add"),
        _new_resource_form(curator_client, **{"versions-0-file": upload}),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    version = ResourceVersion.objects.get()
    assert re.fullmatch(r"resources/[0-9a-f]{32}\.pdf", version.file.name)
    assert version.file.read().startswith(b"%PDF-")
    assert version.resource.status == Status.DRAFT
    assert version.resource.history.count() == 1


def test_a_file_that_is_not_what_it_says_is_refused_and_the_form_keeps_the_rest(curator_client):
    fake = SimpleUploadedFile(
        "card.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
    )
    r = curator_client.post(
        reverse("admin:directory_resource_add"),
        _new_resource_form(curator_client, **{"versions-0-file": fake}),
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "Upload a PDF" in page
    assert 'value="Tarjeta de derechos"' in page and 'value="rights-card"' in page
    assert not Resource.objects.exists()


def test_a_version_needs_text_a_file_or_a_link(curator_client):
    r = curator_client.post(
        reverse("admin:directory_resource_add"), _new_resource_form(curator_client)
    )
    assert r.status_code == 200
    assert "Give the text, a file or a video link." in r.content.decode()
    assert not Resource.objects.exists()


def test_only_publishers_publish_material(curator, publisher, curator_client):
    resource = make_resource(status=Status.DRAFT)
    assert may_move(curator, resource, status=Status.IN_REVIEW)
    assert not may_move(curator, resource, status=Status.PUBLISHED)
    assert may_move(publisher, resource, status=Status.PUBLISHED)
    url = reverse("admin:directory_resource_change", args=[resource.pk])
    r = curator_client.post(url, _as_sent(curator_client.get(url), status="published"))
    assert r.status_code == 200
    changelist = reverse("admin:directory_resource_changelist")
    curator_client.post(changelist, {"action": "publish", "_selected_action": [resource.pk]})
    resource.refresh_from_db()
    assert resource.status == Status.DRAFT


def test_history_revert_cannot_republish_material_for_a_curator(curator_client):
    resource = make_resource(status=Status.PUBLISHED)
    published = resource.history.get()
    resource.status = Status.DRAFT
    resource.save()
    url = reverse(
        "admin:directory_resource_simple_history", args=[resource.pk, published.history_id]
    )
    curator_client.post(url, _as_sent(curator_client.get(url), status="published"))
    resource.refresh_from_db()
    assert resource.status == Status.DRAFT
