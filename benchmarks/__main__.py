"""Time the search page on ~2,000 organizations: `make bench` (a benchmark, not a test).

Builds a scratch SQLite database in a temporary folder, fills it with
generated listings, and prints the time and query count of a few searches.
"""

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ORGANIZATIONS = 2000
SEARCHES = [
    "/search/",
    "/search/?q=asylum",
    "/search/?near=90033&radius=50",
    "/search/?category=legal&language=es&fee=free",
    "/search/?q=legal&near=Fresno%2C+CA&radius=100&sort=distance",
    "/search/?open_now=true&remote=true",
    "/es/search/?q=deportacion&page=3",
]
CITIES = [
    ("Los Angeles", "CA", 34.05, -118.25),
    ("Fresno", "CA", 36.74, -119.79),
    ("San Diego", "CA", 32.72, -117.16),
    ("Houston", "TX", 29.76, -95.37),
    ("Chicago", "IL", 41.88, -87.63),
    ("New York", "NY", 40.71, -74.01),
]


def build():
    from django.core.management import call_command

    from directory import search
    from directory.models import (
        Language,
        Location,
        Organization,
        Schedule,
        Service,
        ServiceLanguage,
        TaxonomyTerm,
    )

    call_command("migrate", verbosity=0)
    call_command("loaddata", "languages", "taxonomy", verbosity=0)
    rng = random.Random(3)
    terms = list(TaxonomyTerm.objects.all())
    languages = list(Language.objects.filter(code__in=["es", "en", "vi", "ko", "zh", "ht", "ar"]))
    words = ["asylum", "deportación", "legal", "clinic", "hotline", "counseling", "mutual aid"]
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"{rng.choice(words).title()} Center {n}",
            slug=f"center-{n}",
            status="published",
            description=" ".join(rng.choices(words, k=12)),
            website="https://example.org/",
        )
        for n in range(ORGANIZATIONS)
    )
    services = Service.objects.bulk_create(
        Service(
            organization=org,
            name=f"{rng.choice(words).title()} service",
            status="published",
            fee=rng.choice(["free", "sliding", "paid"]),
            remote_by_phone=rng.random() < 0.3,
            time_zone=rng.choice(["", "America/New_York", "America/Chicago"]),
        )
        for org in orgs
        for _ in range(2)
    )
    Service.taxonomy_terms.through.objects.bulk_create(
        Service.taxonomy_terms.through(service=s, taxonomyterm=rng.choice(terms)) for s in services
    )
    ServiceLanguage.objects.bulk_create(
        ServiceLanguage(service=s, language=lang)
        for s in services
        for lang in rng.sample(languages, 2)
    )
    Schedule.objects.bulk_create(
        Schedule(service=s, weekday=d, opens_at="09:00", closes_at="17:00")
        for s in services
        for d in range(5)
    )
    locations = []
    for org in orgs:
        city, state, lat, lon = rng.choice(CITIES)
        location = Location(
            organization=org,
            city=city,
            state=state,
            latitude=lat + rng.uniform(-0.3, 0.3),
            longitude=lon + rng.uniform(-0.3, 0.3),
            is_confidential=rng.random() < 0.1,
        )
        location.set_search_point()
        locations.append(location)
    Location.objects.bulk_create(locations)
    search.refresh([org.pk for org in orgs])


def run():
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    print(f"{'ms':>7} {'queries':>7}  url")
    for url in SEARCHES:
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, url
        print(f"{elapsed:7.1f} {len(queries):7}  {url}  ({len(response.content) // 1024} KB)")


def main():
    folder = tempfile.mkdtemp(prefix="advocacy-bench-")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import django

    django.setup()
    start = time.perf_counter()
    build()
    print(f"Built {ORGANIZATIONS} organizations in {time.perf_counter() - start:.1f} s")
    try:
        run()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
