"""The search form's choice lists, kept in each process until the index changes.

They change only when curators publish or edit, and reading them on every
request cost four queries a results page. Every index write stores a new
generation token in the shared cache (indexing.refresh); each search reads
it once (`sync`) and forgets its lists when it changed, so every process sees
a write on its next request. TTL_SECONDS bounds what a write made around the
app (SQL by hand) can leave stale.
"""

import time
import uuid
from functools import wraps

from django.core.cache import cache

GENERATION_KEY = "directory:search-index-generation"
TTL_SECONDS = 300
_memo = {}
_generation = [None]


def memoized(function):
    @wraps(function)
    def cached():
        hit = _memo.get(function.__qualname__)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        value = function()
        _memo[function.__qualname__] = (time.monotonic() + TTL_SECONDS, value)
        return value

    return cached


def sync():
    """Forget the lists if the index changed since they were read (one cache read)."""
    generation = cache.get(GENERATION_KEY)
    if generation != _generation[0]:
        _memo.clear()
        _generation[0] = generation


def changed():
    """Tell every process the index changed."""
    _memo.clear()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
