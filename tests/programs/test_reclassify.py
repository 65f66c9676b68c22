"""Batch reclassification under another standard, and the what-if report."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from households.models import Area, AuditEntry, Household, Member
from programs.models import Assessment
from programs.standards import services
from programs.standards.services import reclassify
from tests.api_errors import field_errors

ANSWERS = {"employment": False, "water": True, "sanitation": True, "telecom": True, "information_access": False}


def survey(actor, household, income):
    Member.objects.filter(household=household).update(
        health_insurance_number="DN4150000000001", health_insurance_valid_until=datetime.date(2026, 12, 31)
    )
    return services.record_assessment(
        actor=actor,
        household_id=household.pk,
        survey_date=datetime.date(2026, 9, 20),
        review_year=2026,
        income_per_capita=income,
        dwelling={"has_house": True, "floor_area_m2": "80", "walls_durable": True, "roof_durable": True},
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=ANSWERS,
        confirmed={"adult_education": False, "child_schooling": False},
    )


@pytest.fixture
def surveyed(admin_user, household_a, household_b, make_household, commune_a):
    """A (urban ward): 2.5M -> average under VN-2022, poor under VN-2027 (line 2.8M, 3 deprivations).
    B (urban ward): 3.5M -> not poor under both. C (commune A): 1.0M -> poor under both."""
    third = make_household(commune_a, "Phạm Văn Sáu")
    return {
        "a": survey(admin_user, household_a, 2_500_000),
        "b": survey(admin_user, household_b, 3_500_000),
        "c": survey(admin_user, third, 1_000_000),
    }


@pytest.mark.django_db
def test_dry_run_reports_changes_by_commune_and_writes_nothing(surveyed, commune_a):
    out = io.StringIO()
    call_command("reclassify", "--standard", "VN-2027", "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["households"], report["changed"]) == (3, 1)
    by_code = {c["code"]: c for c in report["communes"]}
    assert by_code[commune_a.code]["moves"] == [{"from": "average", "to": "poor", "households": 1}]
    assert by_code[commune_a.code]["households"] == 2
    # waste_treatment was not asked in 2026: counted as not deprived, and said so
    assert report["unanswered_counted_as_not_deprived"] == 3
    assert Assessment.objects.count() == 3
    assert not AuditEntry.objects.filter(action="programs.assessment.reclassified").exists()


@pytest.mark.django_db
def test_the_dry_runs_report_names_the_categories_in_words(surveyed, commune_a):
    out = io.StringIO()
    call_command("reclassify", "--standard", "VN-2027", "--dry-run", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.strip().startswith(commune_a.code))
    assert line.endswith("1/2 (hộ có mức sống trung bình → hộ nghèo: 1)")


@pytest.mark.django_db
def test_writing_supersedes_each_latest_assessment_and_audits_it(surveyed, household_a):
    call_command("reclassify", "--standard", "VN-2027", "--area", "15", stdout=io.StringIO())
    current = Assessment.objects.filter(is_current=True)
    assert current.count() == 3 and set(current.values_list("standard__code", flat=True)) == {"VN-2027"}
    old = Assessment.objects.get(pk=surveyed["a"].pk)
    new = Assessment.objects.get(household=household_a, is_current=True)
    assert old.is_current is False and old.superseded_by == new
    assert (old.category, new.category) == ("average", "poor")
    assert new.member_facts == old.member_facts and new.review_year == 2026
    entry = AuditEntry.objects.get(action="programs.assessment.reclassified", object_id=str(new.pk))
    assert entry.changes["category"] == ["average", "poor"] and entry.household_id == household_a.pk
    assert Household.objects.get(pk=household_a.pk).status == "not_poor"  # statuses change only on recognition
    out = io.StringIO()
    call_command("reclassify", "--standard", "VN-2027", "--dry-run", stdout=out)
    assert "0 hộ đổi phân loại" in out.getvalue()


@pytest.mark.django_db
def test_the_area_limits_the_batch(surveyed, commune_b):
    out = io.StringIO()
    call_command("reclassify", "--standard", "VN-2027", "--area", commune_b.code, "--json", "--dry-run", stdout=out)
    assert json.loads(out.getvalue())["households"] == 1


@pytest.mark.django_db
def test_bad_command_input():
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("reclassify", "--standard", "VN-1999", "--dry-run")
    with pytest.raises(CommandError, match="Không có địa bàn"):
        call_command("reclassify", "--standard", "VN-2027", "--area", "99999", "--dry-run")


@pytest.mark.django_db
def test_what_if_api_is_scoped(api, surveyed, officer_b, province_staff, commune_b):
    mine = api(officer_b).get("/api/v1/stats/what-if/", {"standard": "VN-2027"}).json()
    assert mine["households"] == 1 and [c["code"] for c in mine["communes"]] == [commune_b.code]
    everything = api(province_staff).get("/api/v1/stats/what-if/", {"standard": "VN-2027", "area": "15"}).json()
    assert everything["households"] == 3 and everything["changed"] == 1
    assert Assessment.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,field",
    [({"standard": "VN-1999"}, "standard"), ({}, "standard"), ({"standard": "VN-2027", "area": "00000"}, "area")],
)
def test_what_if_bad_input(params, field, api, officer_a):
    response = api(officer_a).get("/api/v1/stats/what-if/", params)
    assert response.status_code == 400 and field in field_errors(response)


@pytest.mark.django_db
def test_what_if_rights(api, outsider, chair_a):
    assert api(outsider).get("/api/v1/stats/what-if/", {"standard": "VN-2027"}).status_code == 403
    assert api(chair_a).get("/api/v1/stats/what-if/", {"standard": "VN-2027"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("in_sql", [True, False])
def test_a_survey_recorded_during_the_batch_is_kept_and_its_household_skipped(
    surveyed, admin_user, household_a, monkeypatch, in_sql
):
    from programs.standards.services import reclassify

    first_household = min(a.household_id for a in surveyed.values())
    if in_sql:  # the surveys classified in SQL, then an officer saves a new survey before the batch writes
        classify = reclassify._classify

        def interleaved_sql(*args):
            classify(*args)
            survey(admin_user, Household.objects.get(pk=first_household), 900_000)

        monkeypatch.setattr(reclassify, "_classify", interleaved_sql)
    else:
        original = reclassify._latest

        def interleaved(actor, area, *fields):
            for index, row in enumerate(original(actor, area, *fields)):
                yield row
                if index == 0:  # an officer saves a new survey of that household before the batch writes
                    survey(admin_user, Household.objects.get(pk=row["household_id"]), 900_000)

        monkeypatch.setattr(reclassify, "_latest", interleaved)
    report = reclassify.reclassify(actor=None, standard_code="VN-2027", dry_run=False, in_sql=in_sql)
    assert report.written == 2 and len(report.skipped) == 1
    superseded = next(a for a in surveyed.values() if a.household_id == first_household)
    assert report.skipped == [(superseded.pk, reclassify.SUPERSEDED)]
    current = Assessment.objects.get(household_id=first_household, is_current=True)
    assert current.standard.code == "VN-2022" and current.income_per_capita == 900_000


@pytest.mark.django_db
def test_two_reclassifications_in_one_transaction_each_write_their_own(surveyed, household_a):
    """The batch's table of classified surveys lives until the outermost commit: a second batch in the same
    transaction (a caller's atomic block) starts from its own, not from the first's."""
    province = Area.objects.get(code="15")
    with transaction.atomic():
        first = reclassify.reclassify(actor=None, standard_code="VN-2027", area=province, dry_run=False)
        second = reclassify.reclassify(actor=None, standard_code="VN-2022", area=province, dry_run=False)
    assert first.written == second.written == 3
    current = Assessment.objects.get(household=household_a, is_current=True)
    assert (current.standard.code, current.category) == ("VN-2022", "average")
    assert current.superseded_by is None and Assessment.objects.filter(household=household_a).count() == 3
