"""What every bench of bench/ shares: app and raw PostgreSQL measured in the same run, interleaved.

- `Figures` / `interleave`: rounds app, raw, app, raw… (at least 3 each), the median, min and max of each side, the
  ratio app/raw of the medians, and a markdown row for bench/RESULTS.md (`Row`, with the target and whether it is met).
- `manage`: a management command as a subprocess with DEBUG=0 (as in production: with DEBUG on Django keeps every
  query's SQL in memory) and a fresh random SECRET_KEY.
- Databases: `copy_database` (CREATE DATABASE … TEMPLATE, retried while the template is in use), `drop_database`,
  `added_rows` / `dump_added` / `copy_in`: the rows a command added to every table, dumped with COPY TO after an app
  run and loaded back with COPY FROM into the same tables (same indexes, same foreign keys, checked before commit).
- HTTP: `Gunicorn` (`gunicorn config.wsgi -w 2 --threads 8`, DEBUG=0, on a free loopback port), `http_load` (a small
  asyncio load generator: HTTP/1.1 keep-alive, N requests at concurrency C, bounded in count and in time; no new
  dependency: the standard library speaks enough HTTP/1.1 for a loopback GET), `capture` (the SQL statements the app
  runs for a request, taken in-process with CaptureQueriesContext around Django's test Client, DEBUG=0) and
  `sql_load` (those statements replayed by C psycopg threads, N requests in all, one transaction per request).

The server is BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432); the app's Redis is REDIS_URL, else
BENCH_REDIS_URL (default redis://127.0.0.1:6379/15).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "giamngheo_bench")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def url(database: str) -> str:
    return f"{SERVER}/{database}"


# --- figures ------------------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95: the value 95% of the samples do not exceed)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), -(-len(ordered) * share // 1)))  # ceil(n * share), within 1..n
    return ordered[int(rank) - 1]


@dataclass
class Figures:
    """One side's value per round (seconds, or a latency in ms)."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str, digits: int = 1) -> str:
        low, high = min(self.values), max(self.values)
        return f"{self.median:,.{digits}f} {unit} ({low:,.{digits}f}-{high:,.{digits}f})"


def ratio(app: Figures, raw: Figures) -> float:
    return app.median / raw.median if raw.median else float("inf")


def interleave(rounds: int, app: Callable[[int], float], raw: Callable[[int], float]) -> tuple[Figures, Figures]:
    """`rounds` x (app, raw), in that order; each call gets its round number (from 1) and returns its figure."""
    app_figures, raw_figures = Figures(), Figures()
    for number in range(1, rounds + 1):
        app_figures.values.append(app(number))
        raw_figures.values.append(raw(number))
    return app_figures, raw_figures


@dataclass
class Target:
    text: str
    app_below: float | None = None  # the app's median (same unit as its figures) must be under this
    ratio_at_most: float | None = None

    def met(self, app: Figures, raw: Figures) -> bool:
        ok = True
        if self.app_below is not None:
            ok = ok and app.median < self.app_below
        if self.ratio_at_most is not None:
            ok = ok and ratio(app, raw) <= self.ratio_at_most
        return ok


@dataclass
class Row:
    """One line of bench/RESULTS.md."""

    work: str
    app: str
    raw: str
    ratio: float | None
    target: str
    met: bool | None

    def markdown(self) -> str:
        shown = "—" if self.ratio is None else f"{self.ratio:.1f}"
        verdict = "—" if self.met is None else ("yes" if self.met else "**no**")
        return f"| {self.work} | {self.app} | {self.raw} | {shown} | {self.target} | {verdict} |"


