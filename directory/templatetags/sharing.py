"""The share links of the page being shown (directory/share.py)."""

from django import template

from .. import share

register = template.Library()


@register.simple_tag(takes_context=True)
def share_links(context, title=""):
    """Return the page's link, mailto:, sms: and QR code addresses, or None."""
    return share.links(context["request"], title)
