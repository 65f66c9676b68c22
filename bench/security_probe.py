"""The security probe of issue 12: every endpoint × every persona, hostile inputs, and the attacks an auditor tries
first, against the application as it runs. Each answer is classified:

- **500**: a defect;
- **leak**: the answer shows an identifying value (household code, member name, national ID, address, village,
  complaint, token…) of an area outside the persona's charge, or a 2xx on another area's object, or API rows of
  another area (bench/security_world.py seeds the values, marked, so the check is exact; values the request itself
  carried, which a page may echo, are left out);
- **breach**: a write outside the persona's charge went through (read afterwards in the audit log and the status
  history: a write by a persona on a row she cannot see, a status decided by anyone but the chair of its commune),
  an answer to a caller without a sign-in, a forged upload that was read or grew the worker past 200 MB, details of
  /healthz or the schema to a caller who should not get them;
- **weakness**: what the issue asks for and is not there yet (no lockout after 30 wrong passwords, no 429, no API
  login endpoint): reported, not failed;
- **refused** (400, 401, 403, 404, 405, 409, 413, 415, 429, a redirect to the sign-in) or **ok**.

The requests are planned from the registries (bench/security_plan.py): the OpenAPI schema, the admin site, the URL
resolver. The same engine runs in-process through Django's test client (tests/test_security_probe.py, sampled) and
live against gunicorn with DEBUG=0 (this script):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gn_probe .venv/bin/python bench/security_probe.py
        drops and re-creates that database (its name must contain "probe"), migrates it, loads the areas, seeds the
        world, starts gunicorn (DEBUG=0) on a free port, probes it, stops it, prints a table per category and writes
        the findings as JSON (--report). Exit status 1 on any 500, leak or breach.
    ... --seed-only                               the database only, to probe a server started by hand
    ... --base-url http://127.0.0.1:8000 [--server-pid PID]   probe that server (same DATABASE_URL and SECRET_KEY:
                                                  the probe reads the world and the audit log from the database)
    ... --server-env KEY=VALUE                     environment for the server it starts (such as throttle rates high
                                                  enough for the matrix, once the settings read them)

gunicorn is in requirements.txt (the production server).
"""

import argparse
import http.client
import io
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.apps import apps  # noqa: E402

if not apps.ready:  # run by hand: production settings (DEBUG off) with a strong key the server started here shares
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402

from bench.security_plan import (  # noqa: E402
    Probe,
    admin_probes,
    api_probes,
    hostile_probes,
    multipart,
    page_probes,
    reset_caches,
    sample,
)
from bench.security_world import MATRIX, Persona, World  # noqa: E402
from households.models import AuditEntry, Household, User  # noqa: E402
from programs.models import ImportBatch, ReviewCase, StatusChange  # noqa: E402
from programs.review import rules as review_rules  # noqa: E402

FAILING = ("500", "leak", "breach")
OUTCOMES = (*FAILING, "weakness", "refused", "ok")
REFUSED = {400, 401, 403, 404, 405, 409, 413, 415, 429}
MEMORY_LIMIT = 200 * 2**20  # DESIGN: any upload, however forged, grows a worker by less than 200 MB
# Anyone may be answered here (with nothing personal): the sign-in, the health check's one word, the language.
PUBLIC = ("/healthz", "/admin/login/", "/i18n/setlang/", "/favicon.ico")  # the site icon: a 167-byte picture
PREFERRED_FUZZERS = ("officer_a", "chair_a", "province", "admin", "district_a", "superuser", "officer_b", "officer_x")


# --- answers and results -------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    error: str = ""
    seconds: float = 0.0

    @cached_property
    def text(self) -> str:
        """All a reader of the answer sees: the body (each part of a zip, such as an .xlsx) and where it redirects."""
        parts = [self.headers.get("location", "")]
        if self.body[:4] == b"PK\x03\x04":
            try:
                with zipfile.ZipFile(io.BytesIO(self.body)) as archive:
                    for info in archive.infolist()[:200]:
                        with archive.open(info) as part:
                            parts.append(part.read(20 * 2**20).decode("utf-8", "replace"))
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                parts.append(f"(unreadable zip: {exc})")
        else:
            parts.append(self.body.decode("utf-8", "replace"))
        return "\n".join(parts)

    def json(self) -> object:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def to_sign_in(self) -> bool:
        return 300 <= self.status < 400 and "/login/" in self.headers.get("location", "")


@dataclass
class Result:
    category: str
    persona: str
    method: str
    path: str
    variant: str
    status: int
    outcome: str
    why: str = ""
    seconds: float = 0.0
    route: str = ""  # the template the request was planned from
    seen: int = 0  # identifying values of the persona's own areas in the answer (the check is not vacuous)


