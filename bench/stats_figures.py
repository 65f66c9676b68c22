"""Benchmark: the year's figures of a province of 300,000 households (DESIGN: "poverty rate by commune for a
province, one year: under 300 ms"), DEBUG=0, through gunicorn, against the same SQL in raw PostgreSQL.

Needs a database with households and their review of --year (bench/run_all's, or bench/seed_province.py then
bench/seed_reviews.py). Times:
  1. the pre-aggregation, `refresh_statistics --area <province>` for --year (a subprocess, wall clock, DEBUG=0):
     what the nightly task and a recomputation on demand cost (skipped with --skip-refresh);
  2. through `gunicorn config.wsgi -w 2 --threads 8` at --clients concurrency, as province staff with an API
     token, against the SQL statements the app ran for the same request replayed by as many psycopg threads,
     interleaved (app, raw, app, raw…, --rounds each; bench/harness.py `http_case`):
     `GET /api/v1/stats/communes/?area=<province>&year=<year>` (the poverty rate by commune) and
     `GET /api/v1/stats/figures/?area=<province>&year=<year>` (every figure of the dashboard);
  3. beside them, the same rate by commune in raw PostgreSQL straight from the households table (one GROUP BY
     over the province's rows, current statuses only: what an un-aggregated query costs), median, min and max.

It writes what the app writes (figures, an API token, access records): run it on a copy (bench/run_all makes one).

    . .venv/bin/activate
    python bench/stats_figures.py --database gn_bench_small [--rounds 3] [--requests 400] [--clients 16]
        [--year 2025] [--skip-refresh] [--json rows.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

PROVINCE = "15"
RAW = """
SELECT h.commune_id, count(*) AS households,
       count(*) FILTER (WHERE h.status = 'poor') AS poor,
       count(*) FILTER (WHERE h.status = 'near_poor') AS near_poor,
       round(100.0 * count(*) FILTER (WHERE h.status = 'poor') / count(*), 2) AS poor_rate
FROM households_household h JOIN households_area p ON p.id = h.province_id
WHERE p.code = %s GROUP BY h.commune_id ORDER BY poor_rate DESC
"""
TARGET = harness.Target("p95 < 300 ms", app_below=300)


def main(argv: list[str] | None = None) -> list[harness.Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    harness.add_load_arguments(parser, requests=400)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--skip-refresh", action="store_true")
    options = parser.parse_args(argv)
    if not options.skip_refresh:
        seconds = harness.manage(
            options.database, "refresh_statistics", "--area", PROVINCE, "--year", str(options.year), quiet=True
        )[0]
        print(f"refresh_statistics --area {PROVINCE} --year {options.year}: {seconds:.1f} s")
    with psycopg.connect(harness.url(options.database)) as conn:
        (province,) = conn.execute(
            "SELECT id FROM households_area WHERE level = 'province' AND code = %s", [PROVINCE]
        ).fetchone()
        samples = harness.Figures()
        for _ in range(options.rounds + 1):
            started = time.perf_counter()
            communes = conn.execute(RAW, [PROVINCE]).fetchall()
            samples.values.append((time.perf_counter() - started) * 1000)
        samples.values.pop(0)  # the first warms the cache
    print(f"raw PostgreSQL GROUP BY over the households ({len(communes)} communes): {samples.text('ms')}")
    token = harness.manage(options.database, "issue_api_token", "canbo_tinh", "--hours", "4", quiet=True)[1].strip()
    cases = [
        harness.HttpCase(
            name,
            f"{title}, {options.clients} clients",
            [f"/api/v1/stats/{name}/?area={province}&year={options.year}"],
            {"Authorization": f"Token {token}"},
            TARGET,
        )
        for name, title in (
            ("communes", "the poverty rate by commune of the province (`/api/v1/stats/communes/`)"),
            ("figures", "every figure of the province's dashboard (`/api/v1/stats/figures/`)"),
        )
    ]
    rows = harness.http_bench(options.database, cases, options)
    harness.write_rows(options.json, rows)
    return rows


if __name__ == "__main__":
    main()