HEADER = (
    "| work | app: median (min-max) of the rounds | the same work in raw PostgreSQL | ratio | target | met |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def seconds_row(work: str, app: Figures, raw_work: str, raw: Figures, target: Target) -> Row:
    """The row of a batch bench (figures in seconds), printed."""
    row = Row(work, app.text("s"), f"{raw_work}: {raw.text('s')}", ratio(app, raw), target.text, target.met(app, raw))
    print(row.markdown(), flush=True)
    return row


def write_rows(path: Path | None, rows: Sequence[Row]) -> None:
    """The rows as JSON (a bench's --json, read by run_all.py)."""
    if path is not None:
        path.write_text(json.dumps([row.__dict__ for row in rows], ensure_ascii=False, indent=1))


def machine() -> str:
    cores = os.cpu_count()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {cores} cores, {platform.system()} {platform.release()}"
    return f"{platform.processor() or platform.machine()}, {cores} cores"


# --- subprocesses and databases -----------------------------------------------------------------------------------


def production_env(database: str, **extra: str) -> dict[str, str]:
    """The environment of the app as in production: DEBUG off, a random key, the given database, and the shared
    cache in Redis (REDIS_URL, else BENCH_REDIS_URL's default): without it each process keeps its own cache and
    the API checks every token against the database (config/token_cache.py), which production never does."""
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": url(database)}
    env.setdefault("REDIS_URL", REDIS)
    env.pop("CELERY_BROKER_URL", None)
    env.update(extra)
    return env


def manage(database: str, *args: str, quiet: bool = False) -> tuple[float, str]:
    """`manage.py <args>` on `database` with DEBUG=0: wall clock (Python start-up included) and its output."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=production_env(database),
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed on {database}:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    if not quiet and result.stdout.strip():
        print("    " + result.stdout.strip().splitlines()[0][:200], flush=True)
    return elapsed, result.stdout


def admin(statement: sql.Composable | str) -> None:
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def exists(database: str) -> bool:
    with psycopg.connect(url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None


def drop_database(name: str) -> None:
    admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_database(name: str) -> None:
    drop_database(name)
    admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def copy_database(template: str, name: str, tries: int = 60) -> None:
    """A fresh copy of `template` (CREATE DATABASE … TEMPLATE fails while anyone is connected to it: retried)."""
    drop_database(name)
    for attempt in range(tries):
        try:
            admin(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
            return
        except psycopg.errors.ObjectInUse:
            if attempt == tries - 1:
                raise
            time.sleep(2)


def checkpoint(database: str) -> None:
    """Start a timed run with the previous one's dirty buffers written out (CHECKPOINT needs a privileged role)."""
    try:
        with psycopg.connect(url(database), autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:
        print(f"  (no CHECKPOINT: {exc})")


def vacuum(database: str) -> None:
    with psycopg.connect(url(database), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def id_marks(database: str) -> dict[str, int]:
    """The highest id of every table of the public schema that has an integer `id` (0 when empty)."""
    with psycopg.connect(url(database), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
                " USING (table_schema, table_name) WHERE c.table_schema = 'public' AND c.column_name = 'id'"
                " AND c.data_type IN ('integer', 'bigint') AND t.table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def dump_added(database: str, marks: dict[str, int], folder: Path) -> dict[str, int]:
    """The rows added since `marks` (id above the mark), table by table, with COPY TO (binary) into `folder`.
    Returns the number of rows per table (tables with none left out). Rows updated in place are not dumped."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with psycopg.connect(url(database), autocommit=True) as conn:
        for table, mark in marks.items():
            query = sql.SQL("SELECT * FROM {} WHERE id > {} ORDER BY id").format(sql.Identifier(table), mark)
            rows = conn.execute(sql.SQL("SELECT count(*) FROM ({}) AS added").format(query)).fetchone()[0]
            if not rows:
                continue
            counts[table] = rows
            with (
                (folder / f"{table}.bin").open("wb") as out,
                conn.cursor().copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query)) as copy,
            ):
                for block in copy:
                    out.write(block)
    return counts


def copy_in(database: str, folder: Path, tables: Sequence[str]) -> float:
    """COPY FROM the dumps of `folder` into the same tables of `database`, one transaction, the deferred foreign
    keys checked (SET CONSTRAINTS ALL IMMEDIATE) and committed: the seconds it took."""
    with psycopg.connect(url(database)) as conn:
        started = time.monotonic()
        for table in tables:
            with (
                (folder / f"{table}.bin").open("rb") as source,
                conn.cursor().copy(sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.Identifier(table))) as copy,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        conn.commit()
        return time.monotonic() - started


# --- HTTP through gunicorn ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn config.wsgi -w 2 --threads 8` with DEBUG=0 on a free loopback port, against `database`, logging
    as in production (a line per request) into a temporary file."""

    def __init__(self, database: str, workers: int = 2, threads: int = 8, **env: str) -> None:
        self.port = free_port()
        self.env = production_env(
            database,
            ALLOWED_HOSTS="127.0.0.1",
            API_THROTTLE_USER="100000000/hour",  # one token sends every request: the list is measured, not the throttle
            **env,
        )
        self.command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--log-level",
            "warning",
        ]
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        # The app logs each request as in production (a JSON line, config/logs.py), into a file rather than the
        # bench's output.
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        print(f"  gunicorn's log: {self.log.name}", flush=True)
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn stopped (exit {self.process.returncode})")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.3)
        self.__exit__()
        sys.exit(f"gunicorn did not listen on 127.0.0.1:{self.port} within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@dataclass
class Load:
    """What one load run measured: latencies (ms) of the requests done, their wall clock, the failures."""

    latencies: list[float]
    wall: float
    failures: int = 0
    first_failure: str = ""

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)

    @property
    def max(self) -> float:
        return max(self.latencies) if self.latencies else float("nan")

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def text(self) -> str:
        failed = f", {self.failures} failed ({self.first_failure[:120]})" if self.failures else ""
        return (
            f"{len(self.latencies)} req, p50 {self.p50:,.1f} ms, p95 {self.p95:,.1f} ms, max {self.max:,.1f} ms, "
            f"{self.per_second:,.0f} req/s{failed}"
        )


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """One HTTP/1.1 response: status, body, whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.read()
        return status, body, False
    return status, body, headers.get("connection", "").lower() != "close"


async def _http_load(
    port: int, paths: Sequence[str], headers: dict[str, str], requests: int, clients: int, seconds: float
) -> Load:
    issued = 0
    latencies: list[float] = []
    failures: list[str] = []
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        nonlocal issued
        reader = writer = None
        while issued < requests and time.perf_counter() < deadline:
            number = issued
            issued += 1
            path = paths[number % len(paths)]
            message = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
            begun = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(message)
                await writer.drain()
                status, body, keep = await asyncio.wait_for(_read_response(reader), timeout=max(1.0, seconds))
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                failures.append(f"{path}: {exc!r}")
                writer = None
                continue
            if status == 200:
                latencies.append((time.perf_counter() - begun) * 1000)
            else:
                failures.append(f"{path}: {status} {body[:200]!r}")
            if not keep:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    await asyncio.gather(*(client() for _ in range(clients)))
    return Load(latencies, time.perf_counter() - started, len(failures), failures[0] if failures else "")


def http_load(
    port: int, paths: Sequence[str], headers: dict[str, str], requests: int, clients: int, seconds: float = 120
) -> Load:
    """`requests` GETs (the paths in turn) by `clients` keep-alive connections, stopped after `seconds`."""
    return asyncio.run(_http_load(port, paths, headers, requests, clients, seconds))


def setup_django(database: str) -> None:
    """Django in this process, as the server runs it (DEBUG=0), on `database`: for `capture` and its test Client."""
    os.environ.update(production_env(database, ALLOWED_HOSTS="127.0.0.1", API_THROTTLE_USER="100000000/hour"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass(frozen=True)
class Statement:
    """A statement the app ran, as it sent it: the text with its values written in (Django's cursors bind on the
    client), or the text with its parameters when the server bound them (`params` not None), prepared where the
    app's connection prepares (the household list's page: households/api_rows.py)."""

    sql: str
    params: tuple[Any, ...] | None = None
    prepared: bool = False

    def __str__(self) -> str:
        return self.sql if self.params is None else f"{self.sql} -- bound by the server: {self.params!r}"


def capture(path: str, headers: dict[str, str]) -> list[Statement]:
    """The SQL statements the app runs for GET `path` with `headers` (after one warm-up request: what its caches
    answer is not asked of the database), taken in-process around Django's test Client (DEBUG=0): the text each
    sent (CaptureQueriesContext), and for a statement bound by the server its parameters and whether it was
    prepared (an execute wrapper sees them)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"GET {path} answered {response.status_code}: {response.content[:300]!r}")
    bound: list[tuple[str, tuple[Any, ...], bool] | None] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        cursor = context["cursor"].cursor
        server_bound = isinstance(cursor, psycopg.Cursor) and not isinstance(cursor, psycopg.ClientCursor)
        prepared = server_bound and cursor.connection.prepare_threshold is not None
        bound.append((sql, tuple(params or ()), prepared) if server_bound else None)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(record):
        client.get(path)
    texts = [query["sql"] for query in queries.captured_queries]
    statements = [
        Statement(text) if found is None else Statement(*found)
        for text, found in zip(texts, bound, strict=True)  # one of each per statement run
    ]
    if any(s.sql.startswith("SAVEPOINT") for s in statements) and not any(s.sql == "BEGIN" for s in statements):
        # An atomic block opens its transaction without a statement of its own: replayed as one transaction.
        statements = [Statement("BEGIN"), *statements, Statement("COMMIT")]
    return statements


def sql_load(
    database: str, statements: Sequence[Sequence[Statement]], requests: int, clients: int, seconds: float = 120
) -> Load:
    """`requests` replays of the statements of a request (the lists in turn) by `clients` psycopg threads, stopped
    after `seconds`. The connections are in autocommit as Django's are: a statement outside the request's own
    BEGIN … COMMIT is its own transaction. A statement the app bound on the client is sent as its text; one the
    server bound is sent with its parameters, prepared as the app prepared it. Every row of a result is fetched."""
    lock = threading.Lock()
    counter = iter(range(requests))
    latencies: list[float] = []
    failures: list[str] = []
    connections = [psycopg.connect(url(database), autocommit=True) for _ in range(clients)]
    deadline = time.perf_counter() + seconds

    def client(conn: psycopg.Connection) -> None:
        while time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            begun = time.perf_counter()
            try:
                with psycopg.ClientCursor(conn) as cursor, conn.cursor() as server_bound:
                    for statement in statements[number % len(statements)]:
                        if statement.params is None:
                            cursor.execute(statement.sql.encode())  # bytes: sent as is, never re-parsed
                            if cursor.description is not None:
                                cursor.fetchall()
                        else:
                            server_bound.execute(statement.sql, statement.params, prepare=statement.prepared)
                            if server_bound.description is not None:
                                server_bound.fetchall()
            except psycopg.Error as exc:
                with contextlib.suppress(psycopg.Error):
                    conn.execute("ROLLBACK")
                with lock:
                    failures.append(repr(exc))
                continue
            elapsed = (time.perf_counter() - begun) * 1000
            with lock:
                latencies.append(elapsed)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(conn,)) for conn in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return Load(latencies, wall, len(failures), failures[0] if failures else "")


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    print(f"  {label}: {time.monotonic() - started:.1f} s", flush=True)


