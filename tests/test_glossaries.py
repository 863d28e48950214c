"""The Spanish glossary and the catalogue's pinned terms say the same."""

import re
from pathlib import Path

from tests.test_translations import TERMS

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "translation" / "glossary-es.md"


def _rows():
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("English", "---"):
            rows[cells[0]] = cells[1]
    return rows


def test_every_glossary_term_is_the_spanish_the_catalogue_is_held_to():
    rows = _rows()
    assert len(rows) >= 12
    for english, spanish in rows.items():
        pins = [pattern for term, pattern in TERMS if re.search(term, english, re.I)]
        assert pins, f"{english!r} is in the glossary but not pinned in TERMS"
        assert all(re.search(pattern, spanish, re.I) for pattern in pins), (english, spanish)
