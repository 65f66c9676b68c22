"""Official reports (domain Part B §6.2, §4.3): an area's tables for a year as one Excel workbook,
built by the Celery task with its progress, asked for and downloaded through the API and the admin.

The seeded story: seventeen households of communes A and B (and one of another province that must never count),
their status decisions by the chair over 2023-2026 and their surveys through the services; the figures of 2025
refreshed as of TODAY. What each household is at the start and the end of 2025, its move, the deprivations of its
latest survey by 31/12/2025 and its children under 16 are typed by hand in STORY; the tests only add them up and
compare them with the cells of the workbook, opened with openpyxl.
"""

import datetime
import io
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from config.errors import DomainError
from households import services as household_services
from households.models import AuditEntry, Household
from programs import tasks
from programs.models import CommuneYearFigures, JobStatus, ReportJob, ReportKind
from programs.reporting import reports as official_reports
from programs.reporting import services as statistics
from programs.reporting import tables as official_tables
from programs.reporting.services import report_jobs
from programs.review.documents import ascii_slug, unit_name
from programs.rules import INDICATOR_NAMES
from programs.standards import services as program_services
from tests.api_errors import field_errors
from tests.conftest import member_data

pytestmark = pytest.mark.django_db

D = datetime.date
P, N, X = "poor", "near_poor", "not_poor"
TODAY = D(2026, 11, 20)
YEAR = 2025
KNOWN_SINCE = datetime.datetime(2023, 1, 1, 3, 0, tzinfo=datetime.UTC)
REPORTS = "/api/v1/reports/"
ADMIN = "/admin/programs/reportjob/"
ANSWERED = ("employment", "water", "sanitation", "telecom", "information_access")  # the rest of VN-2022 is derived
GOOD_HOUSE = {
    "has_house": True,
    "floor_area_m2": "60",
    "foundation_frame_durable": True,
    "walls_durable": True,
    "roof_durable": True,
}
BAD_HOUSE = GOOD_HOUSE | {"walls_durable": False, "roof_durable": False}  # deprived in housing quality only
FLAG_GROUP = {
    "is_ethnic_minority": "minority",
    "no_labour_capacity": "no_labour",
    "has_revolutionary_contributor": "revolutionary",
    "has_social_protection_member": "social_protection",
    "is_female_headed": "female_head",
}


@dataclass(frozen=True)
class H:
    commune: str  # a, b or other (another province)
    decisions: tuple = ()  # (day, status)
    surveys: tuple = ()  # (day, review year, deprived, *causes of poverty ticked)
    children: tuple = ()  # birth dates
    hmong: bool = False  # the head's ethnicity (else Kinh)
    flags: tuple = ()
    village: bool = False
    registered: datetime.datetime = KNOWN_SINCE
    # typed by hand for 2025: status on 31/12/2024 (None: not yet known), on 31/12/2025, the moves of the year,
    # the deprivations of the latest survey by 31/12/2025 (None: no survey), children under 16 on 31/12/2025
    start: str | None = X
    end: str | None = X
    moves: tuple = ()  # (list, move)
    deprived: frozenset | None = None
    kids: int = 0
    causes: tuple = ()  # the causes of poverty of that survey (none ticked, or no survey: counted as "none")


def dep(*codes):
    return frozenset(codes)


