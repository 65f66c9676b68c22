"""The year's figures as pure functions (programs/reporting/rules.py; domain A5, Part B §4.3 movement accounting and
§6.2 indicators): statuses at the reference dates, each household's movement, the flat tallies that add up,
cohorts, rates and targets. No database; expected values are typed here, never computed by the code."""

import datetime
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.reporting import rules as accounting
from programs.reporting.rules import HouseholdYear, Target

D = datetime.date
P, N, X = "poor", "near_poor", "not_poor"


def hy(start=X, end=X, *, present_start=True, present_end=True, listed_before=False, **facts) -> HouseholdYear:
    return HouseholdYear(
        present_start=present_start, present_end=present_end, start=start, end=end, listed_before=listed_before, **facts
    )


# --- statuses at a date -------------------------------------------------------------------------------------

HISTORY = [(D(2024, 3, 1), P), (D(2024, 3, 1), N), (D(2025, 6, 30), X), (D(2025, 12, 31), P)]


@pytest.mark.parametrize(
    ("history", "day", "status", "listed"),
    [
        ([], D(2025, 1, 1), X, False),
        (HISTORY, D(2024, 2, 29), X, False),  # before any change: not poor
        (HISTORY, D(2024, 3, 1), N, True),  # on the decision's day; the last of the day's changes wins
        (HISTORY, D(2025, 6, 29), N, True),
        (HISTORY, D(2025, 6, 30), X, True),  # off the lists, but listed before
        (HISTORY, D(2025, 12, 30), X, True),
        (HISTORY, D(2025, 12, 31), P, True),
        (HISTORY, D(2040, 1, 1), P, True),
        ([(D(2023, 1, 1), X)], D(2024, 1, 1), X, False),
        ([(D(2023, 1, 1), N)], D(2022, 12, 31), X, False),
        ([(D(2023, 1, 1), N)], D(2023, 1, 1), N, True),
    ],
)
def test_status_on_and_listed_by_read_the_last_change_on_or_before_the_day(history, day, status, listed):
    assert accounting.status_on(history, day) == status
    assert accounting.listed_by(history, day) is listed


def test_the_reference_date_is_the_31st_of_december():
    assert accounting.reference_date(2025) == D(2025, 12, 31)


# --- one household's year -----------------------------------------------------------------------------------


def test_a_change_on_the_31st_of_december_counts_for_that_year():
    history = [(D(2024, 12, 31), P)]
    y2024 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2024, today=D(2026, 5, 1))
    y2025 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2025, today=D(2026, 5, 1))
    assert (y2024.start, y2024.end, y2024.listed_before) == (X, P, False)
    assert (y2025.start, y2025.end, y2025.listed_before) == (P, P, True)


def test_a_change_on_the_1st_of_january_counts_for_the_new_year():
    history = [(D(2025, 1, 1), P)]
    y2024 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2024, today=D(2026, 5, 1))
    y2025 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2025, today=D(2026, 5, 1))
    assert (y2024.start, y2024.end) == (X, X)
    assert (y2025.start, y2025.end, y2025.listed_before) == (X, P, False)


@pytest.mark.parametrize(
    ("first_seen", "year", "present"),
    [
        (D(2024, 12, 31), 2024, (False, True)),  # known on 31/12: counts for that year
        (D(2024, 12, 31), 2025, (True, True)),
        (D(2025, 1, 1), 2024, (False, False)),
        (D(2025, 1, 1), 2025, (False, True)),
        (D(2023, 12, 31), 2024, (True, True)),
        (D(2026, 3, 1), 2025, (False, False)),
    ],
)
def test_a_household_is_present_from_the_day_it_is_first_seen(first_seen, year, present):
    h = accounting.household_year([], first_seen=first_seen, year=year, today=D(2026, 5, 1))
    assert (h.present_start, h.present_end) == present


