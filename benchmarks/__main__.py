"""`make bench`: time every search type over HTTP, as production serves it.

For each target (100,000 services on PostgreSQL, 10,000 on SQLite) this
builds the generated directory (benchmarks/directory_data.py) unless the
database already holds it, starts gunicorn with production settings and 2
workers, requests each search type in turn from one client, and prints
p50 / p95 / max and the number of SQL queries of each (counted once more
in-process with Django's test client, against the same database). Results
go to benchmarks/results/latest.json; docs/performance.md explains them.

    python -m benchmarks                      # both targets
    python -m benchmarks --quick              # 5 tries a search (10 s of load), for development
    python -m benchmarks --only sqlite        # one target
    python -m benchmarks --rebuild            # regenerate the data even if cached

A failed try (timeout, dropped connection, non-200) counts with the time it
took, so a search that fails cannot look fast; the failures column says how
many there were. A slow search stops after --budget seconds (at least 3 tries).
"""

import argparse
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {
    "postgresql": {
        "organizations": 50_000,
        "database": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_100k"),
    },
    "sqlite": {
        "organizations": 5_000,
        "database": "sqlite:///"
        + os.environ.get(
            "BENCH_SQLITE_PATH", str(Path(tempfile.gettempdir()) / "advocacy-bench-10k.sqlite3")
        ),
    },
}
# (name, URL): the search types of issue 10. {slug} is a generated organization.
SEARCHES = [
    ("no filter", "/search/"),
    ("common word", "/search/?q=legal"),
    ("rare word", "/search/?q=hanbit"),
    ("word: asylum", "/search/?q=asylum"),
    ("one letter", "/search/?q=e"),
    ("Spanish, accent", "/es/search/?q=deportaci%C3%B3n"),
    ("Spanish, no accent", "/es/search/?q=deportacion"),
    ("typo: asilum", "/search/?q=asilum"),
    ("typo: hambit", "/search/?q=hambit"),
    ("ZIP distance", "/search/?near=90033&radius=25"),
    ("city distance", "/search/?near=Los+Angeles%2C+CA&radius=25"),
    ("sort by distance", "/search/?q=legal&near=Chicago%2C+IL&radius=100&sort=distance"),
    ("combined filters", "/search/?category=legal&language=es&fee=free"),
    ("open now", "/search/?open_now=true"),
    ("open now + remote", "/search/?open_now=true&remote=true"),
    ("page 200", "/search/?page=200"),
    ("Spanish UI", "/es/search/"),
    ("organization page", "/o/{slug}/"),
    ("home page", "/"),
    # The HSDS API (directory/api/): {service} and {organization} are generated ids.
    ("API services", "/api/services"),
    ("API services page 100", "/api/services?page=100&per_page=50"),
    ("API services full", "/api/services?full=true&per_page=50"),
    ("API service search", "/api/services?search=asylum"),
    ("API services modified", "/api/services?modified_after=2020-01-01T00:00:00Z"),
    ("API services by term", "/api/services?taxonomy_term_id={term}"),
    ("API service", "/api/services/{service}"),
    ("API organizations", "/api/organizations"),
    ("API organization", "/api/organizations/{organization}?full_service=true"),
    ("API places near", "/api/service_at_locations?postcode=90033&proximity=20000"),
    ("API taxonomy terms", "/api/taxonomy_terms"),
]
# As the Makefile's SERVE_ENV: production code paths over plain HTTP.
SERVE_ENV = {
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SETTINGS_MODULE": "advocacy.settings",
}
REQUEST_TIMEOUT = 60


