"""Benchmark: what the access log of personal data costs the household list and search (issue 12, item 4).

Two gunicorn servers (DEBUG=0) over the same PostgreSQL database, one with ACCESS_LOG_ENABLED=1 and one with 0,
serve the API to 16 concurrent clients: a commune officer's household list of her commune (page of 50, filtered by
status, pages 1-20) and a search by name in it. The runs alternate (on, off, on, off…), each a fixed number of
requests per kind after a warm-up; the report gives per mode the median and p95 of every request of its runs, the
min-max of its runs' medians, the throughput, and the ratio on/off. The access log is filled beforehand with
synthetic records (`--log-rows`, a year or so of a province's reading) so the INSERT meets indexes of a real size.

    . .venv/bin/activate
    python bench/access_log.py                                     # 300,000 households: ~3,000 in the commune
    python bench/access_log.py --reuse --runs 3 --requests 400     # the database of a previous run, shorter

The server is BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432); the database (--database) is dropped
and re-created unless --reuse, so never point it at a database you care about. Needs gunicorn (requirements.txt).
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OFFICER = "canbo_xa_a"  # the demo's officer of commune A, the first commune seeded
FILL_LOG = """
INSERT INTO households_accessrecord
    (actor_id, actor_area_id, at, ip, door, action, resource, path, query, search, result_count,
     household_ids, commune_ids, area_id)
SELECT %(actor)s, %(area)s, now() - mod(n, 365) * interval '1 day' - mod(n, 86400) * interval '1 second',
       '10.0.0.1', 'api', 'list', 'hộ gia đình', '/api/v1/households/', 'status=not_poor', '', 3000,
       ARRAY(SELECT %(first)s + mod(n * 50 + k, %(households)s) FROM generate_series(0, 49) AS k),
       ARRAY[%(commune)s]::bigint[], NULL