def test_listed_before_looks_up_to_the_end_of_the_year_before():
    history = [(D(2023, 2, 1), N), (D(2023, 6, 1), X), (D(2024, 5, 1), P)]
    y2023 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2023, today=D(2026, 5, 1))
    y2024 = accounting.household_year(history, first_seen=D(2020, 1, 1), year=2024, today=D(2026, 5, 1))
    assert (y2023.start, y2023.end, y2023.listed_before) == (X, X, False)
    assert (y2024.start, y2024.end, y2024.listed_before) == (X, P, True)
    on_new_years_eve = [(D(2023, 12, 31), N)]
    h = accounting.household_year(on_new_years_eve, first_seen=D(2020, 1, 1), year=2024, today=D(2026, 5, 1))
    assert (h.start, h.listed_before) == (N, True)


LATER = [(D(2023, 1, 1), P), (D(2024, 3, 1), X), (D(2025, 12, 31), P), (D(2026, 4, 30), N)]


@pytest.mark.parametrize(
    ("year", "today", "later"),
    [
        (2024, D(2026, 5, 1), (P, N)),  # 2025 ended poor (decided on 31/12); 2026 running: as of today
        (2024, D(2026, 4, 29), (P, P)),  # the change of 30/04/2026 is not yet known today
        (2024, D(2026, 1, 1), (P, P)),  # a year begins on 1 January
        (2024, D(2025, 12, 31), (P, None)),  # 2025 running (its last day), 2026 not begun
        (2024, D(2025, 6, 1), (X, None)),
        (2025, D(2026, 5, 1), (N, None)),
        (2025, D(2025, 12, 31), (None, None)),
        (2023, D(2030, 1, 1), (X, P)),
    ],
)
def test_later_years_read_the_31st_of_december_or_today_and_none_before_they_begin(year, today, later):
    h = accounting.household_year(LATER, first_seen=D(2020, 1, 1), year=year, today=today)
    assert h.later == later


def test_the_household_facts_are_carried_over():
    h = accounting.household_year(
        [],
        first_seen=D(2020, 1, 1),
        year=2025,
        today=D(2026, 1, 1),
        groups=["minority", "female_head"],
        ethnicity="08",
        deprived=["water", "telecom"],
        causes=["land", "illness"],
        children=3,
        later_years=3,
    )
    assert h.groups == frozenset({"minority", "female_head"})
    assert (h.ethnicity, h.deprived, h.causes, h.children) == ("08", ("water", "telecom"), ("land", "illness"), 3)
    assert h.later == (X, None, None)


# --- the movement of each household, every combination -----------------------------------------------------