STORY = {
    "a_poor": H("a", ((D(2024, 3, 1), P),),
                ((D(2025, 10, 1), 2025, dep("water", "sanitation", "telecom"), "capital", "land"),),
                (D(2015, 6, 1),), hmong=True, flags=("is_ethnic_minority",), village=True,
                start=P, end=P, deprived=dep("water", "sanitation", "telecom"), kids=1, causes=("land", "capital")),
    "a_escaped": H("a", ((D(2024, 3, 1), P), (D(2025, 6, 1), X)), start=P, end=X, moves=((P, "escaped"),)),
    "a_to_near": H("a", ((D(2024, 3, 1), P), (D(2025, 6, 1), N)),
                   ((D(2025, 5, 1), 2025, dep("housing_quality"), "illness"),),
                   (D(2012, 1, 1),), village=True, start=P, end=N, moves=((P, "to_near_poor"), (N, "from_poor")),
                   deprived=dep("housing_quality"), kids=1, causes=("illness",)),
    # surveyed again in 2026: the 2025 tables keep the 2024 survey
    "a_near_to_poor": H("a", ((D(2024, 3, 1), N), (D(2025, 7, 1), P)),
                        ((D(2024, 9, 1), 2024, dep("employment"), "tools"),
                         (D(2026, 3, 1), 2026, dep("water"), "land")),
                        flags=("no_labour_capacity",), start=N, end=P,
                        moves=((P, "from_near_poor"), (N, "to_poor")), deprived=dep("employment"), causes=("tools",)),
    # the second child is 16 on 31/12/2025: no longer a child
    "a_newly": H("a", ((D(2025, 8, 1), P),), children=(D(2010, 6, 1), D(2009, 12, 31)), start=X, end=P,
                 moves=((P, "newly"),), kids=1),
    "a_relapsed": H("a", ((D(2023, 3, 1), P), (D(2024, 6, 1), X), (D(2025, 9, 1), P)), flags=("is_female_headed",),
                    start=X, end=P, moves=((P, "relapsed"),)),
    "a_near": H("a", ((D(2024, 5, 1), N),), ((D(2025, 9, 15), 2025, dep("employment", "water"), "labour", "capital"),),
                flags=("has_revolutionary_contributor",), village=True, start=N, end=N,
                deprived=dep("employment", "water"), causes=("capital", "labour")),
    "a_newly_near": H("a", ((D(2025, 5, 1), N),), start=X, end=N, moves=((N, "newly"),)),
    "a_near_escaped": H("a", ((D(2024, 3, 1), N), (D(2025, 3, 1), X)), start=N, end=X, moves=((N, "escaped"),)),
    # never on a list: the cause its survey ticks never counts
    "a_never": H("a", surveys=((D(2025, 9, 1), 2025, dep(), "land"),)),
    "a_moved_in": H("a", ((D(2025, 4, 1), P),), registered=datetime.datetime(2025, 3, 1, 3, tzinfo=datetime.UTC),
                    start=None, end=P, moves=((P, "other_increase"),)),
    # escaped in 2026: still poor on 31/12/2025
    "a_escaped_2026": H("a", ((D(2024, 3, 1), P), (D(2026, 2, 1), X)), start=P, end=P),
    # registered in 2026: not in the 2025 tables at all
    "a_new_2026": H("a", ((D(2026, 3, 1), P),), registered=datetime.datetime(2026, 2, 1, 3, tzinfo=datetime.UTC),
                    start=None, end=None),
    "b_poor": H("b", ((D(2024, 3, 1), P),), ((D(2025, 10, 10), 2025, dep("information_access"), "other"),),
                (D(2020, 1, 1),), hmong=True, flags=("is_ethnic_minority",), village=True, start=P, end=P,
                deprived=dep("information_access"), kids=1, causes=("other",)),
    "b_near": H("b", ((D(2025, 3, 1), N),), flags=("has_social_protection_member",), start=X, end=N,
                moves=((N, "newly"),)),
    "b_never": H("b"),
    "elsewhere": H("other", ((D(2024, 3, 1), P),), start=P, end=P),
}  # fmt: skip
LISTS = (P, N)


def pct(part: int, whole: int) -> float | None:
    """A percentage with two decimals, halves up (computed here, not by the code under test)."""
    if not whole:
        return None
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def expected(communes: str) -> Counter:
    """The story's households of the communes, added up."""
    c: Counter = Counter()
    for h in STORY.values():
        if h.commune not in communes:
            continue
        for status in LISTS:
            c[f"{status}.start"] += h.start == status
        for status, move in h.moves:
            c[f"{status}.{move}"] += 1
        if h.end is None:
            continue
        c["households"] += 1
        c[h.end] += 1
        c[f"eth.{'08' if h.hmong else '01'}.households"] += 1
        c[f"eth.{'08' if h.hmong else '01'}.{h.end}"] += 1
        for flag in h.flags:
            c[f"group.{FLAG_GROUP[flag]}.households"] += 1
            c[f"group.{FLAG_GROUP[flag]}.{h.end}"] += 1
        if h.end in LISTS:
            c[f"children.{h.end}"] += h.kids
            for code in h.deprived or ():
                c[f"dep.{h.end}.{code}"] += 1
                c[f"child_dep.{code}"] += h.kids
            for code in h.causes or ("none",):
                c[f"cause.{h.end}.{code}"] += 1
    return c


def record_survey(officer, household, day, review_year, deprived, causes=()):
    assessment = program_services.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=day,
        review_year=review_year,
        income_per_capita=1_000_000,
        dwelling=BAD_HOUSE if "housing_quality" in deprived else GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers={code: code in deprived for code in ANSWERED},
        causes=list(causes),
        today=TODAY,
    )
    assert set(assessment.deprived) == deprived  # nothing derived from the members or the house by surprise
    assert set(assessment.causes) == set(causes)


def member(name, ethnicity, relation, born):
    age = (TODAY - born).days // 365
    schooling = "none" if relation == "head" else ("primary" if age < 16 else "upper_secondary")
    return member_data(
        name,
        ethnicity,
        relation,
        date_of_birth=born,
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=D(2030, 12, 31),
        education_level="upper_secondary",
        schooling=schooling,
    )


