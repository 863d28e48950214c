"""Listings in the reader's language: curators translate, pages show it, search finds it."""

import re

import pytest
from django.urls import reverse

from directory.models import (
    OrganizationTranslation,
    PhoneTranslation,
    ServiceTranslation,
    Status,
)
from tests.factories import make_organization, make_phone, make_service
from tests.search_form import default_submission
from tests.test_publish_rule import _as_sent

pytestmark = pytest.mark.django_db

KOREAN_DESCRIPTION = "무료 이민 법률 상담과 추방 방어를 제공합니다."
KOREAN_SERVICE = "추방 방어 상담"


@pytest.fixture
def clinic():
    org = make_organization(
        "Eastside Immigrant Defense",
        description="Free immigration legal help and deportation defense.",
    )
    make_phone(organization=org)
    service = make_service(
        org,
        name="Deportation defense",
        description="Lawyers for people facing removal.",
        eligibility="Anyone in removal proceedings.",
        fee_note="Free",
        required_documents="Any letter from immigration court",
    )
    OrganizationTranslation.objects.create(
        organization=org, language="ko", description=KOREAN_DESCRIPTION
    )
    ServiceTranslation.objects.create(
        service=service,
        language="ko",
        name=KOREAN_SERVICE,
        description="추방 절차에 있는 분들을 위한 변호사.",
        required_documents="이민 법원에서 받은 편지",
    )
    return org, service


def _page(client, path):
    """The page's main content (not the header's language switcher, nor structured data)."""
    r = client.get(path)
    assert r.status_code == 200
    return r.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_a_korean_reader_sees_the_korean_text_and_is_told_what_stays_english(client, clinic):
    org, _service = clinic
    page = _page(client, f"/ko{org.get_absolute_url()}")
    assert KOREAN_DESCRIPTION in page and KOREAN_SERVICE in page
    assert "이민 법원에서 받은 편지" in page
    assert "Free immigration legal help" not in page
    assert "Lawyers for people facing removal" not in page
    # Not translated: shown in English, marked so (a screen reader switches voice) and said plainly.
    assert re.search(r'<dd lang="en">Anyone in removal proceedings\.</dd>', page)
    assert 'class="organization__original"' in page
    # The organization's own name is a name: never replaced.
    assert "Eastside Immigrant Defense" in page


def test_the_english_page_is_unchanged_and_says_nothing_about_languages(client, clinic):
    org, _service = clinic
    page = _page(client, org.get_absolute_url())
    assert "Free immigration legal help and deportation defense." in page
    assert KOREAN_DESCRIPTION not in page and KOREAN_SERVICE not in page
    assert 'lang="en"' not in page
    assert "organization__original" not in page


def test_a_language_without_a_translation_shows_the_original_marked_english(client, clinic):
    org, _service = clinic
    page = _page(client, f"/es{org.get_absolute_url()}")
    assert '<p lang="en">Free immigration legal help and deportation defense.</p>' in page
    assert KOREAN_DESCRIPTION not in page


def test_the_results_show_the_service_in_the_readers_language(client, clinic):
    page = _page(client, "/ko/search/")
    assert KOREAN_SERVICE in page
    page = _page(client, "/vi/search/")
    assert '<span lang="en">Deportation defense</span>' in page


@pytest.mark.parametrize("prefix", ["", "/ko", "/es"])
def test_a_korean_word_finds_the_listing_in_any_interface_language(client, clinic, prefix):
    page = _page(client, f"{prefix}/search/?q=추방")
    assert "Eastside Immigrant Defense" in page


# Written without spaces: a word is found inside a run of letters, not only at its start.
UNSPACED = [
    ("zh-hans", "我们为面临驱逐的移民提供免费律师咨询", ["律师", "驱逐", "免费律师", "律"]),
    ("ja", "移民のための無料の法律相談を行っています", ["法律相談", "無料", "談"]),
    ("th", "ให้คำปรึกษากฎหมายฟรีสำหรับผู้อพยพ", ["ปรึกษา", "อพยพ", "กฎหมาย"]),
]


@pytest.mark.parametrize("language, description, queries", UNSPACED)
def test_a_word_inside_unspaced_text_finds_the_listing(client, language, description, queries):
    org = make_organization("Harbor Legal Aid", description="Free immigration legal help.")
    make_phone(organization=org)
    make_service(org, name="Consultations")
    OrganizationTranslation.objects.create(
        organization=org, language=language, description=description
    )
    # Typed into the home page's search box, as the browser sends the form.
    prefix = f"/{language}"
    home = client.get(f"{prefix}/").content.decode()
    action, pairs = default_submission(home, "search-box")

    def typed(q):
        r = client.get(action, [(n, v) for n, v in pairs if n != "q"] + [("q", q)])
        assert r.status_code == 200
        return r.content.decode().split("<main", 1)[1].split("</main>", 1)[0]

    for q in queries:
        assert "Harbor Legal Aid" in typed(q), q
    # Every letter pair of the query must be there: these words are not.
    for q in ("律所", "法律事务所", "ภาษี"):
        assert "Harbor Legal Aid" not in typed(q), q
    # No "Showing results for" a pair of letters: these words are never corrected.
    assert "Showing results for" not in _page(client, "/search/?q=律帅")


