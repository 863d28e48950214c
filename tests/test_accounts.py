"""Staff accounts: login lockout, mandatory two-factor authentication, sessions."""

import io

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_organization, make_staff, verified_login

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SETUP = "/admin/two-factor/setup/"
VERIFY = "/admin/two-factor/verify/"


def _every_admin_path(pk):
    """Every URL of the admin site, with a real object's key where one is needed."""
    admin_urls = get_resolver().namespace_dict["admin"][1]
    names = {name for name in admin_urls.reverse_dict if isinstance(name, str)}
    paths = set()
    for name in names:
        for args in ([], ["directory"], [pk], [pk, 1], [1, pk]):
            try:
                paths.add(reverse(f"admin:{name}", args=args))
                break
            except NoReverseMatch:
                continue
    return sorted(paths)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"


def test_every_admin_url_needs_the_second_factor(client, curator):
    org = make_organization()
    client.force_login(curator)  # password only
    paths = _every_admin_path(org.pk)
    assert len(paths) > 60  # every model's list, add, change, history and delete pages
    logout = reverse("admin:logout")
    for path in paths:
        if path == logout:
            continue
        r = client.get(path)
        assert r.status_code == 302, path
        assert r["Location"].startswith(SETUP), path


def test_a_verified_curator_reaches_the_admin(client, curator):
    verified_login(client, curator)
    assert client.get("/admin/").status_code == 200


def test_two_factor_is_required_with_debug_on_too(client, curator, settings):
    settings.DEBUG = True
    client.force_login(curator)
    assert client.get("/admin/directory/organization/")["Location"].startswith(SETUP)


def test_require_2fa_off_lets_a_demo_in_with_a_password(client, curator, settings):
    settings.REQUIRE_2FA = False
    client.force_login(curator)
    assert client.get("/admin/directory/organization/").status_code == 200


def test_first_sign_in_pairs_an_app_from_a_local_qr_code_and_shows_recovery_codes(client, curator):
    client.force_login(curator)
    r = client.get("/admin/directory/organization/", follow=True)
    page = r.content.decode()
    assert r.redirect_chain[-1][0] == f"{SETUP}?next=/admin/directory/organization/"
    assert "<svg" in page and "authenticator app" in page
    assert "src=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # drawn here, no fetch
    device = TOTPDevice.objects.get(user=curator, confirmed=False)
    r = client.post(SETUP, {"token": "000000", "next": "/admin/"})
    assert "That code is not right" in r.content.decode()
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # as if they waited
    r = client.post(SETUP, {"token": _code(device), "next": "/admin/directory/organization/"})
    page = r.content.decode()
    assert "recovery codes" in page.lower()
    codes = list(StaticToken.objects.filter(device__user=curator).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in page for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/directory/organization/").status_code == 200


def test_a_stolen_password_cannot_pair_a_new_app(client, curator):
    TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)
    client.force_login(curator)
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert client.get(SETUP)["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=curator).count() == 1


def test_every_sign_in_asks_for_a_code(client, curator):
    device = TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)
    client.force_login(curator)
    r = client.post(VERIFY, {"token": "123", "next": "/admin/"})
    assert "That code is not right" in r.content.decode()
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()  # as if they waited
    r = client.post(VERIFY, {"token": _code(device), "next": "/admin/directory/"})
    assert r.status_code == 302 and r["Location"] == "/admin/directory/"
    assert client.get("/admin/directory/").status_code == 200


def test_a_recovery_code_works_once(client, curator):
    TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)
    device = curator.staticdevice_set.create(name="recovery")
    device.token_set.create(token="abcd1234")
    client.force_login(curator)
    r = client.post(VERIFY, {"token": "abcd 1234", "next": "/admin/"}, follow=True)
    assert r.status_code == 200 and "0 are left" in r.content.decode()
    client.logout()
    client.force_login(curator)
    r = client.post(VERIFY, {"token": "abcd1234", "next": "/admin/"})
    assert "already been used" in r.content.decode()


def test_verify_never_redirects_to_another_site(client, curator):
    device = TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)
    client.force_login(curator)
    r = client.post(VERIFY, {"token": _code(device), "next": "https://evil.example/"})
    assert r["Location"] == "/admin/"


def _fail_login(client, username, times):
    for _ in range(times):
        client.post(reverse("admin:login"), {"username": username, "password": "wrong-guess"})


def test_repeated_failed_logins_lock_the_account(client, curator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _fail_login(client, "carla", 2)
    r = client.post(reverse("admin:login"), {"username": "carla", "password": "wrong-guess"})
    assert r.status_code == 429
    assert "Account locked for now" in r.content.decode()
    # Even the right password is refused while locked.
    r = client.post(reverse("admin:login"), {"username": "carla", "password": PASSWORD})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_correct_password_before_the_limit_signs_in_and_resets_the_count(client, curator):
    _fail_login(client, "carla", 4)
    r = client.post(reverse("admin:login"), {"username": "carla", "password": PASSWORD})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(curator.pk)


def test_the_lockout_keeps_no_address(client, curator, settings, caplog):
    settings.AXES_FAILURE_LIMIT = 2
    _fail_login(client, "carla", 3)
    assert "127.0.0.1" not in caplog.text


def test_staff_sessions_expire(client, curator):
    r = client.post(reverse("admin:login"), {"username": "carla", "password": PASSWORD})
    cookie = r.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    assert client.session.get_expiry_age() == 8 * 60 * 60


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password123", User(username="carla"))
    validate_password("a-much-longer-passphrase-here", User(username="carla"))


def test_only_staff_need_the_second_factor(client):
    partner = make_staff("pat", "Partners")
    partner.is_staff = False
    partner.save()
    client.force_login(partner)
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))


def test_an_administrator_can_lift_a_lockout(client, curator, settings):
    from django.core.management import call_command

    settings.AXES_FAILURE_LIMIT = 2
    _fail_login(client, "carla", 2)
    call_command("axes_reset_username", "carla", stdout=io.StringIO())
    r = client.post(reverse("admin:login"), {"username": "carla", "password": PASSWORD})
    assert r.status_code == 302


def test_a_verified_curator_can_replace_the_recovery_codes(curator_client, curator):
    from django_otp.plugins.otp_static.models import StaticDevice

    old = StaticDevice.objects.create(user=curator, name="recovery")
    old.token_set.create(token="oldcode1")
    assert "/admin/two-factor/recovery-codes/" in curator_client.get("/admin/").content.decode()
    r = curator_client.post("/admin/two-factor/recovery-codes/")
    codes = set(StaticToken.objects.filter(device__user=curator).values_list("token", flat=True))
    assert len(codes) == 10 and "oldcode1" not in codes
    assert all(code in r.content.decode() for code in codes)


def test_recovery_codes_cannot_be_replaced_with_a_password_only(client, curator):
    TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)
    client.force_login(curator)
    r = client.post("/admin/two-factor/recovery-codes/")
    assert r["Location"].startswith(VERIFY)
    assert not StaticToken.objects.exists()
