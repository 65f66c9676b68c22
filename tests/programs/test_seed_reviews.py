import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from households.models import AuditEntry, Household, Member
from programs import rules
from programs.models import Assessment, StatusChange
from programs.standards import derivations, selectors, services

YEAR = 2025
REVIEW = {"review_year": YEAR, "review_kind": "periodic", "review_month": 0}


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo's 400 households, seeded once for the module's tests and rolled back after them; each test runs in its
    own transaction inside, so the reviews one seeds the next never sees (as tests/support/test_setup_demo.py)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("seed_demo", "--households", "400", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def households(demo, db):
    return Household.objects.filter(province__code="15")


def _seed_reviews(*args: str) -> str:
    out = StringIO()
    call_command("seed_reviews", "--year", str(YEAR), *args, stdout=out)
    return out.getvalue()


def _categories() -> dict[str, str]:
    return dict(Assessment.objects.filter(**REVIEW).values_list("household__code", "category"))


def test_every_household_gets_one_current_assessment_of_the_review(households):
    _seed_reviews()
    counts = Counter(Assessment.objects.filter(**REVIEW, is_current=True).values_list("household_id", flat=True))
    assert set(counts) == set(households.values_list("id", flat=True))
    assert set(counts.values()) == {1}
    first = Assessment.objects.filter(**REVIEW).first()
    assert first.standard.code == "VN-2022"
    assert first.surveyor.username == "canbo_xa_a"
    assert first.surveyor_name
    assert f"{YEAR}-09-15" <= first.survey_date.isoformat() <= f"{YEAR}-11-30"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_stored_result_is_what_the_rules_give(households, workers, monkeypatch):
    from programs.management.commands import seed_reviews

    monkeypatch.setattr(seed_reviews, "WORKER_CHUNK", 50)  # with 2 workers, 8 chunks drawn in worker processes
    _seed_reviews("--workers", workers)
    every = Assessment.objects.filter(**REVIEW).select_related("household").order_by("id")
    assert len(every) == households.count()
    for assessment in every:
        members = list(Member.objects.filter(household_id=assessment.household_id).order_by("id"))
        extras = {
            row["member"]: {"stunted": row["stunted"], "underweight": row["underweight"]}
            for row in assessment.member_facts
            if row["stunted"] is not None or row["underweight"] is not None
        }
        facts, snapshot = services.member_facts(members, extras, assessment.survey_date)
        assert snapshot == assessment.member_facts
        derived, reconciled, result = services.evaluate(
            selectors.standard_on(assessment.survey_date),
            area_type=assessment.household.area_type,
            members=facts,
            dwelling=services.dwelling_facts(assessment.dwelling),
            survey_date=assessment.survey_date,
            answers=assessment.answers,
            confirmed=assessment.confirmed,
            income_per_capita=assessment.income_per_capita,
            point_a=None,
        )
        assert result.category == assessment.category
        assert derived == assessment.derived
        assert list(result.deprived) == assessment.deprived
        assert (result.deprivation_count, result.point_b, result.income_line) == (
            assessment.deprivation_count,
            assessment.point_b,
            assessment.income_line,
        )
        assert list(result.reasons) == assessment.reasons
        assert len(reconciled.disagreements) == len(assessment.disagreements)


def test_answers_agree_with_the_derived_values_except_confirmed_disagreements(households):
    _seed_reviews()
    for assessment in Assessment.objects.filter(**REVIEW):
        for code, value in assessment.derived.items():
            if assessment.answers[code] != value:
                assert code in assessment.confirmed
        for row in assessment.disagreements:
            assert row["text"] and row["indicator"] in assessment.confirmed


def test_poor_and_near_poor_households_are_recognised(households):
    _seed_reviews()
    listed = 0
    for assessment in Assessment.objects.filter(**REVIEW).select_related("household"):
        household = assessment.household
        changes = list(StatusChange.objects.filter(household=household))
        if assessment.category in ("poor", "near_poor"):
            listed += 1
            assert household.status == assessment.category
            assert household.status_since.isoformat() == f"{YEAR}-12-15"
            assert household.version == 2
            assert household.ever_poor == (assessment.category == "poor")
            assert len(changes) == 1
            (change,) = changes
            assert change.event == f"newly_{assessment.category}"
            assert (change.from_status, change.to_status) == ("not_poor", assessment.category)
            assert change.assessment_id == assessment.pk
            assert change.decision_number.endswith("/QĐ-UBND")
            assert change.recorded_by.username == "chutich_xa_a"
        else:
            assert household.status == "not_poor"
            assert household.version == 1
            assert changes == []
    assert listed
    entry = AuditEntry.objects.get(action="programs.demo.reviews_seeded")
    assert entry.changes == {"assessments": [0, households.count()], "status_changes": [0, listed]}


def test_category_shares_are_plausible_for_a_mountainous_province(households):
    _seed_reviews()
    shares = Counter(_categories().values())
    total = sum(shares.values())
    assert total >= 300
    assert 0.07 <= shares["poor"] / total <= 0.25
    assert 0.04 <= shares["near_poor"] / total <= 0.18
    assert 0.10 <= shares["average"] / total <= 0.32


def test_the_same_seed_gives_the_same_categories(households):
    _seed_reviews()
    first = _categories()
    Household.objects.update(status="not_poor", status_since=None, ever_poor=False)
    StatusChange.objects.all().delete()
    Assessment.objects.all().delete()
    _seed_reviews()
    assert _categories() == first
    StatusChange.objects.all().delete()
    Assessment.objects.all().delete()
    _seed_reviews("--seed", "7")
    assert _categories() != first


def _review_as_written() -> tuple[dict, dict, dict]:
    """Every stored value of the review per household (ids and clock times aside): assessments, status changes and
    the households' caches."""
    skip = {"id", "household", "superseded_by", "assessment", "created_at", "recorded_at", "updated_at"}

    def fields(model):
        return [f.attname for f in model._meta.concrete_fields if f.name not in skip]

    assessments = {
        row[0]: row[1:] for row in Assessment.objects.filter(**REVIEW).values_list("household_id", *fields(Assessment))
    }
    changes = {
        row[0]: row[1:]
        for row in StatusChange.objects.filter(effective_date__year=YEAR).values_list(
            "household_id", *fields(StatusChange)
        )
    }
    cached = ("status", "status_since", "ever_poor", "left_lists_on", "version")
    caches = {row[0]: row[1:] for row in Household.objects.values_list("id", *cached)}
    return assessments, changes, caches


def test_worker_processes_write_what_one_process_writes(households, monkeypatch):
    from programs.management.commands import seed_reviews

    call_command("seed_reviews", "--year", "2024", stdout=StringIO())  # some households on the lists already
    with transaction.atomic():
        _seed_reviews("--workers", "1")
        alone = _review_as_written()
        transaction.set_rollback(True)
    monkeypatch.setattr(seed_reviews, "WORKER_CHUNK", 37)  # 400 households in 11 chunks, handed to 3 processes
    output = _seed_reviews("--workers", "3", "-v", "2")
    assert "3 tiến trình" in output
    assert _review_as_written() == alone
    assert len(alone[0]) == households.count()
    events = set(StatusChange.objects.filter(effective_date__year=YEAR).values_list("event", flat=True))
    assert {"escaped_poverty", "newly_poor"} <= events, events  # recognitions and escapes, both written by chunk
    ids = list(Assessment.objects.filter(**REVIEW).order_by("household_id").values_list("id", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # in the households' order, as one process numbers them


def test_it_refuses_no_worker(households):
    with pytest.raises(CommandError, match="--workers"):
        _seed_reviews("--workers", "0")


def test_a_second_run_writes_nothing(households):
    _seed_reviews()
    counts = (Assessment.objects.count(), StatusChange.objects.count(), AuditEntry.objects.count())
    versions = list(households.order_by("id").values_list("version", flat=True))
    output = _seed_reviews()
    assert "không ghi gì thêm" in output
    assert (Assessment.objects.count(), StatusChange.objects.count(), AuditEntry.objects.count()) == counts
    assert list(households.order_by("id").values_list("version", flat=True)) == versions


def test_it_refuses_a_review_still_to_come(households):
    with pytest.raises(CommandError, match="ngày quyết định"):
        call_command("seed_reviews", "--year", "2099", stdout=StringIO())


def test_derivations_are_not_none_so_answers_are_complete(households):
    _seed_reviews()
    for assessment in Assessment.objects.filter(**REVIEW)[:100]:
        assert set(assessment.answers) == set(selectors.standard_on(assessment.survey_date).indicators)
        assert all(value is not None for value in assessment.derived.values())
        assert set(assessment.derived) <= set(derivations.DERIVED_INDICATORS)


@pytest.mark.parametrize("vendor", ["postgresql", "other"], ids=["copy", "orm"])
def test_a_second_year_recognises_escapes_as_record_status_change_does(households, vendor, monkeypatch):
    call_command("seed_reviews", "--year", "2024", stdout=StringIO())
    before = dict(households.values_list("id", "status"))
    if vendor != "postgresql":  # the embedded default's path (bulk_create, bulk_update) on the same data
        from programs.management.commands import seed_reviews

        monkeypatch.setattr(seed_reviews.connection, "vendor", vendor, raising=False)
    output = _seed_reviews()

    escaped = 0
    for assessment in Assessment.objects.filter(**REVIEW).select_related("household"):
        household = assessment.household
        was, now = before[household.pk], rules.status_of(assessment.category)
        change = StatusChange.objects.filter(household=household, effective_date__year=YEAR).first()
        if was in ("poor", "near_poor") and now not in ("poor", "near_poor"):
            escaped += 1
            assert household.status == now and household.left_lists_on.isoformat() == f"{YEAR}-12-15"
            assert change.event == ("escaped_poverty" if was == "poor" else "escaped_near_poverty")
            assert (change.from_status, change.to_status) == (was, now)
        elif was not in ("poor", "near_poor") and now not in ("poor", "near_poor"):
            assert household.status == was and change is None and household.left_lists_on is None
        else:
            assert household.status == now and (change is None) == (was == now)
    assert escaped and f"{escaped} hộ thoát khỏi danh sách" in output


def test_its_report_writes_numbers_the_vietnamese_way(households):
    output = _seed_reviews()
    assert re.search(r"\(\d+,\d%\)", output), output  # a share as "(8,3%)", not "(8.3%)"
    assert re.search(r"\d+,\d giây", output), output
    assert not re.search(r"\d\.\d%|\d\.\d giây", output), output


def test_the_review_tables_keep_their_foreign_keys_as_django_made_them(households):
    query = (
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid IN ('programs_assessment'::regclass, 'programs_statuschange'::regclass) "
        "ORDER BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        before = cursor.fetchall()

        _seed_reviews()

        cursor.execute(query)
        assert cursor.fetchall() == before
    assert len(before) >= 7 and all(validated for *_, validated in before)
    assert StatusChange.objects.exists()
