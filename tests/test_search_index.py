"""Every write path keeps the search index current.

Each test makes a write the way a user makes it (the admin's real forms,
inlines, bulk actions, imports, merges, history restores, the import
command), then checks that the stored index equals a fresh rebuild
(`assert_index_current`) and that the public search shows the change.
"""

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from directory import search_index, spelling
from directory.exports import PUBLIC_HEADER
from directory.hsds import json_chunks, services_for_hsds
from directory.models import (
    DetentionFacility,
    Language,
    OpeningInterval,
    Organization,
    OrganizationKind,
    PopulationServed,
    SearchEntry,
    Service,
    ServiceEntry,
    Status,
    TaxonomyTerm,
    Visibility,
)
from tests.factories import (
    make_hours,
    make_language,
    make_location,
    make_organization,
    make_phone,
    make_service,
    make_term,
)
from tests.test_publish_rule import _as_sent

pytestmark = pytest.mark.django_db

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
# Friday 2026-11-20 (weekday 4), 10:00 in Los Angeles, 13:00 in New York.
FRIDAY_MORNING = datetime(2026, 11, 20, 10, 0, tzinfo=LOS_ANGELES)


def assert_index_current():
    """The stored index equals what a rebuild from the listings gives."""
    before = search_index.snapshot()
    search_index.rebuild()
    assert search_index.snapshot() == before


def found(path="/search/", **params):
    """Names on the public results page, for an anonymous visitor."""
    r = Client().get(f"{path}?{urlencode(params, doseq=True)}")
    assert r.status_code == 200
    return [org.name for org in r.context["page"].object_list]


def casa(**params):
    """Is Casa Esperanza (the fixture's listing) among the results?"""
    return "Casa Esperanza" in found(**params)


def _choices(name):
    """{value: label} of a search form field, as the public search page offers them."""
    r = Client().get("/search/")
    return dict(r.context["filter"].form.fields[name].choices)


def _url(obj, view="change"):
    return reverse(f"admin:directory_{obj._meta.model_name}_{view}", args=[obj.pk])


def _errors(r):
    if r.context is None:
        return r.status_code
    forms = [r.context["adminform"].form] if "adminform" in r.context else []
    errors = [f.errors for f in forms]
    for inline in r.context.get("inline_admin_formsets", []):
        errors += [inline.formset.non_form_errors(), *inline.formset.errors]
    return errors


def save_form(client, url, rows=(), **changes):
    """Open an admin form, change it as a user does, and save it.

    `changes` set fields (None unticks a checkbox or empties a list);
    `rows` adds inline rows as (prefix, {field: value}).
    """
    data = _as_sent(client.get(url))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    for prefix, fields in rows:
        n = int(data[f"{prefix}-TOTAL_FORMS"])
        data.update({f"{prefix}-{n}-{name}": value for name, value in fields.items()})
        data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    r = client.post(url, data)
    assert r.status_code == 302, _errors(r)
    return r


def _kinds(*codes):
    return [
        str(pk)
        for pk in OrganizationKind.objects.filter(code__in=codes).values_list("pk", flat=True)
    ]


def row_index(client, url, prefix, obj):
    """Where the admin form lists this object in its inline."""
    data = _as_sent(client.get(url))
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    return next(i for i in range(total) if data.get(f"{prefix}-{i}-id") == str(obj.pk))


def action(client, model, name, objects, **extra):
    url = reverse(f"admin:directory_{model._meta.model_name}_changelist")
    data = {"action": name, "_selected_action": [str(o.pk) for o in objects], **extra}
    return client.post(url, data)


@pytest.fixture
def terms():
    legal = make_term("legal", "Legal help")
    return {
        "legal": legal,
        "asylum": make_term("legal.asylum", "Asylum", parent=legal),
        "food": make_term("food", "Food"),
    }