# Pages that show what others sent: the access log of personal data keeps each request's query and search term as
# typed (an officer of A who typed a code of X is seen by A's province staff: her words, not X's data).
ECHOING = ("/api/v1/access-log/", "/admin/households/accessrecord/")


def classify(probe: Probe, answer: Answer, persona: Persona, world: World, sent: Iterable[str] = ()) -> tuple[str, str]:
    """The outcome of one answer and why; `sent`: the identifying values the persona carried in her requests."""
    if answer.status >= 500:
        page = " ".join(answer.body[:2000].decode("utf-8", "replace").split())[:200]
        return "500", answer.error or f"{page} (the traceback is in the server's log)"
    sent = {*sent, *(value for _, value in world.marked(probe.text()))}
    leaked = world.foreign_values(answer.text, persona.scope, sent)
    if leaked:
        areas = sorted({area for area, value in world.marked(answer.text) if value in leaked})
        return "leak", f"values of {', '.join(areas)} outside the charge: {', '.join(sorted(leaked)[:4])}"
    success = 200 <= answer.status < 300
    saved = probe.method != "GET" and 300 <= answer.status < 400 and not answer.to_sign_in
    if probe.foreign and (success or saved):
        if probe.method == "GET":
            return "leak", f"{probe.foreign}: answered {answer.status}"
        return "breach", f"{probe.foreign}: a write answered {answer.status}"
    if success and (rows := foreign_rows(probe, answer, persona, world)):
        return "leak", f"rows outside the charge: {', '.join(rows[:4])}"
    if persona.anonymous and success and not probe.path.startswith(public_paths()):
        return "breach", f"answered {answer.status} without a sign-in"
    if answer.status in REFUSED or answer.to_sign_in or (probe.foreign and 300 <= answer.status < 400):
        return "refused", ""
    return "ok", ""


def foreign_rows(probe: Probe, answer: Answer, persona: Persona, world: World) -> list[str]:
    """The rows of an API answer (a list's results, or one object) that belong to an area outside the charge."""
    if not probe.model or not answer.headers.get("content-type", "").startswith("application/json"):
        return []
    data = answer.json()
    rows = data.get("results", [data]) if isinstance(data, dict) else data if isinstance(data, list) else []
    found = []
    for row in rows if isinstance(rows, list) else []:
        pk = row.get("id") if isinstance(row, dict) else None
        owner = world.owner(probe.model, pk) if isinstance(pk, int) else None
        if owner and owner not in persona.scope:
            found.append(f"{probe.model} {pk} of {owner}")
    return found


def public_paths() -> tuple[str, ...]:
    return PUBLIC + (("/api/schema/", "/api/docs/") if settings.API_DOCS_PUBLIC else ())


# --- transports ----------------------------------------------------------------------------------------------------


