"""The review workflow's pure rules (domain A6, Part B §3.2, §3.3, §6.1, §8.4): no database."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs.review import rules
from programs.review.rules import CaseState, Move
from programs.rules import RuleInputError

# The table of A6 / §8.4 written out independently: (state, move) pairs that are allowed in a campaign
# without the district step, for a household's own request.
ALLOWED = {
    (CaseState.LISTED, Move.SURVEY),
    (CaseState.CLASSIFIED, Move.SURVEY),
    (CaseState.AGREED, Move.SURVEY),
    (CaseState.POSTED, Move.SURVEY),
    (CaseState.RECHECK, Move.SURVEY),  # the recheck may resurvey
    (CaseState.DISTRICT_CONSULTED, Move.SURVEY),
    (CaseState.CLASSIFIED, Move.MEETING),
    (CaseState.AGREED, Move.POST),
    (CaseState.POSTED, Move.COMPLAIN),
    (CaseState.RECHECK, Move.COMPLAIN),
    (CaseState.DISTRICT_CONSULTED, Move.COMPLAIN),  # still within the posting
    # A complaint is answered wherever the case has gone since (recognition waits until none is open).
    (CaseState.LISTED, Move.RESOLVE_COMPLAINT),
    (CaseState.CLASSIFIED, Move.RESOLVE_COMPLAINT),
    (CaseState.AGREED, Move.RESOLVE_COMPLAINT),
    (CaseState.POSTED, Move.RESOLVE_COMPLAINT),
    (CaseState.RECHECK, Move.RESOLVE_COMPLAINT),
    (CaseState.DISTRICT_CONSULTED, Move.RESOLVE_COMPLAINT),
    (CaseState.POSTED, Move.RECOGNISE),
    (CaseState.DISTRICT_CONSULTED, Move.RECOGNISE),
    (CaseState.LISTED, Move.REJECT),
    (CaseState.CLASSIFIED, Move.REJECT),
    (CaseState.AGREED, Move.REJECT),
    (CaseState.POSTED, Move.REJECT),
    (CaseState.RECOGNISED, Move.REPORT),
}


@pytest.mark.parametrize("state", list(CaseState))
@pytest.mark.parametrize("move", list(Move))
def test_the_move_table_without_the_district_step(state, move):
    expected = (state, move) in ALLOWED
    try:
        rules.check_move(state, move, has_district_step=False, requested=True, open_complaints=False)
        allowed = True
    except RuleInputError as exc:
        allowed = False
        assert exc.field == "state"
        assert exc.message.startswith("Không thể") or exc.code == "no_district_step"
    assert allowed is expected


def test_a_closed_case_allows_nothing_and_says_so():
    for state in rules.CLOSED_STATES:
        assert rules.allowed_moves(state, has_district_step=False, requested=True) == []
        with pytest.raises(RuleInputError) as refused:
            rules.check_move(state, Move.SURVEY, has_district_step=False, requested=False, open_complaints=False)
        assert "đã đóng" in refused.value.message


def test_the_district_step_sits_between_posting_and_recognition_in_older_campaigns():
    rules.check_move(
        CaseState.POSTED, Move.CONSULT_DISTRICT, has_district_step=True, requested=False, open_complaints=False
    )
    with pytest.raises(RuleInputError) as refused:
        rules.check_move(
            CaseState.POSTED, Move.RECOGNISE, has_district_step=True, requested=False, open_complaints=False
        )
    assert refused.value.code == "district_step_pending"
    rules.check_move(
        CaseState.DISTRICT_CONSULTED, Move.RECOGNISE, has_district_step=True, requested=False, open_complaints=False
    )
    assert Move.CONSULT_DISTRICT in rules.allowed_moves(CaseState.POSTED, has_district_step=True, requested=False)
    assert Move.RECOGNISE not in rules.allowed_moves(CaseState.POSTED, has_district_step=True, requested=False)
    assert Move.CONSULT_DISTRICT not in rules.allowed_moves(CaseState.POSTED, has_district_step=False, requested=False)


def test_the_hint_of_a_forbidden_move_offers_refusal_only_for_a_request():
    with pytest.raises(RuleInputError) as listed:
        rules.check_move(
            CaseState.CLASSIFIED, Move.POST, has_district_step=False, requested=False, open_complaints=False
        )
    assert "không công nhận" not in listed.value.message
    with pytest.raises(RuleInputError) as requested:
        rules.check_move(
            CaseState.CLASSIFIED, Move.POST, has_district_step=False, requested=True, open_complaints=False
        )
    assert "không công nhận" in requested.value.message
    assert Move.REJECT not in rules.allowed_moves(CaseState.LISTED, has_district_step=False, requested=False)


def test_only_a_request_can_be_refused():
    with pytest.raises(RuleInputError) as refused:
        rules.check_move(
            CaseState.CLASSIFIED, Move.REJECT, has_district_step=False, requested=False, open_complaints=False
        )
    assert refused.value.code == "not_a_request"


@given(st.integers(min_value=1, max_value=10_000), st.data())
def test_the_meeting_agrees_exactly_when_at_least_half_agree(attendees, data):
    agreeing = data.draw(st.integers(min_value=0, max_value=attendees))
    assert rules.meeting_agreed(attendees, agreeing) is (agreeing / attendees >= 0.5)


@pytest.mark.parametrize(
    ("attendees", "agreeing", "field"), [(0, 0, "attendees"), (10, 11, "agreeing"), (10, -1, "agreeing")]
)
def test_an_impossible_meeting_names_the_field(attendees, agreeing, field):
    with pytest.raises(RuleInputError) as refused:
        rules.meeting_agreed(attendees, agreeing)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        (datetime.date(2026, 10, 26), 3, datetime.date(2026, 10, 28)),  # Monday → Wednesday
        (datetime.date(2026, 10, 29), 3, datetime.date(2026, 11, 2)),  # Thursday → Monday
        (datetime.date(2026, 10, 31), 3, datetime.date(2026, 11, 4)),  # Saturday: counting starts Monday
        (datetime.date(2026, 10, 30), 1, datetime.date(2026, 10, 30)),
        (datetime.date(2026, 10, 26), 10, datetime.date(2026, 11, 6)),
    ],
)
def test_posting_counts_working_days(start, days, end):
    assert rules.add_working_days(start, days) == end


@given(st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 1, 1)), st.integers(1, 30))
def test_a_posting_ends_on_a_working_day_after_enough_working_days(start, days):
    end = rules.add_working_days(start, days)
    assert end >= start and end.weekday() < 5
    span = [start + datetime.timedelta(d) for d in range((end - start).days + 1)]
    assert sum(1 for day in span if day.weekday() < 5) == days


@pytest.mark.parametrize(
    ("filed", "cycle"),
    [
        (datetime.date(2026, 3, 10), ("monthly", 2026, 3)),
        (datetime.date(2026, 3, 15), ("monthly", 2026, 3)),
        (datetime.date(2026, 3, 16), ("monthly", 2026, 4)),
        (datetime.date(2026, 8, 14), ("monthly", 2026, 8)),
        (datetime.date(2026, 8, 20), ("periodic", 2026, 0)),  # next cycle (15/9) is inside the window
        (datetime.date(2026, 9, 1), ("periodic", 2026, 0)),
        (datetime.date(2026, 12, 14), ("periodic", 2026, 0)),
        (datetime.date(2026, 12, 15), ("monthly", 2026, 12)),  # the window has closed; December's cycle starts
        (datetime.date(2026, 12, 31), ("monthly", 2027, 1)),
    ],
)
def test_a_request_joins_the_review_that_handles_it(filed, cycle):
    assert rules.review_cycle_for_request(filed) == cycle


def test_the_periodic_calendar_lies_in_the_window_and_steps_follow_each_other():
    steps = rules.periodic_calendar(2026)
    order = ["survey", "meeting", "posting", "recognition", "report"]
    days = [steps[s] for s in order]
    assert days == sorted(days)
    assert all(rules.in_periodic_window(day) for day in days)
    assert steps["posting"] < datetime.date(2026, 11, 15)  # before the province's preliminary report
    assert "district" not in steps
    assert rules.periodic_calendar(2024, has_district_step=True)["district"] == datetime.date(2024, 11, 25)


def test_the_monthly_review_decides_within_15_days_of_the_15th_and_reports_on_the_5th():
    steps = rules.monthly_calendar(2026, 12)
    assert steps["recognition"] == datetime.date(2026, 12, 30)
    assert steps["report"] == datetime.date(2027, 1, 5)
    assert steps["survey"] > datetime.date(2026, 12, 15)


def test_the_reporting_calendar():
    deadlines = rules.reporting_deadlines(2026)
    assert (rules.Deadline.PRELIMINARY_REPORT, datetime.date(2026, 11, 15)) in deadlines
    assert (rules.Deadline.OFFICIAL_REPORT, datetime.date(2026, 12, 20)) in deadlines
    monthly = [day for kind, day in deadlines if kind is rules.Deadline.MONTHLY_REPORT]
    assert monthly == [datetime.date(2026, m, 5) for m in range(2, 10)]


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (CaseState.LISTED, "survey"),
        (CaseState.CLASSIFIED, "meeting"),
        (CaseState.AGREED, "posting"),
        (CaseState.POSTED, "recognition"),
        (CaseState.RECHECK, "recognition"),
        (CaseState.RECOGNISED, "report"),
    ],
)
def test_each_open_state_waits_for_a_dated_step(state, step):
    steps = rules.periodic_calendar(2026)
    assert rules.due_date(state, steps, has_district_step=False) == (rules.Step(step), steps[step])


def test_closed_cases_wait_for_nothing():
    steps = rules.periodic_calendar(2026)
    for state in rules.CLOSED_STATES:
        assert rules.due_date(state, steps, has_district_step=False) == (None, None)


def test_certificate_numbers():
    assert rules.certificate_number(7, year=2026, month=0) == "0007/2026/GCN-HN.HCN"
    assert rules.certificate_number(12, year=2026, month=3) == "0012/T03.2026/GCN-HN.HCN"


@given(st.integers(min_value=2026, max_value=2040), st.integers(min_value=1, max_value=12))
def test_a_monthly_case_posted_on_its_deadline_can_be_recognised_on_time(year, month):
    steps = rules.monthly_calendar(year, month)
    posting_ends = rules.add_working_days(steps["posting"], 3)
    assert posting_ends < steps["recognition"]
    assert steps["recognition"] == datetime.date(year, month, 15) + datetime.timedelta(days=15)


@pytest.mark.parametrize(
    ("kind", "year", "month", "in_district", "carries"),
    [
        ("periodic", 2024, 0, True, True),
        ("periodic", 2025, 0, True, False),  # the 2025 review started on 1/9/2025, after the district level ended
        ("monthly", 2025, 6, True, True),  # 15/6/2025
        ("monthly", 2025, 7, True, False),  # 15/7/2025
        ("periodic", 2024, 0, False, False),  # a commune directly under the province
    ],
)
def test_only_reviews_started_before_july_2025_under_a_district_carry_its_step(kind, year, month, in_district, carries):
    assert rules.carries_district_step(kind, year, month, commune_in_district=in_district) is carries


def test_the_periodic_review_applies_next_years_standard_and_a_monthly_one_its_own():
    assert rules.standard_days("periodic", 2026, 0) == (datetime.date(2027, 1, 1), datetime.date(2026, 9, 1))
    assert rules.standard_days("monthly", 2026, 3) == (datetime.date(2026, 3, 15),)
