from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ReportForm, SuggestionForm
from .models import Organization, OrganizationRedirect, Visibility, is_partner
from .notifications import notify_curators
from .spam import allow_submission


def redirect_merged_or_404(request, slug):
    """Answer for a slug with no organization this visitor may see.

    A slug of an organization merged into another answers with a permanent
    redirect to the survivor, if this visitor may see it; anything else is 404.
    """
    survivor = OrganizationRedirect.objects.survivor_for(slug)
    if survivor is not None and (
        Organization.objects.visible_to(request.user).filter(pk=survivor.pk).exists()
    ):
        return redirect(survivor, permanent=True)
    raise Http404


def _submit(request, form, template, context, thanks_url):
    """Save a valid public submission within the daily limit, and tell curators."""
    status = 200
    if request.method == "POST" and form.is_valid():
        if allow_submission(request):
            submission = form.save()
            notify_curators(submission, request)
            # A page, not a flash message: messages would set a cookie.
            return redirect(thanks_url)
        form.add_error(
            None, _("You have sent many messages today. Please try again tomorrow. Thank you!")
        )
        status = 429
    return render(request, template, {"form": form, **context}, status=status)


def home(request):
    return render(request, "directory/home.html")


def organization_detail(request, slug):
    organization = Organization.objects.visible_to(request.user).filter(slug=slug).first()
    if organization is None:
        return redirect_merged_or_404(request, slug)
    response = render(request, "directory/organization_detail.html", {"organization": organization})
    if organization.visibility == Visibility.PARTNERS:
        # Never kept by a shared cache or the browser's history cache.
        patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
def suggest(request):
    form = SuggestionForm(request.POST or None)
    return _submit(request, form, "directory/suggest.html", {}, reverse("directory:suggest-thanks"))


def suggest_thanks(request):
    return render(request, "directory/submission_thanks.html", {"organization": None})


@require_http_methods(["GET", "POST"])
def report_problem(request, slug):
    organization = get_object_or_404(Organization.objects.visible_to(request.user), slug=slug)
    form = ReportForm(request.POST or None)
    form.instance.organization = organization
    return _submit(
        request,
        form,
        "directory/report.html",
        {"organization": organization},
        reverse("directory:report-thanks", args=[slug]),
    )


def report_thanks(request, slug):
    organization = get_object_or_404(Organization.objects.visible_to(request.user), slug=slug)
    return render(request, "directory/submission_thanks.html", {"organization": organization})


class PartnerLoginView(auth_views.LoginView):
    """Sign-in for partner organizations (not staff: staff use the admin)."""

    template_name = "directory/partner_login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("directory:partner-listings")


def partner_listings(request):
    """Partners-only listings, for signed-in partners; everyone else gets 404."""
    if not is_partner(request.user):
        raise Http404
    organizations = Organization.objects.visible_to(request.user).filter(
        visibility=Visibility.PARTNERS
    )
    return render(request, "directory/partner_listings.html", {"organizations": organizations})
