"""Journey 5: a visitor reports a problem on a listing.

The report goes through the public form, spam defences and all (the minimum
fill time is waited out, the honeypot is left empty), shows in the curators'
moderation queue, and leaves the public listing exactly as it was.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.checks import assert_leaves_no_trace, assert_only_own_origin
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.staff import make_staff_with_app, sign_in

pytestmark = pytest.mark.browser

DETAILS = "The number rings a closed office; they now answer at (213) 555-0199."


def listing_text(open_context, organization):
    """The public page of `organization` as a new anonymous visitor reads it."""
    page = open_context(PHONE).new_page()
    page.goto(organization.get_absolute_url())
    return page.locator("main").inner_text()


def test_report_reaches_the_moderation_queue_and_leaves_the_listing_alone(
    directory, open_context, live_server, settings
):
    settings.REQUIRE_2FA = True
    organization = directory.first
    before = listing_text(open_context, organization)
    visitor = open_context(PHONE)
    page = visitor.new_page()

    page.goto(organization.get_absolute_url())
    page.get_by_role("link", name="Report a problem with this listing").tap()
    page.get_by_role("radio", name="The phone number is wrong").tap()
    page.get_by_label("Details").fill(DETAILS)
    assert page.get_by_label("Leave this field empty").input_value() == ""
    # A person takes longer than this; a robot sending at once is turned away.
    page.wait_for_timeout(settings.SUBMISSION_MIN_SECONDS * 1000)
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").tap()

    assert page.url.endswith(f"/o/{organization.slug}/report/thanks/")
    assert page.locator(".public-form__errors").count() == 0
    assert_only_own_origin(visitor, live_server.url)
    assert_leaves_no_trace(visitor, page, form=True)

    curator = make_staff_with_app("carla", "Curators")
    admin = open_context(DESKTOP).new_page()
    sign_in(admin, curator)
    admin.get_by_role("link", name="Problem reports").click()
    row = admin.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    assert row.inner_text().split("\t")[1:4] == [
        organization.name,
        "The phone number is wrong",
        "New",
    ]
    row.get_by_role("link", name=organization.name).click()
    expect(admin.locator(".field-details .readonly")).to_have_text(DETAILS)

    assert listing_text(open_context, organization) == before
