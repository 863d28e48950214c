"""One rule decides who may publish and who may change who sees a listing.

Every path that can change a listing's status or visibility is walked as a
curator through the real admin endpoints, and each must refuse and leave the
stored row as it was; a publisher may do the same. Then the rule itself, as a
table, and the one definition of "has a way to reach it".
"""

from itertools import product

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import CheckboxInput, FileField, ModelMultipleChoiceField, MultipleChoiceField
from django.urls import reverse

from directory.merging import merge_organizations
from directory.models import Organization, Service, Status, Visibility
from directory.publishing import has_contact_method, may_move
from tests.factories import make_organization, make_phone, make_service, make_staff

pytestmark = pytest.mark.django_db

DRAFT, REVIEW, PUBLISHED, ARCHIVED = (
    Status.DRAFT,
    Status.IN_REVIEW,
    Status.PUBLISHED,
    Status.ARCHIVED,
)
PUBLIC, PARTNERS = Visibility.PUBLIC, Visibility.PARTNERS
REFUSED = "Only publishers can publish, unpublish or archive listings, or change who can see them."


def _url(obj, view="change"):
    return reverse(f"admin:directory_{obj._meta.model_name}_{view}", args=[obj.pk])


def _changelist(model):
    return reverse(f"admin:directory_{model._meta.model_name}_changelist")


def _as_sent(response, **overrides):
    """The POST body a browser sends for the admin form on this page, every inline included."""
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(bound.field, FileField):
                continue  # nothing uploaded
            elif value is None and isinstance(
                bound.field, MultipleChoiceField | ModelMultipleChoiceField
            ):
                continue  # nothing ticked
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)
    data.update(overrides)
    return data


def _post_form(client, url, **overrides):
    return client.post(url, _as_sent(client.get(url), **overrides))


def _state(obj):
    obj = type(obj).objects.get(pk=obj.pk)
    return (obj.status, getattr(obj, "visibility", None), obj.name)


# ---------------------------------------------------------------- change forms


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ((DRAFT, PUBLIC), {"status": PUBLISHED}),
        ((PUBLISHED, PUBLIC), {"status": DRAFT}),
        ((PUBLISHED, PUBLIC), {"status": ARCHIVED}),
        ((ARCHIVED, PUBLIC), {"status": REVIEW}),
        ((PUBLISHED, PARTNERS), {"visibility": PUBLIC}),
        ((PUBLISHED, PUBLIC), {"visibility": PARTNERS}),
        ((DRAFT, PARTNERS), {"visibility": PUBLIC}),
    ],
)
def test_the_organization_change_form_refuses_a_curator(curator_client, stored, sent):
    org = make_organization(status=stored[0], visibility=stored[1])
    before = _state(org)
    r = _post_form(curator_client, _url(org), name="Changed too", **sent)
    assert r.status_code == 200
    assert REFUSED in r.content.decode() or "Select a valid choice" in r.content.decode()
    assert _state(org) == before


def test_a_curator_sees_the_refusal_in_words_not_only_a_missing_choice(curator_client):
    """The rule itself answers: a forged choice outside those offered says why."""
    org = make_organization(status=PUBLISHED, visibility=PARTNERS)
    r = _post_form(curator_client, _url(org), visibility=PUBLIC)
    form = r.context["adminform"].form
    assert {v for v, _ in form.fields["visibility"].choices} == {PARTNERS}
    assert _state(org)[1] == PARTNERS


def test_a_curator_still_edits_a_published_listing_and_moves_drafts(curator_client):
    published = make_organization(status=PUBLISHED, visibility=PARTNERS)
    assert _post_form(curator_client, _url(published), name="Renamed").status_code == 302
    assert _state(published) == (PUBLISHED, PARTNERS, "Renamed")
    draft = make_organization(status=DRAFT)
    assert _post_form(curator_client, _url(draft), status=REVIEW).status_code == 302
    assert _state(draft)[0] == REVIEW


@pytest.mark.parametrize("sent", [{"visibility": PUBLIC}, {"status": PUBLISHED}])
def test_a_publisher_may_make_those_changes(publisher_client, sent):
    org = make_organization(status=DRAFT, visibility=PARTNERS)
    assert _post_form(publisher_client, _url(org), **sent).status_code == 302
    org.refresh_from_db()
    assert all(getattr(org, name) == value for name, value in sent.items())


