"""Benchmark: `seed_demo` for a whole province (300,000 households) against COPY of the same rows, DEBUG=0.

A template database is made once: migrated, with the areas (`load_areas`), not timed. Rounds alternate (app, raw,
app, raw…): the app round times `manage.py seed_demo --households N` (a subprocess, wall clock, Python start-up
included) on a fresh copy of the template; after the first, the rows it added to every table are dumped with COPY
TO. The raw round loads those rows with COPY FROM into the same tables of another fresh copy of the template (same
indexes, same foreign keys, checked before commit). Prints each round, the median, min and max of each side and
their ratio, and the row counts of the last app round's database.

    . .venv/bin/activate
    python bench/seed_province.py                       # 3 rounds of 300,000 households
    python bench/seed_province.py --runs 1 --households 20000 --keep --database gn_bench_small
    python bench/seed_province.py --runs 1 --keep --no-raw   # only make the bench database (bench/run_all)

The server is BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432); the database (--database, default
BENCH_DATABASE or giamngheo_bench) is dropped and re-created, and with --keep it is the last app round's, so never
point it at a database you care about. The copies are named after it (_template, _raw).
"""

import argparse
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

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


def main(argv: list[str] | None = None) -> list[harness.Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--runs", "--rounds", type=int, default=3, help="rounds per side (app, raw, app, raw…)")
    parser.add_argument("--province", default="15")
    parser.add_argument("--database", default=harness.BENCH_DATABASE)
    parser.add_argument("--keep", action="store_true", help="keep the last app round's database for inspection")
    parser.add_argument("--no-raw", action="store_true", help="app rounds only (to make a bench database)")
    parser.add_argument("--json", type=Path, help="write the table's row there")
    options = parser.parse_args(argv)
    template = f"{options.database}_template"
    harness.create_database(template)
    harness.manage(template, "migrate", "--no-input", quiet=True)
    harness.manage(template, "load_areas", quiet=True)
    command = ("seed_demo", "--households", str(options.households), "--province", options.province, "-v", "2")
    rows = []
    try:
        if options.no_raw:
            for number in range(1, options.runs + 1):
                harness.copy_database(template, options.database)
                seconds = harness.manage(options.database, *command)[0]
                print(f"  seed_demo round {number}: {seconds:.1f} s", flush=True)
        else:
            app, raw, added = harness.command_vs_copy(
                template, command, options.runs, "seed_demo", keep=options.database
            )
            target = harness.Target("< 3 min", app_below=180)
            rows.append(
                harness.seconds_row(
                    f"`seed_demo --households {options.households}`",
                    app,
                    f"COPY of the same rows ({harness.added_text(added)}) into the same tables of a fresh migrated "
                    "database",
                    raw,
                    target,
                )
            )
    finally:
        harness.drop_database(template)
    with psycopg.connect(harness.url(options.database)) as conn:
        for label, query in COUNTS.items():
            (value,) = conn.execute(query).fetchone()
            print(f"  {label}: {value:,}")
    if not options.keep:
        harness.drop_database(options.database)
    harness.write_rows(options.json, rows)
    return rows


if __name__ == "__main__":
    main()