@pytest.fixture
def seeded(commune_a, commune_b, other_commune, village_a, village_b, admin_user, chair_a, officer_a, officer_b, kinh,
           hmong):  # fmt: skip
    """The story's households, their decisions and surveys, and the figures of 2025 refreshed as of TODAY."""
    communes = {"a": commune_a, "b": commune_b, "other": other_commune}
    villages = {"a": village_a, "b": village_b}
    officers = {"a": officer_a, "b": officer_b}
    made = {}
    for name, h in STORY.items():
        ethnicity = hmong if h.hmong else kinh
        members = [member(f"Chủ hộ {name}", ethnicity, "head", D(1980, 5, 17))]
        members += [member(f"Con {i} {name}", ethnicity, "child", born) for i, born in enumerate(h.children)]
        data = {"commune": communes[h.commune], **dict.fromkeys(h.flags, True)}
        if h.village:
            data["village"] = villages[h.commune]
        household = household_services.create_household(actor=admin_user, data=data, members=members)
        Household.objects.filter(pk=household.pk).update(created_at=h.registered)
        for day, review_year, deprived, *causes in h.surveys:
            record_survey(officers[h.commune], household, day, review_year, deprived, causes)
        for day, status in h.decisions:
            program_services.record_status_change(
                actor=chair_a if h.commune == "a" else admin_user,
                household_id=household.pk,
                to_status=status,
                effective_date=day,
                decision_number=f"{day.year}/QĐ-UBND",
                today=TODAY,
            )
        made[name] = Household.objects.select_related("commune", "village").get(pk=household.pk)
    statistics.refresh_figures(years=[YEAR], communes=[c.pk for c in communes.values()], today=TODAY)
    return made


@pytest.fixture
def figures(make_household, commune_a, commune_b, chair_a, admin_user):
    """For the tests of the job, the API and the admin: a poor household in each commune, the figures of 2025."""
    for commune, decider in ((commune_a, chair_a), (commune_b, admin_user)):
        household = make_household(commune, "Hộ nghèo")
        Household.objects.filter(pk=household.pk).update(created_at=KNOWN_SINCE)
        program_services.record_status_change(
            actor=decider, household_id=household.pk, to_status=P, effective_date=D(2024, 3, 1),
            decision_number="1/QĐ-UBND", today=TODAY,
        )  # fmt: skip
    statistics.refresh_figures(years=[YEAR], communes=[commune_a.pk, commune_b.pk], today=TODAY)


def build(user, area, kind, django_capture_on_commit_callbacks) -> ReportJob:
    """Ask for a report; the queued task runs (eagerly) when the request's transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        job = report_jobs.request_report(actor=user, area_id=area.pk, year=YEAR, kind=kind)
    job.refresh_from_db()
    return job


def sheets(job: ReportJob) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(bytes(job.content)), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def tables(rows: list[tuple]) -> list[list[tuple]]:
    """The tables of a sheet: from each header row (first cell "STT") to the first empty row, header excluded,
    cells trimmed to the header's width."""
    found, current = [], None
    for row in rows:
        if row and row[0] == "STT":
            width = len([v for v in row if v is not None])
            current = []
            found.append(current)
        elif current is not None and not any(v is not None for v in row):
            current = None
        elif current is not None:
            current.append(tuple(row[:width]))
    return found


def unit_rows(table: list[tuple], *areas) -> dict:
    """The values of a table's rows by commune code, the total under None, the other communes' under "others"."""
    codes = {area.code for area in areas}
    rows = {row[1]: row[3:] for row in table if row[0] is not None}
    (total,) = [row[3:] for row in table if row[0] is None and row[2] == "Tổng cộng"]
    others = [values for code, values in rows.items() if code not in codes]
    return {code: rows[code] for code in codes} | {None: total, "others": others}


@pytest.fixture
def province_book(seeded, province_staff, province, django_capture_on_commit_callbacks):
    job = build(province_staff, province, ReportKind.ALL, django_capture_on_commit_callbacks)
    assert (job.status, job.progress, job.message) == (JobStatus.DONE, 100, "Đã lập xong."), job.message
    return sheets(job)


# --- the numbers of each table -----------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_table_with_its_heading(province_book):
    names = ["Tổng hợp", "Diễn biến", "Thiếu hụt", "Nhóm đối tượng", "Dân tộc", "Nguyên nhân nghèo", "Trẻ em",
             "Danh sách chi tiết"]  # fmt: skip
    assert list(province_book) == names
    for kind, (name, rows) in zip(official_reports.TABLES, province_book.items(), strict=True):
        text = [row[0] for row in rows[:10] if row and isinstance(row[0], str)]
        assert f"{ReportKind(kind).label.upper()} NĂM 2025" in text, name
        assert "ỦY BAN NHÂN DÂN TỈNH LÀO CAI" in text, name
        assert "Địa bàn: Tỉnh Lào Cai — Tình trạng ngày 31/12/2025" in text, name
        assert any(line.startswith(f"Ngày lập: {timezone.localdate():%d/%m/%Y}") for line in text), name
    assert "Tài liệu có thông tin cá nhân" in province_book["Danh sách chi tiết"][7][0]


def summary_values(c: Counter) -> tuple:
    h, p, n = c["households"], c[P], c[N]
    mh, mp, mn = (c[f"group.minority.{k}"] for k in ("households", P, N))
    return (h, p, pct(p, h), n, pct(n, h), pct(p + n, h), mh, mp, pct(mp, mh), mn, pct(mn, mh))


def test_the_summary_has_a_row_per_commune_and_the_total(province_book, commune_a, commune_b):
    (table,) = tables(province_book["Tổng hợp"])
    rows = unit_rows(table, commune_a, commune_b)
    assert rows[commune_a.code] == summary_values(expected("a"))
    assert rows[commune_b.code] == summary_values(expected("b"))
    assert rows[None] == summary_values(expected("ab"))
    assert rows[commune_a.code][:4] == (12, 6, 50.0, 3)  # the story in numbers: 12 households, 6 poor, 3 near-poor
    assert rows[None][:2] == (15, 7)  # the household of another province never counts
    assert rows["others"] and all(not any(r for r in row if r) for row in rows["others"])  # the other communes: 0


