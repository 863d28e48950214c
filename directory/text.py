"""Which characters text may hold: the one check for every input, and the export clean-up.

Control characters are invisible in a form and in a spreadsheet, PostgreSQL
refuses a NUL in text outright, and openpyxl refuses most C0 controls in a
cell. So every input (admin and public forms through the models'
`clean_fields`, and every import) refuses them with `check_text`, and every
export writes stored text through `printable`, so text stored before this
check, or by a raw SQL statement, can never make a download fail.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, newline and carriage return; DEL; C1 controls;
# and lone surrogates (JSON "\ud800"), which no database can encode.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

CONTROL_CHARACTER_MESSAGE = _(
    "This text contains an invisible control character (%(code)s), which is not allowed. "
    "Remove it and try again."
)


def control_character(value):
    """Return the first forbidden character in value as "U+0000", or ""."""
    if not isinstance(value, str):
        return ""
    match = CONTROL_CHARACTERS.search(value)
    return f"U+{ord(match.group()):04X}" if match else ""


def check_text(value):
    """Raise ValidationError if value holds a control character (a field validator)."""
    code = control_character(value)
    if code:
        raise ValidationError(
            CONTROL_CHARACTER_MESSAGE, code="control_character", params={"code": code}
        )


def printable(value):
    """Return value without control characters, for exports."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CleanTextMixin:
    """Models whose every text field refuses control characters in `full_clean`."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for f in self._meta.concrete_fields:
            # Only what people type: derived text (search_text) is not input.
            if not f.editable or not isinstance(f, models.CharField | models.TextField):
                continue
            if (exclude and f.name in exclude) or f.name in errors:
                continue
            try:
                check_text(getattr(self, f.attname))
            except ValidationError as exc:
                errors[f.name] = exc.error_list
        if errors:
            raise ValidationError(errors)
