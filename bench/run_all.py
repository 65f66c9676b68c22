"""Every bench of issue 14 on a seeded database, app and raw PostgreSQL interleaved, into bench/RESULTS.md.

The database is BENCH_DATABASE (default giamngheo_bench): 300,000 households of province 15 with their 2025 review.
When it is missing it is made (bench/seed_province.py, then `seed_reviews --year 2025`, both DEBUG=0). It is only
read: the benches that write work on copies named after it (_run for the HTTP benches, which write API tokens and
access records; _rc_app/_rc_raw for reclassify; _households, _households_app/_raw for seed_demo and seed_reviews),
dropped at the end unless --keep-copies.

Benches (--only, repeatable; default all, in this order):
  lists        bench/list_search.py: the commune officer's list, the province list, the search, at --clients
               through gunicorn against the same statements replayed by as many psycopg threads
  stats        bench/stats_figures.py: the province's figures, the same way
  reclassify   bench/reclassify.py: `reclassify --standard VN-2027 --area 15` against INSERT … SELECT, and its
               what-if (--dry-run)
  seed_demo    bench/seed_province.py: `seed_demo --households N` against COPY of its rows (it keeps its database
               as <BENCH_DATABASE>_households for seed_reviews)
  seed_reviews bench/seed_reviews.py: `seed_reviews --year 2025` against COPY of its rows

Writes --output (default bench/RESULTS.md): the table (app median and min-max of the rounds, raw, ratio, target,
met or not), the machine, the date and the commit.

    . .venv/bin/activate
    python bench/run_all.py                                   # everything, 3 rounds (make bench)
    python bench/run_all.py --only lists --rounds 3 --requests 200 --output /tmp/quick.md   # a quick check
    BENCH_DATABASE=gn_bench_small python bench/run_all.py --households 20000 --rounds 1 --output /tmp/small.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

BENCH = Path(__file__).resolve().parent
ORDER = ("lists", "stats", "reclassify", "seed_demo", "seed_reviews")
REVIEW_YEAR = "2025"


def run(script: str, *args: str) -> list[harness.Row]:
    """One bench as a subprocess (its own Django, its own settings), its rows read from its --json file."""
    with harness.tempfile_folder() as folder:
        out = folder / "rows.json"
        print(f"\n=== {script} {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, str(BENCH / script), *args, "--json", str(out)], cwd=harness.ROOT)
        if result.returncode or not out.exists():
            print(f"!!! {script} failed (exit {result.returncode})", flush=True)
            return [harness.Row(f"{script} {' '.join(args)}", "failed: see the log", "", None, "", False)]
        return [harness.Row(**row) for row in json.loads(out.read_text())]


def ensure_bench_database(database: str, households: int) -> None:
    if harness.exists(database):
        return
    print(f"{database} is missing: seeding {households:,} households and their {REVIEW_YEAR} review", flush=True)
    subprocess.run(
        [sys.executable, str(BENCH / "seed_province.py"), "--runs", "1", "--keep", "--no-raw"]
        + ["--database", database, "--households", str(households)],
        check=True,
    )
    harness.manage(database, "seed_reviews", "--year", REVIEW_YEAR)


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=harness.ROOT, capture_output=True, text=True).stdout.strip()

    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    subject = git("log", "-1", "--format=%s")
    return f"{git('rev-parse', '--short', 'HEAD')} ({subject[:70]}{'…' if len(subject) > 70 else ''}){dirty}"


def describe(database: str) -> str:
    with psycopg.connect(harness.url(database)) as conn:
        households = conn.execute("SELECT count(*) FROM households_household").fetchone()[0]
        assessments = conn.execute("SELECT count(*) FROM programs_assessment WHERE is_current").fetchone()[0]
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"`{database}`: {households:,} households, {assessments:,} current assessments; PostgreSQL {version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=ORDER, help="repeatable; default: all")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (app, raw, app, raw…); 3 or more")
    parser.add_argument("--requests", type=int, default=800, help="HTTP requests per side per round")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--households", type=int, default=300_000, help="seed_demo's size, and the seeded database's")
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--keep-copies", action="store_true", help="keep the working copies for inspection")
    options = parser.parse_args()
    database = harness.BENCH_DATABASE
    chosen = [name for name in ORDER if not options.only or name in options.only]
    started, measured = datetime.datetime.now(datetime.UTC), commit()
    ensure_bench_database(database, options.households)
    facts = describe(database)
    rounds = ["--rounds", str(options.rounds)]
    load = ["--requests", str(options.requests), "--clients", str(options.clients)]
    working, households = f"{database}_run", f"{database}_households"
    rows: list[harness.Row] = []
    try:
        if {"lists", "stats"} & set(chosen):
            harness.copy_database(database, working)
        if "lists" in chosen:
            rows += run("list_search.py", "--database", working, *rounds, *load)
        if "stats" in chosen:
            rows += run("stats_figures.py", "--database", working, *rounds, *load, "--year", REVIEW_YEAR)
        if "reclassify" in chosen:
            rows += run("reclassify.py", "--database", database, *rounds)
        if "seed_demo" in chosen:
            args = ["--database", households, "--households", str(options.households), "--keep"]
            rows += run("seed_province.py", *args, *rounds)
        if "seed_reviews" in chosen:
            args = ["--database", households, "--households", str(options.households), "--year", REVIEW_YEAR]
            rows += run("seed_reviews.py", *args, *rounds)
    finally:
        if not options.keep_copies:
            for name in (working, households):
                harness.drop_database(name)
    text = [
        "# Benchmarks (issue 14)",
        "",
        f"Measured by `bench/run_all.py` ({' '.join(sys.argv[1:]) or 'all benches'}) from "
        f"{started:%Y-%m-%d %H:%M} UTC to {datetime.datetime.now(datetime.UTC):%H:%M} UTC, "
        f"commit {measured}.",
        f"Machine: {harness.machine()}. Database {facts}.",
        "",
        f"App and raw PostgreSQL in the same run, interleaved (app, raw, app, raw…), {options.rounds} round(s) each; "
        "each cell gives the median of the rounds and their min-max. The app runs with DEBUG=0 and its shared cache "
        "in Redis, as in production; HTTP through "
        f"`gunicorn config.wsgi -w 2 --threads 8` at {options.clients} concurrent keep-alive clients on loopback, "
        f"{options.requests} requests per round (bench/harness.py); its raw side is the SQL statements the app ran "
        "for the same request (captured in-process), replayed by as many psycopg threads as the app sent them (its "
        "text, or bound and prepared by the server where the app's was). A batch command is timed "
        "as a subprocess (wall clock, Python start-up included) on a fresh copy of the database; its raw side writes "
        "the same number of rows into the same tables (same indexes, same foreign keys, checked) of another fresh "
        "copy. Ratio: app median / raw median (of the p95 for HTTP). The machine may be shared: read the ratios.",
        "",
        harness.HEADER,
        *(row.markdown() for row in rows),
        "",
        "How each bench is run, and its options: the docstring of each script of bench/ (`python bench/<script> "
        "--help`).",
        "",
    ]
    options.output.write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