DECREASES = {P: ("to_near_poor", "escaped", "other_decrease"), N: ("to_poor", "escaped", "other_decrease")}
INCREASES = {
    P: ("from_near_poor", "relapsed", "newly", "other_increase"),
    N: ("from_poor", "relapsed", "newly", "other_increase"),
}


def movement_values(c: Counter, status: str) -> tuple:
    decreases = [c[f"{status}.{k}"] for k in DECREASES[status]]
    increases = [c[f"{status}.{k}"] for k in INCREASES[status]]
    return (c[f"{status}.start"], *decreases, sum(decreases), *increases, sum(increases), c[status], "Khớp")


def test_the_movement_rows_balance_and_name_each_move(province_book, commune_a, commune_b):
    poor, near = tables(province_book["Diễn biến"])
    for status, table in ((P, poor), (N, near)):
        rows = unit_rows(table, commune_a, commune_b)
        for key, communes in ((commune_a.code, "a"), (commune_b.code, "b"), (None, "ab")):
            assert rows[key] == movement_values(expected(communes), status), (status, key)
        for row in [rows[commune_a.code], rows[commune_b.code], rows[None], *rows["others"]]:
            start, decreases, increases, end = row[0], row[1:4], row[5:9], row[10]
            assert (sum(decreases), sum(increases)) == (row[4], row[9])
            assert start - sum(decreases) + sum(increases) == end
            assert row[11] == "Khớp"
    assert unit_rows(poor, commune_a)[commune_a.code][:11] == (4, 1, 1, 0, 2, 1, 1, 1, 1, 4, 6)
    assert unit_rows(near, commune_a)[commune_a.code][:11] == (3, 1, 1, 0, 2, 1, 0, 1, 0, 2, 3)


def test_the_deprivation_analysis_counts_the_latest_survey_by_the_end_of_the_year(province_book):
    (table,) = tables(province_book["Thiếu hụt"])
    c = expected("ab")
    by_name = {row[1]: row[2:] for row in table}
    assert len(by_name) == 12  # the indicators of the standard of 2025 (VN-2022)
    for code in ("employment", "water", "sanitation", "telecom", "housing_quality", "information_access", "nutrition"):
        p, n = c[f"dep.{P}.{code}"], c[f"dep.{N}.{code}"]
        name = INDICATOR_NAMES[code][:1].upper() + INDICATOR_NAMES[code][1:]
        assert by_name[name] == (p, pct(p, c[P]), n, pct(n, c[N]), p + n, pct(p + n, c[P] + c[N])), code
    assert by_name["Việc làm"][:3:2] == (1, 1)  # the 2026 survey of a_near_to_poor does not count for 2025


def test_the_target_groups_and_each_commune(province_book, commune_a, commune_b):
    overall, per_commune = tables(province_book["Nhóm đối tượng"])
    c = expected("ab")
    assert overall[0] == ("A", "Toàn địa bàn", c["households"], c[P], pct(c[P], c["households"]), None, c[N],
                          pct(c[N], c["households"]), None)  # fmt: skip
    groups = ("minority", "no_labour", "revolutionary", "social_protection", "female_head")
    for row, group in zip(overall[1:], groups, strict=True):
        h, p, n = (c[f"group.{group}.{k}"] for k in ("households", P, N))
        assert row[2:] == (h, p, pct(p, h), pct(p, c[P]), n, pct(n, h), pct(n, c[N])), group
    rows = unit_rows(per_commune, commune_a, commune_b)
    for key, communes in ((commune_a.code, "a"), (commune_b.code, "b"), (None, "ab")):
        e = expected(communes)
        assert rows[key] == tuple(e[f"group.{g}.{s}"] for s in LISTS for g in groups), key


def test_the_ethnicities_of_the_heads(province_book, kinh, hmong):
    (table,) = tables(province_book["Dân tộc"])
    c = expected("ab")

    def values(code):
        h, p, n = (c[f"eth.{code}.{k}"] for k in ("households", P, N))
        return (h, p, pct(p, h), pct(p, c[P]), n, pct(n, h), pct(n, c[N]))

    assert table[0] == (1, "01", kinh.name, *values("01"))
    assert table[1] == (2, "08", hmong.name, *values("08"))
    assert table[2][2:] == ("Tổng cộng", c["households"], c[P], pct(c[P], c["households"]), 100.0, c[N],
                            pct(c[N], c["households"]), 100.0)  # fmt: skip


CAUSES = ("land", "capital", "labour", "tools", "know_how", "skills", "illness", "other")  # the report's order
CAUSE_NAMES = ("Thiếu đất sản xuất", "Thiếu vốn sản xuất, kinh doanh", "Thiếu lao động", "Thiếu phương tiện sản xuất",
               "Thiếu kiến thức về sản xuất", "Thiếu kỹ năng lao động, tay nghề", "Có người ốm đau, bệnh nặng, tai nạn",
               "Nguyên nhân khác", "Chưa ghi nguyên nhân")  # fmt: skip