def command_vs_copy(
    template: str, command: Sequence[str], rounds: int, label: str, keep: str | None = None
) -> tuple[Figures, Figures, dict[str, int]]:
    """A writing command against COPY of the rows it adds, interleaved: each app round runs `command` on a fresh
    copy of `template`; after the first, the rows it added to every table are dumped (COPY TO); each raw round
    loads them with COPY FROM into the same tables of another fresh copy of `template` (same indexes, same foreign
    keys, checked before commit). The last app round's database is kept as `keep` when given. Returns both sides'
    seconds and the rows added per table."""
    app_copy, raw_copy = keep or f"{template}_app", f"{template}_raw"
    marks = id_marks(template)
    added: dict[str, int] = {}
    with tempfile_folder() as folder:

        def app(number: int) -> float:
            copy_database(template, app_copy)
            checkpoint(app_copy)
            seconds = manage(app_copy, *command)[0]
            if not added:
                added.update(dump_added(app_copy, marks, folder))
            if keep is None or number < rounds:
                drop_database(app_copy)
            print(f"  {label} round {number} app: {seconds:.1f} s", flush=True)
            return seconds

        def raw(number: int) -> float:
            copy_database(template, raw_copy)
            checkpoint(raw_copy)
            seconds = copy_in(raw_copy, folder, list(added))
            drop_database(raw_copy)
            print(f"  {label} round {number} raw COPY: {seconds:.1f} s", flush=True)
            return seconds

        app_figures, raw_figures = interleave(rounds, app, raw)
    return app_figures, raw_figures, added


