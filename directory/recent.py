"""Answers to recent searches, kept in this process until the index changes.

Many people run the same searches (the quick paths, a ZIP code, "asylum").
Their counts and pages are kept here, keyed by the index's generation token
(directory/choices.py), which every write renews: an answer is reused only
while nothing it depends on can have changed, so it is always exact.
"""

from collections import OrderedDict

from . import choices

SIZE = 500
_answers = OrderedDict()


def answer(key, compute):
    """Return compute(), or its answer for the same key in the same generation."""
    generation = choices.current_generation()
    if generation is None:  # no token to key on (e.g. right after a write)
        return compute()
    key = (generation, *key)
    if key in _answers:
        _answers.move_to_end(key)
        return _answers[key]
    value = _answers[key] = compute()
    while len(_answers) > SIZE:
        _answers.popitem(last=False)
    return value


def search_key(filterset):
    """What a search's answers depend on: its filters, its words, and the minute for "open now"."""
    data = filterset.form.cleaned_data
    values = tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in sorted(data.items())
        if value not in (None, "", [], False) and name != "q"
    )
    minute = filterset.now.replace(second=0, microsecond=0) if data.get("open_now") else None
    return (values, tuple(g.key() for g in filterset.groups), minute)