T, F = True, False
# start, end, present at start, present at end, listed before -> movement of the poor list, of the near-poor list
# ("-key": a decrease, "+key": an increase, "": none). Present at start but gone at the end cannot come out of
# household_year today (no move-out history yet), but the rule is defined for it.
MOVEMENTS = [
    # present on both dates
    (P, P, T, T, T, "", ""),
    (P, P, T, T, F, "", ""),
    (P, N, T, T, T, "-to_near_poor", "+from_poor"),
    (P, N, T, T, F, "-to_near_poor", "+from_poor"),
    (P, X, T, T, T, "-escaped", ""),
    (P, X, T, T, F, "-escaped", ""),
    (N, P, T, T, T, "+from_near_poor", "-to_poor"),
    (N, P, T, T, F, "+from_near_poor", "-to_poor"),
    (N, N, T, T, T, "", ""),
    (N, N, T, T, F, "", ""),
    (N, X, T, T, T, "", "-escaped"),
    (N, X, T, T, F, "", "-escaped"),
    (X, P, T, T, T, "+relapsed", ""),
    (X, P, T, T, F, "+newly", ""),
    (X, N, T, T, T, "", "+relapsed"),
    (X, N, T, T, F, "", "+newly"),
    (X, X, T, T, T, "", ""),
    (X, X, T, T, F, "", ""),
    # gone by the end of the year: an other decrease of the list it was on
    (P, P, T, F, T, "-other_decrease", ""),
    (P, P, T, F, F, "-other_decrease", ""),
    (P, N, T, F, T, "-other_decrease", ""),
    (P, N, T, F, F, "-other_decrease", ""),
    (P, X, T, F, T, "-other_decrease", ""),
    (P, X, T, F, F, "-other_decrease", ""),
    (N, P, T, F, T, "", "-other_decrease"),
    (N, P, T, F, F, "", "-other_decrease"),
    (N, N, T, F, T, "", "-other_decrease"),
    (N, N, T, F, F, "", "-other_decrease"),
    (N, X, T, F, T, "", "-other_decrease"),
    (N, X, T, F, F, "", "-other_decrease"),
    (X, P, T, F, T, "", ""),
    (X, P, T, F, F, "", ""),
    (X, N, T, F, T, "", ""),
    (X, N, T, F, F, "", ""),
    (X, X, T, F, T, "", ""),
    (X, X, T, F, F, "", ""),
    # arrived during the year (registered, moved in, split): an other increase of the list it ends on
    (P, P, F, T, T, "+other_increase", ""),
    (P, P, F, T, F, "+other_increase", ""),
    (P, N, F, T, T, "", "+other_increase"),
    (P, N, F, T, F, "", "+other_increase"),
    (P, X, F, T, T, "", ""),
    (P, X, F, T, F, "", ""),
    (N, P, F, T, T, "+other_increase", ""),
    (N, P, F, T, F, "+other_increase", ""),
    (N, N, F, T, T, "", "+other_increase"),
    (N, N, F, T, F, "", "+other_increase"),
    (N, X, F, T, T, "", ""),
    (N, X, F, T, F, "", ""),
    (X, P, F, T, T, "+other_increase", ""),
    (X, P, F, T, F, "+other_increase", ""),
    (X, N, F, T, T, "", "+other_increase"),
    (X, N, F, T, F, "", "+other_increase"),
    (X, X, F, T, T, "", ""),
    (X, X, F, T, F, "", ""),
    # not there on either date: nothing
    (P, P, F, F, T, "", ""),
    (P, P, F, F, F, "", ""),
    (P, N, F, F, T, "", ""),
    (P, N, F, F, F, "", ""),
    (P, X, F, F, T, "", ""),
    (P, X, F, F, F, "", ""),
    (N, P, F, F, T, "", ""),
    (N, P, F, F, F, "", ""),
    (N, N, F, F, T, "", ""),
    (N, N, F, F, F, "", ""),
    (N, X, F, F, T, "", ""),
    (N, X, F, F, F, "", ""),
    (X, P, F, F, T, "", ""),
    (X, P, F, F, F, "", ""),
    (X, N, F, F, T, "", ""),
    (X, N, F, F, F, "", ""),
    (X, X, F, F, T, "", ""),
    (X, X, F, F, F, "", ""),
]


def as_pair(expected: str) -> tuple[str | None, str | None]:
    if not expected:
        return None, None
    return (expected[1:], None) if expected[0] == "-" else (None, expected[1:])


def test_the_movement_table_covers_every_combination_once():
    assert len({row[:5] for row in MOVEMENTS}) == len(MOVEMENTS) == 3 * 3 * 2 * 2 * 2


@pytest.mark.parametrize(("start", "end", "present_start", "present_end", "listed", "poor", "near"), MOVEMENTS)
def test_movement_of_each_combination(start, end, present_start, present_end, listed, poor, near):
    h = hy(start, end, present_start=present_start, present_end=present_end, listed_before=listed)
    assert accounting.movement_of(h, P) == as_pair(poor)
    assert accounting.movement_of(h, N) == as_pair(near)
    counts = accounting.tally([h])
    for status, expected in ((P, poor), (N, near)):
        m = accounting.movement(counts, status)
        moved = {f"-{k}": v for k, v in m.decreases.items()} | {f"+{k}": v for k, v in m.increases.items()}
        assert moved == {key: int(key == expected) for key in moved}
        assert m.start == int(present_start and start == status)
        assert m.end == int(present_end and end == status)
        assert m.balances


