"""Typo correction against the directory's own words (directory/spelling.py).

Runs on SQLite and on PostgreSQL: both must give the same corrections.
"""

import pytest
from django.core.management import call_command
from django.db import connection

from directory import spelling
from directory.models import Status, Visibility, Word
from tests.factories import make_organization, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary():
    make_organization(
        "Hanbit Legal Center",
        description="Asylum and immigration help; legal clinics for families.",
    )
    make_organization(
        "Centro de Ayuda",
        description="Asesoría de asilo y defensa contra la deportación. Abogados.",
    )
    make_organization("Eastside Lawyers Guild", description="Asylum lawyers, removal defense.")
    spelling.rebuild()


def corrections(*words):
    return dict(spelling.correct(words))


def test_typos_are_corrected_to_the_nearest_directory_word(vocabulary):
    assert corrections("asilum", "hambit", "imigration", "legl") == {
        "asilum": "asylum",  # one letter off, though the Spanish "asilo" shares more trigrams
        "hambit": "hanbit",
        "imigration": "immigration",
        "legl": "legal",
    }


def test_spanish_words_are_in_the_vocabulary_folded(vocabulary):
    assert Word.objects.filter(word="deportacion").exists()
    assert corrections("deportacion", "deportasion") == {
        "deportacion": None,
        "deportasion": "deportacion",
    }


def test_known_words_and_their_beginnings_are_left_alone(vocabulary):
    # "immig" and "lawy" are how the prefix search finds "immigration", "lawyers".
    assert corrections("asylum", "legal", "immig", "lawy", "abogados") == dict.fromkeys(
        ["asylum", "legal", "immig", "lawy", "abogados"]
    )


def test_nonsense_short_words_and_numbers_get_no_suggestion(vocabulary):
    assert corrections("zzzxq", "lg", "90033", "asylum2") == dict.fromkeys(
        ["zzzxq", "lg", "90033", "asylum2"]
    )


def test_the_answer_keeps_the_query_words_order_and_repeats(vocabulary):
    assert spelling.correct(["legl", "asylum", "legl"]) == [
        ("legl", "legal"),
        ("asylum", None),
        ("legl", "legal"),
    ]
    assert spelling.correct([]) == []


def test_frequency_counts_public_organizations(vocabulary):
    assert Word.objects.get(word="asylum").frequency == 2
    assert Word.objects.get(word="hanbit").frequency == 1


def test_hidden_listings_words_stay_out_of_the_vocabulary():
    public = make_organization("Open Door Clinic", description="Free legal help.")
    make_organization("Zebracanary Partners", visibility=Visibility.PARTNERS)
    make_organization("Quokkacanary Draft", status=Status.DRAFT)
    make_service(public, name="Ocelotcanary intake", status=Status.DRAFT)
    spelling.rebuild()

    words = set(Word.objects.values_list("word", flat=True))
    assert {"zebracanary", "quokkacanary", "ocelotcanary"}.isdisjoint(words)
    assert "clinic" in words
    assert corrections("zebracanery", "quokkacanery", "ocelotcanery") == dict.fromkeys(
        ["zebracanery", "quokkacanery", "ocelotcanery"]
    )


def test_ties_go_to_the_more_frequent_word_then_alphabetical_order():
    make_organization("Card Office", description="card")
    make_organization("Cart Office", description="cart")
    spelling.rebuild()
    # "carx" is as near to "card" as to "cart": equal use, first in A-Z.
    assert corrections("carx") == {"carx": "card"}

    make_organization("Second Cart Office", description="cart")
    spelling.rebuild()
    assert corrections("carx") == {"carx": "cart"}


def test_add_words_makes_a_new_word_known():
    make_organization("Open Door Clinic", description="Legal help.")
    spelling.rebuild()
    assert corrections("tenat") == {"tenat": None}  # also loads the vocabulary in memory

    assert spelling.add_words(["tenant rights clinic", "tenant union"]) == 3
    assert corrections("tenat", "tenant") == {"tenat": "tenant", "tenant": None}
    assert Word.objects.get(word="tenant").frequency == 2
    # Known words keep their count until the next rebuild.
    assert Word.objects.get(word="clinic").frequency == 1
    assert spelling.add_words(["tenant"]) == 0


def test_rebuild_drops_words_no_public_listing_has_any_more():
    organization = make_organization("Walrusword Center")
    spelling.rebuild()
    assert corrections("walruswrd") == {"walruswrd": "walrusword"}

    organization.visibility = Visibility.PARTNERS
    organization.save()
    spelling.rebuild()
    assert corrections("walruswrd") == {"walruswrd": None}


def test_one_query_for_all_the_words(vocabulary, django_assert_num_queries):
    words = ["asilum", "hambit", "imigration", "legl", "asylum", "zzzxq"]
    if connection.vendor == "postgresql":
        with django_assert_num_queries(1):
            spelling.correct(words)
    else:
        # Reading the vocabulary's version, then loading the changed vocabulary.
        with django_assert_num_queries(2):
            spelling.correct(words)
        with django_assert_num_queries(1):
            assert corrections(*words)["asilum"] == "asylum"


def test_no_query_without_a_word_to_correct(vocabulary, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert spelling.correct(["lg", "911"]) == [("lg", None), ("911", None)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram index")
def test_rebuild_keeps_the_trigram_index(vocabulary):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'directory_word_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
    assert "fastupdate" in definition


def test_similarity_is_pg_trgm_similarity():
    assert spelling.trigrams("cat") == {"  c", " ca", "cat", "at "}
    assert spelling.similarity("asilum", "asylum") == 4 / 10
    assert spelling.similarity("word", "word") == 1.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm's own similarity")
def test_python_similarity_equals_pg_trgm():
    pairs = [("asilum", "asylum"), ("asilum", "asilo"), ("legl", "legal"), ("hambit", "hanbit")]
    pairs += [("deportasion", "deportacion"), ("carx", "card"), ("zzzxq", "legal")]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert cursor.fetchone()[0] == pytest.approx(spelling.similarity(a, b), abs=1e-6)


def test_load_demo_fills_the_vocabulary():
    call_command("load_demo", verbosity=0)
    loaded = dict(Word.objects.values_list("word", "frequency"))
    assert loaded
    spelling.rebuild()
    assert dict(Word.objects.values_list("word", "frequency")) == loaded


def test_a_word_added_after_a_search_is_a_correction_at_once(client, vocabulary):
    # The in-memory vocabulary (SQLite) is keyed on the index's generation token; a
    # search reads the token for its own request, which must not outlive it.
    assert corrections("hambit") == {"hambit": "hanbit"}
    assert client.get("/search/?q=asylum").status_code == 200
    make_organization("Quetzal Legal", description="Asylum help.")
    spelling.rebuild()
    assert corrections("quetzel") == {"quetzel": "quetzal"}
