"""Benchmark: the household list and search through gunicorn at 16 clients, against the same SQL in raw PostgreSQL.

Three cases (issue 14), each a page of 50:
  commune   the commune officer (canbo_xa_a) lists her commune's poor households:
            GET /api/v1/households/?commune=<her commune>&status=poor
  province  the province staff (canbo_tinh) lists the whole province: GET /api/v1/households/
  search    the province staff searches a name without diacritics over the province: GET /api/v1/households/?q=…
            (four names in turn)

The app side: `gunicorn config.wsgi -w 2 --threads 8` (DEBUG=0) and a load generator on loopback (bench/harness.py:
HTTP/1.1 keep-alive, `--requests` requests at `--clients` concurrency, bounded by `--seconds`), with an expiring API
token of each user made in the database by `manage.py issue_api_token`. The raw side: the SQL statements the app ran
for the same request (captured in this process with CaptureQueriesContext around Django's test Client, same user and
token, DEBUG=0, after a warm-up request), replayed by `--clients` psycopg threads, `--requests` in all, sent as the
app sent them (autocommit, its own BEGIN … COMMIT). Rounds alternate app, raw, app, raw… (`--rounds`, at least 3
each); each round gives a p50, a p95 and a throughput; printed: the median of the rounds' p95 with their min-max,
and the ratio app/raw of the p95s.

The bench writes to the database what the app writes when it serves these requests (API tokens, access records),
so run it on a copy (bench/run_all makes one):

    . .venv/bin/activate
    python bench/list_search.py --database gn_bench_small [--rounds 3] [--requests 800] [--clients 16]
        [--case commune --case search] [--json rows.json]
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

NAMES = ("nguyen van", "tran thi", "lo van", "hoang thi")
TARGETS = {  # issue 14: p95 at 16 clients, and within 3x of the raw SQL's p95 at the same concurrency
    "commune": harness.Target("p95 < 100 ms and ≤ 3x", app_below=100, ratio_at_most=3),
    "province": harness.Target("p95 < 300 ms and ≤ 3x", app_below=300, ratio_at_most=3),
    "search": harness.Target("p95 < 300 ms", app_below=300),
}


def cases(database: str) -> dict[str, tuple[str, str, list[str]]]:
    """Per case: its title, its user, its paths."""
    with psycopg.connect(harness.url(database)) as conn:
        commune = conn.execute("SELECT area_id FROM households_user WHERE username = 'canbo_xa_a'").fetchone()
        if commune is None:
            sys.exit(f"{database} has no demo login canbo_xa_a: seed it with bench/seed_province.py")
    base = "/api/v1/households/"
    return {
        "commune": (
            "`GET /api/v1/households/?commune=…&status=poor` as a commune officer, 50 rows, {clients} clients",
            "canbo_xa_a",
            [f"{base}?{urllib.parse.urlencode({'commune': commune[0], 'status': 'poor', 'page_size': 50})}"],
        ),
        "province": (
            "the whole province as province staff, 50 rows, {clients} clients",
            "canbo_tinh",
            [f"{base}?page_size=50"],
        ),
        "search": (
            "search by name without diacritics over the province (`?q=`), {clients} clients",
            "canbo_tinh",
            [f"{base}?{urllib.parse.urlencode({'q': name, 'page_size': 50})}" for name in NAMES],
        ),
    }


def main(argv: list[str] | None = None) -> list[harness.Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_load_arguments(parser, requests=800)
    parser.add_argument("--case", action="append", choices=["commune", "province", "search"], help="repeatable")
    options = parser.parse_args(argv)
    chosen = cases(options.database)
    names = options.case or list(chosen)
    tokens = {}
    for user in sorted({chosen[name][1] for name in names}):
        tokens[user] = harness.manage(options.database, "issue_api_token", user, "--hours", "4", quiet=True)[1].strip()
    http_cases = []
    for name in names:
        title, user, paths = chosen[name]
        headers = {"Authorization": f"Token {tokens[user]}"}
        http_cases.append(harness.HttpCase(name, title.format(clients=options.clients), paths, headers, TARGETS[name]))
    rows = harness.http_bench(options.database, http_cases, options)
    harness.write_rows(options.json, rows)
    return rows


if __name__ == "__main__":
    main()
