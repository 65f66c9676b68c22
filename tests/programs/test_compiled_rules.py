"""The standard compiled into SQL (programs/standards/compiled.py) against the Python rules, its reference.

The same random surveys (members of every age, born on 29 February or after the survey, facts missing, answers and
confirmations of any subset, disagreements, income around the lines or Point A around the thresholds, rural or
urban) are classified by PostgreSQL and by `reclassify.evaluate_row` under each seeded standard: the same
derivations, disagreements, deprivations, category, reasons and refusals. Then a small province is reclassified by
both paths and every field of the new assessments compared.
"""

import contextlib
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from households.models import Area, AuditEntry, Household
from programs import rules
from programs.models import Assessment
from programs.standards import compiled, selectors, services
from programs.standards.services import parts, reclassify

CODES = ("VN-2016", "VN-2022", "VN-2027")
SCHOOLING = ("none", "preschool", "primary", "lower_secondary", "upper_secondary", "vocational", "higher")
EDUCATION = ("none", "primary", "lower_secondary", "upper_secondary", "vocational", "higher")
DWELLING = ("has_house", "foundation_frame_durable", "walls_durable", "roof_durable")
# Around every line and threshold of the seeded standards (≤ is inclusive), and far from them.
INCOMES = sorted(
    {v + d for v in (700_000, 900_000, 1_000_000, 1_300_000, 1_500_000, 2_000_000, 2_200_000) for d in (-1, 0, 1)}
    | {v + d for v in (2_250_000, 2_800_000, 3_000_000) for d in (-1, 0, 1)}
    | {0, 1, 123_456, 10_000_000, rules.MAX_INCOME, rules.MAX_INCOME + 1}
)
POINTS_A = sorted({v + d for v in (140, 175) for d in (-1, 0, 1)} | {0, 1, 90, 300, rules.MAX_POINT_A + 1})


@st.composite
def birth(draw, survey_date):
    """A date of birth at an age that matters (a birthday on the day, the day before or after), on 29 February, or
    after the survey (not a member on that day)."""
    kind = draw(st.sampled_from(["age", "age", "age", "feb29", "after"]))
    if kind == "after":
        return survey_date + datetime.timedelta(days=draw(st.integers(1, 400)))
    if kind == "feb29":
        return datetime.date(draw(st.sampled_from(range(1932, 2028, 4))), 2, 29)
    age = draw(st.sampled_from([0, 2, 3, 5, 6, 15, 16, 17, 18, 29, 30, 31, 59, 60, 75]))
    year = survey_date.year - age
    day = (
        survey_date.replace(year=year) if (survey_date.month, survey_date.day) != (2, 29) else datetime.date(year, 3, 1)
    )
    return day + datetime.timedelta(days=draw(st.sampled_from([-1, 0, 1, 0, 40, -40])))


@st.composite
def member(draw, survey_date):
    facts = {
        "member": draw(st.integers(1, 10_000)),
        "full_name": "Thành viên",
        "date_of_birth": draw(birth(survey_date)).isoformat(),
        "has_valid_health_insurance": draw(st.booleans()),
        "schooling": draw(st.sampled_from(SCHOOLING)),
        "education_level": draw(st.sampled_from(EDUCATION)),
        "receives_disability_allowance": draw(st.booleans()),
    }
    for name in ("stunted", "underweight"):
        value = draw(st.sampled_from([True, False, False, None, "absent"]))
        if value != "absent":
            facts[name] = value
    return facts


@st.composite
def survey(draw, pk):
    survey_date = draw(
        st.one_of(
            st.dates(datetime.date(2016, 1, 1), datetime.date(2030, 12, 31)),
            st.sampled_from([datetime.date(2024, 2, 29), datetime.date(2025, 2, 28), datetime.date(2025, 3, 1)]),
        )
    )
    dwelling = {
        name: draw(st.sampled_from([True, False, None]))
        for name in DWELLING
        if draw(st.booleans()) or name == "has_house"
    }
    area = draw(st.sampled_from([None, "0", "7.99", "8", "15.5", 24, 40.25, "64", "100", 250]))
    if area is not None:
        dwelling["floor_area_m2"] = area
    codes = list(rules.INDICATOR_NAMES)
    answered = draw(st.lists(st.sampled_from(codes), unique=True))
    # mostly the answers an officer confirmed (a disagreement settled), sometimes others
    confirmed = draw(st.lists(st.sampled_from(answered), unique=True)) if answered and draw(st.booleans()) else []
    others = [c for c in codes if c not in confirmed]
    confirmed += draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
    path = draw(st.sampled_from(["income"] * 12 + ["point_a"] * 5 + ["both", "none"]))
    return {
        "id": pk,
        "survey_date": survey_date,
        "area_type": draw(st.sampled_from(["rural", "urban"] * 6 + ["ven biển"])),
        "income_per_capita": draw(st.sampled_from(INCOMES)) if path in ("income", "both") else None,
        "point_a": draw(st.sampled_from(POINTS_A)) if path in ("point_a", "both") else None,
        "dwelling": dwelling,
        "member_facts": draw(st.lists(member(survey_date), max_size=7)),
        "answers": {code: draw(st.sampled_from([True, False, None])) for code in answered},
        "confirmed": {code: draw(st.booleans()) for code in confirmed},
    }


