"""What the words of a search mean: synonyms, language names, category words and stop words.

The vocabulary is the SearchSynonym table (curated defaults in
directory/default_synonyms.py, loaded by migration 0014; curators extend it
in the admin). Rows sharing a concept are one set of words that mean the
same thing, in every language; a concept may also stand for tags of the
search index (directory/search_index.py): the languages it names (`l:ko`),
categories (`c:legal.asylum`, which holds every category below it too) and
filters (`fee:free`, `det`, `k:faith` ...).

`Vocabulary.understand(words)` turns the folded words typed into groups, each
of which a listing must match (directory/search.py):

- The longest known phrase wins ("linea de ayuda" before "ayuda"), and a
  word matches a vocabulary word or its plural in -s / -es.
- A known word or phrase is a group of alternatives: what was typed, every
  word of its concept, and its tags. Any one of them matches.
- A stop word ("de", "the", "near") is left out, unless nothing else was
  typed: it never makes a query fail.
- Any other word is a group of one, which typo correction may change
  (directory/spelling.py); a correction to a vocabulary word is understood.
- A run of Chinese, Japanese, Thai or Khmer letters (written without spaces)
  is split into the vocabulary words it holds: 免费律师 is 免费 律师.

Every page understands every language's words: people type Spanish on the
English page too. The vocabulary is read once per process and kept until
the search index's generation token changes (directory/choices.py); every
change to a SearchSynonym renews it (directory/signals.py), so curators'
edits apply at once, everywhere, without a restart.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import search, spelling
from .choices import memoized

# The filters a concept may stand for, as the curator writes them, and their tags.
FILTER_TAGS = {
    "free": "fee:free",
    "sliding": "fee:sliding",
    "detention": "det",
    "remote": "remote",
    "24h": "always",
    "nationwide": "nationwide",
    "doj": "cr:doj",
    "attorney": "cr:attorney",
    "accredited": "cr:accredited",
}
KIND_PREFIX, POPULATION_PREFIX = "kind:", "serves:"
# The longest phrase looked for, in words.
MAX_PHRASE = 6


def codes(text):
    """The comma-separated codes of a field, in order, without blanks."""
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def phrases(text):
    """The comma-separated phrases of a row's words, each as a tuple of folded words."""
    return [tuple(words) for part in (text or "").split(",") if (words := search.words(part))]


def tags_of(row):
    """The search-index tags a row stands for."""
    tags = {f"l:{code}" for code in codes(row["languages"])}
    tags.update(f"c:{code}" for code in codes(row["categories"]))
    for code in codes(row["filters"]):
        if code in FILTER_TAGS:
            tags.add(FILTER_TAGS[code])
        elif code.startswith(KIND_PREFIX):
            tags.add(f"k:{code[len(KIND_PREFIX) :]}")
        elif code.startswith(POPULATION_PREFIX):
            tags.add(f"p:{code[len(POPULATION_PREFIX) :]}")
    return tags


def problems(row):
    """{field: message} for what a curator typed that the search could not use."""
    from .models import Kind, Language, Population, TaxonomyTerm

    errors = {}
    if not phrases(row.words):
        errors["words"] = _("Type at least one word.")
    if any(len(words) > MAX_PHRASE for words in phrases(row.words)):
        errors["words"] = _("A phrase may have at most %(n)s words.") % {"n": MAX_PHRASE}
    unknown = [
        code for code in codes(row.languages) if not Language.objects.filter(code=code).exists()
    ]
    if unknown:
        errors["languages"] = _("No language has the code: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    unknown = [
        code
        for code in codes(row.categories)
        if not TaxonomyTerm.objects.filter(code=code).exists()
    ]
    if unknown:
        errors["categories"] = _("No category has the code: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    known = {
        *FILTER_TAGS,
        *(f"{KIND_PREFIX}{code}" for code in Kind.values),
        *(f"{POPULATION_PREFIX}{code}" for code in Population.values),
    }
    unknown = [code for code in codes(row.filters) if code not in known]
    if unknown:
        errors["filters"] = _("Not a filter the search knows: %(codes)s.") % {
            "codes": ", ".join(unknown)
        }
    return errors


@dataclass(frozen=True)
class Group:
    """Words of a query a listing must match: any one alternative, or any one tag.

    `shown` is what the group stands for in "Showing results for" (the word
    typed, or its correction); `alternatives` are tuples of folded words that
    must all match (a phrase); `known` says the vocabulary understood it.
    """

    shown: str
    alternatives: tuple
    tags: tuple = ()
    known: bool = False

    def key(self):
        return (self.alternatives, self.tags)


