"""Benchmark: the year's figures of a province of 300,000 households (DESIGN: "poverty rate by commune for a
province, one year: under 300 ms").

Needs the bench database of `bench/seed_reviews.sh` (300,000 households in province 15 with their 2025
statuses). Times:
  1. the pre-aggregation, `refresh_statistics --area 15` for 2024-2026 (a subprocess, wall clock): what the
     nightly task and a recomputation on demand cost;
  2. over HTTP through Django's test client as province staff (authentication, scope, serialisation
     included), each `--runs` times: `GET /api/v1/stats/communes/?area=<province>&year=2025` (the poverty rate
     by commune) and `GET /api/v1/stats/figures/?area=<province>&year=2025` (every figure of the dashboard);
  3. beside them, the same rate by commune in raw PostgreSQL straight from the households table (one GROUP BY
     over 300,000 rows, current statuses only: what an un-aggregated query costs).

    . .venv/bin/activate && python bench/stats_figures.py [--runs 20]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "giamngheo_bench")
URL = f"{SERVER}/{DATABASE}"
PROVINCE = "15"
RAW = """
SELECT h.commune_id, count(*) AS households,
       count(*) FILTER (WHERE h.status = 'poor') AS poor,
       count(*) FILTER (WHERE h.status = 'near_poor') AS near_poor,
       round(100.0 * count(*) FILTER (WHERE h.status = 'poor') / count(*), 2) AS poor_rate
FROM households_household h JOIN households_area p ON p.id = h.province_id
WHERE p.code = %s GROUP BY h.commune_id ORDER BY poor_rate DESC
"""


def ms(samples: list[float]) -> str:
    median, low, high = (statistics.median(samples) * 1000, min(samples) * 1000, max(samples) * 1000)
    return f"median {median:.1f} ms (min {low:.1f}, max {high:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-refresh", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": URL}
    if not args.skip_refresh:
        started = time.monotonic()
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "refresh_statistics", "--area", PROVINCE]
            + ["--year", "2024", "--year", "2025", "--year", "2026"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"refresh_statistics --area {PROVINCE} (3 years): {time.monotonic() - started:.1f} s")

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from households.models import Area, User

    province = Area.objects.get(level="province", code=PROVINCE)
    staff = User.objects.get(username="canbo_tinh")
    client = Client()
    client.force_login(staff)
    for name, path in (
        ("communes ranked (rate by commune)", f"/api/v1/stats/communes/?area={province.pk}&year=2025"),
        ("all figures of the dashboard", f"/api/v1/stats/figures/?area={province.pk}&year=2025"),
    ):
        samples = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            response = client.get(path, HTTP_HOST="localhost")
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
        print(f"GET {name}: {ms(samples[1:])}")  # the first warms the connection and caches

    with psycopg.connect(URL) as db:
        samples = []
        for _ in range(args.runs + 1):
            started = time.perf_counter()
            rows = db.execute(RAW, [PROVINCE]).fetchall()
            samples.append(time.perf_counter() - started)
        print(f"raw PostgreSQL GROUP BY over the households ({len(rows)} communes): {ms(samples[1:])}")


if __name__ == "__main__":
    main()
