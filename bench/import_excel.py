"""Benchmark: the Excel import of a commune's surveys (DESIGN: "5,000 rows under 20 s, with a row-by-row error
report").

Each run builds a workbook of `--households` new households for a commune that has none yet (in the template's
layout: the households, about four members each, and one survey per household, with its causes of poverty,
by name or code, when its income looks poor), then times, in this process
with DEBUG off:
  1. `imports.import_workbook` of the whole file as a commune officer: read, check every row, write all of it in
     one transaction through the services (households, members, surveys, audit entries);
  2. the same file uploaded again (a committed file: does nothing);
  3. the same rows with one bad cell in the last survey (checks everything, refuses, writes nothing), first;
  4. the template of the commune (its 5,000 households and members), as downloaded;
  5. a file of new surveys only, one per household now registered (named by code): they supersede the first.
Each run takes the next empty commune of province 15, so every run does the same work on the same database.

Needs a database with the areas and the demo data (a fresh one is fine):

    createdb -h 127.0.0.1 -U postgres giamngheo_imp
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/giamngheo_imp
    DEBUG=1 .venv/bin/python manage.py migrate && DEBUG=1 .venv/bin/python manage.py load_areas
    DEBUG=1 .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/import_excel.py [--runs 3] [--households 5000]
"""

import argparse
import datetime
import io
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/giamngheo_imp")
os.environ["DEBUG"] = "0"  # as in production: with DEBUG on, Django keeps every query's SQL in memory
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # DEBUG off refuses a weak key
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from openpyxl import Workbook  # noqa: E402

from households import services as registry  # noqa: E402
from households.models import Area, AuditEntry, Household, Member, User  # noqa: E402
from households.rules import Level, Role  # noqa: E402
from programs.imports import services as imports  # noqa: E402
from programs.imports.layout import HOUSEHOLD, HOUSEHOLD_COLUMNS, MEMBER, MEMBER_COLUMNS, SURVEY, survey_columns  # noqa: E402
from programs.models import Assessment  # noqa: E402
from programs.rules import POVERTY_CAUSES  # noqa: E402
from programs.standards import selectors  # noqa: E402

PROVINCE = "15"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vàng", "Giàng", "Lò", "Sùng", "Thào", "Lù", "Hà"]
MIDDLE = {"male": ["Văn", "Seo", "A", "Đức"], "female": ["Thị", "Thị", "Mỹ", "Ngọc"]}
GIVEN = ["An", "Bình", "Chinh", "Dũng", "Hoa", "Lan", "Mai", "Páo", "Sính", "Dế", "Mỷ", "Tủa", "Chứ", "Hùng"]
ETHNIC = ["01", "08", "01", "04", "07", "08", "11", "01"]
NON_DERIVED = ("employment", "water", "sanitation", "telecom", "information_access")


def name(rng: random.Random, sex: str) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN)}"


