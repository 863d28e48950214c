"""Imports and exports at 100,000 services: seconds, peak memory, throughput.

    python -m benchmarks.import_export_scale             # 50,000 organizations, 100,000 services
    BENCH_ORGANIZATIONS=10000 python -m benchmarks.import_export_scale

On DATABASE_URL (default the bench_import PostgreSQL database, which it
empties: never point it at real data). Steps:

1. Generate the directory (benchmarks/directory_data.py) and export
   everything by command (`export_listings --format csv` and `--format
   hsds`): the files the imports then read.
2. Serve it with gunicorn (production settings, 2 workers) and download
   every public export format of the broadest search (/search/export.<fmt>),
   checking it arrived whole (the same bytes as the command's export).
3. Empty the database (reference vocabularies only) and import each file
   with `import_listings`: dry runs, then each for real with --publish.

`python -m benchmarks.import_export_scale exports` (or `imports`) runs one
half; `imports` reuses the files of an earlier run, and `again` repeats the
exports on the directory an `exports` run left.

Each command runs in its own process, so its peak RSS (os.wait4) is its own;
each step also notes the machine's load average when it ended. A step that
takes longer than BENCH_STEP_TIMEOUT seconds (default 900) is stopped and
reported as such. Results go to benchmarks/results/import-export.json (or
BENCH_IMPORT_RESULT, a file name in that folder).
"""

import http.client
import json
import os
import platform
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
ORGANIZATIONS = int(os.environ.get("BENCH_ORGANIZATIONS", "50000"))
DATABASE = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_import")
FILES = Path(os.environ.get("BENCH_IMPORT_FILES", Path(tempfile.gettempdir()) / "advocacy-import"))
STEP_TIMEOUT = int(os.environ.get("BENCH_STEP_TIMEOUT", "900"))
# The public export formats (docs/exports.md) and how a whole file ends.
PUBLIC_FORMATS = ["csv", "json", "vcf", "xlsx"]
ENV = {
    "DATABASE_URL": DATABASE,
    "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-not-secret"),
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DJANGO_SETTINGS_MODULE": "advocacy.settings",
}


def run(args, label):
    """Run a Python command in a child process; return seconds and its own peak RSS."""
    env = {**os.environ, **ENV}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + STEP_TIMEOUT
    status = None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(process.pid, 9)
            pid, status, usage = os.wait4(process.pid, 0)
            status = "timeout"
            break
        time.sleep(0.2)
    process.returncode = 0  # reaped by wait4; keep subprocess from waiting again
    out = process.stdout.read().decode(errors="replace")
    err = process.stderr.read().decode(errors="replace")
    seconds = time.perf_counter() - started
    result = {
        "step": label,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        "ok": status == 0,
        "load_average": load_average(),
    }
    if status == "timeout":
        result["failure"] = f"stopped after {STEP_TIMEOUT} s"
    elif status != 0:
        result["failure"] = (err or out).strip().splitlines()[-3:]
    print(
        f"  {label:<42} {result['seconds']:>7.1f} s  {result['peak_rss_mb']:>7.1f} MB"
        + f"  load {result['load_average']}"
        + ("" if result["ok"] else f"  FAILED: {result['failure']}"),
        flush=True,
    )
    return result


def load_average():
    """The machine's 1-minute load average: other jobs share its cores, and times with them."""
    return round(os.getloadavg()[0], 2)


def manage(*args, label):
    return run(["manage.py", *args], label)


def reset_database(generate):
    """Empty the database; with `generate`, fill it with the benchmark directory."""
    code = f"""
import django; django.setup()
from django.core.management import call_command
from django.db import connection
with connection.cursor() as cursor:
    if connection.vendor == "postgresql":
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from benchmarks import directory_data
if {generate!r}:
    directory_data.generate({ORGANIZATIONS})
    # The public search (and so every export of it) reads the search index.
    from directory import search_index
    search_index.rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
else:
    directory_data.load_vocabularies()
"""
    return run(["-c", code], "generate directory" if generate else "empty database")


def export_by_command(fmt, path, label):
    result = manage("export_listings", "--format", fmt, "-o", str(path), label=label)
    size = path.stat().st_size if path.exists() else 0
    result["output_mb"] = round(size / 1e6, 1)
    result["mb_per_s"] = round(size / 1e6 / result["seconds"], 1) if result["seconds"] else None
    return result