def _vm(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(key)


def peak_growth(pids: Iterable[int], action: Callable[[], object]) -> tuple[object, int | None]:
    """Run `action` and measure the largest growth of the peak RSS of the processes (Linux: the peak is reset
    through /proc/PID/clear_refs first, so the figure is this action's). None where it cannot be measured."""
    pids = list(pids)
    try:
        before = {pid: _vm(pid, "VmRSS") for pid in pids}
        for pid in pids:
            with open(f"/proc/{pid}/clear_refs", "w") as refs:
                refs.write("5")
    except OSError:
        return action(), None
    result = action()
    try:
        return result, max(max(_vm(pid, "VmHWM") - rss, 0) for pid, rss in before.items())
    except (OSError, LookupError):
        return result, None


class InProcess:
    """Django's test client in this process, a session forced in for each persona (no password asked)."""

    name = "in-process (Django test client)"

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.last = ""

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Django's log of every 4xx (with the traceback of each refusal) is thousands of lines here; 500s still
        log."""
        logger = logging.getLogger("django.request")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            logger.setLevel(level)

    def sign_in(self, persona: Persona) -> str:
        client = Client(raise_request_exception=False)
        if not persona.anonymous:
            client.force_login(persona.user)
        self.clients[persona.name] = client
        return "no account" if persona.anonymous else "session forced in (test client)"

    def send(self, persona: Persona, probe: Probe) -> Answer:
        if persona.name != self.last:  # the throttles count per client over the whole run; the matrix is no flood
            cache.clear()
            self.last = persona.name
        if persona.name not in self.clients:
            self.sign_in(persona)
        return self._send(self.clients[persona.name], probe)

    def _send(self, client: Client, probe: Probe) -> Answer:
        started = time.perf_counter()
        response = client.generic(
            probe.method,
            probe.url,
            probe.body or b"",
            content_type=probe.content_type or "application/octet-stream",
            headers={"accept": probe.accept} if probe.accept else None,
        )
        body = b"".join(response.streaming_content) if response.streaming else response.content
        exc_info = getattr(response, "exc_info", None)
        error = f"{exc_info[0].__name__}: {exc_info[1]}"[:300] if exc_info else ""
        headers = {key.lower(): value for key, value in response.items()}
        return Answer(response.status_code, headers, body, error, time.perf_counter() - started)

    def login(self, path: str, username: str, password: str, as_json: bool = False) -> tuple[Answer, bool]:
        """A sign-in attempt from a new client: the answer, and whether it opened a session."""
        client = Client(raise_request_exception=False)
        if as_json:
            body, content_type = json.dumps({"username": username, "password": password}).encode(), "application/json"
        else:
            body = urlencode({"username": username, "password": password, "next": "/admin/"}).encode()
            content_type = "application/x-www-form-urlencoded"
        answer = self._send(client, Probe("brute-force", "", "POST", path, path, body=body, content_type=content_type))
        return answer, settings.SESSION_COOKIE_NAME in client.cookies or _has_token(answer)

    def workers(self) -> list[int]:
        return [os.getpid()]


class Live:
    """A running server over HTTP: a session per persona through the admin's sign-in form with her password (a
    session made in the database for an account the admin does not let in: the server must share SECRET_KEY)."""

    def __init__(self, base_url: str, server_pid: int | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.name = f"live ({base_url})"
        self.server_pid = server_pid
        self.jars: dict[str, dict[str, str]] = {}

    def _exchange(self, jar: dict[str, str], method: str, url: str, body: bytes, headers: dict) -> Answer:
        headers = {"Host": f"{self.host}:{self.port}", **headers}
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            headers["X-CSRFToken"] = jar.get("csrftoken", "")
        started = time.perf_counter()
        head = [f"{method} {url} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        try:
            with socket.create_connection((self.host, self.port), timeout=300) as sock:
                try:
                    sock.sendall("\r\n".join(head).encode("latin-1") + body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the server answered before reading all the body (a 413) and closed: read its answer
                response = http.client.HTTPResponse(sock, method=method)
                response.begin()
                data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            return Answer(599, {}, b"", f"no answer: {exc}", time.perf_counter() - started)
        for line in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                if morsel.value:
                    jar[name] = morsel.value
                else:
                    jar.pop(name, None)
        answer_headers = {key.lower(): value for key, value in response.getheaders()}
        return Answer(response.status, answer_headers, data, "", time.perf_counter() - started)

    @contextmanager
    def quiet(self) -> Iterator[None]:
        yield  # the server logs to its own file

    def _jar(self) -> dict[str, str]:
        return {"csrftoken": secrets.token_hex(16)}  # any 32 characters: Django checks the header against it

    def sign_in(self, persona: Persona) -> str:
        jar = self.jars[persona.name] = self._jar()
        if persona.anonymous:
            return "no account"
        if self._login_form(jar, persona.username, persona.password)[1]:
            return "password, through /admin/login/"
        client = Client()
        client.force_login(persona.user)
        jar[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return "session made in the database (the admin lets in staff only)"

    def _login_form(self, jar: dict[str, str], username: str, password: str) -> tuple[Answer, bool]:
        body = urlencode(
            {"csrfmiddlewaretoken": jar["csrftoken"], "username": username, "password": password, "next": "/admin/"}
        ).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = self._exchange(jar, "POST", "/admin/login/?next=/admin/", body, headers)
        return answer, settings.SESSION_COOKIE_NAME in jar

    def send(self, persona: Persona, probe: Probe) -> Answer:
        if persona.name not in self.jars:
            self.sign_in(persona)
        headers = {"Content-Type": probe.content_type} if probe.content_type else {}
        if probe.accept:
            headers["Accept"] = probe.accept
        return self._exchange(self.jars[persona.name], probe.method, probe.url, probe.body or b"", headers)

    def login(self, path: str, username: str, password: str, as_json: bool = False) -> tuple[Answer, bool]:
        jar = self._jar()
        if not as_json:
            return self._login_form(jar, username, password)
        body = json.dumps({"username": username, "password": password}).encode()
        answer = self._exchange(jar, "POST", path, body, {"Content-Type": "application/json"})
        return answer, _has_token(answer)

    def workers(self) -> list[int]:
        if self.server_pid is None:
            return []
        try:
            with open(f"/proc/{self.server_pid}/task/{self.server_pid}/children") as children:
                return [int(pid) for pid in children.read().split()]
        except OSError:
            return []


def _has_token(answer: Answer) -> bool:
    data = answer.json()
    return 200 <= answer.status < 300 and isinstance(data, dict) and any("token" in key for key in data)


# --- the run -------------------------------------------------------------------------------------------------------


@dataclass
class Run:
    transport: InProcess | Live
    world: World
    personas: list[str]
    schema: dict = field(default_factory=dict)  # the API's, as a signed-in program admin reads it
    results: list[Result] = field(default_factory=list)
    sent: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    measures: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def send(self, probe: Probe) -> tuple[Answer, Result]:
        persona = self.world.personas[probe.persona]
        # what the persona ever sent may come back, in this answer or a later one (the admin's messages)
        self.sent[persona.name].update(value.lower() for _, value in self.world.marked(probe.text()))
        answer = self.transport.send(persona, probe)
        sent = self.sent[persona.name]
        if probe.path.startswith(ECHOING):  # the access log shows what the officers of the area typed (their searches)
            sent = {value for values in self.sent.values() for value in values}
        outcome, why = classify(probe, answer, persona, self.world, sent)
        category = "anonymous" if persona.anonymous and probe.category in MATRIX_CATEGORIES else probe.category
        own = {value for area, value in self.world.marked(answer.text) if area in persona.scope}
        result = Result(
            category,
            probe.persona,
            probe.method,
            probe.url[:200],
            probe.variant,
            answer.status,
            outcome,
            why,
            round(answer.seconds, 3),
            probe.route,
            len(own),
        )
        self.results.append(result)
        return answer, result

    def expect(self, probe: Probe, problem: Callable[[Answer], str], outcome: str = "breach") -> Answer:
        """Send a probe whose answer must pass a check: `problem` names what is wrong ("" when right)."""
        answer, result = self.send(probe)
        if result.outcome not in FAILING and (why := problem(answer)):
            result.outcome, result.why = outcome, why
        return answer

    def finding(self, category: str, persona: str, what: str, why: str, outcome: str) -> None:
        self.results.append(Result(category, persona, "-", what, "", 0, outcome, why))

    def totals(self, results: Iterable[Result] | None = None) -> Counter:
        results = list(self.results if results is None else results)
        counts = Counter(r.outcome for r in results)
        counts["tried"] = sum(1 for r in results if r.method != "-")  # requests sent (not the database's checks)
        return counts

    @property
    def failed(self) -> bool:
        return any(r.outcome in FAILING for r in self.results)

    def findings(self) -> list[Result]:
        return [r for r in self.results if r.outcome in (*FAILING, "weakness")]


MATRIX_CATEGORIES = ("api-read", "api-write", "api-hostile", "admin", "pages")


def probe_all(
    transport: InProcess | Live,
    world: World,
    *,
    personas: Iterable[str] = (*MATRIX, "anonymous"),
    fraction: float = 1.0,
    fuzzers: int = 2,
    forged_megabytes: float = 10,
    attempts: int = 30,
    throttle_requests: int = 300,
) -> Run:
    """Everything, in an order that keeps each probe meaningful: the decisions before the matrix writes, the brute
    force and the flood last (they may lock the accounts and the address they come from)."""
    personas = list(personas)
    reset_caches()
    run = Run(transport, world, personas)
    audit_since = AuditEntry.objects.aggregate(top=Max("pk"))["top"] or 0
    decisions_since = StatusChange.objects.aggregate(top=Max("pk"))["top"] or 0
    for name in personas:
        run.notes.append(f"{name}: {transport.sign_in(world.personas[name])}")
    phases: list[tuple[str, Callable[[], object]]] = [
        ("docs-health", lambda: probe_docs_and_health(run)),
        ("decisions", lambda: probe_decisions(run)),
        ("forged-zip", lambda: probe_forged_zip(run, forged_megabytes)),
        ("matrix", lambda: probe_matrix(run, run.schema, personas, fraction)),
        ("hostile", lambda: probe_hostile(run, run.schema, fuzzers, fraction)),
        ("brute-force", lambda: probe_brute_force(run, run.schema, attempts)),
        ("throttle", lambda: probe_throttle(run, run.schema, throttle_requests)),
        ("writes", lambda: check_writes(run, audit_since, decisions_since)),
    ]
    seconds = {}
    with transport.quiet():
        for phase, action in phases:
            started = time.perf_counter()
            action()
            seconds[phase] = round(time.perf_counter() - started, 1)
    run.measures["seconds"] = seconds
    return run


def probe_matrix(run: Run, schema: dict, personas: list[str], fraction: float) -> None:
    """Every API operation, admin page and other page for every persona: reads first, then writes."""
    admin_user = run.world.personas["admin"].user
    planned: list[Probe] = []
    for name in personas:
        persona = run.world.personas[name]
        planned += [*api_probes(run.world, persona, schema, admin_user), *admin_probes(run.world, persona)]
        planned += page_probes(run.world, persona)
    planned.sort(key=lambda probe: probe.method != "GET")
    for probe in sample(planned, fraction) if fraction < 1 else planned:
        run.send(probe)


def probe_hostile(run: Run, schema: dict, fuzzers: int, fraction: float = 1.0) -> None:
    """The hostile bodies of every JSON write, each sent by up to `fuzzers` personas who get past its permission
    check with a plausible body (so that the body is read): deep JSON, 1e309, NaN, huge strings and arrays, wrong
    types, unknown fields, negative and overflowing money, ids of another area, a body over the limit."""
    admin_user = run.world.personas["admin"].user
    names = [name for name in PREFERRED_FUZZERS if name in run.personas]
    planned = {name: list(hostile_probes(schema, run.world, run.world.personas[name], admin_user)) for name in names}
    gates = {
        (p.persona, p.method, p.route): p for probes in planned.values() for p in probes if p.variant == "plausible"
    }
    status = {
        (r.persona, r.method, r.route): r.status
        for r in run.results
        if r.category == "api-write" and r.variant == "own"
    }
    chosen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for _, method, route in sorted(gates, key=lambda key: (key[1], key[2])):
        for name in names:
            if len(chosen[method, route]) == fuzzers or name in chosen[method, route]:
                continue
            if (name, method, route) not in status and (gate := gates.get((name, method, route))):
                status[name, method, route] = run.send(gate)[0].status
            if status.get((name, method, route), 403) not in (401, 403, 405):
                chosen[method, route].append(name)
    hostile = [
        p for name, probes in planned.items() for p in probes
        if p.variant != "plausible" and name in chosen[p.method, p.route]
    ]  # fmt: skip
    for probe in sample(hostile, fraction) if fraction < 1 else hostile:
        run.send(probe)


# --- the specific probes ---------------------------------------------------------------------------------------------


def probe_docs_and_health(run: Run) -> None:
    """The schema and the docs behind a sign-in (unless API_DOCS_PUBLIC), /healthz's details for a program admin
    only; the schema as a signed-in program admin reads it is kept for the other probes (`run.schema`)."""
    public = settings.API_DOCS_PUBLIC

    def refused(answer: Answer) -> str:
        return "" if public or answer.status in (401, 403) or answer.to_sign_in else f"open: {answer.status}"

    for path in ("/api/schema/", "/api/docs/"):
        run.expect(Probe("docs-health", "anonymous", "GET", path, path, "no sign-in"), refused)

    def one_word(answer: Answer) -> str:
        data = answer.json()
        return "" if isinstance(data, dict) and set(data) == {"status"} else f"details shown: {answer.body[:120]!r}"

    for name in ("anonymous", "officer_a", "outsider"):
        run.expect(Probe("docs-health", name, "GET", "/healthz", "/healthz", "one word"), one_word)
        if name == "officer_a":  # any signed-in account reads the schema (it holds no data)
            run.send(Probe("docs-health", name, "GET", "/api/schema/", "/api/schema/", "signed in"))
    answer, _ = run.send(Probe("docs-health", "admin", "GET", "/healthz", "/healthz", "details"))
    if not isinstance(answer.json(), dict) or "database" not in answer.json():
        run.notes.append("/healthz gave the program admin no details (control)")
    probe = Probe(
        "docs-health", "admin", "GET", "/api/schema/", "/api/schema/", "signed in", query=(("format", "json"),)
    )
    answer = run.expect(probe, lambda a: "" if a.status == 200 else f"the schema: {a.status}", "weakness")
    schema = answer.json()
    if not isinstance(schema, dict) or "paths" not in schema:
        from drf_spectacular.generators import SchemaGenerator

        run.notes.append("the schema was read in-process (the server did not give it)")
        schema = SchemaGenerator().get_schema(request=None, public=True)
    run.schema = schema


def probe_decisions(run: Run) -> None:
    """A status decision is the chair's of the household's commune alone: the superuser and the program admin are
    refused (the API's direct decision, a review case's recognition, the admin's form and move), and so is the
    chair of A for commune B; the chair of A deciding for A is the control that the door works."""
    world = run.world
    quiet = {area: _quiet_household(world, area) for area in ("A", "B")}
    cases = {
        area: ReviewCase.objects.filter(household__commune=world.areas[area]).order_by("pk").first() for area in "AB"
    }

    def refused(answer: Answer) -> str:
        """The API refuses with a 400, 403 or 404; the admin too, or shows its form again (a 200 page)."""
        api_taken = 200 <= answer.status < 300 and answer.headers.get("content-type", "").startswith("application/json")
        saved = 300 <= answer.status < 400 and not answer.to_sign_in
        return f"the decision answered {answer.status}" if api_taken or saved else ""

    decided = {"to_status": "poor", "decision_number": "99/QĐ-THAMDO"}
    json_type, form_type = "application/json", "application/x-www-form-urlencoded"
    for name, area in (("superuser", "A"), ("admin", "A"), ("chair_a", "B")):
        household, case = quiet[area], cases[area]
        chosen = {"household": household.pk if household else 0, **decided}
        tries = [
            ("/api/v1/status-changes/", "/api/v1/status-changes/", _json({**chosen, "effective_date": "2026-11-25"})),
            ("/admin/programs/statuschange/add/", "admin status change add", _form({**chosen, "_save": "1"})),
        ]
        if case is not None:
            move = {"version": case.version, "decision_number": "99/QĐ-THAMDO"}
            path = f"/api/v1/review-cases/{case.pk}/recognise/"
            tries.append((path, "/api/v1/review-cases/{id}/recognise/", _json({**move, "decision_date": "2026-11-25"})))
            path = f"/admin/programs/reviewcase/{case.pk}/move/recognise/"
            tries.append((path, "admin move recognise", _form({**move, "decision_date": "25/11/2026"})))
        for path, route, body in tries:
            variant = f"{'recognise' if 'recognise' in route else 'decide'} for {area}"
            content_type = json_type if path.startswith("/api/") else form_type
            probe = Probe("decisions", name, "POST", path, route, variant, body=body, content_type=content_type)
            run.expect(probe, refused)
    for area in ("A", "B"):
        household = quiet[area]
        wrong = StatusChange.objects.filter(household=household).exclude(recorded_by__role="commune_chair")
        if household is not None and wrong.exists():
            run.finding("decisions", "-", f"household {household.code}", "decided by someone not a chair", "breach")
    body = _json({"household": quiet["A"].pk if quiet["A"] else 0, **decided, "effective_date": "2026-11-25"})
    route, variant = "/api/v1/status-changes/", "control: the chair of A decides for A"
    probe = Probe("decisions", "chair_a", "POST", route, route, variant, body=body, content_type=json_type)
    control = run.send(probe)[0]
    if control.status != 201:
        run.notes.append(f"control: the chair of A deciding for A answered {control.status}: {control.body[:200]!r}")


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _form(data: dict) -> bytes:
    return urlencode(data).encode()


def _quiet_household(world: World, area: str) -> Household | None:
    """A household of the area with no case open in a review (a direct decision is allowed for it)."""
    open_cases = ReviewCase.objects.filter(state__in=review_rules.OPEN_STATES).values("household")
    households = Household.objects.filter(commune=world.areas[area]).exclude(pk__in=open_cases)
    return households.order_by("pk").first()


def probe_forged_zip(run: Run, megabytes: float) -> None:
    """An .xlsx whose sheet really unpacks to gigabytes while its headers declare 5,000 bytes, uploaded by an
    officer through the API's import and the admin's: refused, saying why, nothing imported, the worker bounded."""
    from bench.forged_upload import forged_file

    content = forged_file(megabytes)
    run.measures["forged_zip_megabytes"] = round(len(content) / 2**20, 2)
    officer, commune = run.world.personas["officer_a"], run.world.areas["A"]
    before = ImportBatch.objects.exclude(status="refused").count()
    targets = (("/api/v1/imports/", "api"), ("/admin/programs/importbatch/upload/", "admin"))
    for path, door in targets:
        upload = io.BytesIO(content)
        upload.name = "xa-a.xlsx"
        body, content_type = multipart({"commune": str(commune.pk), "file": upload})
        probe = Probe(
            "forged-zip", officer.name, "POST", path, path, f"{megabytes:g} MB", body=body, content_type=content_type
        )

        answer, growth = peak_growth(run.transport.workers(), lambda probe=probe: run.expect(probe, _said_why))
        run.measures[f"forged_zip_{door}_peak_growth_mb"] = None if growth is None else round(growth / 2**20, 1)
        run.measures[f"forged_zip_{door}_seconds"] = round(answer.seconds, 2)
        if growth is not None and growth > MEMORY_LIMIT:
            run.finding("forged-zip", officer.name, path, f"the worker grew by {growth / 2**20:.0f} MB", "breach")
    if ImportBatch.objects.exclude(status="refused").count() != before:
        run.finding("forged-zip", officer.name, "imports", "the forged file was imported", "breach")


def _said_why(answer: Answer) -> str:
    """A refusal that names the unpacked size (the admin answers its form again with a 200, the API a 400)."""
    if answer.status in (201, 202) or 300 <= answer.status < 400:
        return f"the forged file was taken: {answer.status}"
    return "" if "giải nén" in answer.text else f"no word of the unpacked size ({answer.status})"


def api_login_path(schema: dict) -> str | None:
    """The API's sign-in endpoint, if the schema has one (a POST whose path names a login or a token)."""
    for path, operations in schema.get("paths", {}).items():
        if "post" in operations and any(word in path for word in ("login", "token")) and "{" not in path:
            return path
    return None


def probe_brute_force(run: Run, schema: dict, attempts: int) -> None:
    """`attempts` wrong passwords for one officer, then the right one, on /admin/login/ and on the API's sign-in:
    the right one must not open a session then (the account or the address is locked). Until the lockout exists,
    each door reports a weakness. (Kept on its own: the lockout's library decides how it answers.)"""
    victim = run.world.personas["victim"]
    doors = [("/admin/login/", False)]
    login = api_login_path(schema)
    if login is None:
        run.finding("brute-force", "anonymous", "API", "no sign-in endpoint in the API schema", "weakness")
    else:
        doors.append((login, True))
    for path, as_json in doors:
        statuses: Counter = Counter()
        for number in range(attempts + 1):
            right = number == attempts  # the last attempt: the right password
            password = victim.password if right else f"sai-mat-khau-{number}"
            answer, opened = run.transport.login(path, victim.username, password, as_json)
            if right:
                why = f"no lockout after {attempts} failures: the right password signed in" if opened else ""
                outcome = "weakness" if opened else "refused"
            else:
                statuses[answer.status] += 1
                why, outcome = ("a wrong password opened a session", "breach") if opened else ("", "refused")
            variant = "right password after failures" if right else "wrong password"
            result = Result("brute-force", "anonymous", "POST", path, variant, answer.status, outcome, why)
            result.seconds, result.route = round(answer.seconds, 3), path
            run.results.append(result)
        run.measures[f"brute_force_{path}"] = {"wrong": dict(statuses), "right_after": answer.status, "opened": opened}


def probe_throttle(run: Run, schema: dict, requests: int) -> None:
    """A signed-in officer floods a list, and a caller without a sign-in the API's sign-in: a 429 must come."""
    if requests <= 0:
        run.notes.append("throttle: not probed in this run")
        return
    floods = [("officer_a", "GET", "/api/v1/areas/", b"")]
    login = api_login_path(schema)
    if login is not None:
        floods.append(("anonymous", "POST", login, json.dumps({"username": "x", "password": "y"}).encode()))
    for name, method, path, body in floods:
        statuses = Counter()
        for _ in range(requests):
            probe = Probe(
                "throttle",
                name,
                method,
                path,
                path,
                "flood",
                body=body,
                content_type="application/json" if body else "",
            )
            answer, _ = run.send(probe)
            statuses[answer.status] += 1
            if answer.status == 429:
                break
        run.measures[f"throttle_{name}_{path}"] = dict(statuses)
        if not statuses[429]:
            run.finding("throttle", name, path, f"no 429 after {requests} requests", "weakness")


def check_writes(run: Run, audit_since: int, decisions_since: int) -> None:
    """What the probe's requests wrote, read from the database: every audit entry of a persona must be about a row
    she may see, and every status decided by the chair of the household's commune."""
    personas = {p.user_id: p for p in run.world.personas.values() if p.user_id}
    entries = AuditEntry.objects.filter(pk__gt=audit_since, actor__in=list(personas)).select_related("content_type")
    for entry in entries:
        persona, user = personas[entry.actor_id], User.objects.get(pk=entry.actor_id)
        why = _outside(entry, persona, user, run.world)
        run.results.append(
            Result(
                "writes",
                persona.name,
                "-",
                f"{entry.action} {entry.object_repr}"[:200],
                "audit",
                0,
                "breach" if why else "ok",
                why,
            )
        )
    for change in StatusChange.objects.filter(pk__gt=decisions_since).select_related("recorded_by", "household"):
        chair = change.recorded_by
        rightful = chair and chair.role == "commune_chair" and chair.area_id == change.household.commune_id
        run.results.append(
            Result(
                "writes",
                getattr(chair, "username", "-"),
                "-",
                f"status of {change.household.code}",
                "decision",
                0,
                "ok" if rightful else "breach",
                "" if rightful else "a status decided by someone not the commune's chair",
            )
        )


def _outside(entry: AuditEntry, persona: Persona, user: User, world: World) -> str:
    if entry.household_id and not Household.objects.visible_to(user).filter(pk=entry.household_id).exists():
        return f"wrote on household {entry.household_id}, outside the charge"
    model = entry.content_type.model_class()
    if model is None or not entry.object_id.isdigit():
        return ""
    owner = world.owner(model, int(entry.object_id))
    if owner and owner not in persona.scope:
        return f"wrote on {model._meta.label} {entry.object_id} of {owner}"
    manager = model._default_manager
    row = manager.filter(pk=entry.object_id)
    if (
        hasattr(manager, "visible_to")
        and row.exists()
        and not manager.visible_to(user).filter(pk=entry.object_id).exists()
    ):
        return f"wrote on {model._meta.label} {entry.object_id}, which she cannot see"
    return ""


# --- the report ------------------------------------------------------------------------------------------------------


def table(run: Run) -> str:
    columns = ("tried", "500", "leak", "breach", "refused", "ok", "weakness")
    lines = [f"{'category':<13}" + "".join(f"{c:>9}" for c in columns)]
    by_category: dict[str, list[Result]] = defaultdict(list)
    for result in run.results:
        by_category[result.category].append(result)
    for category, results in by_category.items():
        counts = run.totals(results)
        lines.append(f"{category:<13}" + "".join(f"{counts[c]:>9}" for c in columns))
    counts = run.totals()
    lines.append(f"{'total':<13}" + "".join(f"{counts[c]:>9}" for c in columns))
    return "\n".join(lines)


def report(run: Run) -> dict:
    slowest = sorted((r for r in run.results if r.seconds), key=lambda r: r.seconds, reverse=True)[:10]
    statuses: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for r in run.results:
        if r.method != "-":
            statuses[r.category][r.persona][r.status] += 1
    return {
        "transport": run.transport.name,
        "totals": dict(run.totals()),
        "categories": {
            c: dict(run.totals([r for r in run.results if r.category == c]))
            for c in dict.fromkeys(r.category for r in run.results)
        },
        "statuses": statuses,  # category -> persona -> status -> count: who was answered what
        "findings": [asdict(r) for r in run.findings()],
        "measures": run.measures,
        "notes": run.notes,
        "slowest": [asdict(r) for r in slowest],
    }


# --- by hand: a fresh database and a gunicorn with DEBUG=0 ----------------------------------------------------------


def recreate_database() -> None:
    import psycopg
    from django.core.management import call_command
    from django.db import connection
    from psycopg import sql

    name = settings.DATABASES["default"]["NAME"]
    if "probe" not in name:
        sys.exit(f"the database {name!r} would be dropped: its name must contain 'probe' (DATABASE_URL)")
    connection.close()
    server = {k: v for k, v in connection.get_connection_params().items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with open(os.devnull, "w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("load_areas", stdout=quiet)


def start_server(port: int, workers: int, extra_env: dict[str, str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", **extra_env}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "300",
        "--graceful-timeout",
        "5",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(100):
        time.sleep(0.3)
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped ({server.returncode}): {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
    server.terminate()
    sys.exit("gunicorn did not listen within 30 s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", help="probe this running server instead of starting one")
    parser.add_argument("--server-pid", type=int, help="its gunicorn master's pid (the workers' memory is measured)")
    parser.add_argument("--seed-only", action="store_true", help="re-create and seed the database, then stop")
    parser.add_argument("--report", default="security_probe.json", help="where the findings go (JSON)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fraction", type=float, default=1.0, help="a sample of the matrix (1: all of it)")
    parser.add_argument("--fuzzers", type=int, default=2, help="personas sending the hostile bodies of each write")
    parser.add_argument("--forged-megabytes", type=float, default=10)
    parser.add_argument("--attempts", type=int, default=30, help="wrong passwords before the right one")
    parser.add_argument("--throttle-requests", type=int, default=300)
    parser.add_argument("--server-env", action="append", default=[], help="KEY=VALUE for the server started here")
    args = parser.parse_args(argv)

    from bench.security_world import seed

    if args.base_url and not args.seed_only:
        world = World.load()
        if world.personas["officer_a"].user_id is None:
            sys.exit("the database holds no probe world: run with --seed-only first")
    else:
        started = time.perf_counter()
        recreate_database()
        world = seed()
        name = settings.DATABASES["default"]["NAME"]
        print(f"database {name} re-created and seeded in {time.perf_counter() - started:.0f} s")
        if args.seed_only:
            return 0
    server = None
    if args.base_url:
        transport = Live(args.base_url, args.server_pid)
    else:
        port, log = free_port(), Path(args.report).with_suffix(".gunicorn.log")
        server = start_server(port, args.workers, dict(kv.split("=", 1) for kv in args.server_env), log)
        transport = Live(f"http://127.0.0.1:{port}", server.pid)
        print(f"gunicorn (DEBUG=0, {args.workers} workers) on port {port}, pid {server.pid}; its log: {log}")
    started = time.perf_counter()
    try:
        run = probe_all(
            transport,
            world,
            fraction=args.fraction,
            fuzzers=args.fuzzers,
            forged_megabytes=args.forged_megabytes,
            attempts=args.attempts,
            throttle_requests=args.throttle_requests,
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    print(table(run))
    print(f"{len(run.results)} results in {time.perf_counter() - started:.0f} s")
    print("measures:", json.dumps(run.measures, ensure_ascii=False))
    for note in run.notes:
        print("note:", note)
    for finding in run.findings():
        where = f"{finding.category:<12} {finding.persona:<10} {finding.method:<6} {finding.path[:70]:<70}"
        print(f"{finding.outcome:>8} {where} {finding.status} {finding.why[:150]}")
    Path(args.report).write_text(json.dumps(report(run), ensure_ascii=False, indent=1))
    print(f"findings written to {args.report}")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
