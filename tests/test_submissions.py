"""Public suggestions and problem reports: spam defences, moderation, emails."""

import time

import pytest
from django.urls import reverse

from directory.models import Moderation, Organization, Report, Status, Suggestion
from directory.spam import _signer
from tests.cache_contents import stored_in_cache
from tests.factories import make_organization, make_phone

pytestmark = pytest.mark.django_db

SUGGEST = "/suggest/"


def _started(seconds_ago=10):
    return _signer.sign(f"{time.time() - seconds_ago:.3f}")


def _suggestion(**overrides):
    data = {
        "name": "Centro de Ayuda Legal",
        "description": "Free asylum help",
        "city": "Fresno",
        "state": "ca",
        "website": "centro.example.org",
        "phone": "(559) 555-0101",
        "email": "",
        "contact": "",
        "homepage": "",
        "started": _started(),
    }
    data.update(overrides)
    return data


def _report(**overrides):
    data = {"reason": "wrong_phone", "details": "Nobody answers", "contact": ""}
    data.update(homepage="", started=_started())
    data.update(overrides)
    return data


def test_the_suggestion_form_marks_contact_details_optional(client):
    r = client.get(SUGGEST)
    page = r.content.decode()
    assert r.status_code == 200
    assert "Suggest an organization" in page
    assert "your email or phone (optional)" in page.lower()
    assert 'name="homepage"' in page and "Leave this field empty" in page
    # A page with a POST form may set the CSRF cookie, and nothing else.
    assert set(r.cookies) <= {"csrftoken"}


def test_a_legitimate_suggestion_is_saved_and_thanked(client):
    r = client.post(SUGGEST, _suggestion())
    assert r.status_code == 302 and r["Location"] == "/suggest/thanks/"
    suggestion = Suggestion.objects.get()
    assert (suggestion.name, suggestion.state, suggestion.status) == (
        "Centro de Ayuda Legal",
        "CA",
        Moderation.NEW,
    )
    assert suggestion.website == "https://centro.example.org"
    assert "Thank you" in client.get(r["Location"]).content.decode()
    # Sending never sets a session or messages cookie.
    assert set(r.cookies) <= {"csrftoken"}


def test_the_spanish_form_works(client):
    r = client.get("/es/suggest/")
    page = r.content.decode()
    assert r.status_code == 200 and '<html lang="es">' in page
    assert "Sugerir una organización" in page and "(opcional)" in page
    assert client.post("/es/suggest/", _suggestion()).status_code == 302
    assert Suggestion.objects.count() == 1


def test_the_honeypot_refuses_and_keeps_what_was_typed(client):
    r = client.post(SUGGEST, _suggestion(homepage="http://spam.example"))
    page = r.content.decode()
    assert r.status_code == 200
    assert "Please leave the field" in page
    assert 'value="Centro de Ayuda Legal"' in page
    assert not Suggestion.objects.exists()


def test_a_form_sent_too_fast_is_refused_with_a_friendly_message(client):
    r = client.post(SUGGEST, _suggestion(started=_started(seconds_ago=0.5)))
    page = r.content.decode()
    assert "That was very quick" in page
    assert 'value="Fresno"' in page
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("started", ["", "12345", "1700000000.000:abc:def"])
def test_a_missing_or_forged_timestamp_is_refused(client, started):
    r = client.post(SUGGEST, _suggestion(started=started))
    assert "Please send it again" in r.content.decode()
    assert not Suggestion.objects.exists()


def test_the_rate_limit_stops_a_client_and_stores_no_address(client, settings):
    settings.SUBMISSIONS_PER_DAY = 2
    headers = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Phone/1.0"}
    for _ in range(2):
        assert client.post(SUGGEST, _suggestion(), **headers).status_code == 302
    r = client.post(SUGGEST, _suggestion(), **headers)
    assert r.status_code == 429
    assert "try again tomorrow" in r.content.decode()
    assert Suggestion.objects.count() == 2
    # Another client (another address) is not affected.
    other = {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "Phone/1.0"}
    assert client.post(SUGGEST, _suggestion(), **other).status_code == 302
    stored = stored_in_cache()
    assert stored  # the counters are there...
    assert "203.0.113.9" not in stored and "198.51.100.7" not in stored  # ...the addresses not


def test_curators_with_an_email_are_told_about_a_new_suggestion(client, curator, mailoutbox):
    curator.email = "carla@example.org"
    curator.save()
    client.post(SUGGEST, _suggestion(contact="me@example.net"))
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["carla@example.org"]
    assert "Centro de Ayuda Legal" in message.subject
    assert "/admin/directory/suggestion/" in message.body
    # The sender's own contact details stay in the admin.
    assert "me@example.net" not in message.body


def test_curators_are_told_in_the_sites_language_whatever_the_visitor_read(
    client, curator, mailoutbox
):
    curator.email = "carla@example.org"
    curator.save()
    client.post("/es" + SUGGEST, _suggestion())
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("New suggestion"), message.subject
    assert "waiting in the moderation queue" in message.body
    assert "/admin/directory/suggestion/" in message.body and "/es/admin" not in message.body