def cause_values(c: Counter, status: str) -> tuple:
    return (c[status], *(c[f"cause.{status}.{code}"] for code in (*CAUSES, "none")))


def test_the_causes_of_poverty_of_the_area_and_each_commune(province_book, commune_a, commune_b):
    rows = province_book["Nguyên nhân nghèo"]
    overall, poor, near = tables(rows)
    c = expected("ab")
    assert [row[:2] for row in overall] == list(enumerate(CAUSE_NAMES, start=1))
    for row, code in zip(overall, (*CAUSES, "none"), strict=True):
        p, n = c[f"cause.{P}.{code}"], c[f"cause.{N}.{code}"]
        assert row[2:] == (p, pct(p, c[P]), n, pct(n, c[N])), code
    # the story in numbers: 7 poor, of whom 4 without a cause; 4 near-poor; a_never's cause is not counted
    assert [row[2] for row in overall] == [1, 1, 0, 1, 0, 0, 0, 1, 4]
    assert [row[4] for row in overall] == [0, 1, 1, 0, 0, 0, 1, 0, 2]
    for status, table in ((P, poor), (N, near)):
        by_unit = unit_rows(table, commune_a, commune_b)
        for key, communes in ((commune_a.code, "a"), (commune_b.code, "b"), (None, "ab")):
            assert by_unit[key] == cause_values(expected(communes), status), (status, key)
        assert all(not any(row) for row in by_unit["others"])
    assert unit_rows(poor, commune_a)[commune_a.code] == (6, 1, 1, 0, 1, 0, 0, 0, 0, 4)
    notes = [row[0] for row in rows if row and isinstance(row[0], str)]
    assert "Tổng số hộ nghèo: 7; tổng số hộ cận nghèo: 4." in notes
    assert any("Một hộ có thể có nhiều nguyên nhân nghèo nên cộng các cột" in note for note in notes)
    assert not any(note.startswith("Lưu ý") for note in notes)


