"""What people type finds the right demo listings: synonyms, language names, stop words, places.

The demo (fixtures/demo.json, `load_demo`) is loaded once for the class and
searched through the real pages, in English and in Spanish, on whichever
database the suite runs on; every example is pinned here.
"""

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

from django.core.management import call_command
from django.test import TestCase

from tests.search_form import default_submission

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _names(response):
    return {org.name for org in response.context["page"].object_list}


class DemoSearches(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0, stdout=StringIO())

    def found(self, lang="", **params):
        """The names of every result (all pages) of a search, as a set."""
        r = self.client.get(f"{lang}/search/?{urlencode(params)}")
        self.assertEqual(r.status_code, 200)
        names = _names(r)
        page = 2
        while len(names) < r.context["count"]:
            names |= _names(
                self.client.get(f"{lang}/search/?{urlencode({**params, 'page': page})}")
            )
            page += 1
        self.assertEqual(len(names), r.context["count"])
        return names

    def test_language_names_find_every_listing_that_serves_in_that_language(self):
        korean = self.found(language="ko")
        self.assertGreaterEqual(len(korean), 6)
        for lang in ("", "/es"):
            for q in ("korean", "Korean", "coreano", "한국어", "韓語", "韩语", "coreanos"):
                self.assertEqual(self.found(lang, q=q), korean, (lang, q))
        for code, names in {
            "es": ["spanish", "español", "espanol"],
            "zh": ["mandarin", "普通话"],
            "vi": ["vietnamese", "vietnamita", "Tiếng Việt", "tieng viet"],
            "tl": ["tagalog", "tagalo", "filipino"],
            "ar": ["arabic", "árabe", "العربية"],
            "ru": ["russian", "ruso", "русский"],
            "fa": ["farsi", "persa", "فارسی"],
            "ht": ["haitian creole", "criollo haitiano", "kreyòl"],
        }.items():
            serving = self.found(language=code)
            self.assertTrue(serving, code)
            for q in names:
                self.assertTrue(serving <= self.found("/es", q=q), (code, q))
        # "chinese" is Mandarin or Cantonese.
        chinese = self.found(language="zh") | self.found(language="yue")
        self.assertTrue(chinese <= self.found(q="chinese"))
        self.assertTrue(chinese <= self.found(q="中文"))

    def test_a_language_name_with_other_words(self):
        korean_lawyers = self.found(q="korean lawyer")
        self.assertTrue(korean_lawyers)
        self.assertTrue(korean_lawyers <= self.found(language="ko"))
        self.assertEqual(self.found("/es", q="abogado que hable coreano"), korean_lawyers)

    def test_spanish_everyday_words_find_legal_help(self):
        legal = self.found(category="legal")
        for q in ("abogado", "abogada", "abogados", "lawyer", "attorney", "ayuda legal"):
            found = self.found("/es", q=q)
            self.assertTrue(legal <= found, q)
            self.assertIn("Puente Legal Clinic of East Los Angeles", found, q)
        asylum = self.found(category="legal.asylum")
        for q in ("abogado de asilo", "abogado para asilo", "asylum lawyer", "asilo"):
            found = self.found("/es", q=q)
            self.assertTrue(asylum <= found, q)
            self.assertIn("Pasadena Asylum Project", found, q)
        self.assertEqual(self.found("/es", q="abogado de asilo"), self.found(q="asylum lawyer"))

    def test_hotline_in_both_languages(self):
        hotlines = self.found(category="rapid-response")
        self.assertGreaterEqual(len(hotlines), 3)
        for q in ("línea de ayuda", "linea de ayuda", "LÍNEA DE AYUDA", "hotline", "hotlines"):
            found = self.found("/es", q=q)
            self.assertTrue(hotlines <= found, q)
            self.assertIn("South LA Rapid Response Network", found, q)
        self.assertEqual(self.found("/es", q="línea de ayuda"), self.found(q="hotline"))

    def test_free_legal_help(self):
        free_legal = self.found(category="legal", fee="free")
        self.assertTrue(free_legal)
        for q in ("ayuda legal gratis", "free legal help", "abogado gratis", "免费律师"):
            found = self.found("/es", q=q)
            self.assertTrue(free_legal <= found, q)
        self.assertEqual(self.found("/es", q="ayuda legal gratis"), self.found(q="free legal help"))

    def test_deportation_and_bond(self):
        for words, category in (
            (["deportación", "deportacion", "deportation", "removal"], "legal.removal-defense"),
            (["fianza", "bond", "bail"], "legal.detention-bond"),
        ):
            expected = self.found(category=category)
            self.assertTrue(expected, category)
            for q in words:
                self.assertTrue(expected <= self.found("/es", q=q), q)

    def test_stop_words_never_make_a_search_fail(self):
        self.assertEqual(
            self.found("/es", q="necesito un abogado para asilo cerca de mi"),
            self.found("/es", q="abogado asilo"),
        )
        self.assertEqual(
            self.found(q="I need a lawyer for asylum near me"), self.found(q="lawyer asylum")
        )
        # Only stop words: searched as typed, not refused.
        self.assertTrue(self.found("/es", q="de la"))

    def test_a_typo_in_a_vocabulary_word_is_understood(self):
        r = self.client.get("/es/search/", {"q": "coreno"})
        self.assertEqual(_names(r), self.found(language="ko") & _names(r))
        self.assertEqual(r.context["count"], len(self.found(language="ko")))
        self.assertContains(r, "Mostrando resultados de «coreano»")

    def test_places_without_a_state(self):
        boyle = self.found(near="90033", radius=5)
        self.assertIn("Eastside Immigrant Defense Collaborative", boyle)
        self.assertTrue(boyle & self.found(near="Boyle Heights", radius=5))
        for near in ("Los Angeles", "los angeles", "Los Ángeles", "LOS ANGELES, CA", "L.A."):
            self.assertEqual(self.found(near=near), self.found(near="Los Angeles, CA"), near)
        for near in ("East Los Angeles", "East LA", "Koreatown", "Pico-Union", "Highland Park"):
            r = self.client.get("/search/", {"near": near})
            self.assertGreater(r.context["count"], 0, near)
            self.assertFalse(r.context["notices"], near)
        self.assertEqual(self.found(near="fresno"), {"Valle Central Immigrant Legal Services"})
        self.assertEqual(self.found(near="fresno"), self.found(near="Fresno, CA"))

    def test_an_unknown_place_keeps_the_rest_of_the_search(self):
        r = self.client.get("/es/search/", {"q": "asilo", "near": "Nowhereville", "fee": "free"})
        self.assertEqual(_names(r), _names(self.client.get("/es/search/?q=asilo&fee=free")))
        self.assertGreater(r.context["count"], 0)
        self.assertContains(r, "No encontramos el lugar «Nowhereville»")
        # What was typed stays in the form.
        self.assertContains(r, 'value="Nowhereville"')

    def test_every_placeholder_example_returns_results(self):
        """Each example a search box shows, in each language, run through the real form."""
        in_templates = set()
        for template in TEMPLATES.rglob("*.html"):
            in_templates.update(re.findall(r'placeholder="([^"]+)"', template.read_text()))
        self.assertTrue(in_templates)
        seen = set()
        failures = []
        for lang in ("", "/es"):
            for page in ("/", "/search/"):
                html = self.client.get(f"{lang}{page}").content.decode()
                for form_class in ("search-box", "search"):
                    if f'class="{form_class}"' not in html:
                        continue
                    action, pairs = default_submission(html, form_class)
                    for name, placeholder in _placeholders(html, form_class):
                        seen.add((lang, name))
                        for example in _examples(name, placeholder):
                            sent = [(n, v) for n, v in pairs if n != name] + [(name, example)]
                            r = self.client.get(action, sent)
                            count = r.context["count"]
                            if r.status_code != 200 or not count or r.context["notices"]:
                                failures.append((lang, page, name, example, count))
        self.assertEqual(failures, [])
        # Both boxes' examples were checked, in both languages.
        self.assertEqual(seen, {(lang, name) for lang in ("", "/es") for name in ("q", "near")})
        self.assertEqual(len(in_templates), 2, in_templates)


class _Placeholders(HTMLParser):
    def __init__(self, form_class):
        super().__init__()
        self.form_class, self.inside, self.found = form_class, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_class in (attrs.get("class") or "").split()
        elif self.inside and tag == "input" and attrs.get("placeholder"):
            self.found.append((attrs["name"], attrs["placeholder"]))


def _placeholders(html, form_class):
    parser = _Placeholders(form_class)
    parser.feed(html)
    return parser.found


def _examples(name, placeholder):
    """'e.g. 90033 or Fresno, CA' -> ['90033', 'Fresno, CA']; the q box's are comma-separated."""
    text = re.sub(r"^\s*(e\.\s*g\.|p\.\s*ej\.)[,:]?\s*", "", placeholder, flags=re.I)
    parts = re.split(r"\s+(?:or|o)\s+", text) if name == "near" else text.split(",")
    examples = [part.strip() for part in parts if part.strip()]
    assert examples and text != placeholder, placeholder
    return examples