class Vocabulary:
    """The synonyms and stop words, indexed for understanding queries."""

    def __init__(self, rows):
        self.stop = set()
        concepts = {}
        for row in rows:
            words = phrases(row["words"])
            if row["is_stop_words"]:
                self.stop.update(w for phrase in words for w in phrase)
                continue
            concept = concepts.setdefault(row["concept"], {"phrases": [], "tags": set()})
            concept["phrases"].extend(words)
            concept["tags"] |= tags_of(row)
        # phrase -> the concepts it belongs to; a trie of phrases by word.
        self.meanings = {}
        self.trie = {}
        self.concepts = {}
        for name, concept in concepts.items():
            alternatives = tuple(dict.fromkeys(self._searchable(p) for p in concept["phrases"]))
            self.concepts[name] = (alternatives, tuple(sorted(concept["tags"])))
            for phrase in concept["phrases"]:
                self.meanings.setdefault(phrase, set()).add(name)
                node = self.trie
                for word in phrase:
                    node = node.setdefault(word, {})
        self.single = {phrase[0] for phrase in self.meanings if len(phrase) == 1}
        self.spelling = spelling.MemoryVocabulary([(w, 0) for w in self.single if w.isalpha()])
        self.unspaced = sorted(
            (w for w in self.single if search.is_unspaced(w)), key=len, reverse=True
        )

    def _searchable(self, phrase):
        """A phrase as the index is searched for it: without its stop words and single letters.

        Unless nothing else is left. A phrase matches listings with all its
        words anywhere, so "de" or the "t" of "t visa" would only slow it down.
        """
        kept = tuple(w for w in phrase if w not in self.stop and len(w) > 1)
        return kept or phrase

    @staticmethod
    def _forms(word):
        """The vocabulary words a typed word may be: itself, or a plural in -s or -es."""
        forms = [word]
        if len(word) > 3 and word.endswith("s"):
            forms.append(word[:-1])
            if word.endswith("es"):
                forms.append(word[:-2])
        return forms

    def _longest_phrase(self, words, start):
        """(phrase, number of words) of the longest vocabulary phrase at `start`, or None."""
        best = None
        paths = [((), self.trie)]
        for i in range(start, min(len(words), start + MAX_PHRASE)):
            paths = [
                ((*phrase, form), node[form])
                for phrase, node in paths
                for form in self._forms(words[i])
                if form in node
            ]
            if not paths:
                break
            for phrase, _node in paths:
                if phrase in self.meanings:
                    best = (phrase, i - start + 1)
                    break
        return best

    def split_unspaced(self, words):
        """Split runs of unspaced scripts into the vocabulary words they hold."""
        result = []
        for word in words:
            if word in self.single or not search.is_unspaced(word):
                result.append(word)
                continue
            rest, pieces, unknown = word, [], ""
            while rest:
                found = next((w for w in self.unspaced if rest.startswith(w)), None)
                if found:
                    if unknown:
                        pieces.append(unknown)
                        unknown = ""
                    pieces.append(found)
                    rest = rest[len(found) :]
                else:
                    unknown, rest = unknown + rest[0], rest[1:]
            result.extend([*pieces, unknown] if unknown else pieces)
        return result

    def group(self, phrase, shown):
        """The group of a vocabulary phrase: what was typed, its concepts' words and tags."""
        alternatives, tags = [self._searchable(shown.split())], set()
        for name in sorted(self.meanings[phrase]):
            words, concept_tags = self.concepts[name]
            alternatives.extend(words)
            tags.update(concept_tags)
        return Group(shown, tuple(dict.fromkeys(alternatives)), tuple(sorted(tags)), known=True)

    def knows(self, word):
        """Whether a single word is in the vocabulary (or a plural of one of its words)."""
        return any((form,) in self.meanings for form in self._forms(word))

    def word_group(self, word):
        """The group of one word: understood when the vocabulary has it."""
        for form in self._forms(word):
            if (form,) in self.meanings:
                return self.group((form,), word)
        return Group(word, ((word,),))

    def understand(self, words):
        """Return the groups of these folded words, stop words left out (see the module doc)."""
        words = self.split_unspaced(words)
        groups, stopped, i = [], [], 0
        while i < len(words):
            match = self._longest_phrase(words, i)
            if match and not all(w in self.stop for w in words[i : i + match[1]]):
                phrase, length = match
                groups.append(self.group(phrase, " ".join(words[i : i + length])))
                i += length
                continue
            if words[i] in self.stop:
                stopped.append(Group(words[i], ((words[i],),)))
            else:
                groups.append(self.word_group(words[i]))
            i += 1
        return groups or stopped


@memoized
def vocabulary():
    """The vocabulary, read once per process until the index's generation changes."""
    from .models import SearchSynonym

    return Vocabulary(
        list(
            SearchSynonym.objects.values(
                "concept", "words", "is_stop_words", "languages", "categories", "filters"
            )
        )
    )