def in_sql(standard: rules.Standard, rows: list[dict]) -> dict[int, dict]:
    """The compiled standard run by PostgreSQL over these surveys (no table: a record set of the same columns)."""
    source = json.dumps(rows, default=str)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH src AS (SELECT * FROM jsonb_to_recordset(%s::jsonb) AS a(id bigint, survey_date date, area_type text,"
            " income_per_capita bigint, point_a bigint, dwelling jsonb, member_facts jsonb, answers jsonb,"
            f" confirmed jsonb)) {compiled.classification(standard)}",
            [source],
        )
        names = [column.name for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in found:
        for name in ("new_derived", "new_disagreements", "new_deprived", "new_reasons"):
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
    return {row["id"]: row for row in found}


def same_results(standard: rules.Standard, rows: list[dict]) -> list[str]:
    """Both paths agree on every survey; what came out (for hypothesis' statistics)."""
    by_sql = in_sql(standard, rows)
    outcomes = []
    for row in rows:
        # the reference reads the row as the batch does: JSON decoded, so an area is a str, an int or a float
        reference = reclassify.evaluate_row(
            standard, json.loads(json.dumps(row, default=str)) | {"survey_date": row["survey_date"]}
        )
        got = by_sql[row["id"]]
        outcomes.append(got["skip"][:30] if got["skip"] else f"{got['new_category']} {bool(got['new_disagreements'])}")
        if isinstance(reference, str):
            assert got["skip"] == reference, (standard.code, row)
            continue
        assert got["skip"] is None, (standard.code, got["skip"], row)
        expected = {
            "new_derived": reference.derived,
            "new_disagreements": services.disagreement_rows(reference.reconciled),
            "new_deprived": list(reference.result.deprived),
            "new_deprivation_count": reference.result.deprivation_count,
            "new_point_b": reference.result.point_b,
            "new_income_line": reference.result.income_line,
            "new_category": reference.result.category.value,
            "new_reasons": list(reference.result.reasons),
            "filled": reference.filled,
        }
        assert {name: got[name] for name in expected} == expected, (standard.code, row)
    return outcomes


@pytest.fixture
def standards(db):
    return [selectors.standard_rule(code) for code in CODES]


BORN_ON_29_FEBRUARY = {
    "id": 1,
    "survey_date": datetime.date(2025, 2, 28),
    "area_type": "rural",
    "income_per_capita": 1_500_000,
    "point_a": None,
    "dwelling": {"has_house": True, "floor_area_m2": "15.5", "walls_durable": False, "roof_durable": None},
    "member_facts": [
        {
            "member": 1,
            "full_name": "Trẻ",
            "date_of_birth": "2008-02-29",  # 16 on 1 March 2025, a child on the 28th
            "has_valid_health_insurance": True,
            "schooling": "none",
            "education_level": "primary",
            "receives_disability_allowance": False,
            "stunted": None,
        },
        {
            "member": 2,
            "full_name": "Người lớn",
            "date_of_birth": "1965-02-28",  # 60 that day
            "has_valid_health_insurance": False,
            "schooling": "none",
            "education_level": "none",
            "receives_disability_allowance": False,
        },
    ],
    "answers": {"employment": True, "health_insurance": False, "water": None},
    "confirmed": {"employment": False},
}


@pytest.mark.django_db
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.integers(1, 10**6), min_size=1, max_size=4, unique=True).flatmap(
        lambda ids: st.tuples(*(survey(pk) for pk in ids))
    )
)
@example(rows=(BORN_ON_29_FEBRUARY,))
def test_the_compiled_standard_classifies_as_the_python_rules(standards, rows):
    for standard in standards:
        for outcome in same_results(standard, list(rows)):
            event(outcome)


@pytest.mark.django_db
def test_the_standards_data_is_what_the_query_reads(standards):
    """Another line, another query: nothing of a standard is written into the compiler."""
    vn2027 = standards[2]
    moved = rules.Standard(
        **{**vn2027.__dict__, "poor_line": {rules.AreaType.RURAL: 1_234_567, rules.AreaType.URBAN: 7}}
    )
    row = {**BORN_ON_29_FEBRUARY, "income_per_capita": 1_234_567}
    assert in_sql(moved, [row])[1]["new_income_line"] == 1_234_567
    assert in_sql(vn2027, [row])[1]["new_income_line"] == 2_200_000
    same_results(moved, [row])


