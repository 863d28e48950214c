from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from directory.models import (
    Location,
    Organization,
    OrganizationKind,
    Phone,
    Schedule,
    Service,
    Status,
    TaxonomyTerm,
)
from tests.factories import make_location, make_organization, make_service, make_term

pytestmark = pytest.mark.django_db


def _rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_it_rejects_duplicate_slugs():
    make_organization(slug="same")
    _rejected(lambda: make_organization(slug="same"))


def test_it_rejects_an_unknown_status():
    _rejected(lambda: make_organization(status="gone"))
    _rejected(lambda: make_service(status="gone"))


def test_it_rejects_coordinates_out_of_range():
    org = make_organization()
    _rejected(lambda: make_location(org, latitude=91, longitude=0))
    _rejected(lambda: make_location(org, latitude=0, longitude=-181))
    _rejected(lambda: make_location(org, latitude=34.0, longitude=None))
    assert make_location(org, latitude=-90, longitude=180).pk


def test_it_rejects_invalid_enums():
    service = make_service()
    _rejected(lambda: Service.objects.filter(pk=service.pk).update(fee="cheap"))
    _rejected(lambda: OrganizationKind.objects.create(code="bakery"))
    _rejected(lambda: Phone.objects.create(service=service, number="1", type="pager"))
    _rejected(
        lambda: Schedule.objects.create(
            service=service, weekday=7, opens_at=time(9), closes_at=time(17)
        )
    )


def test_it_rejects_a_phone_without_owner_or_number():
    _rejected(lambda: Phone.objects.create(number="(213) 555-0100"))
    _rejected(lambda: Phone.objects.create(organization=make_organization(), number=""))


def test_it_rejects_an_empty_opening():
    service = make_service()
    _rejected(
        lambda: Schedule.objects.create(
            service=service, weekday=1, opens_at=time(9), closes_at=time(9)
        )
    )


def test_it_rejects_a_recognition_expiry_without_recognition():
    _rejected(
        lambda: make_organization(doj_recognized=False, doj_recognition_expires_on=date(2030, 1, 1))
    )
    org = Organization(name="X", slug="x", doj_recognition_expires_on=date(2030, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        org.full_clean()
    assert "doj_recognition_expires_on" in excinfo.value.message_dict


def test_it_rejects_a_year_founded_out_of_range():
    _rejected(lambda: make_organization(year_founded=1200))


def test_a_term_code_must_extend_its_parent():
    legal = make_term("legal")
    term = TaxonomyTerm(code="asylum", name="Asylum", parent=legal)
    with pytest.raises(ValidationError):
        term.full_clean()
    TaxonomyTerm(code="legal.asylum", name="Asylum", parent=legal).full_clean()


def test_with_descendants_includes_children_not_siblings():
    legal = make_term("legal")
    asylum = make_term("legal.asylum", parent=legal)
    make_term("legalese")
    codes = set(
        TaxonomyTerm.objects.filter(pk=legal.pk).with_descendants().values_list("code", flat=True)
    )
    assert codes == {"legal", asylum.code}


def test_confidential_location_hides_street_and_coordinates():
    org = make_organization()
    loc = make_location(
        org,
        address_1="12 Hidden St",
        postal_code="90001",
        latitude=34,
        longitude=-118,
        is_confidential=True,
    )
    assert loc.public_address_lines == ["Los Angeles, CA"]
    assert loc.public_coordinates is None
    loc.is_confidential = False
    assert loc.public_address_lines == ["12 Hidden St", "Los Angeles, CA 90001"]


def test_contact_method_spans_phones_and_services():
    org = make_organization(website="", email="")
    assert not org.has_contact_method()
    service = make_service(org)
    Phone.objects.create(service=service, number="(213) 555-0101")
    assert org.has_contact_method()


def test_public_services_need_a_published_organization():
    draft_org = make_organization(status=Status.DRAFT)
    make_service(draft_org)
    visible = make_service(make_organization())
    make_service(status=Status.ARCHIVED)
    assert list(Service.objects.public()) == [visible]


def test_stale_means_unverified_or_old(settings):
    settings.VERIFICATION_STALE_DAYS = 180
    never = make_organization()
    old = make_organization(last_verified_on=date.today() - timedelta(days=181))
    fresh = make_organization(last_verified_on=date.today() - timedelta(days=10))
    assert set(Organization.objects.stale()) == {never, old}
    assert fresh.is_stale is False and old.is_stale is True


def test_location_clean_wants_both_coordinates():
    loc = Location(organization=make_organization(), city="LA", state="CA", latitude=1)
    with pytest.raises(ValidationError):
        loc.full_clean()