@pytest.mark.parametrize("sent", [{"status": PUBLISHED}, {"visibility": PARTNERS}])
def test_a_curator_cannot_add_a_listing_already_published_or_partners_only(curator_client, sent):
    url = reverse("admin:directory_organization_add")
    page = curator_client.get(url)
    data = _as_sent(page, name="Brand new", slug="brand-new", website="https://n.example.org")
    data.update(sent)
    r = curator_client.post(url, data)
    assert r.status_code == 200
    assert REFUSED in r.content.decode() or "Select a valid choice" in r.content.decode()
    assert not Organization.objects.filter(slug="brand-new").exists()


def test_a_publisher_can_add_a_published_partners_only_listing(publisher_client):
    url = reverse("admin:directory_organization_add")
    data = _as_sent(publisher_client.get(url), name="Brand new", slug="brand-new")
    data.update(website="https://n.example.org", status=PUBLISHED, visibility=PARTNERS)
    assert publisher_client.post(url, data).status_code == 302
    assert _state(Organization.objects.get(slug="brand-new"))[:2] == (PUBLISHED, PARTNERS)


def test_the_service_change_form_refuses_a_curator(curator_client):
    service = make_service(status=DRAFT)
    r = _post_form(curator_client, _url(service), status=PUBLISHED)
    assert r.status_code == 200
    assert _state(service)[0] == DRAFT


def test_a_curator_cannot_move_a_service_to_an_audience_it_did_not_have(curator_client):
    hidden = make_organization(visibility=PARTNERS)
    hotline = make_service(hidden, status=PUBLISHED)
    public = make_organization(visibility=PUBLIC)
    r = _post_form(curator_client, _url(hotline), organization=str(public.pk))
    assert r.status_code == 200
    assert REFUSED in r.content.decode()
    assert Service.objects.get(pk=hotline.pk).organization == hidden


# ---------------------------------------------------------------- inline services


def test_an_inline_service_cannot_be_published_by_a_curator(curator_client):
    org = make_organization(status=PUBLISHED)
    service = make_service(org, status=DRAFT)
    r = _post_form(curator_client, _url(org), **{"services-0-status": PUBLISHED})
    assert r.status_code == 200
    assert _state(service)[0] == DRAFT


def test_an_inline_published_service_cannot_be_deleted_by_a_curator(curator_client):
    org = make_organization(status=PUBLISHED)
    service = make_service(org, status=PUBLISHED)
    r = _post_form(curator_client, _url(org), **{"services-0-DELETE": "on"})
    assert r.status_code == 200
    assert REFUSED in r.content.decode()
    assert Service.objects.filter(pk=service.pk).exists()


def test_a_publisher_publishes_an_inline_service(publisher_client):
    org = make_organization(status=PUBLISHED)
    service = make_service(org, status=DRAFT)
    r = _post_form(publisher_client, _url(org), **{"services-0-status": PUBLISHED})
    assert r.status_code == 302
    assert _state(service)[0] == PUBLISHED


# ---------------------------------------------------------------- bulk actions and deletion


@pytest.mark.parametrize(
    ("model", "action", "stored"),
    [
        (Organization, "publish", DRAFT),
        (Organization, "archive", PUBLISHED),
        (Service, "publish", DRAFT),
        (Service, "archive", PUBLISHED),
    ],
)
def test_bulk_status_actions_refuse_a_curator(curator_client, model, action, stored):
    obj = make_organization(status=stored) if model is Organization else make_service(status=stored)
    r = curator_client.post(
        _changelist(model), {"action": action, "_selected_action": [obj.pk]}, follow=True
    )
    assert r.status_code == 200
    assert _state(obj)[0] == stored


def test_bulk_actions_ask_the_rule_for_each_listing(client, db):
    """Someone who may publish organizations but not services gets no service published."""
    user = make_staff("olga", "Curators")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="publish_organization"))
    from tests.factories import verified_login

    verified_login(client, user)
    org = make_organization(status=DRAFT)
    r = client.post(
        _changelist(Organization), {"action": "publish", "_selected_action": [org.pk]}, follow=True
    )
    assert _state(org)[0] == PUBLISHED
    service = make_service(status=DRAFT)
    r = client.post(
        _changelist(Service), {"action": "publish", "_selected_action": [service.pk]}, follow=True
    )
    assert r.status_code == 200
    assert _state(service)[0] == DRAFT


