"""The contract suite's setup (marker `contract`, `make test-contract`): the demo on a live server, a token per role.

The demo: once per session, what `make run` seeds (`setup_demo` at a small size: areas, households, last year's
review done, this year's review under way, support, reminders, figures; the README's logins and password),
committed to the test database. The server: Django's threaded live server on that database, started once for the
session. Unlike `tests/browser` (pytest-django's `live_server`, which empties the database after each test), no
test here asks for the database: the server keeps what the demo and the earlier requests wrote, as a district's
server would, and the operations that change data change it on the test database only.

Tokens: each role signs in once over HTTP (`POST /api/v1/auth/login/`, as an integrator does) and keeps its token.
The API's throttles are raised for the session (a fuzzer sends hundreds of requests a minute from one address; the
throttles have their own tests), and django-axes' failed sign-ins are forgotten after each test (the fuzzer sends
wrong passwords to `auth/login/`; a locked address would refuse the next role's sign-in).
"""

import io
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from tests.contract import known

DEMO_HOUSEHOLDS = 60
PASSWORD = "giamngheo-demo"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py: the server checks with it
UNTHROTTLED = "100000/min"
ROLES = {"province": "canbo_tinh", "commune": "canbo_xa_a", "district": "canbo_huyen"}


def pytest_ignore_collect(collection_path, config):
    """Not even imported unless `-m` selects the contract suite (`make test` says `not contract`): the schemathesis
    tests build the schema and their cases at import."""
    markexpr = config.getoption("markexpr") or ""
    if not markexpr or collection_path.name == "conftest.py":
        return None
    from _pytest.mark.expression import Expression

    selected = Expression.compile(markexpr).evaluate(lambda name, **kwargs: name == "contract")
    return None if selected else True


@dataclass
class Login:
    """One role's token, got over HTTP; `renew()` signs in again (after `auth/logout-all/` revoked it)."""

    url: str
    username: str
    token: str = ""
    logins: list[float] = field(default_factory=list)

    def renew(self) -> str:
        response = requests.post(
            f"{self.url}/api/v1/auth/login/", json={"username": self.username, "password": PASSWORD}, timeout=30
        )
        assert response.status_code == 200, f"sign-in of {self.username}: {response.status_code} {response.text}"
        self.token = response.json()["token"]
        self.logins.append(time.monotonic())
        return self.token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token or self.renew()}"}


@pytest.fixture(scope="session")
def contract_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """The live server's base URL, the demo seeded and committed, the database open to its threads all session."""
    from django.db import connection

    assert connection.settings_dict["NAME"].startswith("test_"), (
        "no test database: run the whole of tests/contract (its first test asks pytest-django for it)"
    )
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(rest["DEFAULT_THROTTLE_RATES"], UNTHROTTLED)
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, REST_FRAMEWORK=rest),
    ):
        started = time.monotonic()
        call_command("setup_demo", households=DEMO_HOUSEHOLDS, stdout=io.StringIO())
        print(f"\ncontract: demo of {DEMO_HOUSEHOLDS} households seeded in {time.monotonic() - started:.0f} s")
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url
        finally:
            server._live_server_modified_settings.disable()
            server.stop()


@pytest.fixture(scope="session")
def logins(contract_server) -> dict[str, Login]:
    return {role: Login(contract_server, username) for role, username in ROLES.items()}


@pytest.fixture(autouse=True)
def _forget_failed_sign_ins(request):
    """The fuzzer's wrong passwords to `auth/login/` count against 127.0.0.1: forgotten after each test."""
    yield
    if "contract_server" in request.fixturenames:
        from axes.models import AccessAttempt

        AccessAttempt.objects.all().delete()


def _subject(item: pytest.Item) -> str | None:
    """The operation a schemathesis test ran ("GET /api/v1/households/"), from its id."""
    if item.originalname in ("test_as_province", "test_as_commune_officer") and item.name.endswith("]"):
        return item.name[item.name.index("[") + 1 : -1]
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """After all the cases of an operation ran: what failed and `known_failures.toml` does not name fails it."""
    result = yield
    subject = _subject(item)
    if subject is not None:
        known.RUN.verify(subject)
    return result


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = known.RUN.summary()
    if lines:
        terminalreporter.section("contract")
        for line in lines:
            terminalreporter.write_line(line)
    dump = os.environ.get("CONTRACT_DUMP")
    if dump:
        known.RUN.dump(dump)


def pytest_sessionfinish(session, exitstatus):
    if known.stale_fails() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
