"""Two-factor authentication for staff: TOTP apps, with recovery codes.

A staff member signs in with their password on the admin login page, then
every admin URL sends them here until they enter a code from their
authenticator app (or a one-time recovery code). The first time, they set the
app up from a QR code drawn on our own server (segno), so the secret never
goes to another host. REQUIRE_2FA=0 switches this off for a local demo only.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class RequireTwoFactorForStaff:
    """Send staff who have not passed the second factor to set it up or verify it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_verify(request):
            target = "two-factor-verify" if user_has_device(request.user) else "two-factor-setup"
            return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)

    def _must_verify(self, request):
        user = request.user
        if not (settings.REQUIRE_2FA and user.is_authenticated and user.is_staff):
            return False
        if user.is_verified():
            return False
        exempt = {
            reverse("admin:logout"),
            reverse("two-factor-setup"),
            reverse("two-factor-verify"),
        }
        return request.path.startswith(reverse("admin:index")) and request.path not in exempt


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


def _next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("admin:index")


def _staff_only(request):
    return request.user.is_staff


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def setup(request):
    """First sign-in: pair an authenticator app, then show recovery codes once."""
    if not _staff_only(request) or user_has_device(request.user):
        # A stolen password must not be enough to pair a new app.
        return redirect(reverse("two-factor-verify"))
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            codes = _new_recovery_codes(request.user)
            otp_login(request, device)
            return render(
                request,
                "two_factor/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "title": _("Recovery codes")},
            )
        form.add_error(
            "token",
            _(
                "That code is not right. Wait a few seconds, check the time on your "
                "phone, and try again."
            ),
        )
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(
                scale=5, light="#fff", title=str(_("QR code for your authenticator app"))
            ),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
            "title": _("Set up two-factor authentication"),
        },
    )


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def verify(request):
    """Every sign-in: a code from the app, or one recovery code."""
    if not user_has_device(request.user):
        return redirect(reverse("two-factor-setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left.") % {"left": left},
                )
            return redirect(_next_url(request))
        form.add_error(
            "token",
            _(
                "That code is not right, or it has already been used. Wait a few seconds "
                "and try again."
            ),
        )
    return render(
        request,
        "two_factor/verify.html",
        {"form": form, "next": _next_url(request), "title": _("Two-factor authentication")},
    )


@login_required(login_url="admin:login")
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes for a verified staff member; the old ones stop working."""
    if not (request.user.is_staff and request.user.is_verified()):
        return redirect(reverse("two-factor-verify"))
    if request.method == "POST":
        return render(
            request,
            "two_factor/recovery_codes.html",
            {
                "codes": _new_recovery_codes(request.user),
                "next": reverse("admin:index"),
                "title": _("Recovery codes"),
            },
        )
    return render(request, "two_factor/new_recovery_codes.html", {"title": _("Recovery codes")})


def _new_recovery_codes(user):
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


urlpatterns = [
    path("setup/", setup, name="two-factor-setup"),
    path("verify/", verify, name="two-factor-verify"),
    path("recovery-codes/", recovery_codes, name="two-factor-recovery-codes"),
]