def test_a_report_is_saved_without_changing_the_listing(client, mailoutbox, publisher):
    publisher.email = "pablo@example.org"
    publisher.save()
    org = make_organization(name="Casa")
    make_phone(organization=org)
    url = reverse("directory:organization-report", args=[org.slug])
    page = client.get(url).content.decode()
    assert "The phone number is wrong" in page and "---------" not in page
    r = client.post(url, _report())
    assert r.status_code == 302
    report = Report.objects.get()
    assert (report.organization, report.reason, report.status) == (
        org,
        "wrong_phone",
        Moderation.NEW,
    )
    org.refresh_from_db()
    assert (org.status, org.needs_review, org.version) == (Status.PUBLISHED, False, 1)
    assert len(mailoutbox) == 1


def test_a_report_needs_a_reason_and_keeps_the_details(client):
    org = make_organization()
    url = reverse("directory:organization-report", args=[org.slug])
    r = client.post(url, _report(reason=""))
    assert r.status_code == 200
    assert "Nobody answers" in r.content.decode()
    assert not Report.objects.exists()


def test_reports_on_hidden_listings_are_404(client):
    draft = make_organization(status=Status.DRAFT)
    url = reverse("directory:organization-report", args=[draft.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, _report()).status_code == 404


def test_the_organization_page_links_to_the_report_form(client):
    org = make_organization()
    page = client.get(org.get_absolute_url()).content.decode()
    assert "Report a problem with this listing" in page
    assert reverse("directory:organization-report", args=[org.slug]) in page


def _moderate(client, model, action, submission):
    url = reverse(f"admin:directory_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": [submission.pk]}, follow=True)


def test_accepting_a_suggestion_creates_an_unpublished_draft(client, curator_client, curator):
    suggestion = Suggestion.objects.create(
        name="Centro Nuevo", city="Fresno", state="CA", phone="(559) 555-0101"
    )
    r = _moderate(curator_client, "suggestion", "accept", suggestion)
    assert "Accepted 1 submission" in r.content.decode()
    suggestion.refresh_from_db()
    org = suggestion.organization
    assert (suggestion.status, suggestion.handled_by) == (Moderation.ACCEPTED, curator)
    assert suggestion.handled_at is not None
    assert (org.name, org.status, org.slug) == ("Centro Nuevo", Status.DRAFT, "centro-nuevo")
    assert org.phones.get().number == "(559) 555-0101"
    assert org.locations.get().city == "Fresno"
    assert not Organization.objects.public().filter(pk=org.pk).exists()
    curator_client.logout()
    assert client.get(org.get_absolute_url()).status_code == 404


def test_accepting_a_report_flags_the_listing_but_keeps_it_as_it_is(curator_client):
    org = make_organization(name="Casa")
    report = Report.objects.create(organization=org, reason="closed")
    _moderate(curator_client, "report", "accept", report)
    org.refresh_from_db()
    assert org.needs_review is True
    assert (org.status, org.name) == (Status.PUBLISHED, "Casa")
    report.refresh_from_db()
    assert report.status == Moderation.ACCEPTED


def test_rejecting_changes_nothing_but_the_submission(curator_client):
    org = make_organization()
    report = Report.objects.create(organization=org, reason="other")
    suggestion = Suggestion.objects.create(name="Spam Inc")
    _moderate(curator_client, "report", "reject", report)
    _moderate(curator_client, "suggestion", "reject", suggestion)
    report.refresh_from_db()
    suggestion.refresh_from_db()
    assert report.status == suggestion.status == Moderation.REJECTED
    assert suggestion.organization is None
    org.refresh_from_db()
    assert org.needs_review is False
    assert Organization.objects.count() == 1


def test_the_queue_cannot_be_filled_from_the_admin(curator_client):
    assert curator_client.get(reverse("admin:directory_report_add")).status_code == 403


def test_every_page_links_to_the_suggestion_form(client):
    assert 'href="/suggest/"' in client.get("/").content.decode()
    assert 'href="/es/suggest/"' in client.get("/es/").content.decode()


def test_a_mail_outage_does_not_lose_the_submission(client, curator, settings):
    curator.email = "carla@example.org"
    curator.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    r = client.post(SUGGEST, _suggestion())
    assert r.status_code == 302
    assert Suggestion.objects.count() == 1


def test_a_suggestion_shows_listings_it_may_duplicate(curator_client):
    existing = make_organization(name="Casa del Migrante", website="https://casa.example.org/")
    suggestion = Suggestion.objects.create(name="Casa Migrante", website="http://casa.example.org")
    url = reverse("admin:directory_suggestion_change", args=[suggestion.pk])
    page = curator_client.get(url).content.decode()
    assert "Casa del Migrante" in page and "same website (casa.example.org)" in page
    assert reverse("admin:directory_organization_change", args=[existing.pk]) in page
