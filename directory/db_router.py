"""An optional read replica for public pages (DATABASE_REPLICA_URL).

A replica lags the primary a little, so only what can bear that reads from
it: anonymous GETs of public pages. Everything else reads and writes on the
primary: the admin, partners and anyone signed in (they must see their own
edits at once), every POST, every read inside a transaction, the cache table
(rate limits and lockouts count on the primary), and everything outside a
request (commands, imports, the shell). A router cannot see the request, so
`PublicReadsOnReplica` marks the requests that may use the replica.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_replica_allowed = ContextVar("replica_allowed", default=False)


@contextmanager
def replica_reads():
    """Let reads in this block go to the replica (when not in a transaction)."""
    token = _replica_allowed.set(True)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


def may_use_replica(request):
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path_info.startswith("/admin/")
        # The partner pages, in any language (/partners/, /es/partners/).
        and "/partners/" not in request.path_info
    )


class PublicReadsOnReplica:
    """Middleware: anonymous public GETs may read from the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_use_replica(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    """Public reads to the replica when allowed; all else to the primary."""

    def db_for_read(self, model, **hints):
        if (
            _replica_allowed.get()
            and model._meta.app_label != "django_cache"
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: the same rows.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
