"""Benchmark: reclassify a province's latest assessments under another standard, writing and as a what-if (dry run),
each against the same work in raw PostgreSQL, interleaved (app, raw, app, raw…), DEBUG=0.

Needs a database with households and their assessments (bench/seed_province.py, then bench/seed_reviews.py, or
the database bench/run_all uses); it is never written: every writing round works on a fresh copy.

- write: `manage.py reclassify --standard VN-2027 --area <area>` (a subprocess, wall clock, Python start-up
  included) on a fresh copy of the database; beside it, on another fresh copy, one `INSERT INTO programs_assessment
  … SELECT` of as many assessment rows as the command wrote, into the real table (same indexes, same foreign keys:
  the deferred ones checked with SET CONSTRAINTS ALL IMMEDIATE), then rolled back. The rows are the area's current
  assessments, every column copied, under the new standard and with another review year (so the unique index of
  the current assessments takes them all).
- what-if: `manage.py reclassify … --dry-run` on the database itself (it reads only); beside it, the rows the
  classification reads: the area's current assessments read out with COPY … TO STDOUT.

    . .venv/bin/activate
    python bench/reclassify.py --database gn_bench_small [--rounds 3] [--area 15] [--standard VN-2027]
        [--only write|what-if] [--json rows.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

WRITE_TARGET = harness.Target("< 2 min and ≤ 3x", app_below=120, ratio_at_most=3)
WHAT_IF_TARGET = harness.Target("< 10 s", app_below=10)
IN_AREA = (
    "a.is_current AND a.household_id IN (SELECT h.id FROM households_household h"
    " WHERE %(area)s IN (h.province_id, h.district_id, h.commune_id))"
)


def area_id(database: str, code: str) -> int:
    with psycopg.connect(harness.url(database)) as conn:
        found = conn.execute("SELECT id FROM households_area WHERE code = %s", [code]).fetchone()
    if found is None:
        sys.exit(f"no area {code} in {database}")
    return found[0]


def insert_select(database: str, area: int, standard: str, rows: int) -> float:
    """INSERT … SELECT of `rows` assessment rows of the area under `standard`, foreign keys checked, rolled back."""
    with psycopg.connect(harness.url(database)) as conn:
        columns = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = 'programs_assessment' AND column_name <> 'id' ORDER BY ordinal_position"
            )
        ]
        (standard_id,) = conn.execute("SELECT id FROM programs_povertystandard WHERE code = %s", [standard]).fetchone()
        replaced = {
            "standard_id": sql.Literal(standard_id),
            "review_year": sql.SQL("a.review_year + 1000"),
            "recorded_at": sql.SQL("now()"),
            "superseded_by_id": sql.NULL,
        }
        select = [replaced.get(column, sql.SQL("a.{}").format(sql.Identifier(column))) for column in columns]
        statement = sql.SQL(
            "INSERT INTO programs_assessment ({}) SELECT {} FROM programs_assessment a WHERE "
            + IN_AREA
            + " ORDER BY a.id LIMIT %(rows)s"
        ).format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.SQL(", ").join(select))
        started = time.monotonic()
        inserted = conn.execute(statement, {"area": area, "rows": rows}).rowcount
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        elapsed = time.monotonic() - started
        conn.rollback()
    if inserted != rows:
        print(f"    (raw side inserted {inserted:,} rows, the app {rows:,})")
    return elapsed


def read_inputs(database: str, area: int) -> float:
    """The area's current assessments read out, every column (COPY … TO STDOUT)."""
    with psycopg.connect(harness.url(database)) as conn:
        query = sql.SQL("COPY (SELECT a.* FROM programs_assessment a WHERE " + IN_AREA + ") TO STDOUT")
        started = time.monotonic()
        with conn.cursor().copy(query, {"area": area}) as copy:
            for _ in copy:
                pass
        return time.monotonic() - started


def main(argv: list[str] | None = None) -> list[harness.Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=harness.BENCH_DATABASE, help="read only: copies are written")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (app, raw, app, raw…)")
    parser.add_argument("--area", default="15")
    parser.add_argument("--standard", default="VN-2027")
    parser.add_argument("--only", choices=["write", "what-if"])
    parser.add_argument("--json", type=Path, help="write the table's rows there")
    options = parser.parse_args(argv)
    area = area_id(options.database, options.area)
    command = ("reclassify", "--standard", options.standard, "--area", options.area)
    rows = []
    if options.only in (None, "write"):
        app_copy, raw_copy = f"{options.database}_rc_app", f"{options.database}_rc_raw"
        written: list[int] = []

        def app(number: int) -> float:
            harness.copy_database(options.database, app_copy)
            marks = harness.id_marks(app_copy)
            harness.checkpoint(app_copy)
            seconds = harness.manage(app_copy, *command)[0]
            after = harness.id_marks(app_copy)
            written.append(after["programs_assessment"] - marks["programs_assessment"])
            harness.drop_database(app_copy)
            print(f"  write round {number} app: {seconds:.1f} s ({written[-1]:,} assessments)", flush=True)
            return seconds

        def raw(number: int) -> float:
            harness.copy_database(options.database, raw_copy)
            harness.checkpoint(raw_copy)
            seconds = insert_select(raw_copy, area, options.standard, written[-1])
            harness.drop_database(raw_copy)
            print(f"  write round {number} raw INSERT … SELECT: {seconds:.1f} s", flush=True)
            return seconds

        app_figures, raw_figures = harness.interleave(options.rounds, app, raw)
        rows.append(
            harness.seconds_row(
                f"`reclassify --standard {options.standard} --area {options.area}`",
                app_figures,
                f"INSERT … SELECT of {written[-1]:,} assessment rows",
                raw_figures,
                WRITE_TARGET,
            )
        )
    if options.only in (None, "what-if"):

        def app_dry(number: int) -> float:
            seconds = harness.manage(options.database, *command, "--dry-run")[0]
            print(f"  what-if round {number} app: {seconds:.1f} s", flush=True)
            return seconds

        def raw_read(number: int) -> float:
            seconds = read_inputs(options.database, area)
            print(f"  what-if round {number} raw COPY TO: {seconds:.1f} s", flush=True)
            return seconds

        app_figures, raw_figures = harness.interleave(options.rounds, app_dry, raw_read)
        rows.append(
            harness.seconds_row(
                f"what-if: `reclassify --standard {options.standard} --area {options.area} --dry-run`",
                app_figures,
                "reading its current assessments (COPY … TO STDOUT)",
                raw_figures,
                WHAT_IF_TARGET,
            )
        )
    harness.write_rows(options.json, rows)
    return rows


if __name__ == "__main__":
    main()
