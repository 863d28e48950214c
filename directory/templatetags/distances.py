"""How far a search result is, as the visitor is told."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from .. import geo

register = template.Library()


@register.filter
def distance_label(organization):
    """Miles to the nearest location; only a band when that one is confidential."""
    miles = getattr(organization, "distance", None)
    if miles is None:
        return ""
    if not getattr(organization, "distance_is_approximate", False):
        return _("%(miles)s mi away") % {"miles": floatformat(miles, 1)}
    low, high = geo.distance_band(miles)
    if high is None:
        return _("more than %(low)s mi away (approximate: confidential address)") % {"low": low}
    if not low:
        return _("within %(high)s mi (approximate: confidential address)") % {"high": high}
    return _("%(low)s–%(high)s mi away (approximate: confidential address)") % {
        "low": low,
        "high": high,
    }