@pytest.fixture
def listing(terms):
    """A public organization with one service, hours, a location and a phone; and another."""
    org = make_organization(
        "Casa Esperanza", description="Workshops for families", kinds=["community"]
    )
    service = make_service(
        org,
        "Consultations",
        terms=[terms["asylum"]],
        languages=["es"],
        fee="paid",
        time_zone="America/Los_Angeles",
    )
    make_hours(service, 4, (9, 0), (17, 0))
    make_location(org, city="Fresno")
    make_phone(organization=org)
    other = make_organization("Otra Organizacion", kinds=["legal"])
    make_service(other, "Food pantry", terms=[terms["food"]], languages=["en"], fee="paid")
    # Keeps every filter used here a choice the search offers, so a filter
    # that no longer matches Casa Esperanza is still applied, not dropped.
    witness = make_organization("Testigo Legal")
    make_service(witness, "Witness", terms=[terms["legal"]], languages=["es"], fee="paid")
    assert_index_current()
    return org, service


# ----------------------------------------------------------- organizations


def test_adding_an_organization(publisher_client, listing):
    url = reverse("admin:directory_organization_add")
    data = _as_sent(publisher_client.get(url))
    data.update(
        name="Zapoteca Legal Collective",
        slug="zapoteca",
        website="https://zapoteca.example.org/",
        status=Status.PUBLISHED,
        visibility=Visibility.PUBLIC,
        kinds=_kinds("legal"),
    )
    r = publisher_client.post(url, data)
    assert r.status_code == 302, _errors(r)
    assert found(q="zapoteca") == ["Zapoteca Legal Collective"]
    assert_index_current()


def test_changing_name_and_description(publisher_client, listing):
    org, _service = listing
    save_form(publisher_client, _url(org), name="Casa Mixteca", description="Tequio gatherings")
    assert found(q="mixteca") == found(q="tequio") == ["Casa Mixteca"]
    assert found(q="esperanza") == found(q="workshops") == []
    assert_index_current()


def test_changing_kinds_and_credentials(publisher_client, listing):
    org, _service = listing
    assert found(kind="faith") == found(credential="doj") == []
    save_form(publisher_client, _url(org), kinds=_kinds("faith"), doj_recognized="on")
    assert found(kind="faith") == found(credential="doj") == ["Casa Esperanza"]
    assert found(kind="community") == []
    assert_index_current()
    save_form(publisher_client, _url(org), doj_recognized=None, attorneys_on_staff="2")
    assert found(credential="doj") == []
    assert found(credential="attorney") == ["Casa Esperanza"]
    assert_index_current()


@pytest.mark.parametrize(
    "change",
    [
        {"status": Status.DRAFT},
        {"status": Status.ARCHIVED},
        {"visibility": Visibility.PARTNERS},
    ],
)
def test_unpublishing_and_publishing_again(publisher_client, listing, change):
    org, _service = listing
    save_form(publisher_client, _url(org), **change)
    assert found(q="esperanza") == []
    assert not SearchEntry.objects.filter(organization=org).exists()
    assert_index_current()
    save_form(publisher_client, _url(org), status=Status.PUBLISHED, visibility=Visibility.PUBLIC)
    assert found(q="esperanza") == ["Casa Esperanza"]
    assert_index_current()


# ---------------------------------------------------------------- services


def test_a_service_edited_in_the_organization_inline(publisher_client, listing):
    org, _service = listing
    assert found(fee="free") == []
    save_form(
        publisher_client, _url(org), **{"services-0-fee": "free", "services-0-name": "Tequio"}
    )
    assert found(fee="free") == found(q="tequio") == ["Casa Esperanza"]
    assert_index_current()
    save_form(publisher_client, _url(org), **{"services-0-status": Status.DRAFT})
    assert found(q="tequio") == [] and not casa(category="legal")
    assert_index_current()


def test_a_service_added_and_deleted_in_the_organization_inline(publisher_client, listing):
    org, service = listing
    row = {"name": "Mural workshop", "status": Status.PUBLISHED, "fee": "free"}
    save_form(publisher_client, _url(org), rows=[("services", row)])
    assert found(q="mural") == ["Casa Esperanza"]
    assert casa(category="legal")
    assert_index_current()
    index = row_index(publisher_client, _url(org), "services", service)
    save_form(publisher_client, _url(org), **{f"services-{index}-DELETE": "on"})
    assert not Service.objects.filter(pk=service.pk).exists()
    assert not casa(category="legal")
    assert found(q="mural") == ["Casa Esperanza"]
    assert_index_current()


