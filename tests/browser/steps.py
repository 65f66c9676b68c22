"""What a person does in the admin, in the words of its pages: sign in, pick from a search list, photograph a page."""

import os
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

PASSWORD = "giamngheo-demo"  # noqa: S105 - the README's published demo password
# the laptop a commune office has (issue 13); BROWSER_VIEWPORT=1920x1080 runs the suite at the other size the
# layout is made for (the screenshots then go to their own folder)
_SIZE = os.environ.get("BROWSER_VIEWPORT", "1366x768").lower().partition("x")
VIEWPORT = {"width": int(_SIZE[0]), "height": int(_SIZE[2])}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS")
    or ROOT / ("browser-screenshots" if VIEWPORT["width"] == 1366 else f"browser-screenshots-{VIEWPORT['width']}")
)


def sign_in(page: Page, username: str) -> None:
    """The admin's sign-in form, as typed; lands on the home page with the user's name."""
    page.goto("/admin/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#user-tools")).to_contain_text("Xin chào")


def sign_out(page: Page) -> None:
    page.locator("#logout-form").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Đã thoát")).to_be_visible()


def shot(page: Page, name: str) -> None:
    """The page as the person sees it at 1366×768 (the window, not the whole page), for anyone to look at."""
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def pick(page: Page, field: Locator, text: str) -> None:
    """A search list of the admin (Select2): open it, type, choose the option with that text."""
    field.locator("xpath=following-sibling::span[contains(@class, 'select2')]").first.click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill(text)
    page.locator(".select2-results__option", has_text=re.compile(re.escape(text))).first.click()


def search(page: Page, text: str) -> None:
    """The search box of a list (not the filter of the menu beside it), then its button."""
    box = page.get_by_role("search")
    box.get_by_role("textbox").fill(text)
    box.get_by_role("button", name="Tìm kiếm").click()


def open_household(page: Page, code: str) -> None:
    """From the household list, by its code, as an officer finds a household she knows."""
    page.goto("/admin/")
    page.get_by_role("link", name="Hộ gia đình", exact=True).first.click()
    search(page, code)
    page.locator("#result_list").get_by_role("link", name=code).click()
    expect(page.locator("#content")).to_contain_text(code)