def test_a_draft_services_translation_does_not_make_its_organization_findable(client):
    org = make_organization("Open Harbor")
    make_phone(organization=org)
    draft = make_service(org, name="Hidden plan", status=Status.DRAFT)
    ServiceTranslation.objects.create(service=draft, language="ko", name="비밀계획서")
    assert "Open Harbor" not in _page(client, "/search/?q=비밀계획서")
    draft.status = Status.PUBLISHED
    draft.save()
    assert "Open Harbor" in _page(client, "/search/?q=비밀계획서")


def test_editing_a_translation_updates_the_search_and_deleting_it_too(client, clinic):
    org, _service = clinic
    translation = org.translations.get()
    translation.description = "새로운 설명 난민"
    translation.save()
    assert "Eastside Immigrant Defense" in _page(client, "/search/?q=난민")
    translation.delete()
    assert "Eastside Immigrant Defense" not in _page(client, "/search/?q=난민")


def test_a_curator_adds_a_translation_in_the_admin_and_history_keeps_it(curator_client, clinic):
    _org, service = clinic
    url = reverse("admin:directory_service_change", args=[service.pk])
    form_page = curator_client.get(url)
    assert form_page.status_code == 200
    data = _as_sent(form_page)
    n = int(data["translations-TOTAL_FORMS"])
    data.update(
        {
            "translations-TOTAL_FORMS": str(n + 1),
            f"translations-{n}-language": "vi",
            f"translations-{n}-name": "Bảo vệ chống trục xuất",
            f"translations-{n}-description": "Luật sư cho người bị trục xuất.",
        }
    )
    r = curator_client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    added = service.translations.get(language="vi")
    assert added.name == "Bảo vệ chống trục xuất"
    assert added.history.count() == 1
    # The same language twice is refused with a message, and nothing typed is lost.
    data = _as_sent(curator_client.get(url))
    n = int(data["translations-TOTAL_FORMS"])
    data.update(
        {
            "translations-TOTAL_FORMS": str(n + 1),
            f"translations-{n}-language": "vi",
            f"translations-{n}-name": "Lần thứ hai",
        }
    )
    r = curator_client.post(url, data)
    assert r.status_code == 200
    assert "Lần thứ hai" in r.content.decode()
    assert service.translations.filter(language="vi").count() == 1


def test_the_printable_sheet_names_the_service_in_the_readers_language(client, clinic):
    sheet = _page(client, "/ko/search/sheet/")
    assert KOREAN_SERVICE in sheet
    sheet = _page(client, "/search/sheet/")
    assert KOREAN_SERVICE not in sheet and "Deportation defense" in sheet


# -- phone descriptions


@pytest.fixture
def phone_lines(clinic):
    org, service = clinic
    line = make_phone(
        service=service, number="(213) 555-0142", description="Spanish line, evenings"
    )
    PhoneTranslation.objects.create(phone=line, language="ko", description="저녁 스페인어 상담")
    return org, line


def test_a_phones_description_is_in_the_readers_language_where_translated(client, phone_lines):
    org, _line = phone_lines
    url = org.get_absolute_url()  # before a request leaves its language active
    korean = _page(client, f"/ko{url}")
    assert "<span>저녁 스페인어 상담</span>" in korean
    assert "Spanish line, evenings" not in korean
    # Not translated into Vietnamese: the original, marked English.
    vietnamese = _page(client, f"/vi{url}")
    assert '<span lang="en">Spanish line, evenings</span>' in vietnamese
    english = _page(client, url)
    assert "<span>Spanish line, evenings</span>" in english and "저녁" not in english


def test_a_curator_translates_a_phone_on_its_page_and_history_keeps_it(curator_client, phone_lines):
    _org, line = phone_lines
    url = reverse("admin:directory_phone_change", args=[line.pk])
    data = _as_sent(curator_client.get(url))
    n = int(data["translations-TOTAL_FORMS"])
    data.update(
        {
            "translations-TOTAL_FORMS": str(n + 1),
            f"translations-{n}-language": "vi",
            f"translations-{n}-description": "Đường dây tiếng Tây Ban Nha, buổi tối",
        }
    )
    r = curator_client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    added = line.translations.get(language="vi")
    assert added.history.count() == 1
    # The service's page links each phone's own page, where its translations are.
    service_page = curator_client.get(
        reverse("admin:directory_service_change", args=[line.service_id])
    ).content.decode()
    assert url in service_page