def test_a_service_change_form(publisher_client, listing, terms):
    org, service = listing
    url = _url(service)
    facility = DetentionFacility.objects.create(name="Adelanto", city="Adelanto", state="CA")
    youth = PopulationServed.objects.get(code="youth")
    # The witness keeps the facility and the population among the search's choices.
    witness = Service.objects.get(name="Witness")
    witness.serves_detained = True
    witness.save()
    witness.detention_facilities.set([facility])
    witness.populations.set([youth])
    checks = [
        ({"taxonomy_terms": [str(terms["food"].pk)]}, {"category": "food"}),
        ({"populations": [str(youth.pk)]}, {"population": "youth"}),
        ({"fee": "sliding"}, {"fee": "sliding"}),
        ({"remote_by_video": "on"}, {"remote": "true"}),
        (
            {"serves_detained": "on", "detention_facilities": [str(facility.pk)]},
            {"facility": str(facility.pk)},
        ),
    ]
    for changes, params in checks:
        assert not casa(**params), params
        save_form(publisher_client, url, **changes)
        assert casa(**params), params
        assert_index_current()
    assert not casa(category="legal")  # the category was replaced
    # And back: no longer found by what was taken away.
    save_form(publisher_client, url, populations=None, serves_detained=None, remote_by_video=None)
    assert not casa(population="youth")
    assert not casa(detention="true") and found(remote="true") == []
    assert_index_current()


def test_a_service_language_inline(publisher_client, listing):
    _org, service = listing
    korean = make_language("ko")
    row = {"language": str(korean.pk), "via": "staff"}
    save_form(publisher_client, _url(service), rows=[("service_languages", row)])
    assert found(language="ko") == ["Casa Esperanza"]
    assert_index_current()
    save_form(publisher_client, _url(service), **{"service_languages-0-DELETE": "on"})
    assert not casa(language="es")
    assert found(language="ko") == ["Casa Esperanza"]
    assert_index_current()


def test_hours_24_7_and_time_zone(publisher_client, listing):
    _org, service = listing
    url = _url(service)

    def open_now(moment=FRIDAY_MORNING):
        with time_machine.travel(moment, tick=False):
            return found(open_now="true")

    assert open_now() == ["Casa Esperanza"]
    # Hours on Fridays 09:00-17:00 in Los Angeles: 10:00 in New York is closed.
    save_form(publisher_client, url, time_zone="America/New_York")
    assert open_now() == ["Casa Esperanza"]  # 13:00 in New York
    assert open_now(datetime(2026, 11, 20, 16, 0, tzinfo=LOS_ANGELES)) == []  # 19:00 there
    assert_index_current()
    save_form(publisher_client, url, time_zone="America/Los_Angeles")
    save_form(publisher_client, url, **{"schedules-0-opens_at": "12:00"})
    assert open_now() == []
    assert_index_current()
    row = {"weekday": "4", "opens_at": "08:00", "closes_at": "11:00"}
    save_form(publisher_client, url, rows=[("schedules", row)])
    assert open_now() == ["Casa Esperanza"]
    assert_index_current()
    save_form(publisher_client, url, **{"schedules-0-DELETE": "on", "schedules-1-DELETE": "on"})
    assert open_now() == []
    assert_index_current()
    save_form(publisher_client, url, open_24_7="on")
    assert open_now() == ["Casa Esperanza"]
    assert_index_current()


def test_a_closure_inline(publisher_client, listing):
    _org, service = listing
    save_form(publisher_client, _url(service), rows=[("closures", {"date": "2026-11-20"})])
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        assert found(open_now="true") == []
    assert_index_current()
    save_form(publisher_client, _url(service), **{"closures-0-DELETE": "on"})
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        assert found(open_now="true") == ["Casa Esperanza"]
    assert_index_current()


def test_moving_a_service_to_another_organization(publisher_client, listing):
    org, service = listing
    other = Organization.objects.get(name="Otra Organizacion")
    save_form(publisher_client, _url(service), organization=str(other.pk))
    assert found(category="legal.asylum") == ["Otra Organizacion"]
    assert found(q="consultations") == ["Otra Organizacion"]
    assert not casa(category="legal")
    assert_index_current()


# ----------------------------------------------------- locations and phones


def _card_places(**params):
    r = Client().get(f"/search/?{urlencode(params)}")
    return r.content.decode()


