"""The guard on every page the browser suite opens: what no officer may meet, whichever flow brings her there.

It listens to the page (`PageGuard.watch`) and notes a problem for each answer of 500 or more, each console error
(a script error, a resource that failed to load, a Content-Security-Policy violation: Chromium reports all three on
the console), each uncaught script error, each request to another site (cut off: the site must work without
internet), and, on each page loaded, English from `ENGLISH` anywhere in its text (hidden text included: a screen
reader reads it) and a raw JSON field (`{"name":`) in its visible text. The test fails at its end with every problem
found (`conftest.pytest_runtest_call`), after its own assertions.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Error, Page, Response, Route

# English an officer must not meet in the Vietnamese admin: the strings of issue 13, then what Django's admin leaves
# untranslated in its Vietnamese catalogue: the hidden headers of its lists of models (5.1+), the labels of its menu's
# filter, of its breadcrumbs and of its search icon. Each is looked for as whole words, in any case. One place.
ENGLISH = (
    "Please correct the error",
    "403 Forbidden",
    "Auth Token",
    "Api Root",
    "The default basic root view",
    "Which field to use when ordering",
    "Skip to main content",
    "Toggle theme",
    "Model name",
    "Add link",
    "Change or view list link",
    "Filter navigation items",
    "Breadcrumbs",
    "Search",
)
ENGLISH_PATTERNS = tuple((phrase, re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)) for phrase in ENGLISH)
RAW_JSON = re.compile(r'\{\s*"[^"\n]{1,80}"\s*:')

# The page's text for people: every text node outside scripts and styles (visible or not), the attributes read
# out or shown (title, aria-label, placeholder, alt, a button's value), and apart from them the visible text.
PAGE_TEXT = """() => {
  const parts = [];
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT"]);
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!skip.has(node.parentElement ? node.parentElement.tagName : "")) parts.push(node.nodeValue);
  }
  const buttons = "input[type=submit], input[type=button], input[type=reset]";
  for (const element of document.querySelectorAll(`[title], [aria-label], [placeholder], [alt], ${buttons}`)) {
    for (const name of ["title", "aria-label", "placeholder", "alt"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
    if (element.matches(buttons)) parts.push(element.value);
  }
  return {all: parts.join("\\n"), visible: document.body ? document.body.innerText : ""};
}"""


class GuardFailure(AssertionError):
    """A page showed what no officer may meet: a 500, a console error, raw JSON, English."""


class EnglishOnPage(GuardFailure):
    """The only problems found were English strings of `ENGLISH` (a test marked `xfail(raises=EnglishOnPage)`
    waits for the strings of issue 13 to land; any other problem fails it as before)."""


@dataclass(frozen=True)
class Problem:
    kind: str  # "500", "console", "script", "offsite", "json", "english", "guard"
    url: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.url}: {self.detail}"


@dataclass
class PageGuard:
    problems: list[Problem] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    # Pages whose purpose is to show JSON: the API documentation's example bodies. Nothing else.
    json_pages: tuple[str, ...] = ("/api/docs/",)

    def watch(self, page: Page, site: str) -> None:
        """Listen to the page; any request to another address than `site` is cut off and noted (the site must
        work on an intranet without internet: every file from the site itself, as its CSP also says)."""
        page.route(lambda url: not url.startswith(site), self._offsite)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self._note("script", page.url, str(error)))
        page.on("load", self.inspect)

    def _note(self, kind: str, url: str, detail: str) -> None:
        problem = Problem(kind, url, detail)
        if problem not in self.problems:
            self.problems.append(problem)

    def _offsite(self, route: Route) -> None:
        self._note("offsite", route.request.frame.url if route.request.frame else "", route.request.url)
        route.abort()

    def _on_response(self, response: Response) -> None:
        if response.status >= 500:
            self._note("500", response.url, f"{response.status} {response.status_text}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url", "")
            self._note("console", message.page.url if message.page else "", f"{message.text} ({source})")

    def inspect(self, page: Page) -> None:
        """Read the page as it is now (each load does; a test calls it again after a script has drawn the page)."""
        try:
            text = page.evaluate(PAGE_TEXT)
        except Error as exc:  # the page went on to the next one meanwhile: that one is inspected on its load
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                self._note("guard", page.url, f"could not read the page: {exc}")
            return
        url = page.url
        self.pages.append(url)
        for phrase, pattern in ENGLISH_PATTERNS:
            if pattern.search(text["all"]):
                self._note("english", url, phrase)
        if not any(marker in url for marker in self.json_pages):
            found = RAW_JSON.search(text["visible"])
            if found:
                start = max(found.start() - 40, 0)
                self._note("json", url, text["visible"][start : found.end() + 60].replace("\n", " "))

    def report(self) -> str:
        """One line per problem, with the pages (paths) it was found on."""
        where: dict[tuple[str, str], list[str]] = {}
        for p in self.problems:
            parts = urlsplit(p.url)
            page = parts.path + (f"?{parts.query}" if parts.query else "")
            where.setdefault((p.kind, p.detail), [])
            if page not in where[(p.kind, p.detail)]:
                where[(p.kind, p.detail)].append(page)
        return "\n".join(f"[{kind}] {detail} — on {', '.join(pages)}" for (kind, detail), pages in where.items())

    def verify(self) -> None:
        if not self.problems:
            return
        if all(p.kind == "english" for p in self.problems):
            raise EnglishOnPage(f"English on the pages:\n{self.report()}")
        raise GuardFailure(f"The pages showed what no officer may meet:\n{self.report()}")
