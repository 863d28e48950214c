"""Staff members for the admin journeys, signing in with both factors in the browser."""

from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.directory_data import seed_roles
from tests.factories import make_staff

PASSWORD = "correct-horse-battery"


def make_staff_with_app(username, group):
    """A staff member in `group` who has paired an authenticator app (a TOTP device)."""
    if not Group.objects.filter(name=group).exists():
        seed_roles()
    user = make_staff(username, group, password=PASSWORD)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def current_code(user):
    """What the staff member's authenticator app shows right now."""
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(page, user):
    """Sign in to the admin with the password, then the code on the real verify page."""
    page.goto("/admin/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/admin/two-factor/verify/" in page.url, "the second factor was not asked for"
    page.get_by_label("Code").fill(current_code(user))
    with page.expect_navigation():
        page.get_by_role("button", name="Verify").click()
    assert page.url.endswith("/admin/"), page.url
