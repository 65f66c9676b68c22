"""The pure rules of support beyond eligibility's window (domain A5, A8, Part B §5.3): the moves of a record, the
follow-ups after delivery, credit (type, overdue rate, maturity, overdue flag) and what followed a support. No
database: exhaustive tables and hypothesis properties, each expected value worked out here, not by the code."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.rules import (
    FOLLOW_UPS,
    EligibilityRule,
    HouseholdAtDate,
    Limit,
    RecordMove,
    RecordState,
    check_eligibility,
    credit_type_for,
    follow_ups,
    loan_maturity,
    loan_overdue,
    outcome,
    outstanding,
    overdue_rate_bp,
    record_move,
)

D = datetime.date
LISTED = {"poor", "near_poor"}

# --- the moves of a support record ------------------------------------------------------------------------

P, A, DL, C = RecordState.PLANNED, RecordState.APPROVED, RecordState.DELIVERED, RecordState.CANCELLED
APPROVE, DELIVER, CANCEL = RecordMove.APPROVE, RecordMove.DELIVER, RecordMove.CANCEL
# The moves of a support record: planned → approved → delivered; cancelled from any but cancelled (a delivered
# one recorded by mistake).
ALLOWED = {
    (P, APPROVE): A,
    (P, CANCEL): C,
    (A, DELIVER): DL,
    (A, CANCEL): C,
    (DL, CANCEL): C,
}
LABELS = {APPROVE: "duyệt", DELIVER: "xác nhận đã hỗ trợ", CANCEL: "hủy"}


@pytest.mark.parametrize("state", list(RecordState))
@pytest.mark.parametrize("move", list(RecordMove))
def test_every_state_and_move_goes_where_the_table_says_or_is_refused(state, move):
    if (state, move) in ALLOWED:
        assert record_move(state, move) is ALLOWED[(state, move)]
        return
    with pytest.raises(ValueError) as refused:
        record_move(state, move)
    message = str(refused.value)
    assert f"không thể {LABELS[move]}" in message
    allowed_here = [LABELS[m] for (s, m) in ALLOWED if s == state]
    assert message.endswith(f"được: {', '.join(allowed_here) or 'không thao tác nào'}.")


def test_a_cancelled_support_allows_nothing_and_says_so():
    with pytest.raises(ValueError, match="đã hủy.*không thao tác nào"):
        record_move(C, CANCEL)


def test_a_delivered_support_can_only_be_cancelled():
    with pytest.raises(ValueError, match="đã hỗ trợ.*được: hủy"):
        record_move(DL, DELIVER)


# --- follow-ups after delivery ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "delivered", "expected"),
    [
        ("livestock", D(2025, 3, 10), [("alive_6m", D(2025, 9, 10)), ("alive_12m", D(2026, 3, 10))]),
        ("seeds_tools", D(2025, 3, 10), [("harvest_6m", D(2025, 9, 10))]),
        ("housing_new", D(2025, 3, 10), [("house_done", D(2025, 9, 10))]),
        ("housing_repair", D(2025, 3, 10), [("house_done", D(2025, 6, 10))]),
        ("training", D(2025, 7, 1), [("employed_6m", D(2026, 1, 1))]),
        ("job", D(2025, 7, 1), [("working_6m", D(2026, 1, 1))]),
        ("credit", D(2025, 11, 15), [("loan_use_3m", D(2026, 2, 15))]),
        ("health_insurance", D(2025, 3, 10), []),
        ("tuition", D(2025, 3, 10), []),
        ("electricity", D(2025, 3, 10), []),
        ("other", D(2025, 3, 10), []),
    ],
)
def test_the_follow_ups_of_a_kind_fall_due_months_after_delivery(kind, delivered, expected):
    assert [(f.code, due) for f, due in follow_ups(kind, delivered)] == expected


@pytest.mark.parametrize(
    ("kind", "delivered", "expected"),
    [
        # 31 August + 6 months: February has no 31st, its last day (2026 is not a leap year, 2024 is)
        ("livestock", D(2025, 8, 31), [D(2026, 2, 28), D(2026, 8, 31)]),
        ("livestock", D(2023, 8, 31), [D(2024, 2, 29), D(2024, 8, 31)]),
        ("housing_repair", D(2025, 11, 30), [D(2026, 2, 28)]),
        ("credit", D(2026, 1, 31), [D(2026, 4, 30)]),
        ("training", D(2024, 3, 31), [D(2024, 9, 30)]),
        ("livestock", D(2024, 2, 29), [D(2024, 8, 29), D(2025, 2, 28)]),
    ],
)
def test_a_follow_up_due_on_a_day_the_month_lacks_falls_on_its_last_day(kind, delivered, expected):
    assert [due for _, due in follow_ups(kind, delivered)] == expected


def test_every_follow_up_has_a_label_and_a_positive_delay():
    for checks in FOLLOW_UPS.values():
        assert len({f.code for f in checks}) == len(checks)
        assert all(f.label and f.months > 0 for f in checks)


# --- credit ---------------------------------------------------------------------------------------------------


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("rate", "overdue"),
    [
        (660, 858),  # poor 6.6% → 8.58%
        (792, 1030),  # near-poor 7.92% → 10.296% → 10.30%
        (825, 1073),  # newly escaped 8.25% → 10.725% → 10.73% (a half rounds up)
        (300, 390),  # housing 3% → 3.9%
        (330, 429),
        (396, 515),  # 5.148 → 5.15
        (0, 0),
        (5, 7),  # 6.5 basis points → 7
    ],
)
def test_the_overdue_rate_is_130_percent_rounded_half_up(rate, overdue):
    assert overdue_rate_bp(rate) == overdue


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_the_overdue_rate_is_the_decimal_130_percent_rounded_half_up(rate):
    assert overdue_rate_bp(rate) == half_up(Decimal(rate) * Decimal("1.3"))


@pytest.mark.parametrize(
    ("disbursed", "months", "maturity"),
    [
        (D(2025, 3, 15), 36, D(2028, 3, 15)),
        (D(2025, 3, 15), 60, D(2030, 3, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 10, 31), 4, D(2026, 2, 28)),
        (D(2025, 12, 1), 1, D(2026, 1, 1)),
    ],
)
def test_a_loan_matures_its_term_in_months_after_disbursement(disbursed, months, maturity):
    assert loan_maturity(disbursed, months) == maturity


MATURITY = D(2028, 3, 15)


@pytest.mark.parametrize(
    ("day", "balance", "overdue"),
    [
        (D(2028, 3, 14), 1, False),
        (MATURITY, 1, False),  # the maturity day itself is still in time
        (D(2028, 3, 16), 1, True),  # the next day principal is overdue
        (D(2030, 1, 1), 50_000_000, True),
        (D(2028, 3, 16), 0, False),  # repaid in full: never overdue
        (D(2040, 1, 1), 0, False),
    ],
)
def test_a_loan_is_overdue_from_the_day_after_maturity_while_principal_is_owed(day, balance, overdue):
    assert loan_overdue(MATURITY, balance, day) is overdue


def test_what_is_still_owed_never_goes_below_zero():
    assert outstanding(50_000_000, [10_000_000, 15_000_000]) == 25_000_000
    assert outstanding(50_000_000, []) == 50_000_000
    assert outstanding(50_000_000, [50_000_000]) == 0
    assert outstanding(50_000_000, [60_000_000]) == 0


@pytest.mark.parametrize(
    ("status", "newly_escaped", "code"),
    [
        ("poor", False, "credit_poor"),
        ("poor", True, "credit_poor"),  # a household on a list borrows as what it is
        ("near_poor", False, "credit_near_poor"),
        ("near_poor", True, "credit_near_poor"),
        ("not_poor", True, "credit_newly_escaped"),
        ("not_poor", False, None),
    ],
)
def test_the_production_loan_type_follows_the_status_at_the_date(status, newly_escaped, code):
    assert credit_type_for(status, newly_escaped) == code


# --- eligibility: what tests/support/test_rules.py does not cover --------------------------------------------

LISTED_RULE = EligibilityRule(statuses=frozenset(LISTED))
HOUSE = EligibilityRule(statuses=frozenset(LISTED), limit=Limit.ONCE)
CARD = EligibilityRule(statuses=frozenset({"poor"}), limit=Limit.PER_YEAR)
NEWLY_ONLY = EligibilityRule(statuses=frozenset(), newly_escaped=True, window_months=36)
POOR_FROM_2023 = ((D(2023, 6, 1), "poor"),)


def at(history=POOR_FROM_2023, poor_district=False, received=()):
    return HouseholdAtDate(history=history, in_poor_district=poor_district, received_on=received)


def test_a_household_qualifies_from_the_day_of_the_decision_not_the_day_before():
    assert not check_eligibility(LISTED_RULE, at(), D(2023, 5, 31)).eligible
    assert check_eligibility(LISTED_RULE, at(), D(2023, 6, 1)).reasons == ("hộ nghèo",)


def test_a_house_recorded_after_the_fact_before_one_on_file_is_a_second_house():
    """Limit ONCE is per household: a record dated later than the new one counts too."""
    refused = check_eligibility(HOUSE, at(received=(D(2024, 9, 1),)), D(2024, 3, 1))
    assert not refused.eligible
    assert refused.reasons == ("hộ đã nhận hỗ trợ này (hoặc cùng loại) ngày 01/09/2024 (chỉ một lần)",)


def test_a_yearly_card_recorded_after_the_fact_in_the_same_year_is_a_second_card():
    refused = check_eligibility(CARD, at(received=(D(2024, 9, 1),)), D(2024, 3, 1))
    assert refused.reasons == ("hộ đã nhận hỗ trợ này (hoặc cùng loại) trong năm 2024 (mỗi năm một lần)",)
    assert check_eligibility(CARD, at(received=(D(2025, 1, 1),)), D(2024, 12, 31)).eligible


def test_a_benefit_only_for_newly_escaped_households_names_only_them():
    refused = check_eligibility(NEWLY_ONLY, at(), D(2024, 1, 1))
    assert refused.reasons == ("ngày 01/01/2024 hộ là hộ nghèo; chỉ hỗ trợ hộ mới thoát nghèo (trong 36 tháng)",)


def test_a_near_poor_household_that_leaves_the_list_is_newly_escaped_too():
    history = ((D(2022, 6, 1), "near_poor"), (D(2024, 6, 1), "not_poor"))
    assert check_eligibility(NEWLY_ONLY, at(history), D(2027, 5, 31)).eligible
    assert not check_eligibility(NEWLY_ONLY, at(history), D(2027, 6, 1)).eligible


def test_poor_to_near_poor_is_not_newly_escaped():
    history = ((D(2022, 6, 1), "poor"), (D(2024, 6, 1), "near_poor"))
    assert not check_eligibility(NEWLY_ONLY, at(history), D(2024, 7, 1)).eligible


# --- outcomes ------------------------------------------------------------------------------------------------

ESCAPE_AND_RELAPSE = ((D(2022, 12, 20), "poor"), (D(2024, 12, 20), "not_poor"), (D(2025, 12, 20), "poor"))


def test_the_outcome_reads_the_status_at_support_and_at_each_year_end():
    result = outcome(ESCAPE_AND_RELAPSE, D(2024, 3, 1), [2024, 2025, 2026])
    assert result.status_at_support == "poor"
    assert result.status_at == {2024: "not_poor", 2025: "poor", 2026: "poor"}
    assert result.relapsed_after is True


def test_a_status_decided_on_31_december_counts_for_that_year():
    history = ((D(2022, 1, 5), "poor"), (D(2024, 12, 31), "near_poor"))
    assert outcome(history, D(2024, 3, 1), [2024]).status_at == {2024: "near_poor"}


@pytest.mark.parametrize(
    ("supported_on", "years", "relapsed"),
    [
        (D(2024, 3, 1), [2025], True),  # poor when supported, escaped, came back: despite the support
        (D(2025, 1, 10), [2025, 2026], True),  # supported as newly escaped, came back later
        (D(2025, 12, 20), [2026], False),  # came back the day of the support: not after it
        (D(2025, 12, 21), [2026], False),  # supported after it came back
        (D(2025, 1, 10), [], True),  # no later year ended yet: the support's own year still counts
        (D(2024, 3, 1), [], False),  # ... but not the years after it
        (D(2023, 3, 1), [2024], False),  # the relapse comes after the last year looked at
    ],
)
def test_a_relapse_counts_only_when_the_household_comes_back_onto_a_list_after_the_support(
    supported_on, years, relapsed
):
    assert outcome(ESCAPE_AND_RELAPSE, supported_on, years).relapsed_after is relapsed


@pytest.mark.parametrize(
    ("until", "relapsed"),
    [(D(2025, 12, 19), False), (D(2025, 12, 20), True), (D(2026, 6, 1), True)],
)
def test_a_relapse_counts_up_to_the_day_given_whatever_years_have_ended(until, relapsed):
    result = outcome(ESCAPE_AND_RELAPSE, D(2024, 3, 1), [], until=until)
    assert result.relapsed_after is relapsed
    assert result.status_at == {}


def test_a_relapse_within_the_support_year_counts_before_any_later_year_has_ended():
    history = ((D(2022, 1, 5), "poor"), (D(2025, 4, 1), "not_poor"), (D(2025, 11, 1), "near_poor"))
    assert outcome(history, D(2025, 2, 1), []).relapsed_after is True


def test_becoming_poor_from_near_poor_is_not_a_relapse():
    history = ((D(2022, 1, 5), "near_poor"), (D(2024, 6, 1), "poor"))
    assert outcome(history, D(2023, 1, 1), [2024, 2025]).relapsed_after is False


def test_a_first_entry_onto_a_list_is_not_a_relapse():
    history = ((D(2024, 6, 1), "poor"),)
    assert outcome(history, D(2023, 1, 1), [2024]).relapsed_after is False


days = st.dates(min_value=D(2016, 1, 1), max_value=D(2030, 12, 31))
histories = st.lists(st.tuples(days, st.sampled_from(["poor", "near_poor", "not_poor"])), max_size=7).map(
    lambda items: tuple(sorted(items, key=lambda item: item[0]))
)


def status_at(history, day):
    known = [status for effective, status in history if effective <= day]
    return known[-1] if known else "not_poor"


def came_back_days(history):
    """The days a household came back onto a list it had left: a listed entry, later an unlisted one, later a
    listed one (searched over index triples, a different route from the rule's single pass)."""
    statuses = ["not_poor"] + [s for _, s in history]
    found = []
    for k in range(1, len(statuses)):
        if statuses[k] not in LISTED or statuses[k - 1] in LISTED:
            continue
        if any(statuses[i] in LISTED and statuses[j] not in LISTED for i in range(k) for j in range(i + 1, k)):
            found.append(history[k - 1][0])
    return found


@settings(max_examples=150, deadline=None)
@given(histories, days, st.lists(st.integers(2016, 2031), max_size=3, unique=True), st.none() | days)
def test_relapsed_means_a_listed_unlisted_listed_pattern_after_the_support(history, supported_on, years, until):
    result = outcome(history, supported_on, years, until=until)
    end = until if until is not None else D(max([supported_on.year, *years]), 12, 31)
    expected = any(supported_on < day <= end for day in came_back_days(history))
    assert result.relapsed_after is expected
    if result.relapsed_after:
        listed = [s in LISTED for _, s in history]
        n = len(listed)
        assert any(
            listed[i] and not listed[j] and listed[k]
            for i in range(n)
            for j in range(i + 1, n)
            for k in range(j + 1, n)
        )
    assert result.status_at_support == status_at(history, supported_on)
    assert result.status_at == {y: status_at(history, min(D(y, 12, 31), end)) for y in years}  # a running year: so far