def download(url):
    """Stream a URL to nowhere; return status, bytes, seconds and the last bytes."""
    started = time.perf_counter()
    size, tail, status = 0, b"", None
    try:
        with urllib.request.urlopen(url, timeout=STEP_TIMEOUT) as response:
            status = response.status
            while chunk := response.read(1 << 20):
                size += len(chunk)
                tail = (tail + chunk)[-64:]
    except urllib.error.HTTPError as error:
        status = error.code
        tail = error.read()[:300]
    except (OSError, http.client.HTTPException) as error:  # a worker killed mid-stream
        status = f"{status} then {type(error).__name__}"
    return status, size, time.perf_counter() - started, tail


def public_exports(expected):
    from benchmarks.__main__ import free_port, start_gunicorn, stop_gunicorn

    os.environ.update(ENV)
    results = []
    port = free_port()
    process = start_gunicorn("import-export", port)
    try:
        for fmt in PUBLIC_FORMATS:
            status, size, seconds, tail = download(f"http://127.0.0.1:{port}/search/export.{fmt}")
            whole = expected.get(fmt)
            row = {
                "step": f"public /search/export.{fmt}",
                "status": status,
                "seconds": round(seconds, 1),
                "output_mb": round(size / 1e6, 1),
                "mb_per_s": round(size / 1e6 / seconds, 1) if seconds else None,
                # The same search as the command's export: the same bytes.
                "complete": size == whole if whole is not None else None,
                "load_average": load_average(),
            }
            if status != 200:
                row["message"] = tail.decode(errors="replace")
            results.append(row)
            print(
                f"  {row['step']:<42} {row['seconds']:>7.1f} s  {row['output_mb']:>7.1f} MB"
                f"  {row['mb_per_s']} MB/s  status {status}  complete {row['complete']}"
                f"  load {row['load_average']}",
                flush=True,
            )
    finally:
        stop_gunicorn(process)
    return results


def create_database():
    """Create the PostgreSQL database if it is missing (it is emptied anyway)."""
    if not DATABASE.startswith("postgres"):
        return
    import psycopg2
    from psycopg2 import sql

    base, name = DATABASE.rsplit("/", 1)
    try:
        psycopg2.connect(DATABASE).close()
    except psycopg2.OperationalError:
        connection = psycopg2.connect(f"{base}/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        connection.close()


def main():
    create_database()
    RESULTS.mkdir(exist_ok=True)
    FILES.mkdir(parents=True, exist_ok=True)
    csv_file = FILES / f"listings-{ORGANIZATIONS}.csv"
    json_file = FILES / f"listings-{ORGANIZATIONS}.json"
    steps = []
    print(f"Imports and exports, {ORGANIZATIONS:,} organizations, on {DATABASE.split('@')[-1]}")
    # "exports" or "imports": one half; "again": the exports without generating anew.
    only = sys.argv[1:]
    if "again" in only:  # the exports again, from the directory the last run generated
        again_csv, again_json = FILES / "again.csv", FILES / "again.json"
        steps.append(export_by_command("csv", again_csv, "export_listings csv"))
        steps.append(export_by_command("hsds", again_json, "export_listings hsds"))
        expected = {"csv": again_csv.stat().st_size, "json": again_json.stat().st_size}
        steps += public_exports(expected)
        only.append("exports")
        csv_file, json_file = again_csv, again_json
    elif "imports" not in only or not (csv_file.exists() and json_file.exists()):
        steps.append(reset_database(generate=True))
        steps.append(export_by_command("csv", csv_file, "export_listings csv"))
        steps.append(export_by_command("hsds", json_file, "export_listings hsds"))
        expected = {"csv": csv_file.stat().st_size, "json": json_file.stat().st_size}
        if "imports" not in only:
            steps += public_exports(expected)
    if "exports" not in only:
        steps.append(reset_database(generate=False))
        for path, name in ((csv_file, "csv"), (json_file, "hsds")):
            steps.append(
                manage("import_listings", str(path), "--dry-run", label=f"import {name} dry run")
            )
        steps.append(manage("import_listings", str(csv_file), "--publish", label="import csv"))
        steps.append(reset_database(generate=False))
        steps.append(manage("import_listings", str(json_file), "--publish", label="import hsds"))
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}",
        "database": DATABASE.split("@")[-1],
        "organizations": ORGANIZATIONS,
        "files_mb": {
            "csv": round(csv_file.stat().st_size / 1e6, 1),
            "hsds": round(json_file.stat().st_size / 1e6, 1),
        },
        "steps": steps,
    }
    out = RESULTS / os.environ.get("BENCH_IMPORT_RESULT", "import-export.json")
    out.write_text(json.dumps(result, indent=2))
    print(f"Files: {result['files_mb']} MB. Wrote {out}.")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
