"""Verification: the dashboard, "Mark verified", staleness and ranking."""

from datetime import date, timedelta

import pytest

from directory.models import Organization, Report, Status, Suggestion
from tests.factories import make_organization
from tests.test_admin import _change_data, _change_url

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/directory/organization/dashboard/"


def _days_ago(n):
    return date.today() - timedelta(days=n)


def test_the_dashboard_is_linked_from_the_admin_index(curator_client):
    page = curator_client.get("/admin/").content.decode()
    assert DASHBOARD in page and "/admin/directory/organization/duplicates/" in page


def test_the_dashboard_shows_what_needs_attention(curator_client, django_assert_max_num_queries):
    stale = make_organization(name="Stale Org", last_verified_on=_days_ago(200))
    never = make_organization(name="Never Checked", status=Status.DRAFT)
    make_organization(name="Fresh Org", last_verified_on=_days_ago(10))
    make_organization(name="Archived Org", status=Status.ARCHIVED)
    flagged = make_organization(
        name="Flagged Org", needs_review=True, last_verified_on=date.today()
    )
    Report.objects.create(organization=flagged, reason="moved", details="")
    Suggestion.objects.create(name="Brand New Group")
    curator_client.post(_change_url(never), _change_data(never, name="Never Checked Either"))

    with django_assert_max_num_queries(25):
        r = curator_client.get(DASHBOARD)
    page = r.content.decode()
    due = [o.name for o in r.context["due"]]
    assert due == ["Never Checked Either", "Stale Org"]  # never verified first, then oldest
    assert "Fresh Org" not in due and "Archived Org" not in due
    assert [o.name for o in r.context["needs_review"]] == ["Flagged Org"]
    assert "Flagged Org: They moved" in page
    assert "Brand New Group" in page
    assert ("Published", 3) in r.context["statuses"]
    # Recent changes name who made them.
    assert "Never Checked Either" in page and "carla" in page
    assert stale.name in page


def test_the_dashboard_staleness_is_configurable(curator_client, settings):
    settings.VERIFICATION_STALE_DAYS = 5
    make_organization(name="A Week Old", last_verified_on=_days_ago(7))
    due = [o.name for o in curator_client.get(DASHBOARD).context["due"]]
    assert due == ["A Week Old"]


def test_the_dashboard_is_for_staff_only(client):
    r = client.get(DASHBOARD)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_the_change_form_has_a_mark_verified_button(curator_client, curator):
    org = make_organization(last_verified_on=_days_ago(300))
    page = curator_client.get(_change_url(org)).content.decode()
    assert 'name="_mark_verified"' in page
    data = _change_data(org, _mark_verified="Save and mark verified today")
    assert curator_client.post(_change_url(org), data).status_code == 302
    org.refresh_from_db()
    assert (org.last_verified_on, org.verified_by) == (date.today(), curator)


def test_an_ordinary_save_does_not_count_as_verification(curator_client):
    org = make_organization(last_verified_on=_days_ago(300))
    curator_client.post(_change_url(org), _change_data(org, name="Renamed"))
    org.refresh_from_db()
    assert org.last_verified_on == _days_ago(300) and org.verified_by is None


def test_stale_listings_rank_below_fresh_ones():
    make_organization(name="A never verified")
    make_organization(name="B stale", last_verified_on=_days_ago(400))
    make_organization(name="C fresh", last_verified_on=_days_ago(3))
    ranked = Organization.objects.public().annotate_freshness().order_by("-is_fresh", "name")
    assert [(o.name, o.is_fresh) for o in ranked] == [
        ("C fresh", True),
        ("A never verified", False),
        ("B stale", False),
    ]


def test_the_verification_note_says_when_and_warns_when_stale(settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    fresh = make_organization(last_verified_on=date(2026, 10, 2))
    stale = make_organization(last_verified_on=date(2020, 3, 5))
    never = make_organization()
    settings.VERIFICATION_STALE_DAYS = (date.today() - date(2026, 10, 2)).days + 30

    def note(org):
        return render_to_string("includes/verification_note.html", {"organization": org})

    assert "Last verified October 2026" in note(fresh) and "out of date" not in note(fresh)
    assert "Last verified March 2020" in note(stale) and "out of date" in note(stale)
    assert "Not yet verified" in note(never)
    with translation.override("es"):
        assert "Verificado por última vez en marzo de 2020" in note(stale)
