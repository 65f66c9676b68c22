"""Benchmark: `seed_demo` for a whole province (300,000 households) on PostgreSQL.

Each run creates a fresh database, migrates it and loads the areas (not timed), then times
`manage.py seed_demo --households N` alone, as a subprocess (wall clock, Python start-up included).
Prints each run with the command's phase timings, the median and the row counts of the last run.

    . .venv/bin/activate
    python bench/seed_province.py                       # 3 runs of 300,000 households
    python bench/seed_province.py --runs 1 --households 50000 --keep

The server is BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432); the database is dropped
and re-created, so never point it at a database you care about.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
COUNTS = {
    "households": "SELECT count(*) FROM households_household",
    "members": "SELECT count(*) FROM households_member",
    "members with a national ID": "SELECT count(national_id) FROM households_member",
    "distinct national IDs": "SELECT count(DISTINCT national_id) FROM households_member",
    "heads": "SELECT count(*) FROM households_member WHERE relation = 'head'",
    "households whose head_id is their head": (
        "SELECT count(*) FROM households_household h JOIN households_member m "
        "ON m.id = h.head_id AND m.household_id = h.id AND m.relation = 'head'"
    ),
    "households in the demo district": "SELECT count(*) FROM households_household WHERE district_id IS NOT NULL",
    "communes with households": "SELECT count(DISTINCT commune_id) FROM households_household",
    "villages": "SELECT count(*) FROM households_area WHERE level = 'village'",
    "demo logins": "SELECT count(*) FROM households_user",
    "trigram indexes": "SELECT count(*) FROM pg_indexes WHERE indexdef LIKE '% USING gin %'",
}


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def recreate(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(server_url: str, name: str) -> None:
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def checkpoint(database_url: str) -> None:
    """Start each timed run with clean buffers, if allowed (CHECKPOINT needs a privileged role)."""
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:
        print(f"  (no CHECKPOINT: {exc})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--province", default="15")
    parser.add_argument("--database", default="giamngheo_bench")
    parser.add_argument("--keep", action="store_true", help="keep the last database for inspection")
    options = parser.parse_args()
    server_url = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    database_url = f"{server_url}/{options.database}"

    times = []
    for run in range(1, options.runs + 1):
        recreate(server_url, options.database)
        manage(database_url, "migrate", "--verbosity", "0")
        manage(database_url, "load_areas")
        checkpoint(database_url)
        started = time.monotonic()
        output = manage(
            database_url,
            "seed_demo",
            "--households",
            str(options.households),
            "--province",
            options.province,
            "--verbosity",
            "2",
        )
        elapsed = time.monotonic() - started
        times.append(elapsed)
        lines = output.splitlines()
        print(f"run {run}: {elapsed:.1f} s")
        for line in lines[:2]:
            print(f"  {line}")

    print(f"seed_demo --households {options.households}: {', '.join(f'{t:.1f}' for t in times)} s")
    print(f"median: {statistics.median(times):.1f} s")
    with psycopg.connect(database_url) as conn:
        for label, query in COUNTS.items():
            (value,) = conn.execute(query).fetchone()
            print(f"  {label}: {value:,}")
    if not options.keep:
        drop(server_url, options.database)


if __name__ == "__main__":
    main()
