"""The review workflow services (domain A6): opening, each move, recognition applying the status (A5)."""

import datetime

import pytest

from config.errors import DomainError, NotFound, StaleVersion
from households.models import AuditEntry
from programs.models import ReviewCampaign, ReviewCase, ReviewComplaint, StatusChange
from programs.review import services as workflow
from programs.standards import services
from tests.api_errors import field_errors
from tests.programs.review_helpers import (
    DECISION_DAY,
    DEPRIVED_THREE,
    GOOD_HOUSE,
    MEETING_DAY,
    NOTHING_DEPRIVED,
    POSTING_START,
    TODAY,
    case_of,
    insure,
    make_poor,
    meet,
    open_review,
    post,
    recognise,
    survey,
    walk_to_posted,
)

pytestmark = pytest.mark.django_db

RICH = 5_000_000  # far above every line: not poor


@pytest.fixture
def poor_a(household_a, admin_user):
    insure(household_a)
    return make_poor(household_a, admin_user)


def test_opening_lists_every_poor_and_near_poor_household_once(poor_a, make_household, commune_a, admin_user):
    near = make_poor(make_household(commune_a, "Lò Văn Pao"), admin_user)
    workflow_not_listed = make_household(commune_a, "Hoàng Văn Sinh")
    opened = open_review(commune_a)
    assert opened.campaigns == 1
    assert opened.cases == 2
    campaign = ReviewCampaign.objects.get(area=commune_a, year=2026)
    assert campaign.standard.code == "VN-2027"
    assert campaign.has_district_step is False
    assert campaign.steps["survey"] == "2026-10-15"
    cases = ReviewCase.objects.filter(campaign=campaign)
    assert {c.household_id for c in cases} == {poor_a.pk, near.pk}
    assert not cases.filter(household=workflow_not_listed).exists()
    assert all(c.state == "listed" and c.due_on == datetime.date(2026, 10, 15) for c in cases)

    again = open_review(commune_a)
    assert (again.campaigns, again.cases) == (0, 0)
    assert ReviewCase.objects.filter(campaign=campaign).count() == 2


