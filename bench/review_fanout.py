"""Benchmark: the annual review fan-out on a province of 300,000 households (DESIGN: under 2 min; a second run
sends nothing).

Needs the bench database of `bench/seed_reviews.sh` (300,000 households with their 2025 statuses). Gives every
commune of the province an officer (with an e-mail address, console backend off), then for each run:
clears the 2026 review, and times as subprocesses (wall clock, Python start-up included):
  1. `open_periodic_review --year 2026 --area 15 --all-households` (every household due: 300,000 cases);
  2. `send_review_reminders --today 2026-10-09` (the survey step, due 15/10, for all of them);
  3. `escalate_overdue --today 2026-10-16` (the same step, overdue);
  4. the same three again, which must create and send nothing.
Beside them, in each run after the app's steps (app, raw, app, raw…), the same opening done in raw PostgreSQL (one
INSERT … SELECT) for comparison. The commands run with DEBUG=0 (bench/harness.py `manage`). The database is written
(officers, the 2026 review): give it a copy, never the seeded bench database (BENCH_DATABASE, default
giamngheo_bench, is the default only for compatibility).

    . .venv/bin/activate && python bench/review_fanout.py [--database NAME] [--runs 3]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATABASE = harness.BENCH_DATABASE
URL = harness.url(DATABASE)
PROVINCE = "15"


def manage(*args: str) -> tuple[float, str]:
    # DEBUG off, as in production; the e-mails kept in memory
    env = harness.production_env(DATABASE, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout.strip()


def clear(db: psycopg.Connection) -> None:
    db.execute("DELETE FROM programs_notification")
    db.execute(
        "DELETE FROM programs_reviewcase"
        " WHERE campaign_id IN (SELECT id FROM programs_reviewcampaign WHERE year = 2026)"
    )
    db.execute(
        "DELETE FROM households_auditentry WHERE action = 'programs.review_campaign.opened'"
        " AND object_id IN (SELECT id::text FROM programs_reviewcampaign WHERE year = 2026)"
    )
    db.execute("DELETE FROM programs_reviewcampaign WHERE year = 2026")
    db.commit()
    with db.cursor() as cursor:
        db.autocommit = True
        cursor.execute("VACUUM ANALYZE programs_reviewcase")
        db.autocommit = False


def officers(db: psycopg.Connection) -> int:
    """One commune officer per commune of the province, with an e-mail address (idempotent)."""
    db.execute(
        """
        INSERT INTO households_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                                     is_active, date_joined, role, area_id)
        SELECT '!', false, 'bench_' || a.code, '', '', 'bench_' || a.code || '@xa.vn', true, true, now(),
               'commune_officer', a.id
        FROM households_area a
        WHERE a.level = 'commune' AND a.path LIKE %s
        ON CONFLICT (username) DO NOTHING
        """,
        (f"%/{PROVINCE}/%",),
    )
    db.commit()
    return db.execute("SELECT count(*) FROM households_user WHERE username LIKE 'bench_%'").fetchone()[0]


def raw_open(db: psycopg.Connection) -> float:
    """The same cases written by one INSERT … SELECT (campaigns made by the command beforehand)."""
    db.execute("DELETE FROM programs_reviewcase")
    db.commit()
    started = time.monotonic()
    db.execute(
        """
        INSERT INTO programs_reviewcase (campaign_id, household_id, state, origin, status_at_opening, request_kind,
            request_channel, request_note, proposed_category, meeting_note, district_opinion, decision_number,
            recognised_status, certificate_number, rejection_reason, due_step, due_on, version, created_at, updated_at)
        SELECT c.id, h.id, 'listed', 'all_residents', h.status, '', '', '', '', '', '', '', '', '', '', 'survey',
               (c.steps ->> 'survey')::date, 1, now(), now()
        FROM households_household h JOIN programs_reviewcampaign c
          ON c.area_id = h.commune_id AND c.year = 2026 AND c.kind = 'periodic' AND c.month = 0
        WHERE h.province_id = (SELECT id FROM households_area WHERE code = %s)
        ON CONFLICT DO NOTHING
        """,
        (PROVINCE,),
    )
    db.commit()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default=harness.BENCH_DATABASE, help="written: give it a copy")
    args = parser.parse_args()
    global DATABASE, URL
    DATABASE, URL = args.database, harness.url(args.database)
    with psycopg.connect(URL) as db:
        households = db.execute(
            "SELECT count(*) FROM households_household h JOIN households_area p ON p.id = h.province_id"
            " WHERE p.code = %s",
            (PROVINCE,),
        ).fetchone()[0]
        print(f"households in province {PROVINCE}: {households}; officers: {officers(db)}")
        timings: dict[str, list[float]] = {}
        for run in range(1, args.runs + 1):
            clear(db)
            steps = [
                ("open", ("open_periodic_review", "--year", "2026", "--area", PROVINCE, "--all-households")),
                ("remind", ("send_review_reminders", "--today", "2026-10-09", "--days", "7")),
                ("escalate", ("escalate_overdue", "--today", "2026-10-16")),
                ("open again", ("open_periodic_review", "--year", "2026", "--area", PROVINCE, "--all-households")),
                ("remind again", ("send_review_reminders", "--today", "2026-10-09", "--days", "7")),
                ("escalate again", ("escalate_overdue", "--today", "2026-10-16")),
            ]
            for label, command in steps:
                seconds, out = manage(*command)
                timings.setdefault(label, []).append(seconds)
                print(f"run {run} {label:15} {seconds:6.1f} s  {out}")
            cases = db.execute(
                "SELECT count(*) FROM programs_reviewcase r JOIN programs_reviewcampaign c ON c.id = r.campaign_id"
                " WHERE c.year = 2026"
            ).fetchone()[0]
            notes = db.execute("SELECT kind, count(*) FROM programs_notification GROUP BY 1 ORDER BY 1").fetchall()
            print(f"run {run} cases: {cases}; notifications: {notes}")
            seconds = raw_open(db)
            timings.setdefault("raw INSERT … SELECT", []).append(seconds)
            print(f"run {run} {'raw INSERT…SELECT':15} {seconds:6.1f} s")
        print("\nmedians:")
        for label, values in timings.items():
            print(f"  {label:22} {statistics.median(values):6.1f} s   ({', '.join(f'{v:.1f}' for v in values)})")
        total = sum(statistics.median(timings[k]) for k in ("open", "remind", "escalate"))
        print(f"  {'open + remind + escalate':22} {total:6.1f} s")


if __name__ == "__main__":
    main()
