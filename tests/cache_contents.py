"""Everything the shared cache holds, as text, whichever backend it is on."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection


def stored_in_cache():
    """Every key and value in the cache: the database table's rows, or Redis's keys."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client()
        return " ".join(
            f"{key.decode()} {client.get(key).decode(errors='replace')}"
            for key in client.scan_iter()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM directory_cache")
        return " ".join(str(col) for row in cursor.fetchall() for col in row)
