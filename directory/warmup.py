"""What each app server process builds once, built before its first visitor waits.

The place tables (directory/geo.py, about 2 s from the zipcodes package) are
the same for the life of the process; the choice lists, the synonyms and the
API's public terms are kept until the search index changes
(directory/choices.py). gunicorn.conf.py calls `warm()` as each worker starts.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import translation

from . import choices, filters, geo, synonyms
from .api import queries

logger = logging.getLogger(__name__)


def warm():
    geo.build_tables()
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)  # each catalogue, read once
    try:
        # Read under the index's current generation, so the first request,
        # which reads the same token, keeps them.
        choices.sync(in_request=False)
        filters.read_choices()
        synonyms.vocabulary()
        queries.public_terms()
    except DatabaseError:
        # A database that is not up yet must not stop the server: the first
        # search reads these instead.
        logger.warning("The choice lists were not read at start: the database did not answer.")
