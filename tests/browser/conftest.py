"""The real-browser suite's setup, in one place: the demo on a live server, the browser, a guarded page per test.

The demo: once per session, what `make run` seeds (`seed_demo`, `seed_reviews` of last year, `refresh_statistics`:
the README's logins and password) and, through the services, the households each flow needs (`Demo`), dated from
today so that the suite passes on any day: a household to survey, a review case surveyed, met and posted long
enough ago for the chair to recognise it today, a poor household to support. Every table is then copied into a
schema of the test database (`browser_snapshot`). pytest-django's `live_server` is transactional (a real threaded
server on the test database, flushed after each test), so each test starts by copying the snapshot back: the same
demo for every test, in a fraction of a second.

The browser: Debian's chromium (`CHROMIUM_PATH`, else /usr/bin/chromium; Playwright cannot download its own here),
one per session, a new context per test at 1366×768 in Vietnamese and Vietnam's time zone. Every page a test opens
is watched by `guard.PageGuard`; the test fails at its end on what the guard found.
"""

import datetime
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect, sync_playwright

from households import services as registry
from households.models import Area, Ethnicity, Household, User
from programs.review import services as workflow
from programs.standards import derivations, selectors
from programs.standards import services as standards
from tests.browser import steps
from tests.browser.guard import PageGuard
from tests.programs.review_helpers import GOOD_HOUSE

DEMO_HOUSEHOLDS = 60
SNAPSHOT_SCHEMA = "browser_snapshot"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py: the server checks with it


@dataclass(frozen=True)
class Demo:
    """What the flows open, by what the person sees (names and codes), never by database id."""

    commune_a: str
    commune_a_code: str  # the head of every household code of commune A ("02647-000088")
    village: str  # a village of commune A
    search_head: str  # a "Nguyễn Văn …" of commune A, found by "nguyen van"
    survey_code: str  # a household of commune A with no survey this year and no review case
    survey_head: str
    case_reference: str  # a review case of commune A, posted and its posting over: the chair decides it today
    case_code: str
    case_head: str
    support_code: str  # a poor household of commune A, no support yet
    support_head: str


def _member(name: str, ethnicity: Ethnicity, relation: str, born: datetime.date, sex: str) -> dict:
    return {"full_name": name, "date_of_birth": born, "sex": sex, "ethnicity": ethnicity, "relation": relation}


def _household(officer: User, village: Area, *members: dict) -> Household:
    return registry.create_household(
        actor=officer,
        data={"commune": officer.area, "village": village, "address": "Số 12, đường Hoàng Liên"},
        members=list(members),
        reason="Đăng ký hộ (dữ liệu kiểm thử trình duyệt)",
    )


def _surveyed_and_posted_case(officer: User, household: Household, today: datetime.date):
    """The household asks to be listed, is surveyed (poor: low income, three deprivations), agreed by the village
    meeting and posted: all weeks ago, so that the posting is over whatever today's calendar of holidays."""
    case = workflow.file_review_request(
        actor=officer,
        household_id=household.pk,
        request_kind="add",
        channel="in_person",
        filed_on=today - datetime.timedelta(days=45),
        today=today,
    )
    campaign = case.campaign
    answerable = [
        code
        for code in selectors.standard_rule(campaign.standard.code).indicators
        if code not in derivations.DERIVED_INDICATORS
    ]
    deprived = {"water", "sanitation", "telecom"}
    standards.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=today - datetime.timedelta(days=40),
        review_year=campaign.year,
        review_kind=campaign.kind,
        review_month=campaign.month,
        income_per_capita=900_000,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers={code: code in deprived for code in answerable},
        surveyor_name="Cán bộ giảm nghèo xã A (demo)",
        today=today,
    )
    case.refresh_from_db()
    case = workflow.record_meeting(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        meeting_date=today - datetime.timedelta(days=35),
        attendees=40,
        agreeing=33,
        today=today,
    )
    return workflow.post_case(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        posting_start=today - datetime.timedelta(days=30),
        today=today,
    )


