"""The number offered to call: the best one for what was searched, never a fax."""

import pytest

from directory.models import Organization, PhoneType, Service, Status, Visibility
from directory.phones import best_number, in_offer_order
from tests.factories import make_organization, make_phone, make_service, make_term

pytestmark = pytest.mark.django_db


def _result(client, query=""):
    """The HTML of the only result of a search."""
    html = client.get(f"/search/?{query}").content.decode()
    results = html.split('<article class="result">')[1:]
    assert len(results) == 1, html
    return results[0]


def _with_phones(org):
    org = Organization.objects.prefetch_related("phones").get(pk=org.pk)
    services = Service.objects.filter(organization=org).prefetch_related("phones")
    return org, list(services)


def test_a_fax_only_organization_offers_no_number_to_call(client):
    org = make_organization("Fax Only Office")
    make_service(org, "Consultations")
    make_phone("(213) 555-0150", organization=org, type=PhoneType.FAX)
    assert best_number(*_with_phones(org)) is None
    result = _result(client)
    assert "tel:" not in result and "555-0150" not in result
    page = client.get(org.get_absolute_url()).content.decode()
    assert "tel:+12135550150" not in page and 'Fax <bdi dir="ltr">(213) 555-0150</bdi>' in page


def test_a_fax_listed_first_is_passed_over_for_the_voice_line(client):
    org = make_organization("Office With Fax")
    make_phone("(213) 555-0101", organization=org, type=PhoneType.FAX)
    make_phone("(213) 555-0102", organization=org, type=PhoneType.VOICE)
    assert best_number(*_with_phones(org)).number == "(213) 555-0102"
    result = _result(client)
    assert 'href="tel:+12135550102"' in result and "555-0101" not in result
    page = client.get(org.get_absolute_url()).content.decode()
    assert page.index("555-0102") < page.index("555-0101")
    assert 'href="tel:+12135550101"' not in page


def test_a_text_line_is_an_sms_link_on_results_the_organization_page_and_home(client):
    org = make_organization("Text Line Collective")
    make_phone("(213) 555-0160", organization=org, type=PhoneType.TEXT, is_24_hours=True)
    assert best_number(*_with_phones(org)).type == PhoneType.TEXT
    for html in (
        _result(client),
        client.get(org.get_absolute_url()).content.decode(),
        client.get("/").content.decode(),
    ):
        assert 'href="sms:+12135550160"' in html
        assert "tel:+12135550160" not in html


def test_a_matching_service_hotline_comes_before_the_organization_line(client):
    legal, housing = make_term("legal", "Legal help"), make_term("housing", "Housing")
    org = make_organization("Community Hub")
    make_phone(
        "(818) 555-0103", organization=org, description="Volunteer coordinator (not the hotline)"
    )
    make_phone("(818) 555-0109", organization=org, type=PhoneType.FAX)
    lawyers = make_service(org, "Lawyers", terms=[legal])
    make_phone("(818) 555-0111", service=lawyers, type=PhoneType.VOICE)
    shelter = make_service(org, "Shelter", terms=[housing])
    make_phone("(818) 555-0122", service=shelter, type=PhoneType.HOTLINE)
    make_phone("(818) 555-0133", service=shelter, type=PhoneType.TEXT)

    org, services = _with_phones(org)
    assert best_number(org, [s for s in services if s.name == "Shelter"]).number.endswith("0122")
    assert best_number(org, [s for s in services if s.name == "Lawyers"]).number.endswith("0111")
    assert best_number(org).number.endswith("0103")
    assert 'href="tel:+18185550122"' in _result(client, "category=housing")
    assert 'href="tel:+18185550111"' in _result(client, "category=legal")


def test_text_lines_come_after_every_voice_line():
    org = make_organization()
    service = make_service(org)
    make_phone("(818) 555-0133", service=service, type=PhoneType.TEXT)
    make_phone("(818) 555-0144", organization=org, type=PhoneType.VOICE)
    assert best_number(*_with_phones(org)).number.endswith("0144")


def test_offer_order_lists_hotlines_then_voice_then_text_then_fax():
    org = make_organization()
    for kind in (PhoneType.FAX, PhoneType.TEXT, PhoneType.VOICE, PhoneType.HOTLINE):
        make_phone(f"(818) 555-01{len(kind):02}", organization=org, type=kind)
    assert [p.type for p in in_offer_order(org.phones.all())] == ["hotline", "voice", "text", "fax"]


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_home_lists_only_public_24_hour_lines(client, prefix):
    public = make_organization("Open Rapid Response")
    make_phone("(323) 555-0001", organization=public, type=PhoneType.HOTLINE, is_24_hours=True)
    secret = make_organization("Secret Raid Line", visibility=Visibility.PARTNERS)
    make_phone("(323) 555-0002", organization=secret, type=PhoneType.HOTLINE, is_24_hours=True)
    secret_service = make_service(secret, "Secret dispatch")
    make_phone("(323) 555-0003", service=secret_service, is_24_hours=True)
    draft_service = make_service(public, "Draft dispatch", status=Status.DRAFT)
    make_phone("(323) 555-0004", service=draft_service, is_24_hours=True)
    make_phone("(323) 555-0005", organization=public, type=PhoneType.FAX, is_24_hours=True)
    html = client.get(f"{prefix}/").content.decode()
    assert "555-0001" in html and "Open Rapid Response" in html
    for hidden in ("Secret Raid Line", "555-0002", "555-0003", "555-0004", "555-0005"):
        assert hidden not in html