def test_locations_added_edited_and_deleted_inline(publisher_client, listing):
    org, _service = listing
    row = {"city": "Bakersfield", "state": "CA", "country": "US"}
    save_form(publisher_client, _url(org), rows=[("locations", row)])
    assert "Bakersfield" in _card_places(q="esperanza")
    assert_index_current()
    fresno = org.locations.get(city="Fresno")
    index = row_index(publisher_client, _url(org), "locations", fresno)
    save_form(publisher_client, _url(org), **{f"locations-{index}-city": "Visalia"})
    page = _card_places(q="esperanza")
    assert "Visalia" in page and "Fresno" not in page
    assert_index_current()
    save_form(
        publisher_client, _url(org), **{"locations-0-DELETE": "on", "locations-1-DELETE": "on"}
    )
    assert org.locations.count() == 0
    page = _card_places(q="esperanza")
    assert "Visalia" not in page and "Bakersfield" not in page
    assert_index_current()


def test_a_location_change_form(publisher_client, listing):
    org, _service = listing
    location = org.locations.get()
    save_form(publisher_client, _url(location), city="Modesto")
    assert "Modesto" in _card_places(q="esperanza")
    assert_index_current()


def test_moving_a_location_to_another_organization(publisher_client, listing):
    org, _service = listing
    other = Organization.objects.get(name="Otra Organizacion")
    save_form(publisher_client, _url(org.locations.get()), organization=str(other.pk))
    assert "Fresno" not in _card_places(q="esperanza")
    assert "Fresno" in _card_places(q="otra")
    assert_index_current()


def test_phone_edits(publisher_client, listing):
    org, service = listing
    save_form(publisher_client, _url(org), **{"phones-0-number": "(559) 555-0123"})
    assert_index_current()
    row = {"number": "(559) 555-0199", "type": "voice"}
    save_form(publisher_client, _url(service), rows=[("phones", row)])
    assert_index_current()
    save_form(publisher_client, _url(org), **{"phones-0-DELETE": "on"})
    assert found(q="esperanza") == ["Casa Esperanza"]
    assert_index_current()


# ------------------------------------------------------------ bulk actions


def test_bulk_publish_and_archive(publisher_client, listing):
    drafts = [
        make_organization(f"Borrador {n}", status=Status.DRAFT, description="Tianguis")
        for n in range(3)
    ]
    for draft in drafts:
        make_service(draft, "Help", terms=[TaxonomyTerm.objects.get(code="food")])
    action(publisher_client, Organization, "publish", drafts)
    assert len(found(q="tianguis")) == 3
    assert len(found(category="food")) == 4  # with Otra Organizacion
    assert_index_current()
    action(publisher_client, Organization, "archive", drafts[:2])
    assert found(q="tianguis") == ["Borrador 2"]
    assert_index_current()


def test_bulk_service_actions(publisher_client, listing):
    _org, service = listing
    action(publisher_client, Service, "archive", [service])
    assert not casa(category="legal")
    assert_index_current()
    action(publisher_client, Service, "publish", [service])
    assert casa(category="legal")
    assert_index_current()


def test_mark_verified(publisher_client, listing):
    org, service = listing
    other = Organization.objects.get(name="Otra Organizacion")
    assert found(sort="verified")[0] == "Casa Esperanza"  # none verified: by name
    action(publisher_client, Organization, "mark_verified_today", [other])
    assert found(sort="verified")[0] == "Otra Organizacion"
    assert_index_current()
    action(publisher_client, Service, "mark_verified_today", [service])
    assert_index_current()
    save_form(publisher_client, _url(org), _mark_verified="Save and mark verified today")
    assert SearchEntry.objects.get(organization=org).last_verified_on is not None
    assert_index_current()


def test_bulk_delete(publisher_client, listing):
    org, service = listing
    other = Organization.objects.get(name="Otra Organizacion")
    r = action(publisher_client, Service, "delete_selected", [service], post="yes")
    assert r.status_code == 302
    assert not casa(category="legal")
    assert_index_current()
    r = action(publisher_client, Organization, "delete_selected", [org, other], post="yes")
    assert r.status_code == 302
    assert found() == ["Testigo Legal"]
    assert_index_current()


# ----------------------------------------------------------------- imports


def _csv(*records):
    lines = [",".join(PUBLIC_HEADER)]
    for record in records:
        lines.append(",".join(record.get(c, "") for c in PUBLIC_HEADER))
    return ("\r\n".join(lines) + "\r\n").encode()


