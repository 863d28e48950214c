"""The “If immigration agents come to your door” page prints on one sheet, in every language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_it_prints_on_one_page(language, open_context, live_server, transactional_db):
    with translation.override(language):
        url = reverse("directory:if-agents-come")
    page = open_context().new_page()
    assert page.goto(url).status == 200
    pdf = page.pdf(format="Letter", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1, f"{language}: {pages} pages"
    # Nothing but the text: the header's links and the language switcher are not printed.
    page.emulate_media(media="print")
    assert not page.locator(".language-switcher").is_visible()
