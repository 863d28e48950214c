"""The HSDS export in one language: `?lang=ko` gives the listings' Korean text where there is one."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from directory.models import OrganizationTranslation, ServiceTranslation, Status
from tests.factories import make_location, make_organization, make_phone, make_service
from tests.hsds_schemas import validator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clinic():
    org = make_organization("Eastside Defense", description="Free deportation defense.")
    make_phone(organization=org)
    service = make_service(
        org,
        "Deportation defense",
        description="Lawyers for removal cases.",
        eligibility="Anyone in removal proceedings.",
        fee_note="No one is turned away",
        required_documents="Court letter\nPassport",
    )
    make_location(org, [service], city="Los Angeles", postal_code="90033")
    OrganizationTranslation.objects.create(
        organization=org,
        language="ko",
        alternate_name="이스트사이드 변호",
        description="무료 추방 방어",
    )
    ServiceTranslation.objects.create(
        service=service,
        language="ko",
        name="추방 방어",
        description="추방 사건 변호사",
        fee_note="누구도 거절하지 않습니다",
        required_documents="법원 편지\n여권",
    )
    ServiceTranslation.objects.create(service=service, language="vi", description="Luật sư")
    draft = make_service(org, "Draft clinic", status=Status.DRAFT)
    ServiceTranslation.objects.create(service=draft, language="ko", description="CANARY-DRAFT-KO")
    return service


def _json(client, query=""):
    r = client.get(reverse("directory:search-export", args=["json"]) + query)
    assert r.status_code == 200
    return json.loads(b"".join(r.streaming_content))


def test_the_korean_export_gives_korean_text_and_english_where_untranslated(client, clinic):
    [service] = _json(client, "?lang=ko")
    assert service["name"] == "추방 방어"
    assert service["description"] == "추방 사건 변호사"
    assert service["fees_description"] == "Free. 누구도 거절하지 않습니다"
    assert [d["document"] for d in service["required_documents"]] == ["법원 편지", "여권"]
    # Not translated into Korean: as written.
    assert service["eligibility_description"] == "Anyone in removal proceedings."
    assert service["organization"]["alternate_name"] == "이스트사이드 변호"
    assert service["organization"]["description"] == "무료 추방 방어"
    assert service["organization"]["name"] == "Eastside Defense"  # never translated


def test_without_a_language_the_export_is_as_written(client, clinic):
    [service] = _json(client)
    assert service["name"] == "Deportation defense"
    assert service["description"] == "Lawyers for removal cases."
    assert "alternate_name" not in service["organization"]


def test_the_language_export_validates_and_holds_no_hidden_text(client, clinic, hsds_dir):
    data = _json(client, "?lang=ko")
    check = validator(hsds_dir, "service.json")
    assert [e.message for item in data for e in check.iter_errors(item)] == []
    assert "CANARY" not in json.dumps(data, ensure_ascii=False)
    assert "Luật sư" not in json.dumps(data, ensure_ascii=False)


def test_an_unknown_language_is_a_clear_400(client, clinic):
    r = client.get(reverse("directory:search-export", args=["json"]) + "?lang=xx")
    assert r.status_code == 400
    assert "“xx” is not one of" in r.content.decode() and "ko" in r.content.decode()


def test_the_command_and_the_data_package_take_a_text_language(clinic, tmp_path):
    out = tmp_path / "ko.json"
    call_command("export_listings", "--format", "hsds", "--text-language", "ko", "-o", str(out))
    assert json.loads(out.read_text())[0]["description"] == "추방 사건 변호사"
    package = tmp_path / "ko.zip"
    call_command(
        "export_listings", "--format", "hsds-package", "--text-language", "vi", "-o", str(package)
    )
    with zipfile.ZipFile(package) as archive:
        name = next(n for n in archive.namelist() if n.endswith("services.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert [(row["name"], row["description"]) for row in rows] == [
        ("Deportation defense", "Luật sư")
    ]