NEW_ROWS = _csv(
    {
        "organization_name": "Huerta Comunitaria",
        "organization_website": "https://huerta.example.org",
        "service_name": "Seed library",
        "categories": "food",
    },
    {
        "organization_name": "Casa Esperanza",
        "organization_website": "https://casa.example.org",
        "service_name": "Tequio",
    },
)


def test_admin_import_preview_and_confirm(publisher_client, listing):
    url = reverse("admin:directory_organization_import")
    upload = SimpleUploadedFile("new.csv", NEW_ROWS)
    r = publisher_client.post(url, {"file": upload, "publish": "on"})
    assert r.context["report"].errors == []
    assert_index_current()  # the preview wrote nothing, the index neither
    assert found(q="huerta") == []
    r = publisher_client.post(url, {"token": r.context["token"], "publish": "1"})
    assert r.status_code == 302
    assert found(q="huerta") == ["Huerta Comunitaria"]
    assert "Huerta Comunitaria" in found(category="food")
    assert_index_current()


def test_import_command_csv(listing, tmp_path):
    path = tmp_path / "new.csv"
    path.write_bytes(NEW_ROWS)
    call_command("import_listings", str(path), "--publish", "--dry-run", stdout=io.StringIO())
    assert found(q="huerta") == []
    assert_index_current()
    call_command("import_listings", str(path), "--publish", stdout=io.StringIO())
    assert found(q="seed") == ["Huerta Comunitaria"]
    assert_index_current()


def test_import_command_hsds(listing, tmp_path):
    _org, service = listing
    data = json.loads(b"".join(json_chunks(services_for_hsds(Service.objects.all()))))
    Organization.objects.all().delete()
    assert found() == []
    assert_index_current()
    for item in data:
        if item["id"] == str(service.pk):
            item["name"] = "Tequio clinic"
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data))
    call_command("import_listings", str(path), "--publish", stdout=io.StringIO())
    assert found(q="tequio") == ["Casa Esperanza"]
    assert casa(language="es") and not casa(language="en")
    assert_index_current()


# ------------------------------------------------------------ merge, history


def test_merging_two_organizations(publisher_client, listing):
    org, service = listing
    other = Organization.objects.get(name="Otra Organizacion")
    r = action(
        publisher_client, Organization, "merge", [org, other], survivor=str(other.pk), confirm="yes"
    )
    assert r.status_code == 302
    assert not Organization.objects.filter(pk=org.pk).exists()
    assert found(category="legal.asylum") == ["Otra Organizacion"]
    assert found(q="workshops") == ["Otra Organizacion"]  # its description filled in
    assert found(q="esperanza") == []
    assert_index_current()


def _revert(client, obj, record, **changes):
    url = reverse(
        f"admin:directory_{obj._meta.model_name}_simple_history", args=[obj.pk, record.history_id]
    )
    return save_form(client, url, **changes)


def test_restoring_an_organization_from_history(publisher_client, listing):
    org, _service = listing
    first = org.history.earliest()
    save_form(publisher_client, _url(org), name="Vandalised", status=Status.DRAFT)
    assert found(q="esperanza") == []
    _revert(publisher_client, org, first)
    org.refresh_from_db()
    assert (org.name, org.status) == ("Casa Esperanza", Status.PUBLISHED)
    assert found(q="esperanza") == ["Casa Esperanza"]
    assert found(q="vandalised") == []
    assert_index_current()


def test_restoring_a_service_from_history(publisher_client, listing):
    _org, service = listing
    first = service.history.earliest()
    save_form(publisher_client, _url(service), name="Vandalised", fee="free")
    assert found(q="vandalised") == ["Casa Esperanza"]
    _revert(publisher_client, service, first)
    service.refresh_from_db()
    assert service.name == "Consultations"
    assert found(q="vandalised") == found(fee="free") == []
    assert found(q="consultations") == ["Casa Esperanza"]
    assert_index_current()


# ---------------------------------------------------------------- deletion


def test_deleting_an_organization(publisher_client, listing):
    org, _service = listing
    r = publisher_client.post(_url(org, "delete"), {"post": "yes"})
    assert r.status_code == 302
    assert found(q="esperanza") == [] and not casa(category="legal")
    assert_index_current()