def workbook(commune: Area, villages: list[str], households: int, seed: int, bad_last: bool = False) -> bytes:
    """A filled template: new households (blank code) with members and one survey each."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheets = {title: book.create_sheet(title) for title in (HOUSEHOLD, MEMBER, SURVEY)}
    survey = survey_columns(selectors.standard_on(datetime.date(2026, 10, 15)).indicators)
    for title, columns in ((HOUSEHOLD, HOUSEHOLD_COLUMNS), (MEMBER, MEMBER_COLUMNS), (SURVEY, survey)):
        sheets[title].append([c.header for c in columns])
    keys = [c.key for c in survey]
    serial = 0
    for number in range(1, households + 1):
        ethnic = rng.choice(ETHNIC)
        sheets[HOUSEHOLD].append(
            [
                number,
                None,
                None,
                None,
                rng.choice(villages),
                f"Số {rng.randint(1, 300)}, {commune.name}",
                None,
                "Có" if ethnic != "01" else "Không",
                "Không",
                "Không",
                "Không",
                "Không",
            ]
        )
        size = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6])
        for index in range(size):
            serial += 1
            sex = rng.choice(["male", "female"])
            if index == 0:
                relation, born = (
                    "Chủ hộ",
                    datetime.date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28)),
                )
            elif index == 1:
                relation, born = (
                    "Vợ/chồng",
                    datetime.date(rng.randint(1955, 1998), rng.randint(1, 12), rng.randint(1, 28)),
                )
            else:
                relation, born = "Con", datetime.date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
            insured = rng.random() < 0.85
            national_id = f"9{int(commune.code):05d}{serial:06d}" if born.year < 2012 else None
            sheets[MEMBER].append(
                [
                    number,
                    None,
                    name(rng, sex),
                    f"{born:%d/%m/%Y}",
                    "Nam" if sex == "male" else "Nữ",
                    relation,
                    ethnic,
                    national_id,
                    f"DT2{serial:012d}" if insured else None,
                    "31/12/2026" if insured else None,
                    "Không",
                    "Không",
                    "Tiểu học" if 2014 <= born.year <= 2019 else "Không đi học",
                    "Trung học phổ thông" if born.year < 2006 else "Tiểu học",
                    "Tự làm (nông nghiệp, kinh doanh)" if born.year < 2006 else "",
                    "Làm ruộng" if born.year < 2006 else "",
                ]
            )
        values = survey_values(rng, number)
        if bad_last and number == households:
            values["survey_date"] = "31/02/2026"
        sheets[SURVEY].append([values.get(key) for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def survey_values(rng: random.Random, ref: int | str) -> dict:
    values = {
        "ref": ref,
        "survey_date": "15/10/2026",
        "review_year": 2026,
        "income_per_capita": rng.randint(800, 4000) * 1000,
        "has_house": "Có",
        "floor_area_m2": rng.randint(20, 120),
        "foundation_frame_durable": "Có" if rng.random() < 0.8 else "Không",
        "walls_durable": "Có" if rng.random() < 0.8 else "Không",
        "roof_durable": "Có" if rng.random() < 0.8 else "Không",
        "answer:nutrition": 0,
        "surveyor_name": "Rà soát viên thôn",
    }
    values.update({f"answer:{code}": int(rng.random() < 0.25) for code in NON_DERIVED})
    if values["income_per_capita"] <= 2_000_000:  # poor-looking (under the urban near-poor line): its causes
        picked = rng.sample(sorted(POVERTY_CAUSES.items()), rng.randint(1, 3))
        values["causes"] = "; ".join(cause if rng.random() < 0.3 else name for cause, name in picked)
    return values


def surveys_only(codes: list[str], seed: int) -> bytes:
    """The other use of the template: a new survey of each household already registered, named by its code."""
    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheets = {title: book.create_sheet(title) for title in (HOUSEHOLD, MEMBER, SURVEY)}
    survey = survey_columns(selectors.standard_on(datetime.date(2026, 10, 15)).indicators)
    for title, columns in ((HOUSEHOLD, HOUSEHOLD_COLUMNS), (MEMBER, MEMBER_COLUMNS), (SURVEY, survey)):
        sheets[title].append([c.header for c in columns])
    for code in codes:
        values = survey_values(rng, code)
        sheets[SURVEY].append([values.get(c.key) for c in survey])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def empty_commune(used: set[int]) -> tuple[Area, User, list[str]]:
    """The next commune of the province without households, with an officer and five villages."""
    admin = User.objects.get(username="quantri")  # seed_demo's program administrator
    taken = set(Household.objects.values_list("commune_id", flat=True).distinct()) | used
    commune = (
        Area.objects.filter(level=Level.COMMUNE, province__code=PROVINCE).exclude(pk__in=taken).order_by("code").first()
    )
    officer = User.objects.filter(username=f"bench_import_{commune.code}").first() or registry.create_officer(
        actor=admin, username=f"bench_import_{commune.code}", role=Role.COMMUNE_OFFICER, area=commune
    )
    for index in range(1, 6):
        if not Area.objects.filter(parent=commune, name=f"Thôn {index}").exists():
            registry.create_village(actor=admin, commune=commune, name=f"Thôn {index}")
    return commune, officer, [f"Thôn {index}" for index in range(1, 6)]


def counts(commune: Area) -> tuple[int, int, int, int]:
    return (
        Household.objects.filter(commune=commune).count(),
        Member.objects.filter(household__commune=commune).count(),
        Assessment.objects.filter(household__commune=commune).count(),
        AuditEntry.objects.filter(household__commune=commune).count(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--households", type=int, default=5000)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {}
    used: set[int] = set()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for run in range(1, args.runs + 1):
        commune, officer, villages = empty_commune(used)
        used.add(commune.pk)
        content = workbook(commune, villages, args.households, seed=run)
        bad = workbook(commune, villages, args.households, seed=run, bad_last=True)
        print(f"run {run}: {commune.name} ({commune.code}), file {len(content) / 1e6:.1f} MB")

        started = time.monotonic()
        refused = imports.import_workbook(actor=officer, commune_id=commune.pk, file_bytes=bad, filename="bad.xlsx")
        timings.setdefault("refused (1 bad cell)", []).append(time.monotonic() - started)
        assert refused.status == "refused" and counts(commune)[:3] == (0, 0, 0), refused.errors[:3]
        print(f"   refused in {timings['refused (1 bad cell)'][-1]:5.1f} s: {refused.errors}")

        started, cpu = time.monotonic(), time.process_time()
        batch = imports.import_workbook(actor=officer, commune_id=commune.pk, file_bytes=content, filename="ok.xlsx")
        timings.setdefault("import", []).append(time.monotonic() - started)
        timings.setdefault("import, Python CPU", []).append(time.process_time() - cpu)
        assert batch.status == "committed", batch.errors[:5]
        print(f"   import   in {timings['import'][-1]:5.1f} s: {imports.summary(batch)} (rows {batch.rows})")
        print(f"   households, members, assessments, audit entries: {counts(commune)}")

        started = time.monotonic()
        again = imports.import_workbook(actor=officer, commune_id=commune.pk, file_bytes=content, filename="ok.xlsx")
        timings.setdefault("same file again", []).append(time.monotonic() - started)
        assert again.pk == batch.pk
        started = time.monotonic()
        imports.template(commune, officer)
        timings.setdefault("template download", []).append(time.monotonic() - started)

        codes = list(Household.objects.filter(commune=commune).order_by("code").values_list("code", flat=True))
        started = time.monotonic()
        resurvey = imports.import_workbook(
            actor=officer, commune_id=commune.pk, file_bytes=surveys_only(codes, run), filename="phieu.xlsx"
        )
        timings.setdefault("surveys of existing", []).append(time.monotonic() - started)
        assert resurvey.status == "committed" and resurvey.created["assessments"] == len(codes), resurvey.errors[:3]
        current = Assessment.objects.filter(household__commune=commune, is_current=True).count()
        print(f"   {len(codes)} new surveys of registered households in {timings['surveys of existing'][-1]:5.1f} s")
        print(f"   (the earlier ones superseded: {current} current of {counts(commune)[2]})")
    print(f"\nmedians (load average now {os.getloadavg()[0]:.2f}: other work on the machine slows the wall clock):")
    for label, values in timings.items():
        print(f"  {label:22} {statistics.median(values):6.2f} s   ({', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