def test_a_curator_cannot_delete_a_published_listing(curator_client):
    org = make_organization(status=PUBLISHED)
    r = curator_client.post(
        _changelist(Organization),
        {"action": "delete_selected", "_selected_action": [org.pk], "post": "yes"},
    )
    assert r.status_code == 403
    assert curator_client.post(_url(org, "delete"), {"post": "yes"}).status_code == 403
    assert Organization.objects.filter(pk=org.pk).exists()
    draft = make_organization(status=DRAFT)
    assert curator_client.post(_url(draft, "delete"), {"post": "yes"}).status_code == 302
    assert not Organization.objects.filter(pk=draft.pk).exists()


def test_publisher_bulk_actions_still_work(publisher_client):
    org = make_organization(status=DRAFT)
    publisher_client.post(
        _changelist(Organization), {"action": "publish", "_selected_action": [org.pk]}
    )
    assert _state(org)[0] == PUBLISHED
    publisher_client.post(
        _changelist(Organization), {"action": "archive", "_selected_action": [org.pk]}
    )
    assert _state(org)[0] == ARCHIVED


# ---------------------------------------------------------------- import


def _import_url():
    return reverse("admin:directory_organization_import")


def _file(name="Casa Nueva", website="https://casa.example.org/"):
    body = f"organization_name,organization_website\r\n{name},{website}\r\n"
    return SimpleUploadedFile("orgs.csv", body.encode())


def test_an_import_preview_that_would_publish_is_refused_for_a_curator(curator_client):
    existing = make_organization("Casa Nueva", status=DRAFT, website="https://casa.example.org/")
    r = curator_client.post(_import_url(), {"file": _file(), "publish": "on"})
    assert r.status_code == 200
    assert REFUSED in r.content.decode()
    assert not r.context.get("token")
    assert _state(existing)[0] == DRAFT


def test_an_import_confirm_that_would_publish_is_refused_for_a_curator(curator_client):
    existing = make_organization("Casa Nueva", status=DRAFT, website="https://casa.example.org/")
    new_file = _file("Otra Casa", "https://otra.example.org/")
    for upload in (_file(), new_file):  # an existing listing, and a new one
        preview = curator_client.post(_import_url(), {"file": upload})
        r = curator_client.post(_import_url(), {"token": preview.context["token"], "publish": "1"})
        assert r.status_code == 200
        assert REFUSED in r.content.decode()
    assert _state(existing)[0] == DRAFT
    assert not Organization.objects.filter(name="Otra Casa").exists()


def test_a_curator_import_without_publishing_keeps_a_published_listing_published(curator_client):
    existing = make_organization(
        "Casa Nueva", status=PUBLISHED, website="https://casa.example.org/"
    )
    preview = curator_client.post(_import_url(), {"file": _file()})
    r = curator_client.post(_import_url(), {"token": preview.context["token"]})
    assert r.status_code == 302
    assert _state(existing)[0] == PUBLISHED


def test_a_publisher_imports_published(publisher_client):
    existing = make_organization("Casa Nueva", status=DRAFT, website="https://casa.example.org/")
    preview = publisher_client.post(_import_url(), {"file": _file(), "publish": "on"})
    assert preview.context["report"].errors == []
    r = publisher_client.post(_import_url(), {"token": preview.context["token"], "publish": "1"})
    assert r.status_code == 302
    assert _state(existing)[0] == PUBLISHED


# ---------------------------------------------------------------- History -> Revert


def _revert_url(org, record):
    return reverse("admin:directory_organization_simple_history", args=[org.pk, record.history_id])


@pytest.mark.parametrize(
    ("old", "now"),
    [((PUBLISHED, PUBLIC), (DRAFT, PUBLIC)), ((PUBLISHED, PUBLIC), (PUBLISHED, PARTNERS))],
    ids=["republish", "make-public-again"],
)
def test_history_revert_cannot_undo_a_publishers_decision(curator_client, old, now):
    org = make_organization(status=old[0], visibility=old[1])
    published_version = org.history.get()
    org.status, org.visibility = now  # a publisher unpublished it, or hid it from the public
    org.save()
    r = _post_form(curator_client, _revert_url(org, published_version))
    assert r.status_code == 200
    assert REFUSED in r.content.decode() or "Select a valid choice" in r.content.decode()
    assert _state(org)[:2] == now


