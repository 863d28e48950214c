"""Telling visitors apart without keeping who they are.

The rate limit on public forms and the sign-in lockout both need "the same
client again". They get it from keyed digests (HMAC-SHA256 with SECRET_KEY):
the address, and whatever was typed as a username, never reach the cache, a
log or the database.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The visitor's address: the proxy's last X-Forwarded-For entry, or REMOTE_ADDR.

    Behind our TLS proxy (BEHIND_PROXY) the last entry is the one the proxy
    added; earlier ones are whatever the client sent, so they cannot be
    trusted. An IPv6 address counts as its /64 network, which one
    household or phone gets as a whole.
    """
    address = ""
    if settings.SECURE_PROXY_SSL_HEADER:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    address = address or request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def keyed_digest(purpose, *parts):
    """HMAC-SHA256 of the parts, with SECRET_KEY and the purpose as the key."""
    key = f"{settings.SECRET_KEY}\n{purpose}".encode()
    message = "\n".join(str(part) for part in parts).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def count(key, timeout):
    """Add one to a cache counter that expires `timeout` seconds from now; return it.

    Django's DatabaseCache.incr() saves the new value with the cache's
    default timeout (300 s), so the expiry is set again after each step.
    """
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, timeout=timeout)
        return 1
    cache.touch(key, timeout=timeout)
    return value