def test_deleting_a_service(publisher_client, listing):
    _org, service = listing
    r = publisher_client.post(_url(service, "delete"), {"post": "yes"})
    assert r.status_code == 302
    assert not casa(category="legal")
    assert found(q="esperanza") == ["Casa Esperanza"]
    assert_index_current()


# ------------------------------------------------ vocabularies the index uses


def test_renaming_a_category(publisher_client, listing, terms):
    asylum = terms["asylum"]
    assert found(q="alimentos", path="/es/search/") == ["Otra Organizacion"]
    # "Food" has a Spanish name in the catalogue; the search text carries both.
    save_form(publisher_client, _url(asylum), name="Food")
    assert found(q="alimentos", path="/es/search/") == ["Casa Esperanza", "Otra Organizacion"]
    # The old name has left the text ("asylum" still finds the listing by its
    # category's code, legal.asylum, through the search vocabulary).
    assert "asylum" not in SearchEntry.objects.get(name="Casa Esperanza").text.split()
    assert_index_current()


def test_renaming_and_recoding_a_language(publisher_client, listing):
    spanish = Language.objects.get(code="es")
    found()  # the search form's choices are read, and kept
    save_form(publisher_client, _url(spanish), name="Castilian")
    assert _choices("language")["es"] == "Castilian"
    assert_index_current()
    save_form(publisher_client, _url(spanish), code="spa")
    assert found(language="spa") == ["Casa Esperanza", "Testigo Legal"]
    assert_index_current()


def test_renaming_and_deleting_a_detention_facility(publisher_client, listing):
    _org, service = listing
    facility = DetentionFacility.objects.create(name="Adelanto", city="Adelanto", state="CA")
    service.serves_detained = True
    service.save()
    service.detention_facilities.set([facility])
    # The search form's choices are read, and kept.
    assert found(facility=str(facility.pk)) == ["Casa Esperanza"]
    save_form(publisher_client, _url(facility), name="Desert View Annex")
    assert _choices("facility")[str(facility.pk)].startswith("Desert View Annex")
    assert_index_current()
    r = publisher_client.post(_url(facility, "delete"), {"post": "yes"})
    assert r.status_code == 302
    assert str(facility.pk) not in _choices("facility")
    assert casa(detention="true")
    assert_index_current()


# ------------------------------------------------------------- the spelling


def test_a_published_word_becomes_known_to_the_spelling(publisher_client, listing):
    org, _service = listing
    assert spelling.correct(["quetzalcoatl"]) == [("quetzalcoatl", None)]
    assert spelling.correct(["quetzalcoatk"]) == [("quetzalcoatk", None)]
    save_form(publisher_client, _url(org), description="Quetzalcoatl murals")
    assert spelling.correct(["quetzalcoatk"]) == [("quetzalcoatk", "quetzalcoatl")]
    r = Client().get("/search/?q=quetzalcoatk")
    assert [o.name for o in r.context["page"].object_list] == ["Casa Esperanza"]
    assert "quetzalcoatl" in r.content.decode()
    assert_index_current()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's column storage")
def test_the_vector_every_search_reads_is_kept_in_the_row():
    # Out of line (TOAST), each matching row's vector costs an index lookup: 4x slower
    # at 50,000 organizations (migration 0022, docs/performance.md).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'directory_searchentry'::regclass AND attname IN ('document', 'text')"
        )
        assert dict(cursor.fetchall()) == {"document": "m", "text": "e"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index definitions")
def test_a_rebuild_makes_the_indexes_the_models_declare(listing):
    # A rebuild drops the index tables' GIN and time indexes and makes them
    # again after its bulk insert (search_index.POSTGRES_INDEXES); "open now"
    # needs both time indexes as declared.
    search_index.rebuild()
    for model in (SearchEntry, ServiceEntry, OpeningInterval):
        with connection.cursor() as cursor:
            made = connection.introspection.get_constraints(cursor, model._meta.db_table)
        for index in model._meta.indexes:
            columns = [model._meta.get_field(name).column for name in index.fields]
            assert made[index.name]["columns"] == columns, index.name
    with connection.cursor() as cursor:
        made = connection.introspection.get_constraints(cursor, "directory_searchentry")
    assert made["searchentry_document_gin"]["type"] == "gin"