def test_history_revert_refuses_the_historical_status_in_words(curator_client):
    """Forged past the offered choices, the rule (against the stored row) still refuses."""
    org = make_organization(status=PUBLISHED, visibility=PUBLIC)
    version = org.history.get()
    org.visibility = PARTNERS
    org.save()
    r = _post_form(curator_client, _revert_url(org, version), visibility=PARTNERS, status=DRAFT)
    # Draft is no move a curator may make from published: refused by the rule's choices.
    assert r.status_code == 200
    assert _state(org)[:2] == (PUBLISHED, PARTNERS)


def test_history_revert_of_content_still_works_for_a_curator(curator_client):
    org = make_organization(name="Right name", status=PUBLISHED, visibility=PARTNERS)
    version = org.history.get()
    org.name = "Vandalised"
    org.save()
    r = _post_form(curator_client, _revert_url(org, version))
    assert r.status_code == 302
    assert _state(org) == (PUBLISHED, PARTNERS, "Right name")


def test_a_publisher_can_revert_to_a_published_version(publisher_client):
    org = make_organization(status=PUBLISHED)
    version = org.history.get()
    org.status = DRAFT
    org.save()
    assert _post_form(publisher_client, _revert_url(org, version)).status_code == 302
    assert _state(org)[0] == PUBLISHED


# ---------------------------------------------------------------- merge


def _merge(client, survivor, duplicate):
    return client.post(
        _changelist(Organization),
        {
            "action": "merge",
            "_selected_action": [survivor.pk, duplicate.pk],
            "survivor": str(survivor.pk),
            "confirm": "yes",
        },
        follow=True,
    )


def test_a_curator_cannot_merge(curator_client, curator):
    survivor = make_organization(status=PUBLISHED, visibility=PUBLIC)
    duplicate = make_organization(status=DRAFT, visibility=PARTNERS)
    hotline = make_service(duplicate, status=PUBLISHED)
    r = _merge(curator_client, survivor, duplicate)
    assert r.status_code == 200
    assert Organization.objects.filter(pk=duplicate.pk).exists()
    assert Service.objects.get(pk=hotline.pk).organization_id == duplicate.pk
    with pytest.raises(PermissionDenied):
        merge_organizations(survivor, duplicate, user=curator)
    assert Organization.objects.filter(pk=duplicate.pk).exists()


def test_a_publisher_can_merge(publisher_client):
    survivor = make_organization(status=PUBLISHED)
    duplicate = make_organization(status=PUBLISHED)
    hotline = make_service(duplicate, status=PUBLISHED)
    _merge(publisher_client, survivor, duplicate)
    assert not Organization.objects.filter(pk=duplicate.pk).exists()
    assert Service.objects.get(pk=hotline.pk).organization_id == survivor.pk


# ---------------------------------------------------------------- the rule, as a table

STATUSES = [DRAFT, REVIEW, PUBLISHED, ARCHIVED]


def test_the_rule_for_organizations(curator, publisher):
    for old, new, old_visibility, new_visibility in product(
        STATUSES, STATUSES, [PUBLIC, PARTNERS], [PUBLIC, PARTNERS]
    ):
        org = make_organization(status=old, visibility=old_visibility)
        curator_may = (
            old == new or {old, new} <= {DRAFT, REVIEW}
        ) and old_visibility == new_visibility
        move = (old, new, old_visibility, new_visibility)
        assert may_move(curator, org, status=new, visibility=new_visibility) is curator_may, move
        assert may_move(publisher, org, status=new, visibility=new_visibility) is True, move


def test_the_rule_reads_the_stored_row_not_the_instance(curator):
    org = make_organization(status=DRAFT, visibility=PARTNERS)
    stale = Organization.objects.get(pk=org.pk)
    stale.status, stale.visibility = PUBLISHED, PUBLIC  # as a historical version would carry
    assert not may_move(curator, stale, status=PUBLISHED, visibility=PUBLIC)
    assert may_move(curator, stale, status=DRAFT, visibility=PARTNERS)


@pytest.mark.parametrize(
    ("status", "visibility", "allowed"),
    [
        (DRAFT, PUBLIC, True),
        (REVIEW, PUBLIC, True),
        (PUBLISHED, PUBLIC, False),
        (ARCHIVED, PUBLIC, False),
        (DRAFT, PARTNERS, False),
    ],
)
def test_the_rule_for_a_new_listing(curator, status, visibility, allowed):
    new = Organization(name="New", slug="new")
    assert may_move(curator, new, status=status, visibility=visibility) is allowed


