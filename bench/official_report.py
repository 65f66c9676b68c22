"""Benchmark: an official report of a whole province (domain Part B §6.2), as the Celery worker builds it.

Needs the bench database of `bench/seed_reviews.sh` (300,000 households in province 15 with their 2025 review)
and its figures (`bench/stats_figures.py` computes them, or `manage.py refresh_statistics --area 15`). Each run
asks for the report as the province's staff (`request_report`, the API's call) and builds it in this process
(`build_report`, the task's only call) with DEBUG off, then prints the wall clock, the size of the file, the
rows of each sheet and the peak memory of the process after the first build.

    . .venv/bin/activate && python bench/official_report.py [--runs 3] [--kind all] [--year 2025]
"""

import argparse
import io
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{SERVER}/{os.environ.get('BENCH_DATABASE', 'giamngheo_bench')}"
os.environ["DEBUG"] = "0"  # as in production: with DEBUG on, Django keeps every query's SQL in memory
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG off refuses a weak key
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from unittest import mock  # noqa: E402

from python_calamine import CalamineWorkbook  # noqa: E402

from households.models import Area, User  # noqa: E402
from households.rules import Level, Role  # noqa: E402
from programs.models import JobStatus, ReportJob  # noqa: E402
from programs.reporting.services import report_jobs  # noqa: E402

PROVINCE = "15"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", default="all")
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    province = Area.objects.get(code=PROVINCE, level=Level.PROVINCE)
    staff = User.objects.filter(role=Role.PROVINCE_STAFF, area=province, is_active=True).first()
    if staff is None:
        sys.exit("no province staff in the bench database: run seed_demo (bench/seed_reviews.sh does)")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    times, peak = [], 0.0
    for run in range(1, args.runs + 1):
        with mock.patch.object(report_jobs, "_queue"):  # the worker's part is timed below, in this process
            job = report_jobs.request_report(actor=staff, area_id=province.pk, year=args.year, kind=args.kind)
        start = time.perf_counter()
        report_jobs.build_report(job.pk)
        times.append(time.perf_counter() - start)
        job = ReportJob.objects.get(pk=job.pk)
        if job.status != JobStatus.DONE:
            sys.exit(f"run {run}: {job.status}: {job.message}")
        peak = peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before reading the file
        content = bytes(job.content)
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = {name: book.get_sheet_by_name(name).height for name in book.sheet_names}
        print(f"run {run}: {times[-1]:.1f} s, {len(content) / 1e6:.1f} MB, rows per sheet {sheets}")
        job.delete()
    runs = ", ".join(f"{t:.1f}" for t in times)
    print(f"median {statistics.median(times):.1f} s ({runs}); peak RSS after the first build {peak:.0f} MB")


if __name__ == "__main__":
    main()
