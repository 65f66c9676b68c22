"""Benchmark: `seed_reviews` (one periodic review of a province: a survey, a classification and the recognised
status of every household) against COPY of the rows it writes, DEBUG=0, interleaved (app, raw, app, raw…).

--database is a database with the households and no review of --year yet (what `seed_demo` leaves: bench/run_all
passes the one its seed_demo bench kept; made with bench/seed_province.py when missing). It is never written: the
app round times `manage.py seed_reviews --year Y` (a subprocess, wall clock, Python start-up included; its drawing
processes: --workers, by default the command's own, as many as the machine has cores) on a fresh copy of it; after
the first, the rows the command added (its assessments, status changes, audit entries…) are dumped with COPY TO;
the raw round loads them with COPY FROM into the same tables of another fresh copy (same indexes, same foreign
keys, checked before commit). The households' status caches, which the command updates in place, are not part of
the raw side.

    . .venv/bin/activate
    python bench/seed_reviews.py --database gn_bench_small_households [--year 2025] [--rounds 3] [--json rows.json]
        [--households 300000]   # the size of the database made when --database is missing
        [--workers 1]           # the command's drawing processes (default: the command's, the CPU count)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import seed_province  # noqa: E402

TARGET = harness.Target("≤ 3x", ratio_at_most=3)


def main(argv: list[str] | None = None) -> list[harness.Row]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"{harness.BENCH_DATABASE}_households", help="read only")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--province", default="15")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side (app, raw, app, raw…)")
    parser.add_argument("--households", type=int, default=300_000, help="when --database is missing")
    parser.add_argument("--json", type=Path, help="write the table's row there")
    parser.add_argument("--workers", type=int, help="seed_reviews --workers (default: the command's, the CPU count)")
    options = parser.parse_args(argv)
    if not harness.exists(options.database):
        seed_province.main(
            ["--runs", "1", "--keep", "--no-raw", "--database", options.database]
            + ["--households", str(options.households), "--province", options.province]
        )
    command = ("seed_reviews", "--year", str(options.year), "--province", options.province, "-v", "2")
    if options.workers is not None:
        command += ("--workers", str(options.workers))
    app, raw, added = harness.command_vs_copy(options.database, command, options.rounds, "seed_reviews")
    row = harness.seconds_row(
        f"`{' '.join(command[:3] + command[7:])}`", app, f"COPY of its rows ({harness.added_text(added)})", raw, TARGET
    )
    harness.write_rows(options.json, [row])
    return [row]


if __name__ == "__main__":
    main()