def test_figures_computed_before_causes_were_recorded_are_named_in_a_note(
    figures, province_staff, province, commune_a, commune_b, django_capture_on_commit_callbacks
):
    row = CommuneYearFigures.objects.get(commune=commune_b, year=YEAR)
    row.counts = {key: value for key, value in row.counts.items() if not key.startswith("cause.")}
    row.save()
    job = build(province_staff, province, ReportKind.CAUSE, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.message
    assert job.filename == f"bao-cao-nguyen-nhan-ngheo-{ascii_slug(unit_name(province))}-2025.xlsx"
    book = sheets(job)
    assert list(book) == ["Nguyên nhân nghèo"]
    _, poor, _ = tables(book["Nguyên nhân nghèo"])
    by_unit = unit_rows(poor, commune_a, commune_b)
    assert by_unit[commune_a.code] == (1, *[0] * len(CAUSES), 1)  # a poor household never surveyed
    assert by_unit[commune_b.code] == (1, *[0] * len(CAUSES), 0)  # a missing key reads as 0
    notes = [r[0] for r in book["Nguyên nhân nghèo"] if r and isinstance(r[0], str) and r[0].startswith("Lưu ý")]
    assert notes == [
        f"Lưu ý: số liệu của 1 đơn vị ({unit_name(commune_b)}) được tính trước khi ghi nguyên nhân nghèo; "
        "cần tính lại số liệu để có nguyên nhân của các hộ đó."
    ]


def test_the_childrens_deprivations(province_book):
    counts, per_indicator = tables(province_book["Trẻ em"])
    c = expected("ab")
    assert counts == [(1, "Hộ nghèo", c["children.poor"]), (2, "Hộ cận nghèo", c["children.near_poor"]),
                      (None, "Cộng", c["children.poor"] + c["children.near_poor"])]  # fmt: skip
    assert (c["children.poor"], c["children.near_poor"]) == (3, 1)
    children = c["children.poor"] + c["children.near_poor"]
    by_name = {row[1]: row[2:] for row in per_indicator}
    for code in ("water", "sanitation", "housing_quality", "information_access", "employment"):
        name = INDICATOR_NAMES[code][:1].upper() + INDICATOR_NAMES[code][1:]
        assert by_name[name] == (c[f"child_dep.{code}"], pct(c[f"child_dep.{code}"], children)), code


def test_the_detailed_list_has_exactly_the_listed_households(province_book, seeded, kinh, hmong):
    poor_rows, near_rows = tables(province_book["Danh sách chi tiết"])
    for status, label, rows in ((P, "Hộ nghèo", poor_rows), (N, "Hộ cận nghèo", near_rows)):
        names = sorted((n for n, h in STORY.items() if h.commune in "ab" and h.end == status),
                       key=lambda n: (seeded[n].commune.path, seeded[n].village.code if seeded[n].village else "",
                                      seeded[n].code))  # fmt: skip
        assert [row[1] for row in rows] == [seeded[n].code for n in names]
        assert [row[0] for row in rows] == list(range(1, len(names) + 1))
        for row, name in zip(rows, names, strict=True):
            h, household = STORY[name], seeded[name]
            since = max(day for day, _ in h.decisions if day <= D(YEAR, 12, 31))
            flags = tuple("x" if flag in h.flags else None for flag in FLAG_GROUP)
            village = household.village.name if household.village else None
            assert row[2:6] == (f"Chủ hộ {name}", village, unit_name(household.commune), label), name
            assert row[6].date() == since, name
            assert (row[7], row[8:13]) == ((hmong if h.hmong else kinh).name, flags), name
            if h.deprived is None:
                assert row[13:] == (None, "(chưa có phiếu khảo sát)"), name
            else:
                written = set(row[14].split(", "))
                assert written == {INDICATOR_NAMES[c][:1].upper() + INDICATOR_NAMES[c][1:] for c in h.deprived}
                assert row[13] == len(h.deprived)
    total = [row[0] for row in province_book["Danh sách chi tiết"] if row and str(row[0]).startswith("Tổng số")]
    assert total == ["Tổng số: 7 hộ nghèo, 4 hộ cận nghèo."]


def test_a_commune_report_has_the_communes_own_row(seeded, officer_a, commune_a, django_capture_on_commit_callbacks):
    job = build(officer_a, commune_a, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    book = sheets(job)
    assert list(book) == ["Tổng hợp"]
    (table,) = tables(book["Tổng hợp"])
    assert [row[1] for row in table] == [commune_a.code, None]
    assert table[0][3:] == table[1][3:] == summary_values(expected("a"))
    assert job.filename == f"bao-cao-tong-hop-{ascii_slug(unit_name(commune_a))}-2025.xlsx"


def test_a_district_list_holds_its_communes_households_only(seeded, district_staff, district,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    job = build(district_staff, district, ReportKind.DETAILED_LIST, django_capture_on_commit_callbacks)
    poor_rows, near_rows = tables(sheets(job)["Danh sách chi tiết"])
    listed = {row[1] for row in poor_rows + near_rows}
    assert listed == {seeded[n].code for n, h in STORY.items() if h.commune == "a" and h.end in LISTS}


# --- the job: queued, built by the task with its progress, failed with a message -----------------------------


def test_the_job_is_queued_then_built_by_the_task(seeded, province_staff, province, monkeypatch,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    saved = []
    real = report_jobs.Progress.report

    def watch(self, kind, fraction, message):
        real(self, kind, fraction, message)
        saved.append(ReportJob.objects.values_list("status", "progress", "message").get(pk=self.job.pk))

    monkeypatch.setattr(report_jobs.Progress, "report", watch)
    with django_capture_on_commit_callbacks() as queued:
        job = report_jobs.request_report(actor=province_staff, area_id=province.pk, year=YEAR, kind="all")
    job.refresh_from_db()
    assert (job.status, job.progress, job.content, job.requested_by) == (JobStatus.QUEUED, 0, None, province_staff)
    assert len(queued) == 1 and not saved
    queued[0]()
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert job.filename == "bao-cao-tat-ca-cac-bieu-tinh-lao-cai-2025.xlsx"
    assert job.started_at <= job.finished_at
    progress = [p for status, p, _ in saved]
    assert {status for status, _, _ in saved} == {JobStatus.RUNNING}
    assert progress == sorted(progress) and progress[0] == 0 and 0 < max(progress) < 100
    assert any(message.startswith("Danh sách chi tiết: ") for _, _, message in saved)
    # a second delivery of the task builds nothing
    content, finished = bytes(job.content), job.finished_at
    assert tasks.build_report(job.pk) == {"job": job.pk, "status": JobStatus.DONE}
    job.refresh_from_db()
    assert (bytes(job.content), job.finished_at) == (content, finished)


def test_asking_twice_for_a_waiting_report_gives_the_same_job(figures, officer_a, commune_a):
    first = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="movement")
    again = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="movement")
    other = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="summary")
    assert again.pk == first.pk != other.pk


def test_a_failing_build_marks_the_job_failed_with_a_message(figures, officer_a, commune_a, monkeypatch,
                                                             django_capture_on_commit_callbacks):  # fmt: skip
    def broken(ctx):
        raise ZeroDivisionError

    monkeypatch.setitem(official_tables.BUILDERS, ReportKind.MOVEMENT, broken)
    job = build(officer_a, commune_a, ReportKind.ALL, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == "Không lập được báo cáo do lỗi hệ thống; hãy yêu cầu lập lại hoặc báo quản trị chương trình."
    assert job.content is None and job.finished_at is not None and job.progress < 100


def test_a_database_error_fails_the_job_and_is_raised_for_the_retry(figures, officer_a, commune_a, monkeypatch):
    job = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="summary")

    def broken(ctx):
        raise DatabaseError("connection lost")

    monkeypatch.setitem(official_tables.BUILDERS, ReportKind.SUMMARY, broken)
    with pytest.raises(DatabaseError):
        report_jobs.build_report(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "tự thử lại" in job.message
    monkeypatch.undo()
    report_jobs.build_report(job.pk)  # the retry builds it
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)


def test_a_job_left_running_or_never_picked_up_is_marked_failed(figures, officer_a, commune_a):
    now = datetime.datetime(2026, 11, 20, 8, 0, tzinfo=datetime.UTC)
    running = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="summary")
    queued = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="movement")
    fresh = report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=YEAR, kind="children")
    two_hours_ago = now - datetime.timedelta(hours=2)
    ReportJob.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, started_at=two_hours_ago)
    ReportJob.objects.filter(pk=queued.pk).update(created_at=now - datetime.timedelta(days=2))
    ReportJob.objects.filter(pk=fresh.pk).update(created_at=now - datetime.timedelta(minutes=5))
    assert report_jobs.expire_stale_jobs(now) == 2
    states = dict(ReportJob.objects.values_list("pk", "status"))
    assert states == {running.pk: JobStatus.FAILED, queued.pk: JobStatus.FAILED, fresh.pk: JobStatus.QUEUED}
    assert ReportJob.objects.get(pk=running.pk).message == "Quá thời gian lập báo cáo; hãy yêu cầu lập lại."


