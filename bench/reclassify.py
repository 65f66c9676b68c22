"""Benchmark: reclassify a province's 300,000 latest assessments under VN-2027, dry run and writing.

Needs database giamngheo_bench with 300,000 households and their 2025 assessments:

    python bench/seed_province.py --runs 1 --keep       # households (seed_demo)
    bash bench/seed_reviews.sh                           # their surveys (seed_reviews)
    python bench/reclassify.py [--runs 3]

The dry run reads and classifies only. Each writing run works on a fresh copy of the database
(CREATE DATABASE ... TEMPLATE), so every run does the same work. Beside it, the same number of
assessment rows copied with raw COPY (INSERT ... SELECT inside PostgreSQL) for scale.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")


def manage(database: str, *args: str) -> float:
    # DEBUG off, as in production: with DEBUG on, Django keeps the SQL of every query in memory.
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{database}", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if result.returncode:
        sys.exit(result.stderr)
    print("   ", result.stdout.strip().splitlines()[0][:200])
    return elapsed


def admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def raw_copy_seconds(database: str) -> float:
    """The same rows written by PostgreSQL alone: a copy of the current assessments into a scratch table."""
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        started = time.monotonic()
        conn.execute("CREATE TEMP TABLE scratch (LIKE programs_assessment INCLUDING DEFAULTS)")
        conn.execute("INSERT INTO scratch SELECT * FROM programs_assessment WHERE is_current")
        elapsed = time.monotonic() - started
        conn.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="giamngheo_bench")
    parser.add_argument("--area", default="15")
    options = parser.parse_args()
    with psycopg.connect(f"{SERVER}/{options.database}") as conn:
        count = conn.execute("SELECT count(*) FROM programs_assessment WHERE is_current").fetchone()[0]
    print(f"{count} current assessments in {options.database}")

    dry = []
    for run in range(1, options.runs + 1):
        dry.append(manage(options.database, "reclassify", "--standard", "VN-2027", "--area", options.area, "--dry-run"))
        print(f"dry run {run}: {dry[-1]:.1f} s")
    written = []
    copy = f"{options.database}_rc"
    for run in range(1, options.runs + 1):
        admin(f"DROP DATABASE IF EXISTS {copy}")
        admin(f"CREATE DATABASE {copy} TEMPLATE {options.database}")
        written.append(manage(copy, "reclassify", "--standard", "VN-2027", "--area", options.area))
        print(f"writing run {run}: {written[-1]:.1f} s")
    raw = [raw_copy_seconds(copy) for _ in range(options.runs)]
    admin(f"DROP DATABASE IF EXISTS {copy}")
    print(
        f"dry run median {statistics.median(dry):.1f} s; writing median {statistics.median(written):.1f} s; "
        f"raw INSERT ... SELECT of the same rows median {statistics.median(raw):.1f} s"
    )


if __name__ == "__main__":
    main()