def test_the_rule_for_services(curator):
    public, other_public = make_organization(), make_organization()
    hidden = make_organization(visibility=PARTNERS)
    draft = make_service(hidden, status=DRAFT)
    published = make_service(public, status=PUBLISHED)
    assert may_move(curator, draft, status=REVIEW)
    assert not may_move(curator, draft, status=PUBLISHED)
    assert not may_move(curator, draft, organization=public)  # partners only -> everyone
    assert may_move(curator, make_service(public, status=DRAFT), organization=other_public)
    assert not may_move(curator, published, organization=other_public)
    assert may_move(curator, Service(organization=hidden, status=DRAFT), organization=hidden)
    assert not may_move(
        curator, Service(organization=hidden), status=PUBLISHED, organization=hidden
    )
    assert may_move(None, published, status=ARCHIVED)  # the operator at the command line


# ---------------------------------------------------------------- "has a way to reach it"


def test_a_listing_reached_only_through_a_service_url_is_treated_alike(publisher_client):
    """The bulk action publishes it, and the change form then still saves it."""
    org = make_organization(status=DRAFT, website="", email="")
    make_service(org, status=PUBLISHED, url="https://help.example.org/")
    publisher_client.post(
        _changelist(Organization), {"action": "publish", "_selected_action": [org.pk]}
    )
    assert _state(org)[0] == PUBLISHED
    r = _post_form(publisher_client, _url(org), name="Saved again")
    assert r.status_code == 302
    assert _state(org) == (PUBLISHED, PUBLIC, "Saved again")


def test_a_listing_reached_only_through_a_draft_service_is_refused_alike(publisher_client):
    """A draft service's phone is not on the public page, so it does not count, anywhere."""
    org = make_organization(status=DRAFT, website="", email="")
    make_phone(service=make_service(org, status=DRAFT))
    publisher_client.post(
        _changelist(Organization), {"action": "publish", "_selected_action": [org.pk]}
    )
    assert _state(org)[0] == DRAFT
    r = _post_form(publisher_client, _url(org), status=PUBLISHED)
    assert "needs at least one way to reach it" in r.content.decode()
    assert _state(org)[0] == DRAFT
    assert not has_contact_method(org) and not org.has_contact_method()


def test_the_change_form_counts_the_inlines_being_sent(publisher_client):
    org = make_organization(status=DRAFT, website="", email="")
    service = make_service(org, status=DRAFT, email="help@example.org")
    # Publishing the service in the same save makes the organization reachable.
    r = _post_form(
        publisher_client, _url(org), status=PUBLISHED, **{"services-0-status": PUBLISHED}
    )
    assert r.status_code == 302
    assert _state(org)[0] == _state(service)[0] == PUBLISHED
    # Taking it back to a draft in the same save as the organization stays published: refused.
    r = _post_form(publisher_client, _url(org), **{"services-0-status": DRAFT})
    assert "needs at least one way to reach it" in r.content.decode()
    assert _state(service)[0] == PUBLISHED


def test_the_change_form_counts_a_phone_typed_in_and_not_one_deleted(publisher_client):
    org = make_organization(status=DRAFT, website="", email="")
    url = _url(org)
    data = _as_sent(publisher_client.get(url), status=PUBLISHED)
    data.update(
        {"phones-TOTAL_FORMS": "1", "phones-0-number": "(213) 555-0199", "phones-0-type": "voice"}
    )
    assert publisher_client.post(url, data).status_code == 302
    assert _state(org)[0] == PUBLISHED
    r = _post_form(publisher_client, url, **{"phones-0-DELETE": "on"})
    assert "needs at least one way to reach it" in r.content.decode()
    assert org.phones.count() == 1


def test_revert_to_a_published_version_checks_the_stored_ways_to_reach_it(publisher_client):
    org = make_organization(status=PUBLISHED, website="https://was.example.org/", email="")
    version = org.history.get()
    org.status, org.website = DRAFT, ""
    org.save()
    r = _post_form(publisher_client, _revert_url(org, version), website="")
    assert "needs at least one way to reach it" in r.content.decode()
    assert _state(org)[0] == DRAFT
