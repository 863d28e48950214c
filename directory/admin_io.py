"""Exports and imports in the curator admin.

Curator exports add the columns outreach and verification need (status,
verification date and who verified) to the public columns; like every
export they never carry curator notes or a confidential street address.
The import page is upload -> preview -> confirm: the preview is a dry run
of the real import, and the uploaded file waits in the database (a
PendingImport, so any app server can answer the confirm) under a random
token that only its uploader can confirm.
"""

import secrets
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from . import export_files, hsds_package
from .models import Location, Organization, PendingImport, Service

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------- list filters


class CountyFilter(admin.SimpleListFilter):
    title = _("county")
    parameter_name = "county"
    location_path = "locations"

    def lookups(self, request, model_admin):
        counties = Location.objects.exclude(county="").values_list("county", flat=True).distinct()
        return [(c, c) for c in sorted(set(counties))]

    def queryset(self, request, queryset):
        if self.value():
            lookup = f"{self.location_path}__county__iexact"
            return queryset.filter(**{lookup: self.value()}).distinct()
        return queryset


class ServiceCountyFilter(CountyFilter):
    location_path = "organization__locations"


class HasEmailFilter(admin.SimpleListFilter):
    title = _("email")
    parameter_name = "has_email"

    def lookups(self, request, model_admin):
        return [("yes", _("Has an email")), ("no", _("No email"))]

    def queryset(self, request, queryset):
        no_email = Q(email="")
        if self.value() == "yes":
            return queryset.exclude(no_email)
        if self.value() == "no":
            return queryset.filter(no_email)
        return queryset


class VerifiedThisYearFilter(admin.SimpleListFilter):
    title = _("verified this year")
    parameter_name = "verified_this_year"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified this year")), ("no", _("Not verified this year"))]

    def queryset(self, request, queryset):
        this_year = Q(last_verified_on__gte=date(date.today().year, 1, 1))
        if self.value() == "yes":
            return queryset.filter(this_year)
        if self.value() == "no":
            return queryset.exclude(this_year)
        return queryset


# ---------------------------------------------------------------- exports


