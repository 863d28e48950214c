"""Free-text search of organizations: one interface, two backends.

Each organization keeps a denormalized search text: its names, description,
its public services' names and descriptions and their category names (in
English and Spanish), lower-cased and accent-free. Signals keep it current
(directory/signals.py).

- PostgreSQL: a stored, weighted tsvector (names A, alternate and service
  names B, everything else C) built with the `simple` configuration, because
  listings mix English, Spanish and other languages and English stemming
  would mangle them. Words are accent-folded in Python on both sides, which
  does what `unaccent` would. Typos fall back to pg_trgm word similarity.
- SQLite: every query word must appear in the search text; a match in the
  name ranks first. Simpler, and enough for development and small sites.
"""

import re
import unicodedata

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, FloatField, Q, Value, When
from django.utils import translation

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
# Letters and digits only: nothing that tsquery syntax could read as an operator.
_WORD = re.compile(r"[^\W_]+")


def fold(text):
    """Return text lower-cased, without accents and with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def _both_languages(name):
    with translation.override("es"):
        spanish = translation.gettext(name)
    return name if spanish == name else f"{name} {spanish}"


def document_parts(organization, services):
    """Return the (A, B, C) weighted texts for an organization and its public services."""
    terms = {term.name for service in services for term in service.taxonomy_terms.all()}
    a = organization.name
    b = " ".join([organization.alternate_name, *(s.name for s in services)])
    c = " ".join(
        [
            organization.description,
            *(s.description for s in services),
            *(_both_languages(name) for name in sorted(terms)),
        ]
    )
    return tuple(fold(part) for part in (a, b, c))


def refresh(organization_ids, organizations=None):
    """Rebuild the search text (and on PostgreSQL the tsvector) of these organizations.

    `organizations` is the model class, so a migration can pass its
    historical model.
    """
    if organizations is None:
        from .models import Organization as organizations
    rows = organizations.objects.filter(pk__in=set(organization_ids)).prefetch_related(
        "services__taxonomy_terms"
    )
    for organization in rows:
        public = [s for s in organization.services.all() if s.status == "published"]
        a, b, c = document_parts(organization, public)
        values = {"search_text": " ".join(filter(None, (a, b, c)))}
        if connection.vendor == "postgresql":
            values["search_document"] = (
                SearchVector(Value(a), weight="A", config="simple")
                + SearchVector(Value(b), weight="B", config="simple")
                + SearchVector(Value(c), weight="C", config="simple")
            )
        organizations.objects.filter(pk=organization.pk).update(**values)


def clean_query(text):
    return fold(text[:MAX_QUERY_LENGTH].replace("\x00", ""))


def search_organizations(queryset, text):
    """Filter organizations by a query and annotate `rank` (higher is better)."""
    words = _WORD.findall(clean_query(text))[:MAX_WORDS]
    if not words:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, words)
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.annotate(rank=_name_bonus(words))


def _name_bonus(words):
    """Rank a listing whose name holds the query above one that only mentions it."""
    return Case(
        When(name__icontains=" ".join(words), then=2.0),
        When(Q(*(Q(name__icontains=word) for word in words)), then=1.0),
        default=0.0,
        output_field=FloatField(),
    )


def _postgres_search(queryset, words):
    """Every word must match, as a word prefix or, failing that, as a near spelling."""

    def prefix(*ws, op=" & "):
        return SearchQuery(op.join(f"{w}:*" for w in ws), config="simple", search_type="raw")

    for word in words:
        # `%>` (word similarity above pg_trgm.word_similarity_threshold, 0.6)
        # uses the trigram index; it catches "imigration" for "immigration".
        queryset = queryset.filter(
            Q(search_document=prefix(word)) | Q(search_text__trigram_word_similar=word)
        )
    folded = " ".join(words)
    # The name bonus and weights A/B/C make a name match outrank a passing
    # mention (ts_rank alone ranks prefix matches poorly); similarity orders
    # the typo matches, which have no full-text rank.
    return queryset.annotate(
        rank=_name_bonus(words)
        + SearchRank("search_document", prefix(*words, op=" | "))
        + TrigramWordSimilarity(folded, "search_text") / 10
    )
