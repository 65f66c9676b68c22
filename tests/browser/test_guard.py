"""The guard itself: it notes each thing no officer may meet, and nothing a page may hold out of sight."""

import pytest
from playwright.sync_api import Page, Route

from tests.browser.guard import GuardFailure

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html lang="vi"><head><title>Trang hỏng</title></head><body>
<a href="#main">Skip to main content</a>
<h1>Kết quả khảo sát</h1>
<p>Thông tin thành viên: {"dependants": false, "nutrition": false}</p>
<img src="/static/khong-co-tep-nay.png" alt="ảnh">
<img src="https://cdn.example.org/logo.png" alt="logo">
<script>throw new Error("lỗi kịch bản");</script>
</body></html>"""

GOOD_PAGE = """<!doctype html><html lang="vi"><head><title>Trang tốt</title>
<script type="application/json" id="du-lieu">{"dependants": false}</script></head><body>
<h1 data-settings='{"theme": "auto"}'>Hộ gia đình</h1>
<p>Thu nhập bình quân: 1.200.000 đ/người/tháng {không có trường dữ liệu nào}.</p>
</body></html>"""


def serve(page: Page, path: str, body: str, status: int = 200, headers: dict | None = None) -> None:
    def fulfil(route: Route) -> None:
        route.fulfill(status=status, content_type="text/html; charset=utf-8", body=body, headers=headers or {})

    page.route(f"**{path}", fulfil)


def test_the_guard_notes_english_raw_json_console_and_script_errors_and_other_sites(page: Page, request):
    guard = request.node.page_guard
    serve(page, "/guard/bad/", BAD_PAGE)
    page.goto("/guard/bad/")
    page.wait_for_load_state("networkidle")
    problems = [(p.kind, p.detail) for p in guard.problems]
    assert ("english", "Skip to main content") in problems
    assert any(kind == "json" and '{"dependants": false' in detail for kind, detail in problems)
    assert any(kind == "console" and "404" in detail for kind, detail in problems), problems  # the missing image
    assert ("script", "lỗi kịch bản") in problems
    assert ("offsite", "https://cdn.example.org/logo.png") in problems
    with pytest.raises(GuardFailure):
        guard.verify()
    guard.problems.clear()  # seen: the test passes on the assertions above


def test_the_guard_notes_a_500_and_a_refused_inline_script(page: Page, request):
    guard = request.node.page_guard
    serve(page, "/guard/error/", "<p>Lỗi máy chủ</p>", status=500)
    page.goto("/guard/error/")
    csp = {"Content-Security-Policy": "script-src 'self'"}
    serve(page, "/guard/csp/", "<p>Trang</p><script>document.title = 'x';</script>", headers=csp)
    page.goto("/guard/csp/")
    kinds = [p.kind for p in guard.problems]
    assert "500" in kinds
    assert any(p.kind == "console" and "Content Security Policy" in p.detail for p in guard.problems)
    guard.problems.clear()


def test_the_guard_leaves_alone_what_a_page_keeps_out_of_sight(page: Page, request):
    serve(page, "/guard/good/", GOOD_PAGE)
    page.goto("/guard/good/")
    assert request.node.page_guard.problems == []