# --- tallies: balance, additivity, keys ---------------------------------------------------------------------

STATUSES = st.sampled_from([P, N, X])
household_years = st.builds(
    HouseholdYear,
    present_start=st.booleans(),
    present_end=st.booleans(),
    start=STATUSES,
    end=STATUSES,
    listed_before=st.booleans(),
    groups=st.frozensets(st.sampled_from(accounting.GROUPS)),
    ethnicity=st.sampled_from(["", "01", "08", "10"]),
    deprived=st.lists(st.sampled_from(["water", "sanitation", "telecom"]), unique=True).map(tuple),
    causes=st.lists(st.sampled_from(["land", "capital", "illness"]), unique=True).map(tuple),
    children=st.integers(0, 4),
    later=st.lists(st.one_of(st.none(), STATUSES), min_size=0, max_size=2).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(household_years, max_size=30))
def test_the_movement_balances_for_any_households(households):
    counts = accounting.tally(households)
    for status in (P, N):
        m = accounting.movement(counts, status)
        assert m.balances, m
        assert m.start == sum(1 for h in households if h.present_start and h.start == status)
        assert m.end == sum(1 for h in households if h.present_end and h.end == status)
        assert set(m.decreases) == set(accounting.DECREASES[status])
        assert set(m.increases) == set(accounting.INCREASES[status])
    assert counts["households"] == sum(1 for h in households if h.present_end)


@settings(max_examples=50, deadline=None)
@given(st.lists(household_years, max_size=15), st.lists(household_years, max_size=15))
def test_tallies_add_up(first, second):
    whole = accounting.tally(first + second)
    assert whole == accounting.tally(first) + accounting.tally(second)
    assert accounting.add_up([accounting.tally(first), accounting.tally(second)]) == whole
    assert accounting.add_up([]) == Counter()


def test_the_tally_keys_of_groups_ethnicity_deprivations_causes_and_children():
    households = [
        hy(
            P,
            P,
            groups=frozenset({"minority", "no_labour"}),
            ethnicity="08",
            deprived=("water", "telecom"),
            causes=("land", "capital"),
            children=2,
        ),
        hy(X, N, groups=frozenset({"minority"}), ethnicity="08", deprived=("water",), children=1),
        hy(
            N,
            X,
            groups=frozenset({"female_head"}),
            ethnicity="01",
            deprived=("sanitation",),
            causes=("land",),
            children=4,
        ),
        hy(X, P, present_start=False, ethnicity="01", deprived=("sanitation",), causes=("capital", "capital")),
        hy(
            P,
            P,
            present_end=False,
            groups=frozenset({"minority"}),
            ethnicity="08",
            deprived=("water",),
            causes=("land",),
            children=5,
        ),
        hy(X, X, ethnicity="", causes=("illness",)),
    ]
    counts = accounting.tally(households)
    expected = {
        "households": 5,
        P: 2,
        N: 1,
        X: 2,
        "group.minority.households": 2,
        "group.minority.poor": 1,
        "group.minority.near_poor": 1,
        "group.no_labour.households": 1,
        "group.no_labour.poor": 1,
        "group.female_head.households": 1,
        "group.female_head.not_poor": 1,
        "eth.08.households": 2,
        "eth.08.poor": 1,
        "eth.08.near_poor": 1,
        "eth.01.households": 2,
        "eth.01.not_poor": 1,
        "eth.01.poor": 1,
        # deprivations and children of the poor and near-poor only (the third household is off the lists)
        "dep.poor.water": 1,
        "dep.poor.telecom": 1,
        "dep.poor.sanitation": 1,
        "dep.near_poor.water": 1,
        "children.poor": 2,
        "children.near_poor": 1,
        "child_dep.water": 3,
        "child_dep.telecom": 2,
        "child_dep.sanitation": 0,
        # causes of the poor and near-poor only, each once; the near-poor household ticked none
        "cause.poor.land": 1,
        "cause.poor.capital": 2,
        "cause.near_poor.none": 1,
        # the movement
        "move.poor.start": 2,
        "move.poor.newly": 0,
        "move.poor.other_increase": 1,
        "move.poor.other_decrease": 1,
        "move.near_poor.start": 1,
        "move.near_poor.newly": 1,
        "move.near_poor.escaped": 1,
    }
    assert {k: v for k, v in counts.items() if v} == {k: v for k, v in expected.items() if v}


