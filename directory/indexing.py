"""When the search index catches up with a write: at once, or once after a batch.

Every write path (admin saves, inline edits, bulk actions, imports, merges,
history restores) reaches the index through `refresh`. A batch that saves
thousands of rows wraps itself in `deferred()`, so each organization is
rebuilt once at the end instead of once per saved row.
"""

import threading
from contextlib import contextmanager

_state = threading.local()
REFRESH_SLICE = 1000


def refresh(organization_ids):
    """Bring these organizations' search entries up to date (now, or when the batch ends)."""
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(organization_ids)
        return
    from . import search

    search.refresh(organization_ids)


@contextmanager
def deferred():
    """Collect refreshes inside the block and run them once, when it ends without error.

    Nested blocks join the outermost one. If the block raises, nothing is
    refreshed: the transaction it ran in is rolled back anyway.
    """
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = set()
    try:
        yield
        ids, _state.pending = list(_state.pending), None
        from . import search

        # In slices: a 100,000-row import touches 50,000 organizations, and
        # rebuilding them in one call would hold them all in memory at once.
        for start in range(0, len(ids), REFRESH_SLICE):
            search.refresh(ids[start : start + REFRESH_SLICE])
    finally:
        _state.pending = None
