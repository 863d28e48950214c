"""Checks run in a fresh process against a SQLite file (tests/test_sqlite.py).

The test suite's own SQLite database lives in memory, where WAL and locking
between connections do not happen, so these run with DATABASE_URL pointing at
a file: `python -m tests.sqlite_file_checks` migrates that fresh file (as
`manage.py migrate` would, and nothing else), runs every check, and prints
their results as one JSON object, a failed check's traceback included.
"""

import json
import threading
import traceback

import django


def concurrent_saves():
    """Two admin-like saves at the same moment, each in its own thread and connection.

    The admin's change view reads the stored row, then writes it, in one
    transaction. Each thread reads, waits (briefly) until the other has read
    too, then saves. If the first transaction holds the write lock from its
    start, the other cannot read until it commits: the wait times out and
    the saves simply take turns.
    """
    from django.db import connection, transaction

    from directory.models import Organization
    from tests.factories import make_organization

    pk = make_organization("Centro Legal").pk
    both_read = threading.Barrier(2)
    errors = []

    def save(name):
        try:
            with transaction.atomic():
                org = Organization.objects.get(pk=pk)
                try:
                    both_read.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass
                org.name = name
                org.save()
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    return {
        "errors": errors,
        "name": Organization.objects.get(pk=pk).name,
        "journal_mode": journal_mode,
    }


def complete():
    """What a visitor and a curator first meet after `migrate` alone."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(raise_request_exception=False)
    login = client.get("/admin/login/")
    wrong = client.post("/admin/login/", {"username": "nobody", "password": "wrong-password"})
    cache.set("check", "stored", 60)
    return {
        "login": login.status_code,
        "wrong_password": wrong.status_code,
        "cache": cache.get("check"),
    }


def unmigrate():
    """Unapply the cache table's migration: the table goes; migrate again: it is back."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from advocacy.settings import CACHES

    table = CACHES["default"]["LOCATION"]
    loader = MigrationLoader(connection)
    [(app, name)] = [key for key in loader.disk_migrations if key[1].endswith("create_cache_table")]
    previous = next(d for d in loader.disk_migrations[(app, name)].dependencies if d[0] == app)
    call_command("migrate", *previous, verbosity=0)
    after_reverse = table in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    return {
        "after_reverse": after_reverse,
        "after_migrate": table in connection.introspection.table_names(),
    }


# In this order: unmigrate last, as it takes the cache table away for a moment.
CHECKS = {"saves": concurrent_saves, "complete": complete, "unmigrate": unmigrate}


def run_all():
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            results[name] = {"error": traceback.format_exc()}
    return results


if __name__ == "__main__":
    django.setup()
    print(json.dumps(run_all()))
