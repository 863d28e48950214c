"""When the search index catches up with a write: at once, or once after a batch.

Every write path (admin saves, inline edits, bulk actions, imports, merges,
history restores) reaches the index through `refresh`. A batch that saves
thousands of rows wraps itself in `deferred()`, so each organization is
rebuilt once at the end instead of once per saved row.
"""

import threading
from contextlib import contextmanager

_state = threading.local()


def refresh(organization_ids):
    """Bring these organizations' search entries up to date (now, or when the batch ends)."""
    # An organization being deleted loses its rows with it (CASCADE); its
    # services' deletions must not write them back.
    organization_ids = set(organization_ids) - getattr(_state, "deleting", set())
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(organization_ids)
        return
    _refresh_now(organization_ids)


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
        ids, _state.pending = _state.pending, None
        if ids:
            _refresh_now(ids)
    finally:
        _state.pending = None


def _refresh_now(organization_ids):
    from . import choices, search_index

    search_index.refresh(organization_ids)
    choices.changed()


def start_deleting(organization_id):
    _state.deleting = getattr(_state, "deleting", set()) | {organization_id}


def done_deleting(organization_id):
    _state.deleting = getattr(_state, "deleting", set()) - {organization_id}


def start_deleting_service(service_id):
    _state.deleting_services = getattr(_state, "deleting_services", set()) | {service_id}


def done_deleting_service(service_id):
    _state.deleting_services = getattr(_state, "deleting_services", set()) - {service_id}


def services_being_deleted():
    """Services whose deletion is under way: their index rows must not be written back."""
    return getattr(_state, "deleting_services", set())