def added_text(added: dict[str, int]) -> str:
    """ "300,000 programs_assessment, 73,000 programs_statuschange, …": the rows a command added, most first."""
    return ", ".join(f"{rows:,} {table}" for table, rows in sorted(added.items(), key=lambda item: -item[1]))


@contextlib.contextmanager
def tempfile_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="giamngheo-bench-") as name:
        yield Path(name)


def http_case(
    database: str,
    server: Gunicorn,
    name: str,
    title: str,
    paths: Sequence[str],
    headers: dict[str, str],
    target: Target,
    *,
    requests: int,
    clients: int,
    rounds: int,
    seconds: float,
) -> Row:
    """GET `paths` (in turn) through `server` against the same statements replayed by psycopg threads: a warm-up of
    each, then `rounds` x (app, raw), each `requests` requests at `clients`; the row of the rounds' p95."""
    statements = [capture(path, headers) for path in paths]
    print(f"{name}: {len(statements[0])} statements per request, for example:", flush=True)
    for statement in statements[0]:
        print(f"    {str(statement)[:160]}")
    warm = min(requests, clients * 4)
    print(f"  warm-up app: {http_load(server.port, paths, headers, warm, clients).text()}", flush=True)
    print(f"  warm-up raw: {sql_load(database, statements, warm, clients).text()}", flush=True)
    loads: dict[str, list[Load]] = {"app": [], "raw": []}

    def app(number: int) -> float:
        load = http_load(server.port, paths, headers, requests, clients, seconds)
        print(f"  {name} round {number} app: {load.text()}", flush=True)
        loads["app"].append(load)
        return load.p95

    def raw(number: int) -> float:
        load = sql_load(database, statements, requests, clients, seconds)
        print(f"  {name} round {number} raw: {load.text()}", flush=True)
        loads["raw"].append(load)
        return load.p95

    app_p95, raw_p95 = interleave(rounds, app, raw)

    def rest(side: str) -> str:
        p50 = statistics.median(load.p50 for load in loads[side])
        rate = statistics.median(load.per_second for load in loads[side])
        failed = sum(load.failures for load in loads[side])
        return f", p50 {p50:,.1f} ms, {rate:,.0f} req/s" + (f", **{failed} failed**" if failed else "")

    failures = sum(load.failures for side in loads.values() for load in side)
    row = Row(
        title,
        f"p95 {app_p95.text('ms')}{rest('app')}",
        f"the same {len(statements[0])} statements: p95 {raw_p95.text('ms')}{rest('raw')}",
        ratio(app_p95, raw_p95),
        target.text,
        target.met(app_p95, raw_p95) and not failures,
    )
    print(row.markdown(), flush=True)
    return row


@dataclass
class HttpCase:
    name: str
    title: str
    paths: Sequence[str]
    headers: dict[str, str]
    target: Target


def add_load_arguments(parser: argparse.ArgumentParser, requests: int) -> None:
    """The options of an HTTP bench: its database, its rounds and the load of each round."""
    parser.add_argument("--database", default=BENCH_DATABASE, help="written (tokens, access records): a copy")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (app, raw, app, raw…)")
    parser.add_argument("--requests", type=int, default=requests, help="requests per side per round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120, help="time bound of each load run")
    parser.add_argument("--json", type=Path, help="write the table's rows there")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn's threads per worker")


def http_bench(database: str, cases: Sequence[HttpCase], options: argparse.Namespace) -> list[Row]:
    """Every case through one gunicorn against its own statements replayed (`http_case`), with the load of
    `add_load_arguments`' options: their rows."""
    setup_django(database)
    with Gunicorn(database, workers=options.workers, threads=options.threads) as server:
        return [
            http_case(
                database,
                server,
                case.name,
                case.title,
                case.paths,
                case.headers,
                case.target,
                requests=options.requests,
                clients=options.clients,
                rounds=options.rounds,
                seconds=options.seconds,
            )
            for case in cases
        ]
