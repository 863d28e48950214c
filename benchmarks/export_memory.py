"""Peak memory of exporting 20,000 and 100,000 services (run by `make bench`).

Exports stream: organizations are read in chunks with their services
prefetched per chunk, and CSV and HSDS JSON are written a row at a time, so
the peak should barely grow with the number of services. This generates
listings in a throwaway SQLite database (or DATABASE_URL), exports them
with tracemalloc on, and prints both peaks.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}")

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "20000,100000").split(",")]
SERVICES_PER_ORGANIZATION = 5


def top_up(target):
    """Add organizations until there are `target` published services."""
    from directory.models import (
        Location,
        Organization,
        Schedule,
        Service,
        ServiceAtLocation,
        Status,
    )

    have = Service.objects.count()
    start = have // SERVICES_PER_ORGANIZATION
    for first in range(start, target // SERVICES_PER_ORGANIZATION, 1000):
        last = min(first + 1000, target // SERVICES_PER_ORGANIZATION)
        orgs = Organization.objects.bulk_create(
            Organization(
                name=f"Organization {i:06d}",
                slug=f"org-{i}",
                website=f"https://org{i}.example.org/",
                description="Legal help, know-your-rights trainings and referrals. " * 3,
                status=Status.PUBLISHED,
            )
            for i in range(first, last)
        )
        locations = Location.objects.bulk_create(
            Location(organization=o, city="Los Angeles", state="CA", address_1="1 Main St")
            for o in orgs
        )
        services = Service.objects.bulk_create(
            Service(organization=o, name=f"Service {n}", status=Status.PUBLISHED)
            for o in orgs
            for n in range(SERVICES_PER_ORGANIZATION)
        )
        by_org = {loc.organization_id: loc for loc in locations}
        ServiceAtLocation.objects.bulk_create(
            ServiceAtLocation(service=s, location=by_org[s.organization_id]) for s in services
        )
        Schedule.objects.bulk_create(
            Schedule(service=s, weekday=0, opens_at=clock(9), closes_at=clock(17)) for s in services
        )


def measure(chunks):
    tracemalloc.start()
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in chunks)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, time.perf_counter() - started, size


def main():
    import django

    django.setup()
    from django.core.management import call_command

    from directory import exports, hsds
    from directory.models import Organization, Service

    call_command("migrate", verbosity=0)
    print(f"{'services':>9}  {'format':>6}  {'peak MiB':>8}  {'seconds':>7}  {'output MiB':>10}")
    for n in SIZES:
        top_up(n)
        runs = {
            # As the public download and the command read it (plain rows, one pass per table).
            "csv": lambda: exports.csv_export(
                exports.public_organizations(Organization.objects.all(), reading=exports.TABLE)
            ),
            "hsds": lambda: hsds.json_chunks(hsds.services_for_hsds(Service.objects.all())),
        }
        for fmt, make_chunks in runs.items():
            peak, seconds, size = measure(make_chunks())
            print(f"{n:>9}  {fmt:>6}  {peak / 2**20:>8.1f}  {seconds:>7.1f}  {size / 2**20:>10.1f}")


if __name__ == "__main__":
    main()