@settings(max_examples=60, deadline=None)
@given(st.lists(household_years, max_size=30))
def test_each_listed_household_counts_once_per_cause_or_once_as_without_a_cause(households):
    counts = accounting.tally(households)
    for status in (P, N):
        listed = [h for h in households if h.present_end and h.end == status]
        for code in ("land", "capital", "illness"):
            assert counts[f"cause.{status}.{code}"] == sum(code in h.causes for h in listed)
        assert counts[f"cause.{status}.none"] == sum(not h.causes for h in listed)
    assert not [key for key in counts if key.startswith("cause.not_poor")]


def test_the_exit_cohort_counts_who_escaped_and_who_was_poor_again():
    households = [
        hy(P, X, later=(P, None)),  # escaped; poor again a year later; the second year not begun
        hy(P, N, later=(X, P)),  # escaped to near-poor; poor again after two years
        hy(P, X, later=(N, X)),  # escaped; near-poor is not poor again
        hy(P, P, later=(X, X)),  # did not escape this year
        hy(N, X, later=(P, P)),  # left the near-poor list: not in the poverty exit cohort
        hy(P, X, present_end=False, later=(P, P)),  # gone: an other decrease, not an exit
        hy(X, X, present_start=False, later=(P, P)),
    ]
    cohort = accounting.cohort(accounting.tally(households))
    assert (cohort.escaped, cohort.followed, cohort.relapsed) == (3, [3, 2], [1, 1])
    assert accounting.cohort(Counter(), later_years=3) == accounting.CohortShare(0, [0, 0, 0], [0, 0, 0])


def test_a_movement_that_does_not_add_up_does_not_balance():
    m = accounting.Movement(status=P, start=3, decreases={"escaped": 1}, increases={"newly": 0}, end=1)
    assert not m.balances
    assert accounting.Movement(status=P, start=3, decreases={"escaped": 1}, increases={"newly": 2}, end=4).balances


# --- rates and targets --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 3, 33.33),
        (2, 3, 66.67),
        (1, 8, 12.5),
        (1, 800, 0.13),  # 0.125: halves round up, as in the official tables and Excel
        (29, 800, 3.63),  # 3.625
        (1, 20_000, 0.01),  # 0.005
        (1, 200_000, 0.0),  # 0.0005
        (1, 1_600, 0.06),  # 0.0625
        (0, 5, 0.0),
        (5, 5, 100.0),
        (4, 13, 30.77),
        (7, 13, 53.85),
        (3, 0, None),
        (0, 0, None),
    ],
)
def test_rates_are_percentages_with_two_decimals(part, whole, expected):
    assert accounting.rate(part, whole) == expected


THIS_YEAR = Counter(
    {"households": 200, P: 5, N: 10, "group.minority.households": 40, "group.minority.poor": 4}
)  # poor 2.50%, near-poor 5.00%, both 7.50%, ethnic-minority poor 10.00%
LAST_YEAR = Counter(
    {"households": 190, P: 7, N: 11, "group.minority.households": 38, "group.minority.poor": 5}
)  # poor 3.68%, ethnic-minority poor 13.16%


@pytest.mark.parametrize(("measure", "rate"), [(P, 2.5), (N, 5.0), ("multidimensional", 7.5), ("minority_poor", 10.0)])
def test_the_measured_rates(measure, rate):
    assert accounting.measure_rate(THIS_YEAR, measure) == rate
    assert accounting.measure_rate(Counter(), measure) is None