@pytest.mark.parametrize(
    ("who", "area", "year", "kind", "field", "code"),
    [
        ("officer_a", "commune_b", YEAR, "summary", "area", "out_of_scope"),
        ("district_staff", "commune_b", YEAR, "summary", "area", "out_of_scope"),
        ("province_staff", "village_a", YEAR, "summary", "area", "invalid_level"),
        ("officer_a", "commune_a", 2020, "summary", "year", "invalid_year"),
        ("officer_a", "commune_a", 2099, "summary", "year", "invalid_year"),
        ("officer_a", "commune_a", 2024, "summary", "year", "no_figures"),
        ("officer_a", "commune_a", YEAR, "by_cause", "kind", "invalid_kind"),
        ("outsider", "commune_a", YEAR, "summary", "actor", "no_right"),
    ],
)
def test_a_report_that_cannot_be_made_is_refused_naming_the_field(figures, persona, who, area, year, kind, field, code):
    with pytest.raises(DomainError) as refused:
        report_jobs.request_report(actor=persona(who), area_id=persona(area).pk, year=year, kind=kind)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not ReportJob.objects.exists()


# --- the API -----------------------------------------------------------------------------------------------------


def test_the_api_queues_a_report_answers_202_and_serves_it_when_done(seeded, api, province_staff, province,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    client = api(province_staff)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(REPORTS, {"area": province.pk, "year": YEAR, "kind": "detailed_list"}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    job_url = f"http://testserver{REPORTS}{body['id']}/"
    assert response["Location"] == body["url"] == job_url
    assert body["area"] == {"id": province.pk, "code": province.code, "name": province.name}
    assert (body["year"], body["kind"], body["status"], body["progress"], body["download_url"]) == (
        YEAR, "detailed_list", "queued", 0, None)  # fmt: skip
    assert client.get(f"{job_url}download/").status_code == 409
    assert client.get(job_url).json()["status"] == "queued"
    for callback in queued:
        callback()
    status = client.get(job_url).json()
    assert (status["status"], status["progress"], status["message"]) == ("done", 100, "Đã lập xong.")
    assert status["download_url"] == f"{job_url}download/"
    before = AuditEntry.objects.filter(action="programs.report.downloaded").count()
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == official_reports.XLSX_TYPE
    assert download["Content-Disposition"] == 'attachment; filename="bao-cao-danh-sach-chi-tiet-tinh-lao-cai-2025.xlsx"'
    assert "no-store" in download["Cache-Control"]
    rows = tables(sheets(ReportJob.objects.get(pk=body["id"]))["Danh sách chi tiết"])
    assert load_workbook(io.BytesIO(download.content), read_only=True).sheetnames == ["Danh sách chi tiết"]
    assert sum(len(t) for t in rows) == 11
    entry = AuditEntry.objects.filter(action="programs.report.downloaded").latest("id")
    assert AuditEntry.objects.filter(action="programs.report.downloaded").count() == before + 1
    assert (entry.actor, entry.object_id) == (province_staff, str(body["id"]))
    assert entry.changes["personal_data"] == [None, True] and entry.changes["kind"] == [None, "detailed_list"]


def test_every_download_is_audited(figures, api, officer_a, commune_a, django_capture_on_commit_callbacks):
    job = build(officer_a, commune_a, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    client = api(officer_a)
    for _ in range(2):
        assert client.get(f"{REPORTS}{job.pk}/download/").status_code == 200
    entries = AuditEntry.objects.filter(action="programs.report.downloaded", object_id=str(job.pk))
    assert [e.changes["personal_data"] for e in entries] == [[None, False]] * 2
    assert AuditEntry.objects.filter(action="programs.report.requested", object_id=str(job.pk)).count() == 1


def test_each_user_sees_only_her_own_reports(figures, api, officer_a, chair_a, commune_a,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    mine = build(officer_a, commune_a, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    theirs = build(chair_a, commune_a, ReportKind.SUMMARY, django_capture_on_commit_callbacks)
    listed = api(officer_a).get(REPORTS).json()
    assert [job["id"] for job in listed["results"]] == [mine.pk]
    for url in (f"{REPORTS}{theirs.pk}/", f"{REPORTS}{theirs.pk}/download/"):
        assert api(officer_a).get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="programs.report.downloaded").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"year": YEAR, "kind": "summary"}, "area"),
        ({"area": "x", "year": YEAR, "kind": "summary"}, "area"),
        ({"area": "commune_b", "year": YEAR, "kind": "summary"}, "area"),
        ({"area": "village_a", "year": YEAR, "kind": "summary"}, "area"),
        ({"area": 987654321, "year": YEAR, "kind": "summary"}, "area"),
        ({"area": "commune_a", "year": "năm", "kind": "summary"}, "year"),
        ({"area": "commune_a", "year": 2019, "kind": "summary"}, "year"),
        ({"area": "commune_a", "year": YEAR, "kind": "by_cause"}, "kind"),
        ({"area": "commune_a", "year": YEAR}, "kind"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(figures, api, persona, officer_a, data, field):
    data = {k: persona(v).pk if isinstance(v, str) and v.startswith(("commune_", "village_")) else v
            for k, v in data.items()}  # fmt: skip
    response = api(officer_a).post(REPORTS, data, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("officer_a", "commune_a", 202),
        ("chair_a", "commune_a", 202),
        ("district_staff", "district", 202),
        ("province_staff", "province", 202),
        ("admin_user", "commune_b", 202),
        ("officer_b", "commune_a", 400),
        ("outsider", "commune_a", 403),
    ],
)
def test_who_may_ask_for_a_report(figures, api, persona, who, area, status):
    response = api(persona(who)).post(REPORTS, {"area": persona(area).pk, "year": YEAR, "kind": "all"}, format="json")
    assert response.status_code == status, response.content
    listing = api(persona(who)).get(REPORTS)
    assert listing.status_code == (403 if who == "outsider" else 200)


def test_anonymous_callers_are_refused(api):
    assert api(None).get(REPORTS).status_code in (401, 403)
    assert api(None).post(REPORTS, {}, format="json").status_code in (401, 403)


# --- the admin ---------------------------------------------------------------------------------------------------


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_asks_for_a_report_shows_its_progress_and_its_file(figures, officer_a, commune_a,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    client = admin_client(officer_a)
    page = client.get(f"{ADMIN}add/")
    assert page.status_code == 200
    assert "Báo cáo chính thức" in page.content.decode() or "báo cáo chính thức" in page.content.decode()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(f"{ADMIN}add/", {"area": commune_a.pk, "year": YEAR, "kind": "all"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{ADMIN}{job.pk}/change/"
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting and "Đang chờ" in waiting
    assert "download/" not in waiting
    for callback in queued:
        callback()
    done = client.get(f"{ADMIN}{job.pk}/change/").content.decode()
    assert 'http-equiv="refresh"' not in done
    assert f"{ADMIN}{job.pk}/download/" in done and "100 %" in done and "ghi nhật ký" in done
    listing = client.get(ADMIN).content.decode()
    assert f"{ADMIN}{job.pk}/download/" in listing
    download = client.get(f"{ADMIN}{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == official_reports.XLSX_TYPE
    assert load_workbook(io.BytesIO(download.content), read_only=True).sheetnames[-1] == "Danh sách chi tiết"
    entry = AuditEntry.objects.filter(action="programs.report.downloaded").get()
    assert (entry.actor, entry.object_id, entry.changes["personal_data"]) == (officer_a, str(job.pk), [None, True])


def test_the_admin_refuses_an_area_out_of_scope_and_a_year_without_figures(figures, officer_a, commune_b, commune_a):
    client = admin_client(officer_a)
    page = client.post(f"{ADMIN}add/", {"area": commune_b.pk, "year": YEAR, "kind": "summary"})
    assert page.status_code == 200 and "nằm ngoài địa bàn bạn phụ trách" in page.content.decode()
    page = client.post(f"{ADMIN}add/", {"area": commune_a.pk, "year": 2024, "kind": "summary"})
    assert page.status_code == 200 and "Chưa có số liệu năm 2024" in page.content.decode()
    assert not ReportJob.objects.exists()


def test_the_admin_hides_the_reports_of_others_and_a_download_before_it_is_done(figures, officer_a, chair_a,
                                                                                commune_a):  # fmt: skip
    theirs = report_jobs.request_report(actor=chair_a, area_id=commune_a.pk, year=YEAR, kind="summary")
    client = admin_client(officer_a)
    assert client.get(f"{ADMIN}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{ADMIN}{theirs.pk}/download/").status_code == 404
    assert f"{ADMIN}{theirs.pk}/change/" not in client.get(ADMIN).content.decode()
    waiting = admin_client(chair_a).get(f"{ADMIN}{theirs.pk}/download/")
    assert waiting.status_code == 302 and waiting["Location"] == f"{ADMIN}{theirs.pk}/change/"
    assert not AuditEntry.objects.filter(action="programs.report.downloaded").exists()


def test_the_admin_page_is_for_those_who_see_statistics(outsider):
    outsider.is_staff = True
    outsider.save()
    assert admin_client(outsider).get(ADMIN).status_code == 403