def seed_demo() -> Demo:
    today = timezone.localdate()
    quiet = io.StringIO()
    call_command("seed_demo", households=DEMO_HOUSEHOLDS, stdout=quiet)
    call_command("seed_reviews", year=today.year - 1, stdout=quiet)
    officer = User.objects.select_related("area").get(username="canbo_xa_a")
    chair = User.objects.get(username="chutich_xa_a")
    village = Area.objects.filter(parent=officer.area).order_by("code").first()
    kinh, hmong = Ethnicity.objects.get(code="01"), Ethnicity.objects.get(code="08")

    _household(  # found by "nguyen van"
        officer,
        village,
        _member("Nguyễn Văn Đức", kinh, "head", datetime.date(1978, 3, 2), "male"),
        _member("Nguyễn Thị Hoa", kinh, "spouse", datetime.date(1981, 7, 9), "female"),
    )
    surveyed = _household(
        officer,
        village,
        _member("Lò Văn Páo", hmong, "head", datetime.date(1985, 1, 20), "male"),
        _member("Lò Thị Mỷ", hmong, "spouse", datetime.date(1987, 11, 4), "female"),
        _member("Lò Văn Tú", hmong, "child", datetime.date(2014, 6, 1), "male"),
    )
    decided = _household(
        officer,
        village,
        _member("Hoàng Văn Nam", kinh, "head", datetime.date(1970, 9, 15), "male"),
        _member("Hoàng Thị Lan", kinh, "spouse", datetime.date(1972, 2, 28), "female"),
    )
    case = _surveyed_and_posted_case(officer, decided, today)
    supported = _household(
        officer,
        village,
        _member("Trần Thị Hoa", kinh, "head", datetime.date(1975, 4, 30), "female"),
        _member("Trần Văn Minh", kinh, "child", datetime.date(2001, 12, 1), "male"),
    )
    standards.record_status_change(
        actor=chair,
        household_id=supported.pk,
        to_status="poor",
        effective_date=today - datetime.timedelta(days=60),
        decision_number="88/QĐ-UBND",
        today=today,
    )
    call_command("refresh_statistics", area="15", stdout=quiet)
    return Demo(
        commune_a=officer.area.name,
        commune_a_code=officer.area.code,
        village=village.name,
        search_head="Nguyễn Văn Đức",
        survey_code=surveyed.code,
        survey_head="Lò Văn Páo",
        case_reference=case.reference,
        case_code=decided.code,
        case_head="Hoàng Văn Nam",
        support_code=supported.code,
        support_head="Trần Thị Hoa",
    )


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def take_snapshot() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in _tables():
            cursor.execute(f'CREATE TABLE {SNAPSHOT_SCHEMA}."{table}" AS TABLE "{table}"')


def restore_snapshot() -> None:
    """Every table as the snapshot has it (foreign keys are deferred to the commit), and the id sequences after."""
    tables = _tables()
    models = apps.get_models(include_auto_created=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        for table in tables:
            cursor.execute(f'INSERT INTO "{table}" OVERRIDING SYSTEM VALUE SELECT * FROM {SNAPSHOT_SCHEMA}."{table}"')
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker) -> Demo:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        seeded = seed_demo()
        take_snapshot()
    return seeded


@pytest.fixture
def site(live_server, demo):
    """The live server with the demo as the snapshot has it."""
    restore_snapshot()
    return live_server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's synchronous API keeps an event loop in this thread; Django refuses database calls next to a
    # running loop unless told that this thread's calls are synchronous (they are: the loop only drives chromium).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.exit(f"No chromium at {executable}: `apt-get install chromium` or set CHROMIUM_PATH.", returncode=2)
    shutil.rmtree(steps.SCREENSHOTS, ignore_errors=True)
    steps.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        args = ["--lang=vi-VN", *(["--no-sandbox"] if os.geteuid() == 0 else [])]  # root: no sandbox possible
        chromium = playwright.chromium.launch(executable_path=executable, args=args)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(request, browser: Browser, site) -> Iterator[Page]:
    """A fresh browser (no cookies) on the laptop a commune office has, every page it opens guarded."""
    context = browser.new_context(
        base_url=site.url,
        viewport=steps.VIEWPORT,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)  # a 2-core machine running other suites too
    expect.set_options(timeout=15_000)
    guarded = context.new_page()
    guard = PageGuard()
    guard.watch(guarded, site.url)
    request.node.page_guard = guard
    yield guarded
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After the test's own assertions passed: what the guard found on its pages fails it."""
    result = yield
    guard = getattr(item, "page_guard", None)
    if guard is not None:
        guard.verify()
    return result