FROM generate_series(1, %(rows)s) AS n
"""


def manage(database_url: str, *args: str) -> str:
    return harness.manage(database_url.rsplit("/", 1)[1], *args, quiet=True)[1]  # DEBUG=0


def recreate(server_url: str, name: str) -> None:
    harness.create_database(name)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def prepare(database_url: str, households: int, log_rows: int, reuse: bool, server_url: str, name: str) -> dict:
    if not reuse:
        recreate(server_url, name)
        manage(database_url, "migrate", "--no-input")
        manage(database_url, "load_areas")
        started = time.monotonic()
        manage(database_url, "seed_demo", "--households", str(households))
        print(f"seeded {households:,} households in {time.monotonic() - started:.0f} s")
    with psycopg.connect(database_url, autocommit=True) as db:
        actor, area = db.execute("SELECT id, area_id FROM households_user WHERE username = %s", [OFFICER]).fetchone()
        commune_count, first = db.execute(
            "SELECT count(*), min(id) FROM households_household WHERE commune_id = %s", [area]
        ).fetchone()
        existing = db.execute("SELECT count(*) FROM households_accessrecord").fetchone()[0]
        if existing < log_rows:
            started = time.monotonic()
            params = {"actor": actor, "area": area, "first": first, "households": commune_count, "commune": area}
            db.execute(FILL_LOG, {**params, "rows": log_rows - existing})
            db.execute("VACUUM ANALYZE households_accessrecord")
            print(f"filled the access log to {log_rows:,} records in {time.monotonic() - started:.0f} s")
        db.execute("VACUUM ANALYZE households_household")
    token = manage(database_url, "issue_api_token", OFFICER, "--hours", "2").strip()  # an expiring API token
    print(f"commune of {OFFICER}: {commune_count:,} households")
    return {"token": token, "commune_households": commune_count}


def start_server(database_url: str, port: int, enabled: bool, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "ACCESS_LOG_ENABLED": "1" if enabled else "0",
        "API_THROTTLE_USER": "1000000/hour",  # one token sends every request: the list is measured, not the throttle
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def get(url: str, token: str) -> float:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - a local URL
        body = response.read()
        assert response.status == 200, body[:200]
    return (time.perf_counter() - started) * 1000


def wait_ready(port: int, token: str) -> None:
    for _ in range(120):
        try:
            get(f"http://127.0.0.1:{port}/api/v1/households/?page_size=1", token)
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server on port {port} did not answer")


def load(port: int, token: str, kind: str, requests: int, clients: int) -> tuple[list[float], float]:
    """`requests` GETs of one kind by `clients` threads; the latencies (ms) and the wall clock (s)."""
    counter = iter(range(requests))
    lock = threading.Lock()

    def url(n: int) -> str:
        if kind == "list":
            query = {"status": "not_poor", "page_size": 50, "page": n % 20 + 1}
        else:
            query = {"q": ("nguyen van", "tran thi", "lo van", "hoang")[n % 4], "page_size": 50}
        return f"http://127.0.0.1:{port}/api/v1/households/?{urllib.parse.urlencode(query)}"

    def client() -> list[float]:
        samples = []
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return samples
            samples.append(get(url(n), token))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: client(), range(clients)))
    return [s for samples in results for s in samples], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--log-rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=4, help="runs per mode (on and off alternate)")
    parser.add_argument("--requests", type=int, default=800, help="requests per kind per run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument("--database", default="giamngheo_bench_access")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    args = parser.parse_args()
    server_url = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
    database_url = f"{server_url}/{args.database}"
    facts = prepare(database_url, args.households, args.log_rows, args.reuse, server_url, args.database)
    token = facts["token"]
    servers = {True: start_server(database_url, 8731, True, args.workers)}
    servers[False] = start_server(database_url, 8732, False, args.workers)
    ports = {True: 8731, False: 8732}
    results: dict[tuple[bool, str], list[list[float]]] = {}
    walls: dict[tuple[bool, str], float] = {}
    try:
        for enabled in (True, False):
            wait_ready(ports[enabled], token)
            for kind in ("list", "search"):
                load(ports[enabled], token, kind, args.clients * 4, args.clients)  # warm-up
        with psycopg.connect(database_url, autocommit=True) as db:
            before = db.execute("SELECT count(*) FROM households_accessrecord").fetchone()[0]
        for run in range(args.runs):
            for enabled in (True, False):
                for kind in ("list", "search"):
                    samples, wall = load(ports[enabled], token, kind, args.requests, args.clients)
                    results.setdefault((enabled, kind), []).append(samples)
                    walls[(enabled, kind)] = walls.get((enabled, kind), 0) + wall
                    print(
                        f"run {run + 1} log {'on ' if enabled else 'off'} {kind:<6} median "
                        f"{statistics.median(samples):6.1f} ms  p95 {percentile(samples, 0.95):6.1f} ms",
                        flush=True,
                    )
        with psycopg.connect(database_url, autocommit=True) as db:
            after = db.execute("SELECT count(*) FROM households_accessrecord").fetchone()[0]
            size = db.execute("SELECT pg_total_relation_size('households_accessrecord')").fetchone()[0]
    finally:
        for server in servers.values():
            server.terminate()
        for server in servers.values():
            server.wait(timeout=30)
    expected = args.runs * args.requests * 2
    print(f"\n{args.clients} clients, {args.runs} runs per mode of {args.requests} requests per kind, interleaved")
    print(f"access records written during the runs: {after - before:,} (expected {expected:,}: log on only)")
    print(f"access log: {after:,} records, {size / 2**20:,.0f} MB with its indexes ({size / after:,.0f} bytes/record)")
    summary = {}
    for kind in ("list", "search"):
        print(f"\n{kind}: ")
        for enabled in (True, False):
            runs = results[(enabled, kind)]
            pooled = [s for samples in runs for s in samples]
            medians = [statistics.median(samples) for samples in runs]
            summary[(enabled, kind)] = (statistics.median(pooled), percentile(pooled, 0.95))
            print(
                f"  log {'on ' if enabled else 'off'}: median {summary[(enabled, kind)][0]:6.1f} ms, "
                f"p95 {summary[(enabled, kind)][1]:6.1f} ms, run medians {min(medians):.1f}-{max(medians):.1f} ms, "
                f"{len(pooled) / walls[(enabled, kind)]:.0f} req/s"
            )
        on, off = summary[(True, kind)], summary[(False, kind)]
        print(f"  ratio on/off: median {on[0] / off[0]:.3f}, p95 {on[1] / off[1]:.3f}")
    print(json.dumps({f"{'on' if e else 'off'}-{k}": v for (e, k), v in summary.items()}))


if __name__ == "__main__":
    main()
