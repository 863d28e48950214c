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

import unicodedata

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, FloatField, IntegerField, Q, Value, When
from django.utils import translation

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
# pg_trgm word similarity above which a misspelt query still matches.
TYPO_THRESHOLD = 0.5


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
    words = clean_query(text).split()[:MAX_WORDS]
    if not words:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    folded = " ".join(words)
    if connection.vendor == "postgresql":
        query = SearchQuery(folded, config="simple", search_type="plain")
        return (
            queryset.annotate(
                rank=SearchRank("search_document", query)
                + TrigramWordSimilarity(folded, "search_text") / 10,
                similarity=TrigramWordSimilarity(folded, "search_text"),
            )
            .filter(Q(search_document=query) | Q(similarity__gte=TYPO_THRESHOLD))
            .order_by("-rank", "name")
        )
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    in_name = Q(*(Q(name__icontains=word) for word in words))
    return queryset.annotate(
        rank=Case(
            When(name__icontains=folded, then=2),
            When(in_name, then=1),
            default=0,
            output_field=IntegerField(),
        )
    )
