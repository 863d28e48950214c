"""Rebuild the public search index from the listings (directory/search_index.py).

Every write keeps the index current; run this after loading data around the
app (a restored backup, SQL by hand) or to check it: `--check` reports
whether the stored index differs from a fresh build, without changing it.
"""

import time

from django.core.management.base import BaseCommand

from directory import search_index


class Command(BaseCommand):
    help = "Rebuild the public search index."

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(done, total):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done:,} of {total:,} organizations")

        count = search_index.rebuild(progress=progress)
        search_index.vacuum()
        self.stdout.write(
            f"Indexed {count:,} public organizations in {time.perf_counter() - started:.1f} s."
        )
