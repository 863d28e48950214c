"""Answers to recent searches, kept in this process until the index changes.

Many people run the same searches (the quick paths, a ZIP code, "asylum").
Their counts and pages are kept here, keyed by the index's generation token
(directory/choices.py), which every write renews: an answer is reused only
while nothing it depends on can have changed, so it is always exact.

When the cache is Redis (REDIS_URL), an answer is also put there, so every
worker of every server computes a search once per generation, not once each.
It is stored under a keyed digest: what was searched is not readable in
Redis, and nothing says who searched it. Not with the database's cache table,
whose every read would be one more query on every results page.
"""

from collections import OrderedDict

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from . import choices, clients

SIZE = 500
# Old generations' answers are never read again; Redis drops them after this.
SHARED_SECONDS = 3600
_answers = OrderedDict()
_MISSING = object()


def answer(key, compute):
    """Return compute(), or its answer for the same key in the same generation."""
    generation = choices.current_generation()
    if generation is None:  # no token to key on (e.g. right after a write)
        return compute()
    key = (generation, *key)
    if key in _answers:
        _answers.move_to_end(key)
        return _answers[key]
    value = _shared_get(key)
    if value is _MISSING:
        value = compute()
        _shared_set(key, value)
    _answers[key] = value
    while len(_answers) > SIZE:
        _answers.popitem(last=False)
    return value


def _shared():
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def _shared_key(key):
    return "directory:answer:" + clients.keyed_digest("recent answer", repr(key))


def _shared_get(key):
    cache = _shared()
    if cache is None:
        return _MISSING
    return cache.get(_shared_key(key), _MISSING)


def _shared_set(key, value):
    cache = _shared()
    if cache is not None:
        cache.set(_shared_key(key), value, SHARED_SECONDS)


def search_key(filterset):
    """What a search's answers depend on: its filters, its words, and the minute for "open now"."""
    data = filterset.form.cleaned_data
    values = tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(data.items())
        if value not in (None, "", [], False) and name != "q"
    )
    minute = filterset.now.replace(second=0, microsecond=0) if data.get("open_now") else None
    return (values, tuple(g.key() for g in filterset.groups), minute)
