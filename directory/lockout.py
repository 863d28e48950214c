"""Sign-in lockout for the admin and partner logins (a django-axes handler).

Guessing passwords must stop, but a lock that anyone can set is a way to
keep curators out during a crisis. So each failed sign-in counts twice, in
the shared cache, for AXES_COOLOFF_TIME after the last failure:

- the username from this address: at AXES_FAILURE_LIMIT (5) that address
  is locked out of that username; the owner, signing in from elsewhere, is not;
- the username from anywhere: at LOGIN_FAILURE_LIMIT_ANY_ADDRESS (50) the
  username is locked everywhere, against guessing spread over many addresses.

An attempt refused because it was already locked tried no password, so it
is not counted: one address cannot push the username-wide count. A correct
password clears that address's count only. An administrator unlocks a
username with `manage.py axes_reset_username <username>`.

Axes only ever sees keyed digests (AXES_USERNAME_CALLABLE and
AXES_CLIENT_IP_CALLABLE below): what was typed as a username (perhaps a
password) and the address are not stored, cached or logged.
"""

import logging
import secrets

from axes.handlers.base import AbstractAxesHandler, AxesBaseHandler
from axes.helpers import get_cache_timeout, get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache

from .clients import client_address, count, keyed_digest

log = logging.getLogger(__name__)


def _digest(username):
    return keyed_digest("lockout-username", username)


def username_digest(request, credentials):
    """AXES_USERNAME_CALLABLE: the typed username as a keyed digest."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    return _digest(username) if username else None


def address_digest(request):
    """AXES_CLIENT_IP_CALLABLE: the visitor's address as a keyed digest."""
    return keyed_digest("lockout-address", client_address(request))


def client_str(username, ip_address, user_agent, path_info, request):
    """AXES_CLIENT_STR_CALLABLE: names no one, in case axes logs a client."""
    return f"a client of {path_info}"


def _user_key(user):
    return f"lockout:user:{user}"


def _generation_key(user):
    # Part of every per-address key of the username: a new generation
    # unlocks all of them at once, without knowing the addresses.
    return f"lockout:generation:{user}"


def _pair_key(user, address, generation):
    return f"lockout:pair:{keyed_digest('lockout-pair', user, address, generation)}"


class LockoutHandler(AbstractAxesHandler, AxesBaseHandler):
    def _counts(self, request, credentials):
        user = get_client_username(request, credentials)
        if not user:
            return 0, 0
        generation = cache.get(_generation_key(user))
        pair = (
            cache.get(_pair_key(user, request.axes_ip_address, generation), 0) if generation else 0
        )
        return pair, cache.get(_user_key(user), 0)

    def get_failures(self, request, credentials=None):
        return max(self._counts(request, credentials))

    def is_locked(self, request, credentials=None):
        pair, anywhere = self._counts(request, credentials)
        return (
            pair >= settings.AXES_FAILURE_LIMIT
            or anywhere >= settings.LOGIN_FAILURE_LIMIT_ANY_ADDRESS
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        user = get_client_username(request, credentials) if request is not None else None
        if not user:
            return
        if self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        timeout = get_cache_timeout(request)
        cache.add(_generation_key(user), secrets.token_hex(8), timeout=timeout)
        cache.touch(_generation_key(user), timeout=timeout)
        generation = cache.get(_generation_key(user))
        pair = count(_pair_key(user, request.axes_ip_address, generation), timeout)
        count(_user_key(user), timeout)
        request.axes_failures_since_start = pair
        if self.is_locked(request, credentials):
            scope = "this address" if pair >= settings.AXES_FAILURE_LIMIT else "every address"
            log.warning("AXES: a username is locked for %s after repeated failed sign-ins.", scope)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=user, ip_address=request.axes_ip_address
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        if not settings.AXES_RESET_ON_SUCCESS:
            return
        digest = _digest(user.get_username())
        generation = cache.get(_generation_key(digest))
        if generation:
            cache.delete(_pair_key(digest, request.axes_ip_address, generation))

    def user_logged_out(self, sender, request, user, **kwargs):
        pass

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False):
        """Unlock a username from every address (axes_reset_username)."""
        if not username:
            return 0
        user = _digest(username)
        failures = cache.get(_user_key(user), 0)
        cache.delete_many([_user_key(user), _generation_key(user)])
        log.info("AXES: an administrator lifted a lockout.")
        return failures
