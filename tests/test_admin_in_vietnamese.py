"""The whole admin in Vietnamese, and no link a role may not use (issue 13, points 7 and 8).

Each role in charge of commune A walks the admin as a person clicks it: from the home page, every link of every page
it reaches (one page of each kind: the same page of another household is not opened again). Every page must open
(no 403, no 404, no 500: a link shown is a link the role may use) and its text, as a person sees or hears it
(the text, the buttons, the tooltips, the hidden texts of screen readers), must hold no English word: a word of
plain ASCII letters that is not a Vietnamese syllable written without its marks, an acronym, or a name in
`NAMES`. The catalogues behind the text are checked too: every string of Django's admin, its accounts, its forms,
DRF and django-filter has a Vietnamese entry (locale/vi, Django's own), and the committed .mo files are the
compiled .po files.
"""

import ast
import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils.translation import trans_real

from households.models import Area, Ethnicity
from tests.test_scope_matrix import commune_a_data  # noqa: F401 - a row of every kind in commune A

pytestmark = pytest.mark.django_db

# --- what an English word is ----------------------------------------------------------------------------------

# A Vietnamese syllable written without its marks ("nguoi", "truong", "khoa"): an initial, then a vowel group that
# ends the syllable or a vowel group and a final consonant. "main", "theme", "token", "please" are none.
_INITIAL = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
_OPEN = "(?:a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|iu|oi|ua|ui|uu|uy|oa|oe|ue|uo|ieu|yeu|oai|oay|uay|uoi|uou|uya|oeo|uyu)"
_CLOSED = "(?:a|e|i|o|u|y|ie|ye|uo|oa|oe|ua|uy|uye)(?:ch|ng|nh|c|m|n|p|t)"
SYLLABLE = re.compile(f"{_INITIAL}(?:{_OPEN}|{_CLOSED})")

# Names and codes that are not English: the products named on the pages, the file types, the personas' logins.
NAMES = {
    "excel", "xlsx", "google", "authenticator", "swagger", "token", "tokens", "api", "json", "email", "cookie",
    "microsoft", "freeotp", "ttg", "canbo", "chutich", "quantri", "nguoingoai", "sieuquantri", "giamngheo", "demo",
}  # fmt: skip
# All-capital words are acronyms (CCCD, UBND, BHYT, RS2026, VN-2027), except these English ones.
ENGLISH_CAPITALS = {"ID", "OK", "NONE", "TRUE", "FALSE", "NULL", "YES", "NO", "ALL"}
WORD = re.compile(r"[^\W\d_]+")


