"""Typo correction against a vocabulary of the directory's own words.

The vocabulary (`Word`) holds every distinct word of the public
organizations' search texts (SearchEntry.text, already lower-cased and
accent-free) with the number of public organizations using it. Only public
organizations count, so a correction never reveals a draft or partners-only
listing's words.

A query word is corrected when it is not a vocabulary word nor the beginning
of one (the search matches word prefixes: "immig" finds "immigration"), has at
least MIN_LENGTH letters and no digit (numbers and ZIP codes are not typos).
Words of the scripts written without spaces (Chinese, Japanese, Thai, Khmer)
are never corrected: the index holds them as pairs of letters (search.terms),
which trigrams cannot compare.
Its correction is found among the vocabulary words most similar to it by
pg_trgm's trigram similarity (at least THRESHOLD): the one needing the fewest
edits, then the most similar, the most frequent, the first in A-Z, so the
answer is deterministic.

- PostgreSQL: a trigram GIN index on the vocabulary (migration 0013) finds the
  candidates of every query word in one query; Python re-scores them, so both
  databases pick the same word.
- Other databases: the vocabulary is held in process memory with a trigram
  index of its own, reloaded when the index's generation token (in the
  cache, renewed by every change, directory/choices.py) differs from the one
  loaded.
"""

import bisect
import re
import threading
import uuid
from collections import Counter, defaultdict

from django.core.cache import cache
from django.db import connections, router, transaction

from . import choices, search
from .models import SearchEntry, Word

MIN_LENGTH = 3
# Lowest similarity of a correction. pg_trgm's default `%` threshold (0.3)
# suits single words: asilum/asylum 0.4, legl/legal 0.375, zzzxq/anything < 0.2.
THRESHOLD = 0.3
# PostgreSQL returns this many best candidates per word for Python to re-score.
CANDIDATES = 8
# PostgreSQL only. fastupdate off: add_words' rows go straight into the index,
# not into a pending list every search would read through.
CREATE_TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS directory_word_trgm ON directory_word"
    " USING gin (word gin_trgm_ops) WITH (fastupdate = off)"
)
DROP_TRIGRAM_INDEX = "DROP INDEX IF EXISTS directory_word_trgm"
_WORD = re.compile(r"[^\W_]+")
_CHUNK = 2000


def words_of(text):
    """The set of vocabulary words in a folded text: runs of letters, digits excluded."""
    return {
        w
        for w in _WORD.findall(text)
        if w.isalpha() and len(w) <= Word.MAX_LENGTH and not search.is_unspaced(w)
    }


def trigrams(word):
    """pg_trgm's trigrams of one word: padded with two spaces in front, one behind."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a, b):
    """pg_trgm's similarity of two words: shared trigrams over all their trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    common = len(ta & tb)
    return common / (len(ta) + len(tb) - common)


def rebuild(words=None):
    """Recompute the whole vocabulary from the search index's texts (public listings only).

    `words` is the Word model, or a migration's historical one. Returns the
    number of words.
    """
    words = words or Word
    counts = Counter()
    # Streamed, so memory stays flat; splitting in Python keeps the
    # vocabulary identical on every database (and beats SQL's split here).
    texts = SearchEntry.objects.using(router.db_for_write(words)).values_list("text", flat=True)
    for text in texts.iterator(chunk_size=_CHUNK):
        counts.update(words_of(text))
    rows = (words(word=w, frequency=n) for w, n in sorted(counts.items()))
    using = router.db_for_write(words)
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            _replace_postgres(connections[using], words, rows)
        else:
            words.objects.using(using).all().delete()
            words.objects.using(using).bulk_create(rows, batch_size=_CHUNK)
        _changed(using)
    return len(counts)


def _replace_postgres(connection, words, rows):
    """Empty the table, fill it, and build its trigram index afresh.

    A GIN index filled row by row keeps the statistics of its last build or
    vacuum; built on an empty table it looks so costly that the planner scans
    the whole table for every word. Built after the rows, it is also faster.
    Searches wait for the few hundred milliseconds until commit.
    """
    table = connection.ops.quote_name(words._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(DROP_TRIGRAM_INDEX)
        cursor.execute(f"TRUNCATE {table}")
        words.objects.using(connection.alias).bulk_create(rows, batch_size=_CHUNK)
        cursor.execute(CREATE_TRIGRAM_INDEX)
        cursor.execute(f"ANALYZE {table}")


def add_words(texts):
    """Add the words of freshly indexed public search texts that are not known yet.

    New words get the number of these texts holding them as frequency; known
    words keep theirs, so frequencies are approximate until the next rebuild().
    Pass only public organizations' texts. A word whose last public listing
    left stays until the next rebuild(). Returns the number of words added.
    """
    counts = Counter()
    for text in texts:
        counts.update(words_of(text))
    if not counts:
        return 0
    candidates = sorted(counts)
    words = Word.objects.using(router.db_for_write(Word))
    known = set()
    for start in range(0, len(candidates), _CHUNK):
        chunk = candidates[start : start + _CHUNK]
        known.update(words.filter(word__in=chunk).values_list("word", flat=True))
    new = [Word(word=w, frequency=counts[w]) for w in candidates if w not in known]
    if new:
        # A concurrent indexer may have added the same word meanwhile.
        words.bulk_create(new, batch_size=_CHUNK, ignore_conflicts=True)
        _changed(words.db)
    return len(new)


def correct(words, extra=None):
    """Return [(word, correction or None)] for folded, lower-case query words.

    None means the word is left as it is: known (a vocabulary word or the
    beginning of one), too short, holding a digit, or with nothing similar
    enough. `extra` is a MemoryVocabulary of more words a correction may be
    (the search synonyms, directory/synonyms.py), which count as known too.
    One query on PostgreSQL for all the words; on other databases one
    (reading the vocabulary version) plus one when the vocabulary changed.
    """
    words = list(words)
    todo = sorted(
        {
            w
            for w in words
            if w.isalpha()
            and MIN_LENGTH <= len(w) <= Word.MAX_LENGTH
            and not search.is_unspaced(w)
            and not (extra and extra.is_known(w))
        },
    )
    found = {}
    if todo:
        # A public search may read from the replica (directory/db_router.py).
        connection = connections[router.db_for_read(Word)]
        if connection.vendor == "postgresql":
            looked_up = _postgres_candidates(connection, todo)
        else:
            looked_up = _memory_candidates(todo)
        for word, (known, candidates) in looked_up.items():
            if extra and not known:
                candidates = [*candidates, *extra.similar(word)]
            found[word] = None if known else _best(word, candidates)
    return [(w, found.get(w)) for w in words]


def _best(word, candidates):
    """The best of the CANDIDATES most similar words at least THRESHOLD similar.

    Trigrams find the candidates; among them the fewest edits wins, so
    "asilum" is "asylum" (one letter) rather than the Spanish "asilo", which
    shares more trigrams. Then similarity, frequency, and A-Z break ties.
    """
    scored = [(-similarity(word, w), -frequency, w) for w, frequency in candidates]
    nearest = sorted(s for s in scored if -s[0] >= THRESHOLD)[:CANDIDATES]
    if not nearest:
        return None
    return min(nearest, key=lambda s: (edits(word, s[2]), s))[2]


def edits(a, b):
    """Letters to insert, delete, replace or swap (adjacent) to turn a into b."""
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]


