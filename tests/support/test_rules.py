"""Eligibility for support (domain A8, Part B §4.1, §5.2, §5.3, §5.6): pure, at each boundary."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs.rules import add_months
from support.rules import EligibilityRule, HouseholdAtDate, Limit, check_eligibility, newly_escaped_on, status_on

D = datetime.date
POOR_2022 = (D(2022, 12, 20), "poor")
ESCAPED_2024 = (D(2024, 12, 20), "not_poor")
HISTORY = (POOR_2022, ESCAPED_2024)  # poor from 20/12/2022, escaped on 20/12/2024

HOUSING = EligibilityRule(statuses=frozenset({"poor", "near_poor"}), poor_district_only=True, limit=Limit.ONCE)
LIVESTOCK = EligibilityRule(statuses=frozenset({"poor", "near_poor"}), newly_escaped=True, window_months=36)
INSURANCE = EligibilityRule(statuses=frozenset({"poor"}), limit=Limit.PER_YEAR)


def household(history=HISTORY, poor_district=True, received=()):
    return HouseholdAtDate(history=history, in_poor_district=poor_district, received_on=received)


def test_the_status_on_a_date_is_the_last_decision_by_then():
    assert status_on(HISTORY, D(2022, 12, 19)) == "not_poor"
    assert status_on(HISTORY, D(2022, 12, 20)) == "poor"
    assert status_on(HISTORY, D(2024, 12, 19)) == "poor"
    assert status_on(HISTORY, D(2024, 12, 20)) == "not_poor"


@pytest.mark.parametrize(
    ("day", "eligible"),
    [
        (D(2024, 12, 19), True),  # still poor
        (D(2024, 12, 20), True),  # escaped today: newly escaped
        (D(2027, 12, 19), True),  # the last day of the 36 months
        (D(2027, 12, 20), False),  # the window has ended
    ],
)
def test_the_newly_escaped_window_ends_36_months_after_the_decision(day, eligible):
    result = check_eligibility(LIVESTOCK, household(), day)
    assert result.eligible is eligible
    if not eligible:
        assert "đã hết thời gian hộ mới thoát nghèo ngày 20/12/2027" in result.reasons[1]


def test_a_window_of_another_length_is_a_setting_per_benefit():
    short = EligibilityRule(statuses=frozenset({"poor"}), newly_escaped=True, window_months=12)
    assert check_eligibility(short, household(), D(2025, 12, 19)).eligible
    assert not check_eligibility(short, household(), D(2025, 12, 20)).eligible


def test_a_benefit_without_the_window_stops_at_the_escape():
    assert check_eligibility(INSURANCE, household(), D(2024, 12, 19)).eligible
    refused = check_eligibility(INSURANCE, household(), D(2024, 12, 20))
    assert not refused.eligible
    assert refused.reasons == ("ngày 20/12/2024 hộ là hộ không nghèo; chỉ hỗ trợ hộ nghèo",)


def test_a_household_back_on_a_list_is_not_newly_escaped_but_qualifies_by_status():
    history = (POOR_2022, ESCAPED_2024, (D(2025, 12, 20), "near_poor"))
    assert not newly_escaped_on(history, D(2026, 1, 1), 36)
    assert check_eligibility(LIVESTOCK, household(history), D(2026, 1, 1)).reasons == ("hộ cận nghèo",)


def test_project_5_housing_needs_a_poor_district_and_is_given_once():
    day = D(2024, 6, 1)
    assert check_eligibility(HOUSING, household(), day).eligible
    outside = check_eligibility(HOUSING, household(poor_district=False), day)
    assert outside.reasons == ("chỉ hỗ trợ hộ ở huyện nghèo (địa bàn đặc biệt khó khăn theo dự án)",)
    again = check_eligibility(HOUSING, household(received=(D(2023, 5, 2),)), day)
    assert again.reasons == ("hộ đã nhận hỗ trợ này (hoặc cùng loại) ngày 02/05/2023 (chỉ một lần)",)


def test_a_yearly_benefit_is_given_once_a_year():
    received = (D(2023, 1, 10),)
    assert not check_eligibility(INSURANCE, household(received=received), D(2023, 12, 31)).eligible
    assert check_eligibility(INSURANCE, household(received=received), D(2024, 1, 1)).eligible


def test_every_reason_is_given_together():
    never_poor = check_eligibility(
        HOUSING, household(history=(), poor_district=False, received=(D(2020, 1, 1),)), D(2024, 1, 1)
    )
    assert len(never_poor.reasons) == 3


def test_a_rule_with_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        EligibilityRule(statuses=frozenset({"rich"}))


histories = st.lists(
    st.tuples(
        st.dates(min_value=D(2016, 1, 1), max_value=D(2030, 12, 31)), st.sampled_from(["poor", "near_poor", "not_poor"])
    ),
    max_size=6,
).map(lambda items: tuple(sorted(items, key=lambda item: item[0])))


@given(histories, st.dates(min_value=D(2016, 1, 1), max_value=D(2034, 12, 31)), st.integers(0, 60))
def test_newly_escaped_households_are_off_the_lists_and_within_the_window(history, day, months):
    if newly_escaped_on(history, day, months):
        assert status_on(history, day) == "not_poor"
        exits = [
            d
            for (d, s), (_, before) in zip(history[1:], history, strict=False)
            if d <= day and before != "not_poor" and s == "not_poor"
        ]
        assert exits and day < add_months(max(exits), months)


@given(histories, st.dates(min_value=D(2016, 1, 1), max_value=D(2034, 12, 31)))
def test_a_household_on_a_list_always_qualifies_for_a_benefit_of_its_status(history, day):
    status = status_on(history, day)
    rule = EligibilityRule(statuses=frozenset({"poor", "near_poor"}))
    assert check_eligibility(rule, household(history), day).eligible is (status in {"poor", "near_poor"})