def placeholders(organizations):
    """The values of SEARCHES' {placeholders}: a listing from the middle of the directory."""
    from directory.models import Organization, Service, TaxonomyTerm

    middle = Organization.objects.public().order_by("slug")[organizations // 2]
    service = Service.objects.public().filter(organization=middle).order_by("pk").first()
    term = TaxonomyTerm.objects.filter(code="legal").first() or TaxonomyTerm.objects.first()
    return {
        "slug": middle.slug,
        "organization": middle.pk,
        "service": service.pk,
        "term": term.pk,
    }


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- one target, in its own process (Django is set up for one database) ---


def prepare(target, rebuild):
    """Build the directory unless it is already there; return build facts."""
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import directory_data
    from directory.models import Organization

    organizations = TARGETS[target]["organizations"]
    call_command("migrate", verbosity=0)
    if not rebuild and directory_data.built_size() == organizations:
        return {"cached": True, "build_seconds": None}
    if not directory_data.is_benchmark_database() and Organization.objects.exists():
        sys.exit("This database has listings that the benchmark did not make: use an empty one.")
    print(f"[{target}] building {organizations:,} organizations ...", flush=True)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        name = connection.settings_dict["NAME"]
        connection.close()
        Path(name).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    directory_data.mark_built(None)  # ours, but not complete until marked again

    def progress(done):
        print(f"  {done:,} organizations, {time.perf_counter() - started:.0f} s", flush=True)

    directory_data.generate(organizations, progress=progress)
    generated = time.perf_counter()
    # The app's own index builder, as `manage.py rebuild_search_index` runs it.
    from directory import search_index

    search_index.rebuild()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load on a production server:
        # statistics, and the visibility map that lets a count read an index
        # alone. This machine's PostgreSQL runs with autovacuum off.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    indexed = time.perf_counter()
    print(f"  search index rebuilt in {indexed - generated:.0f} s", flush=True)
    directory_data.mark_built(organizations)
    return {
        "cached": False,
        "build_seconds": round(indexed - started, 1),
        "index_rebuild_seconds": round(indexed - generated, 1),
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    """Return (seconds, status, bytes); status is an error name when the request failed."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        size, status = 0, error.code
    except (OSError, urllib.error.URLError) as error:  # timeouts, dropped connections
        size, status = 0, type(error).__name__
    return time.perf_counter() - started, status, size


def start_gunicorn(target, port):
    env = {**os.environ, **SERVE_ENV, "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{port}"}
    log = open(RESULTS / f"gunicorn-{target}.log", "w")  # noqa: SIM115 (closed in stop_gunicorn)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py"]
        + ["advocacy.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so its workers stop with it
    )
    process.log = log
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not start in 60 s")


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    process.log.close()


def time_searches(base, searches, tries, budget):
    results = []
    for path in ("/", "/search/?near=90033", "/es/search/", "/"):  # warm both workers
        get(base + path)
    for name, url in searches:
        seconds, statuses, size = [], [], 0
        started = time.perf_counter()
        while len(seconds) < tries:
            elapsed, status, size = get(base + url)
            seconds.append(elapsed)
            statuses.append(status)
            if len(seconds) >= 3 and time.perf_counter() - started > budget:
                break
        failures = [str(s) for s in statuses if s != 200]
        row = {
            "name": name,
            "url": url,
            "tries": len(seconds),
            "failures": len(failures),
            "failure_statuses": sorted(set(failures)),
            "p50_ms": round(percentile(seconds, 0.5) * 1000, 1),
            "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
            "max_ms": round(max(seconds) * 1000, 1),
            "first_ms": round(seconds[0] * 1000, 1),  # no worker had answered it yet
            "kilobytes": size // 1024,
        }
        results.append(row)
        print(
            f"  {name:<20} {row['p50_ms']:>9.0f} {row['p95_ms']:>9.0f} {row['max_ms']:>9.0f} ms"
            f"  {row['tries']} tries, {row['failures']} failed",
            flush=True,
        )
    return results


# Issue 10: 20 concurrent clients for 60 s on a text search, with 0 errors.
LOAD_TEST_URL = "/search/?q=asylum"
LOAD_TEST_CLIENTS = 20


def load_test(base, url, clients, seconds):
    """`clients` threads request `url` back to back for `seconds`: requests, errors, latency."""
    import threading

    deadline = time.monotonic() + seconds
    results, lock = [], threading.Lock()

    def client():
        while time.monotonic() < deadline:
            elapsed, status, _size = get(base + url)
            with lock:
                results.append((elapsed, status))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = [elapsed for elapsed, _status in results]
    errors = sorted({str(status) for _elapsed, status in results if status != 200})
    row = {
        "url": url,
        "clients": clients,
        "seconds": seconds,
        "requests": len(results),
        "errors": sum(1 for _elapsed, status in results if status != 200),
        "error_statuses": errors,
        "requests_per_second": round(len(results) / seconds, 1),
        "p50_ms": round(percentile(times, 0.5) * 1000, 1),
        "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
    }
    print(
        f"  {clients} clients for {seconds} s on {url}: {row['requests']} requests,"
        f" {row['errors']} errors, p50 {row['p50_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms",
        flush=True,
    )
    return row


def count_queries(searches):
    """Run each request once in-process: its SQL query count, and its slowest query."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from directory import recent

    # What computing each page costs, not reading the answer gunicorn's
    # workers left in Redis.
    recent._shared = lambda: None
    client = Client()
    # Steady state: the search form's choice lists are read once per process
    # (directory/choices.py), so warm them as a running server would be.
    client.get("/")
    client.get("/search/")
    counted = {}
    for name, url in searches:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
        counted[name] = {
            "queries": len(captured),
            "status": response.status_code,
            "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
            "slowest_sql_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
            "slowest_sql": slowest["sql"] if slowest else None,
        }
        print(f"  {name:<20} {len(captured):>3} queries, {counted[name]['sql_ms']:.0f} ms SQL")
    return counted


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET statement_timeout = '300s'")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(" ".join(str(v) for v in row) for row in cursor.fetchall())


def shared_cache(target):
    """The Redis the PostgreSQL target shares answers through, as a production deployment would.

    BENCH_REDIS_URL (default: a local Redis, database 2; empty for none). It is
    emptied first: a previous run's answers would make every search look
    warm. SQLite, the embedded default, runs with the cache table, as
    `make run` does.
    """
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    if target != "postgresql" or not url:
        return None
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.ConnectionError:
        print(f"[{target}] no Redis at {url}: the cache table it is")
        return None
    return url


def run_target(args):
    target = args.only
    os.environ.update(SERVE_ENV)
    os.environ["DATABASE_URL"] = TARGETS[target]["database"]
    redis_url = shared_cache(target)
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from directory.models import Organization, Service

    build = prepare(target, args.rebuild)
    organizations = Organization.objects.public().count()
    services = Service.objects.public().count()
    searches = [(name, url.format(**placeholders(organizations))) for name, url in SEARCHES]
    server = connection.cursor().connection.server_version if target == "postgresql" else None
    connection.close()  # gunicorn's workers open their own

    cache = "redis" if redis_url else "database table"
    print(f"[{target}] {services:,} services: timing over HTTP (gunicorn, 2 workers, {cache})")
    port = free_port()
    process = start_gunicorn(target, port)
    try:
        timings = time_searches(f"http://127.0.0.1:{port}", searches, args.tries, args.budget)
        load = None
        if args.load_seconds:
            load = load_test(
                f"http://127.0.0.1:{port}", LOAD_TEST_URL, LOAD_TEST_CLIENTS, args.load_seconds
            )
    finally:
        stop_gunicorn(process)

    print(f"[{target}] counting SQL queries in-process")
    counted = count_queries(searches)
    for row in timings:
        row.update(counted[row["name"]])
    slowest = max(timings, key=lambda r: r["p50_ms"])
    plan = None
    if slowest["slowest_sql"] and not args.no_explain:
        print(f"[{target}] EXPLAIN of the slowest query of “{slowest['name']}”")
        plan = {
            "search": slowest["name"],
            "sql": slowest["slowest_sql"],
            "plan": explain(slowest["slowest_sql"]),
        }
    for row in timings:
        del row["slowest_sql"]
    result = {
        "database": connection.vendor,
        "database_version": server,
        "organizations": organizations,
        "services": services,
        "tries": args.tries,
        "cache": cache,
        **build,
        "searches": timings,
        "load_test": load,
        "explain": plan,
    }
    Path(args.part).write_text(json.dumps(result, indent=2, ensure_ascii=False))


# --- both targets, then the table ---


def print_table(target, result):
    print(
        f"\n{target}: {result['services']:,} services ({result['organizations']:,} organizations)"
    )
    print(
        f"{'search':<20} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'first ms':>9}"
        f" {'queries':>7} {'fail':>5}"
    )
    for row in result["searches"]:
        print(
            f"{row['name']:<20} {row['p50_ms']:>9.0f} {row['p95_ms']:>9.0f} {row['max_ms']:>9.0f}"
            f" {row['first_ms']:>9.0f} {row['queries']:>7} {row['failures']:>3}/{row['tries']}"
        )
    load = result.get("load_test")
    if load:
        print(
            f"{load['clients']} concurrent clients for {load['seconds']:.0f} s on {load['url']}:"
            f" {load['requests']} requests ({load['requests_per_second']}/s), {load['errors']}"
            f" errors, p50 {load['p50_ms']:.0f} ms, p95 {load['p95_ms']:.0f} ms"
        )


def main():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--only", choices=list(TARGETS), help="one target only")
    parser.add_argument("--quick", action="store_true", help="5 tries a search")
    parser.add_argument("--tries", type=int, default=20, help="tries a search (default 20)")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds a search may take in all (default 60)"
    )
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument(
        "--load-seconds",
        type=float,
        default=60,
        help=f"seconds of {LOAD_TEST_CLIENTS} concurrent clients on {LOAD_TEST_URL} (0: skip)",
    )
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    parser.add_argument("--part", help=argparse.SUPPRESS)  # internal: one target's output
    args = parser.parse_args()
    if args.quick:
        args.tries = 5
        args.load_seconds = min(args.load_seconds, 10)
    RESULTS.mkdir(exist_ok=True)
    if args.part:
        return run_target(args)

    results = {}
    for target in [args.only] if args.only else list(TARGETS):
        part = RESULTS / f".{target}.json"
        command = [sys.executable, "-m", "benchmarks", "--only", target, "--part", str(part)]
        command += ["--tries", str(args.tries), "--budget", str(args.budget)]
        command += ["--load-seconds", str(args.load_seconds)]
        command += ["--rebuild"] * args.rebuild + ["--no-explain"] * args.no_explain
        subprocess.run(command, cwd=ROOT, check=True)
        results[target] = json.loads(part.read_text())
        part.unlink()
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "targets": results,
    }
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    for target, result in results.items():
        print_table(target, result)
    print(f"\nWritten to {args.output}")


if __name__ == "__main__":
    main()