def _postgres_candidates(connection, todo):
    """{word: (known, [(candidate, frequency)])} in one query, through the trigram index.

    A known word is reported as one without candidates: `correct` leaves both alone.
    """
    table = connection.ops.quote_name(Word._meta.db_table)
    parts, params = [], []
    for i, word in enumerate(todo):
        # The LIKE pattern reaches the planner as a constant, so the word
        # column's pattern index serves it (letters only: nothing to escape);
        # it runs once and skips the trigram search of a known word. `%` uses
        # the GIN index; referring to `cfg` makes it run after set_config().
        parts.append(
            f"(SELECT %s, c.word, c.frequency FROM cfg CROSS JOIN LATERAL"
            f" (SELECT word, frequency FROM {table} WHERE cfg.t IS NOT NULL"
            f" AND NOT EXISTS (SELECT FROM {table} WHERE word LIKE %s) AND word %% %s"
            f' ORDER BY similarity(word, %s) DESC, frequency DESC, word COLLATE "C"'
            f" LIMIT {CANDIDATES:d}) c)"
        )
        params += [i, word + "%", word, word]
    # A little below THRESHOLD, so float4 rounding cannot drop a borderline
    # word (Python applies THRESHOLD exactly); `true`: for this query's
    # transaction only.
    sql = (
        "WITH cfg AS MATERIALIZED (SELECT set_config('pg_trgm.similarity_threshold', %s, true)"
        " AS t) " + " UNION ALL ".join(parts)
    )
    result = {word: (False, []) for word in todo}
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(THRESHOLD - 0.05), *params])
        for i, candidate, frequency in cursor.fetchall():
            result[todo[i]][1].append((candidate, frequency))
    return result


class MemoryVocabulary:
    """The whole vocabulary in memory, with a trigram -> words index."""

    def __init__(self, rows):
        self.words = sorted(w for w, _f in rows)
        frequency = dict(rows)
        self.frequency = [frequency[w] for w in self.words]
        self.sizes = []
        self.postings = defaultdict(list)
        for index, word in enumerate(self.words):
            grams = trigrams(word)
            self.sizes.append(len(grams))
            for gram in grams:
                self.postings[gram].append(index)

    def is_known(self, word):
        """A vocabulary word or the beginning of one (the list is sorted)."""
        i = bisect.bisect_left(self.words, word)
        return i < len(self.words) and self.words[i].startswith(word)

    def similar(self, word):
        """[(candidate, frequency)] sharing enough trigrams to reach THRESHOLD."""
        grams = trigrams(word)
        shared = Counter()
        for gram in grams:
            shared.update(self.postings.get(gram, ()))
        size = len(grams)
        return [
            (self.words[i], self.frequency[i])
            for i, common in shared.items()
            if common / (size + self.sizes[i] - common) >= THRESHOLD
        ]


_lock = threading.Lock()
_memory = {"version": None, "vocabulary": None}


def _memory_candidates(todo):
    vocabulary = _current_vocabulary()
    return {
        word: (True, []) if vocabulary.is_known(word) else (False, vocabulary.similar(word))
        for word in todo
    }


def _current_vocabulary():
    version = choices.generation()
    with _lock:
        if version is None or version != _memory["version"]:
            # From the primary, where the version was changed.
            using = router.db_for_write(Word)
            rows = list(Word.objects.using(using).values_list("word", "frequency"))
            if version is None:
                # Unknown (cache cleared): name what was just loaded.
                version = uuid.uuid4().hex
                cache.set(choices.GENERATION_KEY, version, timeout=None)
            _memory.update(version=version, vocabulary=MemoryVocabulary(rows))
        return _memory["vocabulary"]


def _changed(using):
    """Tell every process that the vocabulary changed (the index's generation, directory/choices.py)."""
    choices.changed(using)
