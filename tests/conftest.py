import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test.utils import override_settings
from django.utils import translation

from directory.models import Status
from tests.factories import (
    make_hours,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_staff,
    make_term,
    verified_login,
)

# The HSDS 3.0 schemas and samples live beside the project, in ../shared/hsds.
HSDS_DIR = Path(
    os.environ.get("HSDS_DIR") or Path(__file__).resolve().parents[2] / "shared" / "hsds"
)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    """Hash test passwords with MD5: the production hasher spends most of a second on each."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def hsds_dir():
    """The HSDS schemas and samples: skipped without them on a laptop, a failure in CI."""
    if not (HSDS_DIR / "schema").is_dir() or not (HSDS_DIR / "samples").is_dir():
        reason = (
            f"the HSDS schemas and samples are missing at {HSDS_DIR}: "
            "put a checkout of ../shared beside the project, or set HSDS_DIR"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return HSDS_DIR


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Rate limits and login lockouts live in the cache table: start each test clean."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("db")
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Start each test in the default language.

    A test-client request to an /es/ page leaves Spanish active in this thread,
    and the next test's get_absolute_url() would then give /es/ addresses.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def curator(db):
    return make_staff("carla", "Curators")


@pytest.fixture
def publisher(db):
    return make_staff("pablo", "Publishers")


@pytest.fixture
def curator_client(client, curator):
    verified_login(client, curator)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, signed in with both factors."""
    verified_login(client, admin_user)
    return client


@pytest.fixture
def publisher_client(client, publisher):
    verified_login(client, publisher)
    return client


# Listings for the export and import tests: four scripts, a formula-looking
# shelter at a confidential address, and a draft.
NAMES = {
    "zh": "華人移民法律服務中心",
    "ko": "한인 이민자 권익 센터",
    "hy": "Հայ համայնքային կենտրոն",
    "es": "Asociación de Jornaleros Señor Núñez",
}


@pytest.fixture
def directory(db, curator):
    term = make_term("legal", "Legal help")
    orgs = []
    for code, name in NAMES.items():
        org = make_organization(name, email=f"{code}@example.org", kinds=["community"])
        org.curator_notes = "SECRET-CURATOR-NOTE"
        org.mark_verified(curator)
        org.save()
        service = make_service(
            org, f"{name} — consulta", terms=[term], languages=[code if code != "hy" else "es"]
        )
        make_phone(service=service, number="+1 213 555 0100", type="hotline", is_24_hours=True)
        make_location(
            org,
            services=[service],
            address_1="1 Main St",
            postal_code="90012",
            latitude=34.05,
            longitude=-118.24,
        )
        make_hours(service, 0, (9, 0), (17, 0))
        orgs.append(org)
    shelter = make_organization("Refugio Seguro", description='=HYPERLINK("http://evil")')
    make_service(shelter, "@SUM(1+1) housing", description="-2+3+cmd|' /C calc'!A0")
    make_location(
        shelter,
        name="St. Brigid's basement",
        transit="Behind the bakery on 5th",
        accessibility="Side door, ring twice",
        address_1="742 Hidden Way",
        postal_code="90099",
        is_confidential=True,
        latitude=34.2,
        longitude=-118.5,
    )
    make_organization("Draft org", status=Status.DRAFT, description="DRAFT-ONLY")
    return orgs
