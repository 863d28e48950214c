"""Translations travel in CSV and Excel files: `service_description@ko` columns, out and back in."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from directory.exports import (
    csv_export,
    organizations_for_export,
    public_organizations,
    rows,
    table_reading,
    xlsx_bytes,
)
from directory.imports import import_file
from directory.models import (
    Organization,
    OrganizationTranslation,
    Service,
    ServiceTranslation,
    Status,
    Visibility,
)
from tests.factories import make_location, make_organization, make_phone, make_service

pytestmark = pytest.mark.django_db

KOREAN = "무료 추방 방어 상담"
CHINESE = "免费驱逐辩护咨询"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clinic():
    org = make_organization("Eastside Defense", description="Free deportation defense.")
    make_phone(organization=org)
    service = make_service(org, "Deportation defense", description="Lawyers for removal cases.")
    make_location(org, [service], city="Los Angeles", postal_code="90033")
    OrganizationTranslation.objects.create(organization=org, language="ko", description=KOREAN)
    ServiceTranslation.objects.create(
        service=service, language="zh-hans", name="驱逐辩护", description=CHINESE
    )
    return org, service


def _public_csv():
    languages = ["zh-hans", "ko"]
    listed = public_organizations(Organization.objects.all(), reading=table_reading(languages))
    return b"".join(csv_export(listed, languages=languages))


def _dict_rows(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _body(r):
    return b"".join(r.streaming_content) if r.streaming else r.content


def test_the_public_csv_has_columns_only_for_languages_in_use(client, clinic):
    r = client.get(reverse("directory:search-export", args=["csv"]))
    assert r.status_code == 200
    body = _body(r)
    header = body.decode("utf-8-sig").splitlines()[0].split(",")
    translated = [name for name in header if "@" in name]
    assert translated == [
        "organization_alternate_name@zh-hans",
        "organization_description@zh-hans",
        "organization_alternate_name@ko",
        "organization_description@ko",
        "service_name@zh-hans",
        "service_description@zh-hans",
        "eligibility@zh-hans",
        "application_process@zh-hans",
        "fee_note@zh-hans",
        "required_documents@zh-hans",
        "service_name@ko",
        "service_description@ko",
        "eligibility@ko",
        "application_process@ko",
        "fee_note@ko",
        "required_documents@ko",
    ]
    (row,) = _dict_rows(body)
    assert row["organization_description@ko"] == KOREAN
    assert row["service_description@zh-hans"] == CHINESE
    assert row["service_description@ko"] == ""


def test_an_export_without_translations_keeps_the_plain_columns(client, db):
    org = make_organization("Plain")
    make_phone(organization=org)
    r = client.get(reverse("directory:search-export", args=["csv"]))
    assert "@" not in _body(r).decode("utf-8-sig").splitlines()[0]


def test_csv_and_excel_round_trips_keep_translations_byte_for_byte(clinic):
    first = _public_csv()
    languages = ["zh-hans", "ko"]
    workbook = xlsx_bytes(
        rows(
            public_organizations(Organization.objects.all(), reading=table_reading(languages)),
            languages=languages,
        )
    )
    Organization.objects.all().delete()
    report = import_file("all.csv", first, publish=True)
    assert report.errors == []
    assert _public_csv() == first
    Organization.objects.all().delete()
    report = import_file("all.xlsx", workbook, publish=True)
    assert report.errors == []
    assert _public_csv().replace(b"\r\n", b"\n") == first.replace(b"\r\n", b"\n")


def _file(header, *lines):
    return ("\r\n".join([",".join(header), *(",".join(line) for line in lines)]) + "\r\n").encode()


def test_an_imported_korean_description_is_recorded_in_history_and_found_by_search(client, db):
    data = _file(
        ["organization_name", "organization_website", "service_name", "service_description@ko"],
        ["Hanbit Center", "https://hanbit.example.org/", "Legal help", "무료 망명 상담 제공"],
    )
    report = import_file("ko.csv", data, publish=True)
    assert report.errors == []
    translation_row = ServiceTranslation.objects.get(language="ko")
    assert translation_row.description == "무료 망명 상담 제공"
    assert translation_row.history.count() == 1
    r = client.get("/ko/search/", {"q": "망명"})
    assert "Hanbit Center" in r.content.decode()


@pytest.mark.parametrize(
    "column, message",
    [
        ("service_description@xx", "is not a language listings can be translated into"),
        ("service_url@ko", "Only these columns can have translations"),
    ],
)
def test_a_bad_translation_column_is_a_header_error_and_nothing_is_written(db, column, message):
    data = _file(["organization_name", "service_name", column], ["Casa", "Help", "text"])
    report = import_file("bad.csv", data)
    assert [(e.row, e.column) for e in report.errors] == [("Header", column)]
    assert message in report.errors[0].message
    assert not report.written and Organization.objects.count() == 0


def test_a_too_long_translation_is_a_row_error_at_its_column_and_nothing_is_written(db):
    data = _file(
        ["organization_name", "service_name", "service_name@ko"], ["Casa", "Help", "가" * 201]
    )
    report = import_file("long.csv", data)
    assert [(e.row, e.column) for e in report.errors] == [("Row 2", "service_name@ko")]
    assert Organization.objects.count() == 0 and ServiceTranslation.objects.count() == 0


def test_blank_cells_delete_a_translation_and_an_absent_column_leaves_it(clinic):
    org, service = clinic
    header = ["organization_id", "organization_name", "service_id", "service_name"]
    ids = [str(org.id), org.name, str(service.id), service.name]
    # A file without Chinese columns: the Chinese translation stays, Korean goes.
    data = _file(
        [*header, "organization_alternate_name@ko", "organization_description@ko"], [*ids, "", ""]
    )
    report = import_file("blank.csv", data)
    assert report.errors == []
    assert not OrganizationTranslation.objects.filter(organization=org).exists()
    assert ServiceTranslation.objects.get(service=service).description == CHINESE
    # One column of a language given: only that field changes.
    data = _file([*header, "service_name@zh-hans"], [*ids, "驱逐辩护服务"])
    assert import_file("name.csv", data).errors == []
    chinese = ServiceTranslation.objects.get(service=service)
    assert (chinese.name, chinese.description) == ("驱逐辩护服务", CHINESE)


def test_hidden_listings_translations_never_reach_a_public_export(client, clinic, tmp_path):
    draft_org = make_organization("Draft Org", status=Status.DRAFT)
    OrganizationTranslation.objects.create(
        organization=draft_org, language="vi", description="CANARY-DRAFT-VI"
    )
    partners = make_organization("Partners Org", visibility=Visibility.PARTNERS)
    make_phone(organization=partners)
    OrganizationTranslation.objects.create(
        organization=partners, language="tl", description="CANARY-PARTNERS-TL"
    )
    org, _service = clinic
    draft_service = make_service(org, "Draft service", status=Status.DRAFT)
    ServiceTranslation.objects.create(
        service=draft_service, language="km", description="CANARY-DRAFT-SERVICE-KM"
    )
    bodies = [_body(client.get(reverse("directory:search-export", args=["csv"])))]
    workbook = load_workbook(
        io.BytesIO(_body(client.get(reverse("directory:search-export", args=["xlsx"]))))
    )
    bodies.append(
        "\n".join(
            str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row
        ).encode()
    )
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"all.{fmt}"
        call_command("export_listings", "--format", fmt, "-o", str(out), stderr=io.StringIO())
        bodies.append(out.read_bytes())
    text = bodies[0].decode("utf-8-sig") + bodies[1].decode() + bodies[2].decode("utf-8-sig")
    assert KOREAN in text
    for canary in ("CANARY-DRAFT-VI", "CANARY-PARTNERS-TL", "CANARY-DRAFT-SERVICE-KM"):
        assert canary not in text
    # Not even the language's columns: they would say a hidden listing is translated.
    for code in ("@vi", "@tl", "@km"):
        assert code not in text
    xlsx_sheet = load_workbook(io.BytesIO(bodies[3])).active
    xlsx_text = "\n".join(str(c) for r in xlsx_sheet.iter_rows(values_only=True) for c in r)
    assert "CANARY" not in xlsx_text and KOREAN in xlsx_text


def test_the_curator_export_carries_every_translation(curator_client, clinic):
    draft = make_organization("Draft Org", status=Status.DRAFT)
    OrganizationTranslation.objects.create(organization=draft, language="vi", description="Nháp")
    r = curator_client.get(reverse("admin:directory_organization_export", args=["csv"]))
    assert r.status_code == 200
    by_name = {row["organization_name"]: row for row in _dict_rows(_body(r))}
    assert by_name["Draft Org"]["organization_description@vi"] == "Nháp"
    assert by_name["Eastside Defense"]["organization_description@ko"] == KOREAN


def test_model_and_plain_row_exports_agree(clinic):
    languages = ["zh-hans", "ko"]
    plain = public_organizations(Organization.objects.all(), reading=table_reading(languages))
    models = organizations_for_export(
        Organization.objects.public(), Service.objects.published(), translations=True
    )
    assert b"".join(csv_export(plain, languages=languages)) == b"".join(
        csv_export(models, languages=languages)
    )
