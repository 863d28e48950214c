"""Journey 4: a curator drafts a listing in the admin; a publisher publishes it.

Both sign in with their password and a code from their authenticator app on
the real verify page. The curator adds an organization with a service, a
location, a phone and opening hours through the admin's own forms, and is
offered no way to publish it; the publisher publishes it, and it then shows
in public search and on its own public page.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.staff import make_staff_with_app, sign_in

pytestmark = pytest.mark.browser

NAME = "Harbor Sanctuary Legal Collective"
SERVICE = "Asylum application help"
PUBLISH = "Publish selected listings"


def option_labels(select):
    return select.locator("option").all_inner_texts()


def add_inline_row(page, group, name):
    """Press an inline's "Add another …" (the admin's own script adds the row)."""
    page.locator(f"#{group}-group").get_by_role("button", name=f"Add another {name}").click()


def draft_the_listing(page):
    """The curator's part: the organization, its service, location and phone, then hours."""
    page.get_by_role("link", name="Organizations").first.click()
    page.get_by_role("link", name=re.compile("^Add organization")).click()
    # Typed key by key, so the admin's script fills in the slug from the name.
    page.locator("#id_name").press_sequentially(NAME)
    expect(page.locator("#id_slug")).to_have_value("harbor-sanctuary-legal-collective")
    page.get_by_role("checkbox", name="Legal services provider").check()
    page.locator("#id_description").fill("Free help with asylum applications and court.")
    page.locator("#id_website").fill("https://harbor-sanctuary.example.org/")
    status = page.locator("#id_status")
    assert option_labels(status) == ["Draft", "In review"]
    assert status.input_value() == "draft"

    add_inline_row(page, "services", "Service")
    page.locator("#id_services-0-name").fill(SERVICE)
    assert option_labels(page.locator("#id_services-0-status")) == ["Draft", "In review"]
    page.locator("#id_services-0-fee").select_option("free")
    add_inline_row(page, "locations", "Location")
    page.locator("#id_locations-0-address_1").fill("455 Harbor Blvd")
    page.locator("#id_locations-0-city").fill("San Pedro")
    page.locator("#id_locations-0-state").fill("CA")
    page.locator("#id_locations-0-postal_code").fill("90731")
    add_inline_row(page, "phones", "Phone")
    page.locator("#id_phones-0-number").fill("(310) 555-0142")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    # The inline shows the service in short; its hours are on its own page.
    page.locator("#services-group").get_by_role("link", name="Change").click()
    expect(page.locator("#id_name")).to_have_value(SERVICE)
    assert option_labels(page.locator("#id_status")) == ["Draft", "In review"]
    add_inline_row(page, "service_at_locations", "Service at location")
    page.locator("#id_service_at_locations-0-location").select_option(index=1)
    for row, day in enumerate(["Monday", "Wednesday"]):
        add_inline_row(page, "schedules", "Opening hours")
        page.locator(f"#id_schedules-{row}-weekday").select_option(label=day)
        page.locator(f"#id_schedules-{row}-opens_at").fill("09:00")
        page.locator(f"#id_schedules-{row}-closes_at").fill("17:00")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def publish_from_the_list(page, model_link, row_text):
    page.goto("/admin/")
    page.get_by_role("link", name=model_link).first.click()
    page.locator("#result_list tbody tr", has_text=row_text).locator(".action-select").check()
    page.locator("select[name=action]").select_option(label=PUBLISH)
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("ublished")


def test_a_curator_drafts_and_a_publisher_publishes(directory, open_context, settings):
    settings.REQUIRE_2FA = True
    curator = make_staff_with_app("carla", "Curators")
    publisher = make_staff_with_app("pablo", "Publishers")

    page = open_context(DESKTOP).new_page()
    sign_in(page, curator)
    draft_the_listing(page)

    # Neither the organizations' nor the services' list offers the curator "Publish".
    for model_link in ["Organizations", "Services"]:
        page.goto("/admin/")
        page.get_by_role("link", name=model_link).first.click()
        actions = option_labels(page.locator("select[name=action]"))
        assert "Archive selected listings" not in actions
        assert PUBLISH not in actions, model_link
    visitor = open_context(PHONE).new_page()
    visitor.goto(f"/search/?q={NAME}")
    expect(visitor.locator(".results__list .result__name")).to_have_count(0)

    page = open_context(DESKTOP).new_page()
    sign_in(page, publisher)
    publish_from_the_list(page, "Organizations", NAME)
    publish_from_the_list(page, "Services", SERVICE)

    visitor.goto("/")
    visitor.get_by_label("What do you need?").fill(NAME)
    visitor.get_by_role("button", name="Search", exact=True).tap()
    results = visitor.locator(".results__list .result__name")
    expect(results).to_have_text([NAME])
    results.get_by_role("link").tap()
    expect(visitor.locator("h1")).to_have_text(NAME)
    assert visitor.locator('a[href^="tel:"]').first.get_attribute("href") == "tel:+13105550142"
    schedule = visitor.locator(".schedule").first
    expect(schedule).to_contain_text("Monday")
    expect(schedule).to_contain_text("Wednesday")
    expect(visitor.locator("address").first).to_contain_text("455 Harbor Blvd")
