from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .filters import DEFAULT_RADIUS, RADIUS_CHOICES
from .language_choice import language_name
from .models import EventType, Report, ReportReason, ResourceTopic, Suggestion
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


class EventSearchForm(forms.Form):
    """The /events/ filters, read from the query string (the page works without JavaScript)."""

    type = forms.MultipleChoiceField(
        label=_("Type of event"),
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    near = forms.CharField(
        label=_("Near (ZIP code or place)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS,
        initial=DEFAULT_RADIUS,
    )
    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    online = forms.BooleanField(label=_("Online only"), required=False)
    free = forms.BooleanField(label=_("Free only"), required=False)

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only languages public events are given in: the list gives nothing hidden away.
        self.fields["language"].choices = [("", _("Any language"))] + [
            (language.code, language.display_name) for language in languages
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the range is before its start."))
        return cleaned


class ResourceFilterForm(forms.Form):
    """The /resources/ filters, from the query string (the page works without JavaScript)."""

    topic = forms.ChoiceField(label=_("Topic"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("Any topic")), *ResourceTopic.choices]
        # Each language in its own name: a reader finds theirs without reading ours.
        self.fields["language"].choices = [("", _("Any language"))] + [
            (code, language_name(code)) for code in languages
        ]
