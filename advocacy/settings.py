"""Settings for the advocacy directory.

Everything that differs between a laptop and production comes from the
environment (see .env.example). Defaults are the safe, production ones:
DEBUG is off, and without DEBUG the app refuses to start without a SECRET_KEY.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name, default):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the database: which requests may use the replica.
    "directory.db_router.PublicReadsOnReplica",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that sets a cookie: it must see them all.
    "directory.http_cache.PublicPageCacheControl",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Outside CsrfViewMiddleware: it looks for the cookie that one sets.
    "directory.privacy.FormReferrerPolicy",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "directory.two_factor.RequireTwoFactorForStaff",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "advocacy.urls"
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.context_processors.site",
                "directory.context_processors.language_links",
            ],
        },
    },
]

# A SQLite file in the project folder, so a fresh clone runs with no server.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # For several workers at once: readers never wait for a writer (WAL), a
    # writer waits its turn (timeout, in seconds) instead of failing, and a
    # transaction takes the write lock when it begins (IMMEDIATE), since SQLite
    # fails at once, without waiting, one that reads and then needs to write
    # while another holds the lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query whose estimated cost is high: for the
    # directory's many small correlated subqueries that took seconds and saved
    # nothing (3.6 s of a 3.9 s search). Off for the app's connections only.
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c jit=off",
        **DATABASES["default"].get("OPTIONS", {}),
    }
# An optional read replica (a streaming copy of the primary) for anonymous
# public pages; writes, the admin, partners and signed-in users stay on the
# primary (directory/db_router.py, docs/deployment.md).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        # Tests never create it: it reads the test copy of the primary.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["directory.db_router.ReplicaRouter"]
# A cache table in the database, shared by every gunicorn worker, so login
# lockouts and submission rate limits count across workers (django-axes
# refuses per-process or file caches). It holds counters under hashed keys
# only. `migrate` creates it (directory/migrations/*_create_cache_table.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "directory_cache",
        # Past MAX_ENTRIES the cache drops a third of its rows, live counters
        # included: the default 300 would let a flood of form posts or failed
        # sign-ins wipe rate limits, lockouts and used-token records.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
# With several app servers, or to spare the database the cache's writes, set
# REDIS_URL (redis://host:6379/0): Django's own Redis backend, shared by every
# server, replaces the cache table (docs/deployment.md). Redis keeps each
# key's expiry itself and has no MAX_ENTRIES: give it memory enough that it
# never evicts (maxmemory-policy noeviction or volatile-ttl).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. Public URLs carry the language (/es/...), so no
# cookie or session is needed to remember it.
LANGUAGE_CODE = "en"
# The interface's languages (issue 13): Django's codes; each has a complete catalogue
# in locale/<code>/ (tests/test_catalogues.py) and a glossary in docs/translation/.
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("ko", _("Korean")),
    ("vi", _("Vietnamese")),
    ("tl", _("Tagalog")),
    ("hy", _("Armenian")),
    ("fa", _("Persian")),
    ("ru", _("Russian")),
    ("ja", _("Japanese")),
    ("km", _("Khmer")),
    ("ar", _("Arabic")),
    ("th", _("Thai")),
    ("pa", _("Punjabi")),
    ("hi", _("Hindi")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("ht", _("Haitian Creole")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers for the languages Django has no formats for (tl, ht);
# every other language keeps Django's own (docs/translation/README.md).
FORMAT_MODULE_PATH = ["advocacy.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (logos, rights material) in S3-compatible object storage, for several app servers
# (docs/deployment.md, "Uploaded files"); needs `pip install django-storages[s3]`. Serve the
# bucket from this site's own domain (S3_CUSTOM_DOMAIN), or public pages would load logos
# from another host.
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": os.environ.get("S3_CUSTOM_DOMAIN") or None,
            "location": "media",
            "default_acl": None,  # the bucket's own policy decides
            "querystring_auth": False,  # plain, cacheable addresses for public files
            "file_overwrite": False,  # random names anyway; never replace a stored file
        },
    }

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security. Each HTTPS setting can be switched off for plain-HTTP local
# serving, but is on unless DEBUG is.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", False) else None
)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The CSRF cookie, set only by pages with a form to send (suggest, report a
# problem, sign-in, the admin), lasts until the browser closes: a form is sent
# minutes after it is shown, so nothing needs Django's default of a year.
CSRF_COOKIE_AGE = None
# Staff sessions expire: eight hours, and when the browser closes.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor authentication (TOTP, with recovery codes) for every staff
# account on every admin page, also with DEBUG on. Only a local demo may
# switch it off (`make run` does); never in production.
REQUIRE_2FA = envbool("REQUIRE_2FA", True)
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "Immigrant Advocacy Directory")

# Repeated failed logins lock a username for a while (django-axes with our
# handler, directory/lockout.py): from one address after LOGIN_FAILURE_LIMIT
# failures, from every address only after LOGIN_FAILURE_LIMIT_ANY_ADDRESS, so
# an attacker cannot lock a curator out by failing five times. Counters live
# in the cache under keyed digests: no address or typed username is stored
# or logged. Unlock: `manage.py axes_reset_username <username>`.
AXES_HANDLER = "directory.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_ANY_ADDRESS = envint("LOGIN_FAILURE_LIMIT_ANY_ADDRESS", 50)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 30))
# What LockoutHandler counts (axes' own handlers would read this too).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "directory.lockout.username_digest"
AXES_CLIENT_IP_CALLABLE = "directory.lockout.address_digest"
AXES_CLIENT_STR_CALLABLE = "directory.lockout.client_str"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# How long an HTTP cache in front of the app (CDN, proxy) may keep an
# anonymous public page, then serve it stale while it fetches a fresh one
# (directory/http_cache.py). 0 makes every visit reach the app.
PUBLIC_CACHE_SECONDS = envint("PUBLIC_CACHE_SECONDS", 60)
PUBLIC_CACHE_STALE_SECONDS = envint("PUBLIC_CACHE_STALE_SECONDS", 300)

# Links out to an organization must not tell it where the visitor came from.
# Pages with a form to send get "same-origin" instead (FormReferrerPolicy).
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Strict CSP: our own origin only, no inline script, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@example.org")

# Request logs keep the path but never the query string (it holds what the
# visitor searched for) nor the visitor's address.
# No log names a visitor: every handler rewrites records to drop query strings,
# addresses, header values and exception messages (directory/log_filters.py,
# docs/privacy.md). Replacing the "django" logger's handlers also drops Django's
# default error mails, which would carry the whole request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"private": {"()": "directory.log_filters.ScrubVisitorDetails"}},
    "formatters": {
        # As gunicorn's error log, which these lines are mixed into.
        "plain": {
            "format": "[{asctime}] [{process}] [{levelname}] {name}: {message}",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
            "style": "{",
        },
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["private"], "formatter": "plain"},
        "server": {"class": "logging.StreamHandler", "filters": ["private"], "formatter": "server"},
    },
    # Every other logger (the app's, libraries') ends here, through the same filter, rather
    # than in Python's unfiltered last-resort handler.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["server"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # Refused requests (bad Host header, CSRF failure, too many fields), without the
        # offending values.
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Public suggestions and reports accepted per client per day. Clients are
# told apart by a keyed hash of address, browser and day, kept in the cache
# only (see docs/security.md).
SUBMISSIONS_PER_DAY = envint("SUBMISSIONS_PER_DAY", 5)
# A form sent faster than this, in seconds, after it was shown is a robot's.
SUBMISSION_MIN_SECONDS = envint("SUBMISSION_MIN_SECONDS", 3)

# Listings not verified for this many days count as stale.
VERIFICATION_STALE_DAYS = envint("VERIFICATION_STALE_DAYS", 180)
SITE_NAME = os.environ.get("SITE_NAME", "Immigrant Advocacy Directory")
