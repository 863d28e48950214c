"""The search form's choice lists, kept in each process until the index changes.

They change only when curators publish or edit, and reading them on every
request cost four queries a results page. Every index write stores a new
generation token in the shared cache (indexing.refresh); each search reads
it once (`sync`) and forgets its lists when it changed, so every process sees
a write on its next request. TTL_SECONDS bounds what a write made around the
app (SQL by hand) can leave stale.
"""

import threading
import time
import uuid
from functools import wraps

from django.core.cache import cache
from django.core.signals import request_finished
from django.db import transaction

GENERATION_KEY = "directory:search-index-generation"
TTL_SECONDS = 300
_memo = {}
_generation = [None]
_request = threading.local()


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


def _forget_request_token(**kwargs):
    # A token `sync` read is this request's only: code run after it (a command, the
    # next request before its own sync) reads the cache, never a finished request's.
    _request.generation = None


request_finished.connect(_forget_request_token, dispatch_uid="directory-generation-token")


def sync(in_request=True):
    """Forget the lists if the index changed since they were read (one cache read).

    `in_request=False` (a process starting, directory/warmup.py) leaves no
    token for a request to reuse.
    """
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # a new or cleared cache: name the index as it is now
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    if in_request:
        _request.generation = generation
    if generation != _generation[0]:
        _memo.clear()
        _generation[0] = generation


def current_generation():
    """The token this process last read or wrote (None before any)."""
    return _generation[0]


def generation():
    """The index's generation token: the one `sync` just read, else read now.

    The typo corrector keys its in-memory vocabulary on it (directory/spelling.py),
    so a search reads the token once for both.
    """
    token = getattr(_request, "generation", None)
    _request.generation = None
    return token if token is not None else cache.get(GENERATION_KEY)


def changed(using="default"):
    """Tell every process the index changed.

    At once, for this transaction's own reads (the cache table is in the same
    database), and again after commit, for a cache outside the database
    (Redis) whose readers must not reload before the change is visible.
    """
    _memo.clear()
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None), using=using)
