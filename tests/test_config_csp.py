"""The Content-Security-Policy (django-csp) and the pages people use under it: the admin, a household's page, the
dashboard with its server-drawn charts, the API docs (Swagger UI from drf-spectacular-sidecar) and the review
documents. Each page is fetched as a signed-in user and every script, stylesheet, image, form and inline
script/style/handler on it is checked against the policy the response sends; every file it loads from this site
must exist among the static files."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client

from tests.programs.test_dashboard import seeded  # noqa: F401 - the dashboard's five households with figures

HOST = "testserver"


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def sources_for(policy: dict[str, list[str]], directive: str) -> list[str]:
    return policy.get(directive, policy.get("default-src", []))


def url_allowed(url: str, sources: list[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return "data:" in sources
    if parts.scheme in ("", "http", "https") and parts.netloc in ("", HOST):
        return "'self'" in sources
    return f"{parts.scheme}://{parts.netloc}" in sources


def inline_allowed(sources: list[str], nonce: str | None) -> bool:
    if nonce is not None and f"'nonce-{nonce}'" in sources:
        return True
    # a nonce or hash in the list turns 'unsafe-inline' off (CSP 2)
    if any(s.startswith(("'nonce-", "'sha")) for s in sources):
        return False
    return "'unsafe-inline'" in sources


class PageUnderPolicy(HTMLParser):
    """Collects what a browser would refuse under `policy`, and the files of this site the page loads."""

    def __init__(self, policy: dict[str, list[str]]):
        super().__init__()
        self.policy = policy
        self.refused: list[str] = []
        self.local_files: list[str] = []
        self.inline_script: tuple[dict, list[str]] | None = None
        self.counts = {"script": 0, "inline style": 0, "stylesheet": 0}

    def load(self, url: str, directive: str, what: str) -> None:
        if not url_allowed(url, sources_for(self.policy, directive)):
            self.refused.append(f"{what} {url} ({directive})")
        elif urlsplit(url).netloc in ("", HOST) and not url.startswith("data:"):
            self.local_files.append(urlsplit(url).path)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.refused.append(f"inline handler {name}= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.refused.append(f"javascript: URL on <{tag}>")
        if "style" in attrs and not inline_allowed(sources_for(self.policy, "style-src"), None):
            self.refused.append(f"style attribute on <{tag}>")
        if tag == "script":
            self.counts["script"] += 1
            if attrs.get("src"):
                self.load(attrs["src"], "script-src", "script")
            elif attrs.get("type", "text/javascript") in ("text/javascript", "module", "application/javascript"):
                self.inline_script = (attrs, [])
        elif tag == "style":
            self.counts["inline style"] += 1
            if not inline_allowed(sources_for(self.policy, "style-src"), attrs.get("nonce")):
                self.refused.append("inline <style>")
        elif tag == "link" and attrs.get("href"):
            rel = attrs.get("rel", "")
            if "stylesheet" in rel:
                self.counts["stylesheet"] += 1
                self.load(attrs["href"], "style-src", "stylesheet")
            elif "icon" in rel:
                self.load(attrs["href"], "img-src", "icon")
        elif tag == "img" and attrs.get("src"):
            self.load(attrs["src"], "img-src", "image")
        elif tag == "form":
            self.load(attrs.get("action") or "", "form-action", "form")
        elif tag in ("iframe", "object", "embed"):
            self.refused.append(f"<{tag}>")

    def handle_data(self, data):
        if self.inline_script is not None:
            self.inline_script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.inline_script is not None:
            attrs, body = self.inline_script
            self.inline_script = None
            if "".join(body).strip() and not inline_allowed(sources_for(self.policy, "script-src"), attrs.get("nonce")):
                self.refused.append("inline <script>")


def check_page(response) -> PageUnderPolicy:
    assert response.status_code == 200, response.status_code
    policy = policy_of(response)
    page = PageUnderPolicy(policy)
    page.feed(response.content.decode())
    assert page.refused == []
    for path in page.local_files:
        if path.startswith("/" + settings.STATIC_URL.strip("/") + "/"):
            assert finders.find(path.split("/", 2)[2]), f"{path} is not a static file"
    return page


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_policy_allows_no_inline_script_and_nothing_from_elsewhere(client, db):
    response = client.get("/admin/login/")
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    every_source = {source for sources in policy.values() for source in sources}
    assert every_source <= {"'self'", "'unsafe-inline'", "'none'", "data:"}


def test_the_admin_index_passes_the_policy(admin_user):
    page = check_page(signed_in(admin_user).get("/admin/"))
    assert page.counts["stylesheet"] >= 1


def test_a_household_page_passes_the_policy(admin_user, household_a):
    response = signed_in(admin_user).get(f"/admin/households/household/{household_a.pk}/change/")
    page = check_page(response)
    assert "Nguyễn Văn Đức" in response.content.decode()
    assert page.counts["script"] >= 3  # the admin's own scripts, all files


@pytest.mark.usefixtures("seeded")
def test_the_dashboard_and_its_charts_pass_the_policy(province_staff):
    response = signed_in(province_staff).get("/admin/programs/povertytarget/dashboard/")
    page = check_page(response)
    text = response.content.decode()
    assert text.count('class="pygal-chart"') >= 5  # the charts are on the page, their <style> allowed
    assert page.counts["inline style"] >= 5


def test_the_api_docs_load_swagger_ui_from_this_site(officer_a):
    client = signed_in(officer_a)
    page = check_page(client.get("/api/docs/"))
    assert {path.rsplit("/", 1)[1] for path in page.local_files} >= {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "favicon-32x32.png",
    }
    assert all(path.startswith(("/static/drf_spectacular_sidecar/", "/api/docs/")) for path in page.local_files)
    script = client.get("/api/docs/?script=")  # the page's start-up code, a script file of its own
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert "SwaggerUIBundle(" in body and '"/api/schema/"' in body and '"validatorUrl": null' in body


def test_the_review_documents_print_from_a_script_file(client, db):
    response = client.get("/admin/login/")  # any page: the policy is the same everywhere
    page = PageUnderPolicy(policy_of(response))
    document = {"title": "Danh sách niêm yết", "issuer": "UBND xã", "orientation": "portrait", "header": []}
    page.feed(render_to_string("programs/documents/base.html", {"document": document, "xlsx_url": "?format=xlsx"}))
    assert page.refused == []
    assert page.local_files == ["/static/programs/documents.js"]
    script = finders.find("programs/documents.js")
    assert script and "window.print()" in open(script).read()  # noqa: SIM115
