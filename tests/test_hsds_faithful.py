"""Faithful HSDS imports (issue 12, item 4): what a file says is kept, or reported."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from directory import hsds_schedules
from directory.hsds import records_from_hsds, service_to_hsds, services_for_hsds
from directory.imports import import_file, import_records
from directory.iso_names import country_code, language_code
from directory.models import (
    Location,
    Organization,
    Schedule,
    Service,
    SourceId,
    Status,
    TaxonomyTerm,
)
from tests.factories import make_hours, make_organization, make_service, make_term
from tests.test_hsds import _validator


def _org(name="Centro Legal", **fields):
    return {"name": name, "website": "https://centro.example.org/", **fields}


def _service(name="Asylum clinic", organization=None, **fields):
    return {"name": name, "status": "active", "organization": organization or _org(), **fields}


def _file(*items):
    return json.dumps(list(items)).encode()


def _import(*items, **kwargs):
    kwargs.setdefault("source", "partner")
    return import_file("services.json", _file(*items), **kwargs)


def _columns(report):
    return {(w.row, w.column) for w in report.warnings}


# ---------------------------------------------------------------- status


def test_inactive_and_defunct_services_are_never_published(db):
    report = _import(
        _service("Open", id="s1"),
        _service("Paused", id="s2", status="inactive"),
        _service("Gone", id="s3", status="defunct"),
        _service("Closed for now", id="s4", status="temporarily closed"),
        publish=True,
    )
    assert report.errors == [] and report.written
    statuses = dict(Service.objects.values_list("name", "status"))
    assert statuses == {
        "Open": Status.PUBLISHED,
        "Paused": Status.ARCHIVED,
        "Gone": Status.ARCHIVED,
        "Closed for now": Status.DRAFT,
    }
    assert {("Item 2", "status"), ("Item 3", "status"), ("Item 4", "status")} <= _columns(report)
    assert Service.objects.public().get().name == "Open"


def test_a_service_that_became_defunct_leaves_the_public_site(db):
    _import(_service(id="s1"), publish=True)
    assert Service.objects.get().status == Status.PUBLISHED
    report = _import(_service(id="s1", status="defunct"))
    assert report.errors == []
    assert Service.objects.get().status == Status.ARCHIVED


def test_an_unknown_status_is_a_draft_and_a_warning(db):
    report = _import(_service(status="open-ish"), publish=True)
    assert Service.objects.get().status == Status.DRAFT
    assert ("Item 1", "status") in _columns(report)


def test_a_curator_cannot_archive_through_a_file(db, curator):
    _import(_service(id="s1"), publish=True)
    report = _import(_service(id="s1", status="defunct"), user=curator)
    assert not report.written
    assert Service.objects.get().status == Status.PUBLISHED


# ---------------------------------------------------------------- the publisher's ids


def test_a_renamed_service_and_organization_are_updated_not_duplicated(db):
    first = _service("Asylum clinic", id="svc-7", organization=_org(id=42))
    assert _import(first).errors == []
    service = Service.objects.get()
    renamed = _service(
        "Asylum and refugee clinic",
        id="svc-7",
        organization=_org("Centro Legal de Ayuda", id=42, website="https://new.example.org/"),
    )
    report = _import(renamed)
    assert report.errors == [] and report.created == []
    assert {o.matched_by for o in report.updated} == {"source id"}
    assert Service.objects.get().pk == service.pk
    assert Service.objects.get().name == "Asylum and refugee clinic"
    assert Organization.objects.get().name == "Centro Legal de Ayuda"
    assert set(SourceId.objects.values_list("source", "kind", "external_id")) == {
        ("partner", "organization", "42"),
        ("partner", "service", "svc-7"),
    }


def test_a_renamed_location_keeps_its_row(db):
    place = {
        "id": "loc-1",
        "name": "Main office",
        "addresses": [{"city": "Fresno", "state_province": "CA"}],
    }
    item = _service(id="s1", service_at_locations=[{"location": place}])
    _import(item)
    location = Location.objects.get()
    moved = {
        **place,
        "name": "Front office",
        "addresses": [{"address_1": "2 Elm St", "city": "Fresno", "state_province": "CA"}],
    }
    report = _import(_service(id="s1", service_at_locations=[{"location": moved}]))
    assert report.errors == []
    assert Location.objects.get().pk == location.pk
    assert Location.objects.get().name == "Front office"


def test_two_ids_sharing_a_website_are_two_organizations(db):
    report = _import(
        _service("Clinic A", id="a", organization=_org("Centro Legal", id="1")),
        _service("Clinic B", id="b", organization=_org("Centro Legal Norte", id="2")),
    )
    assert report.errors == []
    assert Organization.objects.count() == 2
    # The next file of the same source adds a third id with that website: a third one.
    _import(_service("Clinic C", id="c", organization=_org("Centro Legal Sur", id="3")))
    assert Organization.objects.count() == 3


def test_an_organization_entered_by_hand_is_still_found_by_its_website(db):
    org = make_organization("Centro Legal", website="https://centro.example.org/")
    report = _import(_service(id="s1", organization=_org(id="77")))
    assert [o.matched_by for o in report.updated if o.model == "organization"] == ["website"]
    assert SourceId.objects.get(kind="organization").organization == org


def test_the_same_id_from_two_sources_is_two_records(db):
    _import(_service(id="1", organization=_org(id="1")), source="county")
    _import(
        _service(id="1", organization=_org("Other", id="1", website="https://o.example.org/")),
        source="state",
    )
    assert Organization.objects.count() == 2


def test_the_command_keeps_ids_under_its_source(db, tmp_path):
    path = tmp_path / "partner-2026-05.json"
    path.write_bytes(_file(_service(id="s1", organization=_org(id="o1"))))
    call_command("import_listings", str(path), "--source", "partner", stdout=io.StringIO())
    assert SourceId.objects.filter(source="partner").count() == 2
    other = tmp_path / "partner-2026-06.json"
    other.write_bytes(_file(_service("Renamed", id="s1", organization=_org(id="o1"))))
    call_command("import_listings", str(other), "--source", "partner", stdout=io.StringIO())
    assert list(Service.objects.values_list("name", flat=True)) == ["Renamed"]


def test_by_default_the_source_is_the_file_name(db):
    import_file("county.json", _file(_service(id="s1")))
    assert set(SourceId.objects.values_list("source", flat=True)) == {"county.json"}


def test_records_read_by_another_reader_keep_their_ids_too(db):
    """A reader that builds HSDS documents (a data package) calls these two."""
    records, errors = records_from_hsds([_service(id="s1", organization=_org(id="o1"))])
    report = import_records(records, errors=errors, source="package")
    assert report.errors == []
    assert SourceId.objects.filter(source="package").count() == 2


# ---------------------------------------------------------------- what is not kept


def test_fields_we_cannot_store_are_reported_one_by_one(db):
    item = _service(
        contacts=[{"id": "c1", "name": "Ana"}, {"id": "c2", "name": "Luis"}],
        funding=[{"id": "f1", "source": "County"}],
        alert="Closed on Friday",
        phones=[{"number": "555-0100", "attributes": [{"id": "x", "value": "1"}]}],
        organization=_org(tax_id="12-345", legal_status="Limited Company"),
    )
    report = _import(item)
    assert report.errors == [] and report.written
    assert {
        ("Item 1", "contacts"),
        ("Item 1", "funding"),
        ("Item 1", "alert"),
        ("Item 1", "phones[].attributes"),
        ("Item 1", "organization.tax_id"),
        ("Item 1", "organization.legal_status"),
    } <= _columns(report)
    # One warning a field, however many contacts.
    assert [w.column for w in report.warnings].count("contacts") == 1


def test_our_own_export_imports_without_warnings(db, tmp_path):
    org = make_organization("Centro Legal", legal_status="501c3")
    service = make_service(org, "Clinic", hours_note="First Monday of the month, 9–12.")
    make_hours(service, 0, (9, 0), (17, 0))
    out = tmp_path / "all.json"
    call_command("export_listings", "--format", "hsds", "-o", str(out))
    report = import_file("all.json", out.read_bytes())
    assert report.errors == [] and report.warnings == []


def test_languages_given_by_name_only_are_kept(db):
    report = _import(_service(languages=[{"name": "Spanish"}, {"code": "kor"}, {"name": "Elvish"}]))
    assert set(Service.objects.get().languages.values_list("code", flat=True)) == {"es", "ko"}
    assert ("Item 1", "languages[2]") in _columns(report)


def test_a_virtual_location_makes_the_service_online(db):
    virtual = {"location_type": "virtual", "url": "https://meet.example.org", "name": "Online"}
    report = _import(_service(service_at_locations=[{"location": virtual}]))
    assert report.errors == []
    assert Service.objects.get().online
    assert Location.objects.count() == 0


def test_a_location_without_a_city_is_reported(db):
    report = _import(_service(service_at_locations=[{"location": {"name": "Somewhere"}}]))
    assert ("Item 1", "service_at_locations[0].location") in _columns(report)


def test_the_command_prints_the_warnings(db, tmp_path):
    path = tmp_path / "s.json"
    path.write_bytes(_file(_service(alert="Closed today")))
    err, out = io.StringIO(), io.StringIO()
    call_command("import_listings", str(path), "--dry-run", stdout=out, stderr=err)
    assert "Warning: Item 1, alert: Not imported" in err.getvalue()
    assert "1 warnings" in out.getvalue()


def test_the_admin_preview_shows_the_warnings(publisher_client):
    upload = SimpleUploadedFile("s.json", _file(_service(alert="Closed today")))
    url = reverse("admin:directory_organization_import")
    r = publisher_client.post(url, {"file": upload, "source": "partner"})
    assert r.status_code == 200
    assert r.context["report"].errors == []
    page = r.content.decode()
    assert "1 warning: this will be imported, but not all of it." in page
    assert "<td>alert</td>" in page
    r = publisher_client.post(url, {"token": r.context["token"], "source": "partner"})
    assert r.status_code == 302
    assert SourceId.objects.filter(source="partner").exists() is False  # no ids in that file
    assert Service.objects.count() == 1


# ---------------------------------------------------------------- other HSDS objects


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        (
            "datapackage.json",
            {"name": "human_services_data", "profile": "tabular-data-package", "resources": []},
            "datapackage.json",
        ),
        (
            "taxonomy.json",
            {"id": "t", "name": "Ours", "uri": "https://t.example", "version": "1"},
            "taxonomy",
        ),
        ("term.json", {"id": "t", "code": "legal", "name": "Legal"}, "taxonomy term"),
        ("location.json", {"id": "l", "location_type": "physical", "name": "Hall"}, "location"),
        ("root.json", {"version": "3.0", "openapi_url": "https://x.example/openapi.json"}, "root"),
    ],
)
def test_a_file_of_other_hsds_objects_is_refused(db, name, content, says):
    report = import_file(name, json.dumps(content).encode())
    [error] = report.errors
    assert error.row == "File" and says in error.message
    assert Organization.objects.count() == 0


def test_the_command_refuses_a_datapackage_with_its_reason(db, hsds_dir):
    path = hsds_dir / "samples" / "csv" / "datapackage.json"
    with pytest.raises(CommandError, match="datapackage.json"):
        call_command("import_listings", str(path), stdout=io.StringIO())
    assert Organization.objects.count() == 0


def test_another_object_among_services_refuses_the_file(db):
    report = _import(_service(), {"id": "t", "code": "legal", "name": "Legal"})
    assert [(e.row, e.column) for e in report.errors] == [("Item 2", "")]
    assert not report.written and Service.objects.count() == 0


# ---------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("written", "code"),
    [("Germany", "DE"), ("Mexico", "MX"), ("MEX", "MX"), ("mx", "MX"), ("México", "MX")]
    + [("United States of America", "US"), ("GE", "GE"), ("the Netherlands", "NL")],
)
def test_countries_by_iso_name_or_code(written, code):
    assert country_code(written) == code


def test_a_country_we_cannot_place_is_an_error(db):
    place = {
        "name": "Office",
        "addresses": [{"city": "Berlin", "state_province": "Berlin", "country": "Narnia"}],
    }
    report = _import(_service(service_at_locations=[{"location": place}]))
    assert [e.column for e in report.errors] == [
        "service_at_locations[0].location.addresses[0].country"
    ]
    assert not report.written


def test_an_address_in_germany_is_in_de(db):
    place = {"addresses": [{"city": "Berlin", "state_province": "Berlin", "country": "Germany"}]}
    assert _import(_service(service_at_locations=[{"location": place}])).errors == []
    assert Location.objects.get().country == "DE"


def test_language_codes():
    assert (language_code("spa"), language_code("es"), language_code("", "Urdu")) == (
        "es",
        "es",
        "ur",
    )


# ---------------------------------------------------------------- schedules


def _with_schedules(*schedules):
    return _service(id="s1", schedules=list(schedules))


def test_weekly_hours_are_rows(db):
    report = _import(
        _with_schedules(
            {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "17:00"}
        )
    )
    assert report.warnings == []
    assert sorted(Schedule.objects.values_list("weekday", flat=True)) == [0, 2]
    assert Service.objects.get().hours_note == ""


@pytest.mark.parametrize(
    ("schedule", "note"),
    [
        (
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "12:00",
            },
            "Every 2 weeks, on Monday, 09:00–12:00.",
        ),
        (
            {"freq": "MONTHLY", "byday": "1TU", "opens_at": "18:00", "closes_at": "20:00"},
            "Every month, on first Tuesday, 18:00–20:00.",
        ),
        ({"freq": "WEEKLY", "byday": "FR"}, "Every week, on Friday, no times given."),
    ],
)
def test_schedules_we_cannot_show_become_a_note_and_a_warning(db, schedule, note):
    report = _import(_with_schedules(schedule))
    assert report.errors == []
    assert Schedule.objects.count() == 0  # never weekly rows that would mean something else
    assert Service.objects.get().hours_note == note
    [warning] = [w for w in report.warnings if w.column == "schedules[0]"]
    assert note in warning.message


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("ru", "первая среда, последнее воскресенье"),  # the ordinal agrees with the day
        ("pt", "primeira quarta-feira, último domingo"),
        ("ar", "الأربعاء الأول, الأحد الأخير"),  # and follows it
        ("vi", "Thứ Tư đầu tiên, Chủ Nhật cuối cùng"),
    ],
)
def test_a_weekday_of_the_month_reads_as_one_phrase_in_each_language(db, language, note):
    schedule = {"freq": "MONTHLY", "byday": "1WE,-1SU", "opens_at": "18:00", "closes_at": "20:00"}
    with translation.override(language):
        assert note in hsds_schedules.describe(schedule)


def test_every_weekday_of_the_month_has_its_own_message():
    assert len({str(message) for message in hsds_schedules.MONTHLY_WEEKDAYS.values()}) == 42
    with translation.override("ru"):
        names = {str(message) for message in hsds_schedules.MONTHLY_WEEKDAYS.values()}
    assert len(names) == 42 and all(" " in name for name in names)


def test_a_location_schedule_note_names_the_place(db):
    place = {"name": "Fresno office", "addresses": [{"city": "Fresno", "state_province": "CA"}]}
    sal = {"location": place, "schedules": [{"freq": "MONTHLY", "bymonthday": "1"}]}
    assert _import(_service(service_at_locations=[sal])).errors == []
    assert Service.objects.get().hours_note.startswith("At Fresno office: Every month")


def test_the_note_is_shown_and_survives_the_round_trip(db, client, tmp_path, hsds_dir):
    _import(
        _with_schedules(
            {
                "freq": "WEEKLY",
                "interval": 2,
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "12:00",
            },
            {"freq": "WEEKLY", "byday": "TU", "opens_at": "09:00", "closes_at": "17:00"},
        ),
        publish=True,
    )
    service = Service.objects.get()
    assert (
        "Every 2 weeks, on Monday"
        in client.get(service.organization.get_absolute_url()).content.decode()
    )
    [document] = [service_to_hsds(s) for s in services_for_hsds(Service.objects.all())]
    assert _validator(hsds_dir, "service.json").is_valid(document)
    Organization.objects.all().delete()
    report = import_file("again.json", _file(document), publish=True)
    assert report.errors == [] and report.warnings == []
    again = Service.objects.get()
    assert again.hours_note == "Every 2 weeks, on Monday, 09:00–12:00."
    assert list(again.schedules.values_list("weekday", flat=True)) == [1]


# ---------------------------------------------------------------- our own round trip


def test_legal_status_and_term_parents_survive_export_and_import(db, tmp_path):
    parent = make_term("legal", "Legal help")
    child = make_term("legal.asylum", "Asylum", parent=parent)
    org = make_organization("Centro Legal", legal_status="501c3")
    make_service(org, "Clinic", terms=[child])
    out = tmp_path / "all.json"
    call_command("export_listings", "--format", "hsds", "-o", str(out))
    assert json.loads(out.read_text())[0]["organization"]["legal_status"] == "501(c)(3) nonprofit"
    Organization.objects.all().delete()
    child_id, parent_id = child.pk, parent.pk
    child.delete()
    parent.delete()
    report = import_file("all.json", out.read_bytes())
    assert report.errors == []
    assert Organization.objects.get().legal_status == "501c3"
    term = TaxonomyTerm.objects.get(pk=child_id)
    assert term.parent_id == parent_id and term.parent.code == "legal"
    # The parent was not in the file: added under its code, and said so.
    assert any("parent" in w.message for w in report.warnings)


def test_a_placeholder_parent_takes_its_name_when_the_parent_comes(db):
    parent_id = "6f1d3c1e-8a43-4f0e-9a55-2f6b0d7c9e22"
    child = {
        "taxonomy_term": {
            "id": "6f1d3c1e-8a43-4f0e-9a55-2f6b0d7c9e23",
            "code": "legal.asylum",
            "name": "Asylum",
            "parent_id": parent_id,
        }
    }
    parent = {"taxonomy_term": {"id": parent_id, "code": "legal", "name": "Legal help"}}
    report = _import(_service("A", attributes=[child]), _service("B", attributes=[parent]))
    assert report.errors == []
    assert TaxonomyTerm.objects.get(pk=parent_id).name == "Legal help"
    assert TaxonomyTerm.objects.get(code="legal.asylum").parent_id is not None


def test_legal_status_by_usual_names(db):
    _import(_service(organization=_org(legal_status="501(c)(3)")))
    assert Organization.objects.get().legal_status == "501c3"


# ---------------------------------------------------------------- the real data


def test_every_real_json_file_imports_or_is_refused_with_a_reason(db, hsds_dir):
    folders = [hsds_dir / "samples", hsds_dir.parent / "hsds-real" / "uk-profile-3.0"]
    for path in sorted(p for folder in folders for p in folder.glob("*.json")):
        text = path.read_text().replace('"latitude": 100', '"latitude": 10')
        report = import_file(path.name, text.encode(), dry_run=True)
        if report.errors:
            [error] = report.errors
            assert error.row == "File" and "not HSDS services" in error.message, path
        else:
            assert report.outcomes, path


def test_a_service_without_a_status_follows_the_usual_rule(db):
    item = _service()
    del item["status"]
    report = _import(item, publish=True)
    assert report.warnings == []
    assert Service.objects.get().status == Status.PUBLISHED


def test_a_term_whose_code_is_not_under_its_parent_is_kept_without_it(db):
    parent = make_term("health", "Health")
    term = {
        "id": "6f1d3c1e-8a43-4f0e-9a55-2f6b0d7c9e24",
        "code": "food",
        "parent_id": str(parent.pk),
    }
    report = _import(_service(attributes=[{"taxonomy_term": term}]))
    assert report.errors == []
    assert TaxonomyTerm.objects.get(code="food").parent is None
    assert ("Item 1", "attributes[0].taxonomy_term.parent_id") in _columns(report)