def written() -> tuple[dict[int, dict], set[tuple]]:
    """Every field of the current assessments by household, and the reclassification's audit entries (ids and times
    aside: the sequence and the clock differ from run to run)."""
    assessments = {
        row["household_id"]: {k: v for k, v in row.items() if k not in ("id", "recorded_at")}
        for row in Assessment.objects.filter(is_current=True).values()
    }
    superseded = dict(
        Assessment.objects.filter(superseded_by__isnull=False).values_list("id", "superseded_by__household_id")
    )
    audit = {
        (e["household_id"], e["actor_id"], e["reason"], json.dumps(e["changes"], sort_keys=True))
        for e in AuditEntry.objects.filter(action="programs.assessment.reclassified").values()
    }
    for household_id, _, _, changes in audit:
        assert superseded[json.loads(changes)["supersedes"][1]] == household_id
    return assessments, audit


def run(code: str, *, in_sql: bool, dry_run: bool):
    """Reclassify the province by one path, then roll back: its report and what it wrote."""
    province = Area.objects.get(code="15")
    with transaction.atomic():
        report = reclassify.reclassify(
            actor=None, standard_code=code, area=province, dry_run=dry_run, in_sql=in_sql, reason="" if dry_run else ""
        )
        state = written()
        transaction.set_rollback(True)
    return report.as_dict(reclassify.commune_names(report)), state


@pytest.fixture
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_a_province_reclassified_in_sql_is_the_province_reclassified_in_python(fast_password_hasher):
    """A small province seeded by the demo commands, reclassified under each standard by both paths: the same report
    (dry run and write) and the same new assessments, field by field, with the same audit."""
    call_command("seed_demo", "--households", "400", stdout=io.StringIO())
    call_command("seed_reviews", "--year", "2025", stdout=io.StringIO())
    before = written()
    for code in CODES:
        for dry_run in (True, False):
            by_sql, by_python = run(code, in_sql=True, dry_run=dry_run), run(code, in_sql=False, dry_run=dry_run)
            assert by_sql == by_python, (code, dry_run)
            assert by_sql[0]["households"] == Household.objects.filter(province__code="15").count()
            assert by_sql[0]["written"] == (0 if dry_run else by_sql[0]["households"] - len(by_sql[0]["skipped"]))
            if not dry_run:
                assert by_sql[1] != before  # something was written, and rolled back
    assert written() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_what_if_cut_in_parts_on_connections_of_their_own_reports_what_one_query_reports(
    committed_areas, fast_password_hasher, monkeypatch
):
    """Outside a transaction the what-if and the write classify the households in parts at once, each on a connection
    of its own (they see what is committed): the same report as one query in a transaction, and as the Python rules;
    the same assessments and audit written as by the Python rules."""
    call_command("seed_demo", "--households", "300", stdout=io.StringIO())
    call_command("seed_reviews", "--year", "2025", stdout=io.StringIO())
    province = Area.objects.get(code="15")
    monkeypatch.setattr(parts, "parts", lambda: 1 if connection.in_atomic_block else 3)
    for code in CODES:
        reports = []
        for in_sql, in_transaction in ((True, False), (True, True), (False, False)):
            with transaction.atomic() if in_transaction else contextlib.nullcontext():
                report = reclassify.reclassify(
                    actor=None, standard_code=code, area=province, dry_run=True, in_sql=in_sql
                )
            reports.append(report.as_dict(reclassify.commune_names(report)))
        assert reports[0] == reports[1] == reports[2], code
        assert reports[0]["households"] == Household.objects.filter(province__code="15").count()
    # and written: the surveys classified in parts, then written in this connection's transaction
    expected = run("VN-2027", in_sql=False, dry_run=False)
    report = reclassify.reclassify(actor=None, standard_code="VN-2027", area=province, dry_run=False)
    assert (report.as_dict(reclassify.commune_names(report)), written()) == expected
    assert report.written == expected[0]["households"] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the suite's other transactional tests
@pytest.mark.parametrize("failing", ["part", "sink"])
def test_a_part_or_the_sink_that_fails_fails_the_copy_whole_without_hanging(failing, monkeypatch):
    """The parts' rows go through a bounded queue: a part whose query fails, or a sink that refuses a row, raises
    its error (no thread left waiting on the other), and the transaction writes nothing."""
    select = (
        "SELECT g, CASE WHEN %s = 1 AND g = 150000 THEN 1 / 0 ELSE g END FROM generate_series(1, 300000) AS g"
        if failing == "part"
        else "SELECT g, CASE WHEN g = 150000 THEN 'not a number' ELSE g::text END"
        " FROM generate_series(1, 300000) AS g WHERE %s >= 0"
    )
    monkeypatch.setattr(parts, "BUFFER", 4096)  # small pieces and a short queue: the parts wait on the sink
    monkeypatch.setattr(parts, "QUEUED", 2)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE copied (a int, b int)")
    try:
        with pytest.raises(Exception, match="division by zero|invalid input syntax"):
            with transaction.atomic(), connection.cursor() as cursor:
                parts.copy_into(cursor, "copied", ("a", "b"), select, lambda number: (number,), 3)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM copied")
            assert cursor.fetchone() == (0,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE copied")
