"""Free-text search over the search index: one interface, two backends.

Each public organization's SearchEntry (directory/search_index.py) keeps its
words, accent-folded and lower-cased in Python on both sides, so both
databases fold the same way (what `unaccent` would do): names (A), alternate
and service names (B), and descriptions with category names in English and
Spanish (C), each word once.

- PostgreSQL: a stored, weighted tsvector with a GIN index, built with the
  `simple` configuration, because listings mix English, Spanish and other
  languages and English stemming would mangle them. Every query word must
  match a word prefix; ranking reads the stored vector, so the weights count.
- SQLite: every query word must start a word of the entry's text; a match in
  the name ranks first.

Chinese, Japanese, Thai and Khmer are written without spaces, so a word of
theirs is a run of letters that may hold many words: the index keeps each run
as its overlapping pairs of letters (and its last letter), and a query word in
those scripts must have all its pairs there (`terms`). "律师" then finds
"我们提供免费律师咨询", which a prefix test on the whole run never would.

What the words mean is decided before the query, the same way for both:
synonyms, language names, category words and stop words turn the words into
groups of alternatives (directory/synonyms.py), and typos are corrected
against the directory's own words (directory/spelling.py).
"""

import re
import unicodedata
from functools import lru_cache

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.utils import translation

MAX_QUERY_LENGTH = 200
MAX_WORDS = 12
# Letters and digits only: nothing that tsquery syntax could read as an operator.
_WORD = re.compile(r"[^\W_]+")


# Every combining mark of the Basic Multilingual Plane: what NFKD splits off a letter.
_MARKS = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.combining(chr(c))) + "]"
)


def fold(text):
    """Return text lower-cased, without accents and with single spaces."""
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.casefold().split())


def words(text):
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


# Scripts written without spaces between words.
UNSPACED = "\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff"
_RUNS = re.compile(f"[{UNSPACED}]+|[^{UNSPACED}]+")
_UNSPACED_RUN = re.compile(f"[{UNSPACED}]")


def is_unspaced(word):
    return bool(_UNSPACED_RUN.search(word))


def terms(word, indexing=False):
    """The index terms of one folded word: itself, or for unspaced runs their letter pairs.

    A run of one letter is itself. Indexing adds each run's last letter, so a
    one-letter query (a prefix of the terms) finds a letter at a run's end too.
    """
    if not is_unspaced(word):
        return [word]
    out = []
    for run in _RUNS.findall(word):
        if len(run) < 2 or not is_unspaced(run):
            out.append(run)
            continue
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        if indexing:
            out.append(run[-1])
    return out


@lru_cache(maxsize=1024)
def _both_languages(name):
    with translation.override("es"):
        spanish = translation.gettext(name)
    return name if spanish == name else f"{name} {spanish}"


def document_words(name, b_texts, c_texts, term_names):
    """Return the (A, B, C) word lists of an organization and its public services.

    A is the name; B the alternate name and the services' names; C the
    descriptions and the category names in English and Spanish. Each word
    appears once, in the first list that has it: the vector stays small and a
    word in the name counts as a name match.
    """
    texts = ([name], b_texts, [*c_texts, *(_both_languages(t) for t in sorted(term_names))])
    seen = set()
    parts = []
    for part in texts:
        unique = []
        for word in words(" ".join(part)):
            for term in terms(word, indexing=True):
                if term not in seen:
                    seen.add(term)
                    unique.append(term)
        parts.append(unique)
    return tuple(parts)


def query_words(text):
    """The words of what someone typed, as the index stores them (at most MAX_WORDS)."""
    return words(text[:MAX_QUERY_LENGTH].replace("\x00", ""))[:MAX_WORDS]


def matching(entries, groups):
    """Filter SearchEntry rows by these query groups and annotate `rank` (higher is better).

    Every group must match (directory/synonyms.py): one of its alternatives
    (each a tuple of words that must all start a word of the entry's text), or
    one of its tags.
    """
    if not groups:
        return entries.annotate(rank=Value(0.0, output_field=FloatField()))
    shown = [word for group in groups for word in group.shown.split()]
    if connection.vendor == "postgresql":
        return _postgres(entries, groups, shown)
    for group in groups:
        # SQLite tries the alternatives in order and stops at the first that
        # matches: the tags first (one short column), then the words typed.
        condition = Q(tags__has_any=list(group.tags)) if group.tags else Q()
        for alternative in group.alternatives:
            condition |= Q(
                *(
                    Q(text__startswith=term) | Q(text__contains=f" {term}")
                    for term in _terms(alternative)
                )
            )
        entries = entries.filter(condition)
    return entries.annotate(rank=_name_bonus(shown))


def _name_bonus(query):
    """Rank a listing whose name holds the words typed above one that only mentions them."""
    return Case(
        When(name__icontains=" ".join(query), then=2.0),
        When(Q(*(Q(name__icontains=word) for word in query)), then=1.0),
        default=0.0,
        output_field=FloatField(),
    )


def _terms(alternative):
    """An alternative's words as index terms, all required."""
    return [term for word in alternative for term in terms(word)]


def _tsquery(group):
    """A group as tsquery text: (a:* | b:* & c:* | ...), its phrases' words all required."""
    return (
        "("
        + " | ".join(" & ".join(f"{t}:*" for t in _terms(alt)) for alt in group.alternatives)
        + ")"
    )


def _raw(text):
    return SearchQuery(text, config="simple", search_type="raw")


def _postgres(entries, groups, shown):
    # The match alone filters, so the GIN indexes answer it: the groups without
    # tags as one tsquery, each group with tags as "its words or its tags"
    # (a BitmapOr of the document's and the tags' GIN indexes). The rank reads
    # the stored vector (F, not a column name, which would be parsed as text).
    plain = [g for g in groups if not g.tags]
    if plain:
        entries = entries.filter(document=_raw(" & ".join(_tsquery(g) for g in plain)))
    for group in groups:
        if group.tags:
            entries = entries.filter(
                Q(document=_raw(_tsquery(group))) | Q(tags__has_any=list(group.tags))
            )
    # Ranked by the words typed (each group's first alternative): what someone
    # typed outranks its synonyms, and the rank costs what it did before them.
    typed = " | ".join(" & ".join(f"{t}:*" for t in _terms(g.alternatives[0])) for g in groups)
    return entries.annotate(rank=_name_bonus(shown) + SearchRank(F("document"), _raw(typed)))
