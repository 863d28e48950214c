"""The search form as a browser submits it, and listings that tell a wrong submission apart.

Shared by tests/test_search_form.py (which parses the form's HTML) and
tests/browser/test_search_form.py (which clicks the real button).
"""

from datetime import date
from html.parser import HTMLParser

from directory.models import DetentionFacility, Fee
from tests.factories import make_location, make_organization, make_service, make_term

# Results pages to submit the form from, unchanged. The listings below make
# each one differ from what a stray facility, radius or sort would give.
SEARCHES = {
    "korean": {"language": "ko"},
    "category": {"category": "legal"},
    "near a ZIP": {"near": "90033"},
    "text": {"q": "asylum"},
    "detention": {"detention": "true"},
    "facility": {"facility": "adelanto"},
    "free": {"fee": "free"},
    "kind": {"kind": "faith"},
    "by verification": {"sort": "verified"},
    "radius the select cannot show": {"near": "90033", "radius": "7"},
    "unknown sort": {"near": "90033", "sort": "nonsense"},
}


def make_form_listings():
    """Four organizations, two detention facilities; return {facility slug: pk}."""
    legal = make_term("legal", "Legal help")
    asylum = make_term("legal.asylum", "Asylum", parent=legal)
    adelanto = DetentionFacility.objects.create(
        name="Adelanto ICE Processing Center", city="Adelanto", state="CA"
    )
    otay = DetentionFacility.objects.create(
        name="Otay Mesa Detention Center", city="San Diego", state="CA"
    )
    zeta = make_organization("Zeta Korean Center", kinds=["community"])
    make_service(zeta, "Asylum clinic", terms=[asylum], languages=["ko"], fee=Fee.FREE)
    # 90033 itself.
    make_location(zeta, latitude=34.0437, longitude=-118.2101, postal_code="90033")
    alpha = make_organization("Alpha Legal Aid", kinds=["legal"])
    make_service(alpha, "Consultations", terms=[legal], languages=["es"], fee=Fee.SLIDING_SCALE)
    # About 8 miles from 90033: inside 25 miles, outside 5.
    make_location(alpha, city="Pasadena", latitude=34.1478, longitude=-118.1445)
    middle = make_organization("Middle Detention Project", kinds=["legal"])
    detained = make_service(
        middle,
        "Bond hearings",
        description="Asylum seekers held in detention.",
        languages=["es"],
        serves_detained=True,
        fee=Fee.FREE,
    )
    detained.detention_facilities.set([adelanto, otay])
    make_location(middle, city="Long Beach", latitude=33.7701, longitude=-118.1937)
    beta = make_organization("Beta Faith Network", kinds=["faith"], doj_recognized=True)
    make_service(beta, "Sanctuary", languages=["en"], fee=Fee.FREE)
    make_location(beta, city="Fresno", latitude=36.7378, longitude=-119.7871)
    beta.last_verified_on = date.today()
    beta.save()
    return {"adelanto": str(adelanto.pk), "otay": str(otay.pk)}


def query_for(search, facilities):
    """Return the GET parameters of a named search, with facility ids filled in."""
    params = dict(SEARCHES[search])
    if params.get("facility") in facilities:
        params["facility"] = facilities[params["facility"]]
    return params


class _FormControls(HTMLParser):
    """Collect what a browser sends for the form with a given class, by default."""

    def __init__(self, form_class):
        super().__init__()
        self.form_class = form_class
        self.in_form = False
        self.action = None
        self.pairs = []
        self.select = None  # [name, options [(value, selected)], multiple]
        self.option = None  # [value or None, text, selected]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form_class in (attrs.get("class") or "").split():
            self.in_form, self.action = True, attrs.get("action")
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image", "file"):
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, [], "multiple" in attrs]
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "", "selected" in attrs]
        elif tag == "textarea" and name:
            raise AssertionError("the search form has no textarea; teach the parser first")

    def handle_data(self, data):
        if self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option is not None:
            value, text, selected = self.option
            self.select[1].append((text.strip() if value is None else value, selected))
            self.option = None
        elif tag == "select" and self.select is not None:
            name, options, multiple = self.select
            chosen = [value for value, selected in options if selected]
            if not multiple:
                # A single select always sends one value: the last one marked
                # selected, or else its first option.
                chosen = chosen[-1:] or [value for value, _selected in options[:1]]
            self.pairs += [(name, value) for value in chosen]
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def default_submission(html, form_class="search"):
    """Return (action, [(name, value)]): what submitting the form unchanged sends."""
    parser = _FormControls(form_class)
    parser.feed(html)
    assert parser.action, f"no form with class {form_class!r}"
    return parser.action, parser.pairs