def test_a_poor_household_that_escapes_is_recognised_with_its_event_and_window(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    assert case.state == "posted"
    assert case.posting_end == datetime.date(2026, 10, 28)
    assert case.proposed_category == "not_poor"

    case = recognise(chair_a, case)
    poor_a.refresh_from_db()
    assert case.state == "recognised"
    assert case.due_step == "report"
    assert poor_a.status == "not_poor"
    assert poor_a.left_lists_on == DECISION_DAY
    change = StatusChange.objects.get(household=poor_a, decision_number="45/QĐ-UBND")
    assert change.event == "escaped_poverty"
    assert change.assessment_id == case.assessment_id
    assert case.status_change_id == change.pk
    assert case.certificate_number == ""  # no certificate for a household off the lists
    assert AuditEntry.objects.filter(action="programs.review_case.recognised", object_id=case.pk).exists()


def test_a_household_that_stays_poor_gets_a_numbered_certificate_and_no_event(
    poor_a, make_household, commune_a, admin_user, officer_a, chair_a
):
    second = make_poor(make_household(commune_a, "Lò Văn Pao"), admin_user)
    insure(second)
    open_review(commune_a)
    first_case = recognise(chair_a, walk_to_posted(officer_a, poor_a, income=500_000, answers=DEPRIVED_THREE))
    second_case = recognise(
        chair_a, walk_to_posted(officer_a, second, income=500_000, answers=DEPRIVED_THREE), number="46/QĐ-UBND"
    )
    assert first_case.recognised_status == "poor"
    assert first_case.certificate_number == "0001/2026/GCN-HN.HCN"
    assert second_case.certificate_number == "0002/2026/GCN-HN.HCN"
    assert first_case.status_change is None
    assert StatusChange.objects.filter(household=poor_a).count() == 1  # only the 2025 decision


def test_a_village_meeting_below_half_sends_the_case_back_to_survey(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=MEETING_DAY, attendees=41, agreeing=20)
    assert case.state == "listed"
    assert case.due_step == "survey"
    survey(officer_a, poor_a, income=RICH)
    assert case_of(poor_a).state == "classified"


def test_exactly_half_agreeing_is_agreement(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=MEETING_DAY, attendees=40, agreeing=20)
    assert case.state == "agreed"


def test_a_complaint_holds_recognition_until_it_is_resolved(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    complaint = workflow.file_complaint(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        received_on=datetime.date(2026, 10, 27),
        complainant="Nguyễn Văn Hàng xóm",
        content="Hộ có xe máy mới.",
        today=TODAY,
    )
    case.refresh_from_db()
    assert case.state == "recheck"
    with pytest.raises(DomainError) as refused:
        recognise(chair_a, case)
    assert refused.value.code == "forbidden_move"
    assert "phúc tra" in refused.value.message

    case = workflow.resolve_complaint(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        complaint_id=complaint.pk,
        outcome="dismissed",
        resolution="Đã kiểm tra, xe máy đi mượn.",
        resolved_on=datetime.date(2026, 10, 30),
        today=TODAY,
    )
    assert case.state == "posted"
    case = recognise(chair_a, case)
    assert case.state == "recognised"


def test_an_upheld_complaint_sends_the_case_back_to_survey(poor_a, officer_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    complaint = workflow.file_complaint(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        received_on=datetime.date(2026, 10, 27),
        complainant="Trưởng thôn",
        content="Thu nhập khai thiếu.",
        today=TODAY,
    )
    case.refresh_from_db()
    case = workflow.resolve_complaint(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        complaint_id=complaint.pk,
        outcome="upheld",
        resolution="Khảo sát lại.",
        resolved_on=datetime.date(2026, 10, 29),
        today=TODAY,
    )
    assert case.state == "listed"
    assert ReviewComplaint.objects.get(pk=complaint.pk).outcome == "upheld"


def test_recognition_waits_for_the_end_of_the_posting(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    with pytest.raises(DomainError) as refused:
        recognise(chair_a, case, day=datetime.date(2026, 10, 28))
    assert (refused.value.code, refused.value.field) == ("posting_not_over", "decision_date")
    assert recognise(chair_a, case, day=datetime.date(2026, 10, 29)).state == "recognised"


def test_only_the_commune_chair_recognises(poor_a, officer_a, admin_user):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    for actor in (officer_a, admin_user):
        with pytest.raises(DomainError) as refused:
            recognise(actor, case)
        assert refused.value.code == "not_chair"
    poor_a.refresh_from_db()
    assert poor_a.status == "poor"


def test_the_chair_cannot_recognise_a_survey_she_recorded(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    survey(chair_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=MEETING_DAY, attendees=10, agreeing=10)
    case = post(officer_a, case, start=POSTING_START)
    with pytest.raises(DomainError) as refused:
        recognise(chair_a, case)
    assert refused.value.code == "own_survey"


def test_a_forbidden_move_is_a_clear_error(poor_a, officer_a):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    with pytest.raises(DomainError) as refused:
        post(officer_a, case, start=POSTING_START)
    assert refused.value.code == "forbidden_move"
    assert "chờ khảo sát" in refused.value.message
    assert "ghi kết quả khảo sát" in refused.value.message


def test_a_stale_version_is_refused(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    with pytest.raises(StaleVersion):
        workflow.record_meeting(
            actor=officer_a,
            case_id=case.pk,
            expected_version=case.version - 1,
            meeting_date=MEETING_DAY,
            attendees=10,
            agreeing=10,
            today=TODAY,
        )


def test_another_communes_officer_cannot_touch_the_case(poor_a, officer_a, officer_b):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    with pytest.raises(NotFound):
        meet(officer_b, case, day=MEETING_DAY, attendees=10, agreeing=10)


def test_a_posting_shorter_than_the_campaigns_working_days_is_refused(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=MEETING_DAY, attendees=10, agreeing=10)
    with pytest.raises(DomainError) as refused:
        workflow.post_case(
            actor=officer_a,
            case_id=case.pk,
            expected_version=case.version,
            posting_start=datetime.date(2026, 10, 30),  # Friday: 3 working days end on Tuesday 3/11
            posting_end=datetime.date(2026, 11, 2),
            today=TODAY,
        )
    assert (refused.value.code, refused.value.field) == ("posting_too_short", "posting_end")
    assert "03/11/2026" in refused.value.message


def test_a_request_to_exit_joins_the_monthly_review_and_may_be_refused(poor_a, officer_a, chair_a):
    case = workflow.file_review_request(
        actor=officer_a,
        household_id=poor_a.pk,
        request_kind="exit",
        channel="in_person",
        filed_on=datetime.date(2026, 3, 10),
        today=TODAY,
    )
    assert (case.campaign.kind, case.campaign.year, case.campaign.month) == ("monthly", 2026, 3)
    assert case.campaign.standard.code == "VN-2022"
    assert case.due_on == datetime.date(2026, 3, 18)
    assert case.campaign.steps["recognition"] == "2026-03-30"
    case = workflow.reject_case(
        actor=chair_a,
        case_id=case.pk,
        expected_version=case.version,
        reason="Thu nhập bình quân vẫn dưới chuẩn nghèo.",
        decided_on=datetime.date(2026, 3, 28),
        today=TODAY,
    )
    assert case.state == "rejected"
    assert case.due_on is None
    poor_a.refresh_from_db()
    assert poor_a.status == "poor"


def test_a_household_on_the_list_cannot_be_refused(poor_a, chair_a):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    with pytest.raises(DomainError) as refused:
        workflow.reject_case(
            actor=chair_a,
            case_id=case.pk,
            expected_version=case.version,
            reason="x",
            decided_on=datetime.date(2026, 10, 1),
            today=TODAY,
        )
    assert refused.value.code == "not_a_request"


def test_a_request_during_the_periodic_window_joins_the_periodic_review(household_a, officer_a):
    case = workflow.file_review_request(
        actor=officer_a,
        household_id=household_a.pk,
        request_kind="add",
        channel="online",
        filed_on=datetime.date(2026, 9, 12),
        today=TODAY,
    )
    assert (case.campaign.kind, case.campaign.year) == ("periodic", 2026)
    with pytest.raises(DomainError) as again:
        workflow.file_review_request(
            actor=officer_a,
            household_id=household_a.pk,
            request_kind="add",
            channel="online",
            filed_on=datetime.date(2026, 9, 13),
            today=TODAY,
        )
    assert again.value.code == "already_in_review"


def test_a_whole_case_is_reported_to_the_province(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = recognise(chair_a, walk_to_posted(officer_a, poor_a, income=RICH))
    count = workflow.report_campaign(
        actor=officer_a, campaign_id=case.campaign_id, reported_on=datetime.date(2026, 11, 10), today=TODAY
    )
    assert count == 1
    case.refresh_from_db()
    assert (case.state, case.reported_on, case.due_on) == ("reported", datetime.date(2026, 11, 10), None)


def survey_2024(officer, household, day):
    """A survey of the 2024 periodic review, under VN-2022 (which has no waste indicator, but information access)."""
    return services.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=day,
        review_year=2024,
        income_per_capita=RICH,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers={k: v for k, v in NOTHING_DEPRIVED.items() if k != "waste_treatment"} | {"information_access": False},
        today=TODAY,
    )


def test_the_old_district_step_is_required_in_older_campaigns(
    household_a, officer_a, chair_a, district_staff, admin_user
):
    """Campaigns before 1 July 2025 in a commune under a district carry the district step (A6)."""
    insure(household_a)
    make_poor(household_a, admin_user, day=datetime.date(2023, 12, 20))
    open_review(household_a.commune, year=2024)
    campaign = ReviewCampaign.objects.get(area=household_a.commune, year=2024)
    assert campaign.has_district_step is True
    assert campaign.standard.code == "VN-2022"
    assert campaign.steps["district"] == "2024-11-25"
    survey_2024(officer_a, household_a, datetime.date(2024, 10, 1))
    case = ReviewCase.objects.get(household=household_a, campaign=campaign)
    case = meet(officer_a, case, day=datetime.date(2024, 10, 20), attendees=5, agreeing=5)
    case = post(officer_a, case, start=datetime.date(2024, 10, 21))
    assert case.due_step == "district"
    with pytest.raises(DomainError) as refused:
        recognise(chair_a, case, day=datetime.date(2024, 11, 1))
    assert refused.value.code == "district_step_pending"
    case = workflow.record_district_opinion(
        actor=district_staff,
        case_id=case.pk,
        expected_version=case.version,
        opinion_on=datetime.date(2024, 10, 28),
        opinion="Nhất trí.",
        today=TODAY,
    )
    case = recognise(chair_a, case, day=datetime.date(2024, 11, 1))
    household_a.refresh_from_db()
    assert (case.state, household_a.status) == ("recognised", "not_poor")


def test_a_campaign_without_the_district_step_refuses_it(poor_a, officer_a, district_staff):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    with pytest.raises(DomainError) as refused:
        workflow.record_district_opinion(
            actor=district_staff,
            case_id=case.pk,
            expected_version=case.version,
            opinion_on=datetime.date(2026, 10, 29),
            opinion="x",
            today=TODAY,
        )
    assert refused.value.code == "no_district_step"


def test_reporting_a_campaign_audits_each_case(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = recognise(chair_a, walk_to_posted(officer_a, poor_a, income=RICH))
    workflow.report_campaign(
        actor=officer_a, campaign_id=case.campaign_id, reported_on=datetime.date(2026, 11, 10), today=TODAY
    )
    entry = AuditEntry.objects.get(action="programs.review_case.reported", object_id=str(case.pk))
    assert (entry.actor, entry.household_id) == (officer_a, poor_a.pk)
    # Once reported, the periodic review takes no more requests: a new one goes to the monthly review.
    request = workflow.file_review_request(
        actor=officer_a,
        household_id=poor_a.pk,
        request_kind="add",
        channel="post",
        filed_on=datetime.date(2026, 11, 12),
        today=TODAY,
    )
    assert (request.campaign.kind, request.campaign.month) == ("monthly", 11)


def test_a_calendar_change_moves_the_open_cases_deadlines(poor_a, province_staff):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    campaign = workflow.change_campaign_calendar(
        actor=province_staff, campaign_id=case.campaign_id, steps={"survey": datetime.date(2026, 10, 20)}
    )
    assert campaign.steps["survey"] == "2026-10-20"
    moved = case_of(poor_a)
    assert (moved.due_on, moved.version) == (datetime.date(2026, 10, 20), case.version + 1)


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ({"survey": datetime.date(2026, 11, 20)}, "steps_out_of_order"),  # after the meeting's deadline
        ({"report": datetime.date(2027, 1, 5)}, "outside_review"),
        ({"survey": datetime.date(2026, 8, 31)}, "outside_review"),
        ({"district": datetime.date(2026, 11, 20)}, "no_district_step"),
        ({"vote": datetime.date(2026, 11, 20)}, "unknown_step"),
    ],
)
def test_a_bad_calendar_is_refused_and_nothing_changes(poor_a, province_staff, steps, code):
    open_review(poor_a.commune)
    case = case_of(poor_a)
    with pytest.raises(DomainError) as refused:
        workflow.change_campaign_calendar(actor=province_staff, campaign_id=case.campaign_id, steps=steps)
    assert (refused.value.code, refused.value.field) == (code, "steps")
    assert case_of(poor_a).campaign.steps["survey"] == "2026-10-15"


def _complain(officer, case, who, day=datetime.date(2026, 10, 27)):
    case.refresh_from_db()
    return workflow.file_complaint(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        received_on=day,
        complainant=who,
        content="Kết quả chưa đúng.",
        today=TODAY,
    )


def _resolve(officer, case, complaint, outcome, day=datetime.date(2026, 10, 29)):
    case.refresh_from_db()
    return workflow.resolve_complaint(
        actor=officer,
        case_id=case.pk,
        expected_version=case.version,
        complaint_id=complaint.pk,
        outcome=outcome,
        resolution="Đã phúc tra.",
        resolved_on=day,
        today=TODAY,
    )


def test_every_complaint_must_be_answered_before_recognition(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    first, second = _complain(officer_a, case, "A"), _complain(officer_a, case, "B")
    case = _resolve(officer_a, case, first, "upheld")
    assert case.state == "listed"
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=datetime.date(2026, 11, 2), attendees=10, agreeing=10)
    case = post(officer_a, case, start=datetime.date(2026, 11, 3))
    with pytest.raises(DomainError) as refused:
        recognise(chair_a, case, day=datetime.date(2026, 11, 9))
    assert refused.value.code == "open_complaint"
    case = _resolve(officer_a, case, second, "dismissed", day=datetime.date(2026, 11, 6))
    assert case.state == "posted"  # answered where it stands
    assert recognise(chair_a, case, day=datetime.date(2026, 11, 9)).state == "recognised"


def test_a_complaint_after_the_posting_is_not_a_recheck(poor_a, officer_a):
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)  # posted 26-28/10
    with pytest.raises(DomainError) as refused:
        _complain(officer_a, case, "A", day=datetime.date(2026, 10, 29))
    assert (refused.value.code, refused.value.field) == ("posting_over", "received_on")
    assert case_of(poor_a).state == "posted"


def test_a_posting_cannot_run_for_months(poor_a, officer_a):
    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    case = case_of(poor_a)
    case = meet(officer_a, case, day=MEETING_DAY, attendees=10, agreeing=10)
    with pytest.raises(DomainError) as refused:
        workflow.post_case(
            actor=officer_a,
            case_id=case.pk,
            expected_version=case.version,
            posting_start=POSTING_START,
            posting_end=datetime.date(9999, 12, 31),
            today=TODAY,
        )
    assert (refused.value.code, refused.value.field) == ("posting_too_long", "posting_end")


def test_a_case_stays_with_its_commune_when_the_household_moves(poor_a, officer_a, officer_b, admin_user, commune_b):
    from households import services as household_services

    open_review(poor_a.commune)
    survey(officer_a, poor_a, income=RICH)
    poor_a.refresh_from_db()
    household_services.update_household(
        actor=admin_user, household_id=poor_a.pk, expected_version=poor_a.version, data={"commune": commune_b}
    )
    case = ReviewCase.objects.get(household=poor_a)
    assert ReviewCase.objects.visible_to(officer_a).filter(pk=case.pk).exists()
    assert not ReviewCase.objects.visible_to(officer_b).filter(pk=case.pk).exists()
    with pytest.raises(DomainError) as refused:
        meet(officer_a, case, day=MEETING_DAY, attendees=10, agreeing=10)
    assert refused.value.code == "moved_away"


def test_a_household_whose_periodic_case_is_closed_asks_again_in_the_monthly_review(poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    recognise(chair_a, walk_to_posted(officer_a, poor_a, income=500_000, answers=DEPRIVED_THREE))
    workflow.report_case(
        actor=officer_a,
        case_id=case_of(poor_a).pk,
        expected_version=case_of(poor_a).version,
        reported_on=datetime.date(2026, 11, 10),
        today=TODAY,
    )
    request = workflow.file_review_request(
        actor=officer_a,
        household_id=poor_a.pk,
        request_kind="exit",
        channel="in_person",
        filed_on=datetime.date(2026, 11, 16),
        today=TODAY,
    )
    assert (request.campaign.kind, request.campaign.year, request.campaign.month) == ("monthly", 2026, 12)


def test_a_request_on_a_date_without_a_standard_names_the_date(poor_a, officer_a):
    with pytest.raises(DomainError) as refused:
        workflow.file_review_request(
            actor=officer_a,
            household_id=poor_a.pk,
            request_kind="exit",
            channel="in_person",
            filed_on=datetime.date(2010, 3, 5),
            today=TODAY,
        )
    assert (refused.value.code, refused.value.field) == ("no_standard", "filed_on")


def test_a_resurvey_after_the_district_opinion_goes_back_through_the_meeting(
    household_a, officer_a, district_staff, admin_user
):
    insure(household_a)
    make_poor(household_a, admin_user, day=datetime.date(2023, 12, 20))
    open_review(household_a.commune, year=2024)
    survey_2024(officer_a, household_a, datetime.date(2024, 10, 1))
    case = case_of(household_a)
    case = meet(officer_a, case, day=datetime.date(2024, 10, 20), attendees=5, agreeing=5)
    case = post(officer_a, case, start=datetime.date(2024, 10, 21))
    case = workflow.record_district_opinion(
        actor=district_staff,
        case_id=case.pk,
        expected_version=case.version,
        opinion_on=datetime.date(2024, 10, 22),
        opinion="Xem lại thu nhập.",
        today=TODAY,
    )
    survey_2024(officer_a, household_a, datetime.date(2024, 10, 25))
    case = case_of(household_a)
    assert (case.state, case.posting_start) == ("classified", None)


def test_the_chair_cannot_decide_a_status_directly_on_her_own_survey(poor_a, chair_a):
    open_review(poor_a.commune)
    assessment = survey(chair_a, poor_a, income=RICH)
    with pytest.raises(DomainError) as refused:
        services.record_status_change(
            actor=chair_a,
            household_id=poor_a.pk,
            to_status="not_poor",
            effective_date=datetime.date(2026, 10, 2),
            decision_number="1/QĐ",
            assessment_id=assessment.pk,
        )
    assert refused.value.code == "own_survey"


def test_a_direct_status_decision_waits_for_the_open_review_case(poor_a, officer_a, chair_a, api):
    """While the household's case is open in the review, its status changes only by that case's recognition (after
    the posting and the complaints, domain A6): the direct decision is refused naming the case, by the service and
    the API, and nothing is written; once the case is closed, a direct decision goes through again."""
    open_review(poor_a.commune)
    case = walk_to_posted(officer_a, poor_a, income=RICH)
    body = {"household": poor_a.pk, "to_status": "not_poor", "effective_date": "2026-10-02", "decision_number": "9/QĐ"}
    response = api(chair_a).post("/api/v1/status-changes/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "open_review" and case.reference in field_errors(response)["household"][0]
    poor_a.refresh_from_db()
    assert poor_a.status == "poor" and StatusChange.objects.filter(household=poor_a).count() == 1
    recognise(chair_a, case)  # the review's own decision is the way
    poor_a.refresh_from_db()
    assert poor_a.status == "not_poor"
    workflow.report_case(actor=officer_a, case_id=case.pk, expected_version=case_of(poor_a).version, reported_on=TODAY)
    later = {**body, "to_status": "poor", "effective_date": TODAY.isoformat(), "decision_number": "10/QĐ"}
    assert api(chair_a).post("/api/v1/status-changes/", later, format="json").status_code == 201


@pytest.mark.parametrize(
    ("before", "income", "answers", "event", "status", "certificate", "newly_escaped_until"),
    [
        # near-poor → not poor: escaped near-poverty, newly escaped for 36 months (Decision 28/2015, A5)
        ("near_poor", RICH, None, "escaped_near_poverty", "not_poor", "", datetime.date(2029, 11, 2)),
        # near-poor → poor
        ("near_poor", 500_000, DEPRIVED_THREE, "became_poor", "poor", "0001/2026/GCN-HN.HCN", None),
        # poor → near-poor: escaped poverty, still on a list: a near-poor certificate, no window
        ("poor", 500_000, None, "escaped_poverty", "near_poor", "0001/2026/GCN-HN.HCN", None),
        # never listed → poor, on its own request
        (None, 500_000, DEPRIVED_THREE, "newly_poor", "poor", "0001/2026/GCN-HN.HCN", None),
    ],
)
def test_recognition_applies_the_event_of_the_move(
    make_household,
    commune_a,
    admin_user,
    officer_a,
    chair_a,
    before,
    income,
    answers,
    event,
    status,
    certificate,
    newly_escaped_until,
):
    from programs.standards.api import newly_escaped_until as window

    household = make_household(commune_a, "Vàng A Sử")
    insure(household)
    if before is not None:
        services.record_status_change(
            actor=chair_a,
            household_id=household.pk,
            to_status=before,
            effective_date=datetime.date(2025, 12, 20),
            decision_number="12/QĐ-UBND",
        )
        open_review(commune_a)
    else:
        workflow.file_review_request(
            actor=officer_a,
            household_id=household.pk,
            request_kind="add",
            channel="in_person",
            filed_on=datetime.date(2026, 9, 10),
            today=TODAY,
        )
    case = recognise(chair_a, walk_to_posted(officer_a, household, income=income, answers=answers))
    household.refresh_from_db()
    assert (household.status, case.recognised_status, case.certificate_number) == (status, status, certificate)
    assert case.status_change.event == event
    assert window(household) == newly_escaped_until


def test_a_monthly_recognition_numbers_its_certificate_by_month(make_household, commune_a, officer_a, chair_a):
    household = make_household(commune_a, "Vàng A Sử")
    insure(household)
    case = workflow.file_review_request(
        actor=officer_a,
        household_id=household.pk,
        request_kind="add",
        channel="in_person",
        filed_on=datetime.date(2026, 3, 10),
        today=TODAY,
    )
    answers = {k: v for k, v in DEPRIVED_THREE.items() if k != "waste_treatment"} | {"information_access": False}
    services.record_assessment(
        actor=officer_a,
        household_id=household.pk,
        survey_date=datetime.date(2026, 3, 16),
        review_year=2026,
        review_kind="monthly",
        review_month=3,
        income_per_capita=500_000,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=answers,
        today=TODAY,
    )
    case.refresh_from_db()
    case = meet(officer_a, case, day=datetime.date(2026, 3, 18), attendees=20, agreeing=15)
    case = workflow.post_case(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        posting_start=datetime.date(2026, 3, 19),  # Thursday: ends Monday 23/3
        today=TODAY,
    )
    case = recognise(chair_a, case, number="7/QĐ-UBND", day=datetime.date(2026, 3, 24))
    assert (case.recognised_status, case.certificate_number) == ("poor", "0001/T03.2026/GCN-HN.HCN")
    assert case.status_change.event == "newly_poor"