def english_words(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    """The English words of `text`; `names`: more proper names (folded to lower case), those of the data."""
    found = []
    for word in WORD.findall(text):
        if not word.isascii() or len(word) == 1:
            continue  # a word with a mark of Vietnamese, a letter (commune A, Phụ lục B, P3)
        if word.isupper() and len(word) > 1:
            if word in ENGLISH_CAPITALS:
                found.append(word)
            continue
        folded = word.lower()
        if folded not in NAMES and folded not in names and not SYLLABLE.fullmatch(folded):
            found.append(word)
    return found


def test_the_checker_finds_the_english_of_the_issue_and_passes_vietnamese():
    for english in (
        "Please correct the error below.",
        "Api Root",
        "The default basic root view for DefaultRouter",
        "Skip to main content",
        "Toggle theme",
        "Reset password",
        "Show counts",
        "ID:",
    ):
        assert english_words(english), english
    for vietnamese in (
        "Nguyen Van Duc, Truong thon Khe Lech, xa Nghia Hanh",
        "Ghi phiếu khảo sát cho hộ 02647-000092 (RS2026-000010, CCCD, UBND, VN-2027).",
        "Tải lên tệp Excel",
    ):
        assert english_words(vietnamese) == [], vietnamese


class PageText(HTMLParser):
    """The text of a page as a person meets it, and the links it shows."""

    SILENT = {"script", "style", "template", "code"}  # <code>: a command, an address, a code for machines
    SPOKEN = ("title", "placeholder", "alt", "aria-label")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SILENT:
            self.silent += 1
        self.parts.extend(attrs[name] for name in self.SPOKEN if attrs.get(name))
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.parts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in self.SILENT and self.silent:
            self.silent -= 1

    def handle_data(self, data):
        if not self.silent:
            self.parts.append(data)


def read_page(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    return page


# --- the walk ---------------------------------------------------------------------------------------------------

START = ["/admin/"]
# Not pages of the admin: files, scripts' catalogues, the sign-out, the API (its pages are JSON and HTTP headers).
NOT_PAGES = ("/static/", "/admin/jsi18n/", "/i18n/", "/admin/logout/", "/api/")
# The query parameters of a list's sorting, paging, search and filters: the same page again.
LIST_PARAMETERS = re.compile(r"^(o|p|q|e|all|_changelist_filters|.*__exact|.*__in|.*__gte|.*__lt|.*__isnull)$")


def kind_of(url: str) -> tuple[str, tuple[str, ...]]:
    """A page's kind: its path with ids as N, and the names of the parameters that change what it shows."""
    parts = urlsplit(url)
    keys = tuple(sorted({key for key, _ in parse_qsl(parts.query) if not LIST_PARAMETERS.match(key)}))
    if parts.path.endswith(("/change/", "/history/")) or not re.search(r"/\d+/", parts.path):
        keys = tuple(key for key in keys if key in ("household", "campaign", "case", "area", "year"))
    return re.sub(r"\d+", "N", parts.path), keys


def walk(client: Client, limit: int = 400) -> tuple[dict[str, str], dict[str, tuple[int, str]]]:
    """Every kind of page reachable from START by links: {url: its text}, and the links that did not open
    ({url: (status, the page that showed it)})."""
    texts: dict[str, str] = {}
    broken: dict[str, tuple[int, str]] = {}
    seen: set = set()
    queue = [(url, "(start)") for url in START]
    while queue and len(texts) < limit:
        url, shown_on = queue.pop(0)
        response = client.get(url, HTTP_ACCEPT="text/html")
        if response.status_code == 302:
            continue
        if response.status_code != 200:
            broken[url] = (response.status_code, shown_on)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = read_page(response.content.decode())
        texts[url] = " ".join(" ".join(page.parts).split())
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(NOT_PAGES):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if kind_of(target) not in seen:
                seen.add(kind_of(target))
                queue.append((target, url))
    return texts, broken


def in_context(text: str, word: str) -> str:
    at = re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", text)
    return f"…{text[max(0, at.start() - 60) : at.end() + 40]}…" if at else ""


def data_names() -> frozenset[str]:
    """The names of places and ethnic groups written in plain letters ("Pleiku", "Khmer"): names, not English."""
    texts = [*Area.objects.values_list("name", flat=True), *Ethnicity.objects.values_list("name", flat=True)]
    return frozenset(word.lower() for text in texts for word in WORD.findall(text) if word.isascii())


ROLES = ["officer_a", "chair_a", "district_staff", "province_staff", "admin_user"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_opens_and_reads_in_vietnamese(role, persona, commune_a_data):  # noqa: F811
    client = Client()
    client.force_login(persona(role))
    texts, broken = walk(client)
    names = data_names()
    english = {url: sorted(set(words)) for url, text in texts.items() if (words := english_words(text, names))}
    assert len(texts) > 20  # the walk went through the admin, not one page
    problems = [f"{url}: {status}, linked from {shown_on}" for url, (status, shown_on) in broken.items()]
    problems += [
        f"{url}: English {', '.join(words)} ({in_context(texts[url], words[0])})" for url, words in english.items()
    ]
    assert not problems, f"{role} meets links that do not open or English:\n" + "\n".join(problems)


# --- the catalogues -------------------------------------------------------------------------------------------

SITE = Path(__import__("django").__file__).parent.parent
LOCALE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES"
# Never on a page of this site: the names of languages (Django's LANGUAGES; this site offers two, named in its own
# settings) and the welcome page of a new Django project.
NEVER_SHOWN = ("conf/global_settings.py", "views/templates/default_urlconf.html")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: {"msgctxt", "msgid", "msgid_plural", "msgstr": {index: text}, "sources"}."""
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
                entry = None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}, "sources": []}
        if line.startswith("#"):
            if line.startswith("#:"):
                entry["sources"] += [source.rsplit(":", 1)[0] for source in line[2:].split()]
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            key = (match[1], int(match[2] or 0))
            line = match[3]
        text = ast.literal_eval(line)  # a .po string is written as a Python one
        name, index = key
        if name == "msgstr":
            entry["msgstr"][index] = entry["msgstr"].get(index, "") + text
        else:
            entry[name] = (entry[name] or "") + text
    return [e for e in entries if e["msgid"]]


def catalogue_key(entry: dict):
    key = f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]
    return (key, 0) if entry["msgid_plural"] else key


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_committed_mo_files_are_the_po_files_compiled(domain):
    with open(LOCALE / f"{domain}.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    entries = read_po(LOCALE / f"{domain}.po")
    assert entries
    written = {catalogue_key(e): e["msgstr"][0] for e in entries}
    assert {key: catalogue.get(key) for key in written} == written
    assert {key for key in catalogue if key not in ("", ("", 0))} == set(written)


def english_sources() -> list[tuple[str, Path]]:
    packages = SITE
    return [
        ("django", packages / "django/contrib/admin/locale/en/LC_MESSAGES/django.po"),
        ("djangojs", packages / "django/contrib/admin/locale/en/LC_MESSAGES/djangojs.po"),
        ("django", packages / "django/contrib/auth/locale/en/LC_MESSAGES/django.po"),
        ("django", packages / "django/contrib/contenttypes/locale/en/LC_MESSAGES/django.po"),
        ("django", packages / "django/conf/locale/en/LC_MESSAGES/django.po"),
        ("django", packages / "django_filters/locale/de/LC_MESSAGES/django.po"),  # every msgid, no English one
    ]


@pytest.mark.parametrize("domain,source", english_sources(), ids=lambda v: str(v).split("site-packages/")[-1])
def test_every_string_of_django_and_its_packages_has_a_vietnamese_entry(domain, source):
    if domain == "djangojs":
        catalogue = trans_real.DjangoTranslation("vi", domain="djangojs", localedirs=[source.parents[2]])._catalog
    else:
        catalogue = trans_real.translation("vi")._catalog
    shown = [e for e in read_po(source) if not e["sources"] or not all(s.endswith(NEVER_SHOWN) for s in e["sources"])]
    missing = [e["msgid"] for e in shown if catalogue_key(e) not in catalogue]
    assert missing == []


def test_every_string_of_drf_has_a_vietnamese_entry():
    with open(SITE / "rest_framework/locale/en/LC_MESSAGES/django.mo", "rb") as compiled:
        english = gettext.GNUTranslations(compiled)._catalog  # DRF ships its English catalogue compiled only
    catalogue = trans_real.translation("vi")._catalog
    assert [key for key in english if key not in ("", ("", 0)) and key not in catalogue] == []


def test_the_api_schema_describes_the_lists_stock_parameters_in_vietnamese(officer_a):
    """The parameters every list has (ordering, paging), described by DRF and django-filter (the view's own
    descriptions are the project's)."""
    client = Client()
    client.force_login(officer_a)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    stock = {"ordering", "page", "page_size", "search"}
    described = {
        (path, parameter["name"]): parameter.get("description", "")
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if parameter["name"] in stock
    }
    assert described[("/api/v1/households/", "ordering")].startswith("Sắp xếp theo trường; thêm dấu “-”")
    # the accepted fields are listed as code (`recorded_at`), values to send, not words to read
    prose = {key: re.sub(r"`[^`]*`", "", text) for key, text in described.items()}
    assert {key: text for key, text in prose.items() if english_words(text)} == {}
    assert "`code`, `created_at`, `id`" in described[("/api/v1/households/", "ordering")]


def test_the_sign_in_and_sign_out_pages_are_vietnamese(officer_a):
    client = Client()
    pages = {"/admin/login/": client.get("/admin/login/")}
    refused = client.post("/admin/login/", {"username": "canbo_a", "password": "sai-mat-khau"})
    assert "Sai tên đăng nhập hoặc mật khẩu." in refused.content.decode()
    pages["a wrong password"] = refused
    client.force_login(officer_a)
    pages["/admin/logout/"] = client.post("/admin/logout/")
    assert "Bạn đã đăng xuất." in pages["/admin/logout/"].content.decode()
    english = {name: words for name, page in pages.items() if (words := english_words(page_text(page)))}
    assert english == {}


def test_the_admins_scripts_speak_vietnamese(officer_a):
    client = Client()
    client.force_login(officer_a)
    catalogue = client.get("/admin/jsi18n/").content.decode()
    for said in ("Đã chọn %(sel)s/%(cnt)s", "Chủ nhật", "Hôm nay", "Bỏ mọi %s"):
        assert json.dumps(said)[1:-1] in catalogue, said  # the catalogue writes "\u0110\u00e3 ch\u1ecdn"


def page_text(response) -> str:
    return " ".join(read_page(response.content.decode()).parts)