@pytest.mark.parametrize(
    ("target", "last_year", "actual", "on_track", "text"),
    [
        (
            Target(P, "max_rate", 2.5),
            LAST_YEAR,
            2.5,
            True,
            "Tỷ lệ hộ nghèo 2,50% — đạt mục tiêu không quá 2,50%.",
        ),
        (
            Target(P, "max_rate", 2.0),
            None,
            2.5,
            False,
            "Tỷ lệ hộ nghèo 2,50% — chưa đạt mục tiêu không quá 2,00%.",
        ),
        (
            Target("multidimensional", "max_rate", 8),
            None,
            7.5,
            True,
            "Tỷ lệ nghèo đa chiều (nghèo + cận nghèo) 7,50% — đạt mục tiêu không quá 8,00%.",
        ),
        (
            Target(P, "reduction", 1.0),
            LAST_YEAR,
            1.18,
            True,
            "Tỷ lệ hộ nghèo giảm 1,18 điểm % (3,68% → 2,50%) — đạt mục tiêu giảm 1,00 điểm.",
        ),
        (
            Target(P, "reduction", 1.5),
            LAST_YEAR,
            1.18,
            False,
            "Tỷ lệ hộ nghèo giảm 1,18 điểm % (3,68% → 2,50%) — chưa đạt mục tiêu giảm 1,50 điểm.",
        ),
        (
            Target("minority_poor", "reduction", 3.0),
            LAST_YEAR,
            3.16,
            True,
            "Tỷ lệ hộ nghèo dân tộc thiểu số giảm 3,16 điểm % (13,16% → 10,00%) — đạt mục tiêu giảm 3,00 điểm.",
        ),
        (
            Target(P, "reduction", 1.0),
            None,
            None,
            None,
            "Chưa đủ số liệu hai năm để tính mức giảm tỷ lệ hộ nghèo.",
        ),
        (
            Target(N, "reduction", 1.0),
            Counter(),
            None,
            None,
            "Chưa đủ số liệu hai năm để tính mức giảm tỷ lệ hộ cận nghèo.",
        ),
    ],
)
def test_check_target(target, last_year, actual, on_track, text):
    check = accounting.check_target(target, THIS_YEAR, last_year)
    assert (check.target, check.actual, check.on_track, check.text) == (target, actual, on_track, text)


def test_a_target_without_figures_this_year_is_neither_met_nor_missed():
    for target in (Target(P, "max_rate", 2.5), Target(P, "reduction", 1.0)):
        check = accounting.check_target(target, Counter(), LAST_YEAR)
        assert (check.actual, check.on_track) == (None, None)
    assert accounting.check_target(Target(P, "max_rate", 2.5), Counter(), None).text == (
        "Chưa có số liệu tỷ lệ hộ nghèo."
    )


def test_a_rate_that_went_up_is_said_to_have_increased_not_reduced_by_a_negative_amount():
    # 14.50% → 22.83%: the rate rose 8.33 points; the text must not read "giảm -8,33"
    check = accounting.check_target(
        Target(P, "reduction", 1.5), Counter({"households": 600, P: 137}), Counter({"households": 600, P: 87})
    )
    assert (check.actual, check.on_track) == (-8.33, False)
    assert check.text == ("Tỷ lệ hộ nghèo tăng 8,33 điểm % (14,50% → 22,83%) — chưa đạt mục tiêu giảm 1,50 điểm.")


def test_a_reduction_exactly_at_the_target_is_on_track_despite_float_error():
    # 3.30% → 2.20%: 3.3 - 2.2 is 1.0999999999999996 in floating point
    check = accounting.check_target(
        Target(P, "reduction", 1.1), Counter({"households": 1000, P: 22}), Counter({"households": 1000, P: 33})
    )
    assert (check.actual, check.on_track) == (1.1, True)
