"""Shared steps of the review tests: open the 2026 periodic review for commune A and walk a case."""

import datetime

from households.models import Household, Member
from programs.models import ReviewCase
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from programs.standards import services

TODAY = datetime.date(2026, 11, 20)
SURVEY_DAY = datetime.date(2026, 10, 1)
MEETING_DAY = datetime.date(2026, 10, 20)
POSTING_START = datetime.date(2026, 10, 26)  # a Monday: 3 working days end on Wednesday 28/10
DECISION_DAY = datetime.date(2026, 11, 2)

NOTHING_DEPRIVED = {
    "employment": False,
    "water": False,
    "sanitation": False,
    "telecom": False,
    "waste_treatment": False,
}  # the answered indicators of VN-2027, the standard of the 2026 periodic review
GOOD_HOUSE = {
    "has_house": True,
    "floor_area_m2": "60",
    "foundation_frame_durable": True,
    "walls_durable": True,
    "roof_durable": True,
}


def make_poor(household: Household, actor, day: datetime.date = datetime.date(2025, 12, 20)) -> Household:
    services.record_status_change(
        actor=actor, household_id=household.pk, to_status="poor", effective_date=day, decision_number="12/QĐ-UBND"
    )
    household.refresh_from_db()
    return household


def insure(household: Household) -> None:
    Member.objects.filter(household=household).update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=datetime.date(2027, 12, 31),
        education_level="upper_secondary",
    )
    Member.objects.filter(household=household, relation="child").update(schooling="lower_secondary")


def open_review(commune, year: int = 2026) -> reminders.Opened:
    return reminders.open_periodic_review(year=year, area_codes=[commune.code])


def case_of(household: Household) -> ReviewCase:
    return ReviewCase.objects.select_related("campaign").get(household=household)


def survey(actor, household: Household, *, income: int, answers=None, **extra):
    """Record the survey of the 2026 periodic review (the case moves on with it)."""
    return services.record_assessment(
        actor=actor,
        household_id=household.pk,
        survey_date=SURVEY_DAY,
        review_year=2026,
        income_per_capita=income,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=answers if answers is not None else NOTHING_DEPRIVED,
        today=TODAY,
        **extra,
    )


DEPRIVED_THREE = NOTHING_DEPRIVED | {"water": True, "sanitation": True, "telecom": True}


def meet(officer, case: ReviewCase, *, day=MEETING_DAY, attendees: int = 10, agreeing: int = 10) -> ReviewCase:
    return workflow.record_meeting(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        meeting_date=day,
        attendees=attendees,
        agreeing=agreeing,
        today=TODAY,
    )


def post(officer, case: ReviewCase, *, start=POSTING_START) -> ReviewCase:
    return workflow.post_case(
        actor=officer, case_id=case.pk, expected_version=case.version, posting_start=start, today=TODAY
    )


def walk_to_posted(officer, household: Household, *, income: int, answers=None) -> ReviewCase:
    survey(officer, household, income=income, answers=answers)
    case = meet(officer, case_of(household), attendees=40, agreeing=30)
    return post(officer, case)


def recognise(chair, case: ReviewCase, *, number: str = "45/QĐ-UBND", day: datetime.date = DECISION_DAY):
    return workflow.recognise_case(
        actor=chair,
        case_id=case.pk,
        expected_version=case.version,
        decision_number=number,
        decision_date=day,
        today=TODAY,
    )
