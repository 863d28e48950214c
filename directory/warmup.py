"""What each app server process builds once, built before its first visitor waits.

The URLconf and its reverse table in every language, the catalogues, the
compiled templates and the place tables (directory/geo.py, about 2 s from the
zipcodes package) are the same for the life of the process; the choice
lists, the synonyms, the API's public terms, the home page's hotlines and the
counts of the search with no filter ("browse all", 180 ms at 100,000 services) are
kept until the search index changes (directory/choices.py, recent.py).
gunicorn.conf.py calls `warm()` as each worker starts: about 3 s.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import QueryDict
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from . import choices, facets, filters, geo, hotlines, synonyms
from .api import queries
from .models import Organization

logger = logging.getLogger(__name__)


# The public page types: compiled once by the cached template loader.
TEMPLATES = [
    "directory/home.html",
    "directory/search.html",
    "directory/organization_detail.html",
    "directory/event_list.html",
    "directory/event_detail.html",
    "directory/resource_list.html",
    "directory/resource_detail.html",
    "directory/if_agents_come.html",
    "404.html",
]


def warm():
    for name in TEMPLATES:
        get_template(name)
    geo.build_tables()
    for code, _name in settings.LANGUAGES:
        # Each catalogue, and the URL patterns' reverse table, which Django
        # builds per language (every page links to all 20: 1 s the first time).
        with translation.override(code):
            reverse("directory:home")
    try:
        # Read under the index's current generation, so the first request,
        # which reads the same token, keeps them.
        choices.sync(in_request=False)
        filters.read_choices()
        synonyms.vocabulary()
        queries.public_terms()
        hotlines.shown()  # the home page's lines (180 ms at 100,000 services)
        _browse_all()
    except DatabaseError:
        # A database that is not up yet must not stop the server: the first
        # search reads these instead.
        logger.warning("The choice lists were not read at start: the database did not answer.")


def _browse_all():
    """Count the search with no filter, the one most visitors open (every language shares it)."""
    filterset = filters.DirectoryFilter(QueryDict(), queryset=Organization.objects.public())
    filterset.qs  # noqa: B018 (runs the filters, as the view does)
    facets.count_and_facets(filterset)
