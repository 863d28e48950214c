"""The search vocabulary: how words are understood, the shipped defaults, and curators' edits."""

import pytest

from directory import default_synonyms, synonyms
from directory.models import SearchSynonym
from tests.factories import make_organization, make_service, make_term

pytestmark = pytest.mark.django_db


def names(client, q, lang=""):
    r = client.get(f"{lang}/search/", {"q": q})
    assert r.status_code == 200
    return [org.name for org in r.context["page"].object_list]


def vocabulary(*rows):
    fields = {"languages": "", "categories": "", "filters": "", "is_stop_words": False}
    return synonyms.Vocabulary(
        [
            {**fields, **dict(zip(("concept", "words"), row[:2], strict=True)), **row[2]}
            for row in rows
        ]
    )


def test_the_longest_phrase_wins_and_stop_words_are_left_out():
    v = vocabulary(
        ("stop", "de, la, the", {"is_stop_words": True}),
        ("hotline", "hotline, línea de ayuda", {"categories": "rapid-response"}),
        ("help", "ayuda", {}),
    )
    groups = v.understand(["linea", "de", "ayuda", "la", "clinic"])
    assert [g.shown for g in groups] == ["linea de ayuda", "clinic"]
    hotline, clinic = groups
    # The typed phrase without its stop words, then the concept's words.
    assert hotline.alternatives == (("linea", "ayuda"), ("hotline",))
    assert hotline.tags == ("c:rapid-response",)
    assert clinic.alternatives == (("clinic",),) and not clinic.known
    # "ayuda" alone is its own concept; plural forms are understood.
    assert v.understand(["ayudas"])[0].alternatives == (("ayudas",), ("ayuda",))
    assert v.understand(["hotlines"])[0].known


def test_a_query_of_stop_words_only_is_searched_as_typed():
    v = vocabulary(("stop", "de, la", {"is_stop_words": True}))
    assert [g.shown for g in v.understand(["de", "la"])] == ["de", "la"]


def test_words_written_without_spaces_are_split_into_vocabulary_words():
    v = vocabulary(("free", "免费", {"filters": "free"}), ("lawyer", "律师", {}))
    assert [g.shown for g in v.understand(["免费律师"])] == ["免费", "律师"]
    assert [g.shown for g in v.understand(["律师事务所"])] == ["律师", "事务所"]


def test_a_concept_stands_for_its_tags_and_every_language_s_words():
    v = vocabulary(
        ("language-ko", "korean", {"languages": "ko"}),
        ("language-ko", "coreano", {}),
        ("language-ko", "한국어", {}),
        ("faith", "iglesia", {"filters": "kind:faith, serves:families, free"}),
    )
    (group,) = v.understand(synonyms.search.words("한국어"))
    assert set(group.alternatives) == {
        tuple(synonyms.search.words(w)) for w in ("korean", "coreano", "한국어")
    }
    assert group.tags == ("l:ko",)
    assert v.understand(["iglesia"])[0].tags == ("fee:free", "k:faith", "p:families")


def test_the_defaults_are_loaded_once_and_never_overwrite_a_curator():
    expected = {(row["concept"], row["language"]) for row in default_synonyms.rows()}
    stored = set(SearchSynonym.objects.values_list("concept", "language"))
    assert stored == expected  # migration 0014 loaded them
    lawyer = SearchSynonym.objects.get(concept="lawyer", language="es")
    lawyer.words = "abogado"
    lawyer.save()
    SearchSynonym.objects.filter(concept="asylum", language="es").delete()
    assert default_synonyms.load(SearchSynonym) == 1
    assert SearchSynonym.objects.get(concept="lawyer", language="es").words == "abogado"
    assert default_synonyms.load(SearchSynonym) == 0


def test_every_default_row_is_valid():
    """Codes the defaults name exist in the reference data (fixtures/)."""
    from django.core.management import call_command

    call_command("load_demo", "--reference-only", verbosity=0)
    for row in SearchSynonym.objects.all():
        assert synonyms.problems(row) == {}, row


def test_a_curator_extends_the_vocabulary_and_the_next_search_uses_it(curator_client):
    transport = make_term("mutual-aid.transportation", "Transportation")
    make_service(make_organization("Ride Share Collective"), "Rides", terms=[transport])
    make_organization("Bus Museum", description="Old buses.")
    assert names(curator_client, "pase de autobús", "/es") == []
    r = curator_client.post(
        "/admin/directory/searchsynonym/add/",
        {
            "concept": "bus-pass",
            "language": "es",
            "words": "pase de autobús, pase de bus",
            "languages": "",
            "categories": "mutual-aid.transportation",
            "filters": "",
            "notes": "Asked for at the Pomona clinic.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    # No restart: the saving renewed the index's generation token.
    assert names(curator_client, "pase de autobús", "/es") == ["Ride Share Collective"]
    row = SearchSynonym.objects.get(concept="bus-pass")
    assert row.history.count() == 1
    history = curator_client.get(f"/admin/directory/searchsynonym/{row.pk}/history/")
    assert history.status_code == 200
    r = curator_client.post(
        f"/admin/directory/searchsynonym/{row.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert r.status_code == 200
    assert names(curator_client, "pase de autobús", "/es") == []


def test_the_admin_refuses_codes_the_search_cannot_use(curator_client):
    r = curator_client.post(
        "/admin/directory/searchsynonym/add/",
        {
            "concept": "oops",
            "language": "en",
            "words": " , ",
            "languages": "klingon",
            "categories": "no.such.category",
            "filters": "gratis",
        },
    )
    assert r.status_code == 200
    page = r.content.decode()
    for message in (
        "Type at least one word.",
        "No language has the code: klingon.",
        "No category has the code: no.such.category.",
        "Not a filter the search knows: gratis.",
    ):
        assert message in page
    assert not SearchSynonym.objects.filter(concept="oops").exists()
