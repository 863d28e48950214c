from django import forms
from django.db import models

from .models import Report, ReportReason, Suggestion
from .spam import SpamDefences


def _https_urls(db_field, **kwargs):
    # A typed "example.org" becomes https://example.org (Django 6's default).
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class SuggestionForm(SpamDefences, forms.ModelForm):
    class Meta:
        formfield_callback = _https_urls
        model = Suggestion
        fields = ["name", "description", "city", "state", "website", "phone", "email", "contact"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_state(self):
        return self.cleaned_data["state"].upper()


class ReportForm(SpamDefences, forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "details", "contact"]
        widgets = {
            "reason": forms.RadioSelect,
            "details": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = ReportReason.choices  # no empty "-----" radio