def curator_export(fmt, organizations, services, services_only=False):
    """Return a download of organizations (and only these services) for curators."""
    export = export_files.Export(
        export_files.BY_EXTENSION[fmt],
        organizations,
        services,
        curator=True,
        services_only=services_only,
    )
    return export_files.response(export)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .csv or .xlsx file in the export format, HSDS 3.0 .json, or an HSDS data "
            "package: a .zip of datapackage.json and its CSV tables (HSDS 3.0, 2.x or 1.x)."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=200,
        help_text=_(
            "Who publishes the file. Their ids are kept under this name, so their next file "
            "updates the same listings. Empty: the file's name."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish the imported listings"),
        required=False,
        help_text=_("Otherwise new listings arrive as drafts."),
    )

    def __init__(self, *args, can_publish=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_publish:
            # Not offered; a forged value still reaches the publish rule, which refuses it.
            self.fields["publish"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB. Split it, or use the command line.")
            )
        if not upload.name.lower().endswith((".csv", ".xlsx", ".json", ".zip")):
            raise forms.ValidationError(
                _("Upload a .csv, .xlsx, .json (HSDS) or .zip (HSDS data package) file.")
            )
        return upload


def store_upload(user, name, data):
    """Keep a previewed file for its confirm; return the token that confirms it."""
    # Previews never confirmed go once they can no longer be.
    PendingImport.objects.abandoned().delete()
    pending = PendingImport.objects.create(
        token=secrets.token_urlsafe(32), file_name=name, data=data, uploaded_by=user
    )
    return pending.token


def claim_upload(token, user):
    """Return (name, bytes) of the user's own pending import and delete it; None if none.

    A token that is forged, someone else's, expired or already confirmed
    gives None. Claiming deletes, so a confirm sent twice imports once.
    """
    PendingImport.objects.abandoned().delete()
    with transaction.atomic():
        pending = (
            PendingImport.objects.select_for_update()
            .filter(token=str(token), uploaded_by=user)
            .first()
        )
        if pending is None:
            return None
        pending.delete()
    return pending.file_name, bytes(pending.data)


EXPORT_ACTIONS = ["export_csv", "export_xlsx", "export_hsds", "export_hsds_package"]


class ExportImportMixin:
    """Export actions, an "export all matching" link and the import page."""

    change_list_template = "admin/directory/change_list_with_exports.html"

    # True when the changelist lists services: then only their rows are exported.
    services_only = False

    def export_querysets(self, queryset):
        """Return (organizations, services) for these changelist rows."""
        if self.services_only:
            services = Service.objects.filter(pk__in=queryset.values("pk"))
            return Organization.objects.filter(pk__in=services.values("organization")), services
        organizations = Organization.objects.filter(pk__in=queryset.values("pk"))
        return organizations, Service.objects.filter(organization__in=organizations)

    def _export(self, fmt, queryset):
        return curator_export(fmt, *self.export_querysets(queryset), self.services_only)

    @admin.action(description=_("Export selected as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._export("csv", queryset)

    @admin.action(description=_("Export selected as Excel"), permissions=["view"])
    def export_xlsx(self, request, queryset):
        return self._export("xlsx", queryset)

    @admin.action(
        description=_("Export selected as HSDS JSON (published only)"), permissions=["view"]
    )
    def export_hsds(self, request, queryset):
        return self._export("json", queryset)

    @admin.action(
        description=_("Export selected as an HSDS data package (zip, published only)"),
        permissions=["view"],
    )
    def export_hsds_package(self, request, queryset):
        return self._export("zip", queryset)

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_matching_view),
                name=f"{prefix}_export",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{prefix}_import",
            ),
        ] + super().get_urls()

    def export_matching_view(self, request, fmt):
        """Export every row the changelist shows with its current filters and search."""
        if fmt not in ("csv", "xlsx", "json", "zip") or not self.has_view_permission(request):
            raise Http404
        changelist = self.get_changelist_instance(request)
        return self._export(fmt, changelist.get_queryset(request))

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        can_publish = all(
            request.user.has_perm(f"directory.publish_{m}") for m in ("organization", "service")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import listings"),
            "changelist_url": reverse(
                f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist"
            ),
        }
        if request.method == "POST" and "token" in request.POST:
            upload = claim_upload(request.POST["token"], request.user)
            if upload is None:
                self.message_user(
                    request,
                    _(
                        "This import cannot be confirmed: its preview has expired, was "
                        "already confirmed, or was made by someone else. Upload the file again."
                    ),
                    messages.ERROR,
                )
                context["form"] = ImportForm(can_publish=can_publish)
                return TemplateResponse(request, "admin/directory/import.html", context, status=404)
            name, data = upload
            # The rule refuses a curator's publish, with a row error.
            publish = request.POST.get("publish") == "1"
            source = request.POST.get("source", "")[:200] or name
            report = hsds_package.import_upload(
                name, data, publish=publish, user=request.user, source=source
            )
            if report.errors:
                context.update(report=report, form=ImportForm(can_publish=can_publish))
                return TemplateResponse(request, "admin/directory/import.html", context)
            self.message_user(
                request,
                _("Imported %(file)s: %(created)d created, %(updated)d updated.")
                % {"file": name, "created": len(report.created), "updated": len(report.updated)},
                messages.SUCCESS,
            )
            return redirect(context["changelist_url"])
        form = ImportForm(request.POST or None, request.FILES or None, can_publish=can_publish)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            name, data = upload.name, b"".join(upload.chunks())
            publish = bool(form.cleaned_data.get("publish"))
            source = form.cleaned_data.get("source") or name
            report = hsds_package.import_upload(
                name, data, publish=publish, dry_run=True, user=request.user, source=source
            )
            context.update(report=report, publish=publish, file_name=name, source=source)
            if not report.errors:
                context["token"] = store_upload(request.user, name, data)
        context["form"] = form
        return TemplateResponse(request, "admin/directory/import.html", context)


class OrganizationExportMixin(ExportImportMixin):
    pass


class ServiceExportMixin(ExportImportMixin):
    services_only = True
