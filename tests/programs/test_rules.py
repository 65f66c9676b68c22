"""The classification rule of domain A2, at every boundary of every standard (no database)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programs import rules
from programs.rules import AreaType, Category, RuleInputError

R, U = AreaType.RURAL, AreaType.URBAN
V2022_CODES = (
    "employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_schooling",
    "housing_quality", "housing_area", "water", "sanitation", "telecom", "information_access",
)  # fmt: skip
V2016_CODES = (
    "healthcare_access", "health_insurance", "adult_education", "child_schooling", "housing_quality",
    "housing_area", "water", "sanitation", "telecom", "information_access",
)  # fmt: skip
V2027_CODES = (
    "employment", "dependants", "nutrition", "health_insurance", "adult_education", "child_schooling",
    "housing_quality", "housing_area", "water", "sanitation", "waste_treatment", "telecom",
)  # fmt: skip

# The figures of domain A1 and Part B §3.4, typed here independently of the data migration.
VN2016 = rules.Standard(
    code="VN-2016", name="", legal_basis="", valid_from=datetime.date(2016, 1, 1), valid_to=datetime.date(2021, 12, 31),
    poor_line={R: 1_000_000, U: 1_300_000}, income_only_line={R: 700_000, U: 900_000}, indicators=V2016_CODES,
)  # fmt: skip
VN2022 = rules.Standard(
    code="VN-2022", name="", legal_basis="", valid_from=datetime.date(2022, 1, 1), valid_to=datetime.date(2026, 12, 31),
    poor_line={R: 1_500_000, U: 2_000_000}, average_upper={R: 2_250_000, U: 3_000_000},
    point_a_max={R: 140, U: 175}, indicators=V2022_CODES,
)  # fmt: skip
VN2027 = rules.Standard(
    code="VN-2027", name="", legal_basis="", valid_from=datetime.date(2027, 1, 1), valid_to=datetime.date(2030, 12, 31),
    poor_line={R: 2_200_000, U: 2_800_000}, indicators=V2027_CODES,
)  # fmt: skip
STANDARDS = {"VN-2016": VN2016, "VN-2022": VN2022, "VN-2027": VN2027}


def deprived(standard, k):
    return standard.indicators[:k]


P, N, A, X = Category.POOR, Category.NEAR_POOR, Category.AVERAGE, Category.NOT_POOR
INCOME_TABLE = [
    # standard, area, income, k, category
    ("VN-2022", R, 0, 0, N),
    ("VN-2022", R, 1_500_000, 2, N),
    ("VN-2022", R, 1_500_000, 3, P),
    ("VN-2022", R, 1_500_000, 12, P),
    ("VN-2022", R, 1_500_001, 3, A),
    ("VN-2022", R, 1_500_001, 12, A),
    ("VN-2022", R, 2_250_000, 0, A),
    ("VN-2022", R, 2_250_001, 12, X),
    ("VN-2022", U, 1_500_001, 3, P),
    ("VN-2022", U, 2_000_000, 2, N),
    ("VN-2022", U, 2_000_000, 3, P),
    ("VN-2022", U, 2_000_001, 3, A),
    ("VN-2022", U, 3_000_000, 3, A),
    ("VN-2022", U, 3_000_001, 0, X),
    ("VN-2016", R, 700_000, 0, P),
    ("VN-2016", R, 700_001, 2, N),
    ("VN-2016", R, 700_001, 3, P),
    ("VN-2016", R, 1_000_000, 2, N),
    ("VN-2016", R, 1_000_000, 3, P),
    ("VN-2016", R, 1_000_001, 10, X),
    ("VN-2016", U, 900_000, 0, P),
    ("VN-2016", U, 900_001, 2, N),
    ("VN-2016", U, 900_001, 3, P),
    ("VN-2016", U, 1_300_000, 2, N),
    ("VN-2016", U, 1_300_000, 3, P),
    ("VN-2016", U, 1_300_001, 3, X),
    ("VN-2027", R, 2_200_000, 2, N),
    ("VN-2027", R, 2_200_000, 3, P),
    ("VN-2027", R, 2_200_001, 12, X),
    ("VN-2027", U, 2_200_001, 3, P),
    ("VN-2027", U, 2_800_000, 2, N),
    ("VN-2027", U, 2_800_000, 3, P),
    ("VN-2027", U, 2_800_001, 3, X),
]


@pytest.mark.parametrize("code,area,income,k,category", INCOME_TABLE)
def test_income_path_boundaries(code, area, income, k, category):
    standard = STANDARDS[code]
    result = rules.classify(standard, area_type=area, income_per_capita=income, deprived=deprived(standard, k))
    assert result.category == category
    assert result.deprivation_count == k
    assert result.point_b == 10 * k
    assert result.income_line == standard.poor_line[area]


SCORE_TABLE = [
    (R, 0, 0, N),
    (R, 140, 2, N),
    (R, 140, 3, P),
    (R, 141, 3, X),
    (U, 141, 3, P),
    (U, 175, 2, N),
    (U, 175, 3, P),
    (U, 176, 12, X),
]


@pytest.mark.parametrize("area,point_a,k,category", SCORE_TABLE)
def test_score_path_of_vn2022(area, point_a, k, category):
    result = rules.classify(VN2022, area_type=area, point_a=point_a, deprived=deprived(VN2022, k))
    assert result.category == category
    assert result.point_b == 10 * k


@pytest.mark.parametrize("standard", [VN2016, VN2027])
def test_score_path_needs_score_thresholds(standard):
    with pytest.raises(RuleInputError) as error:
        rules.classify(standard, area_type=R, point_a=100, deprived=[])
    assert error.value.field == "point_a"


def test_reasons_read_like_the_officers_sheet():
    result = rules.classify(
        VN2022,
        area_type=R,
        income_per_capita=1_200_000,
        deprived=["housing_area", "health_insurance", "water", "telecom"],
    )
    assert result.reasons[0] == "thu nhập 1.200.000 đ/người/tháng ≤ chuẩn nghèo 1.500.000 đ (nông thôn, chuẩn VN-2022)"
    assert result.reasons[1].startswith("thiếu hụt 4/12 chỉ số (điểm B = 40): bảo hiểm y tế, diện tích nhà ở")
    assert result.reasons[-1] == "4 ≥ 3 chỉ số thiếu hụt: hộ nghèo"
    assert result.deprived == ("health_insurance", "housing_area", "water", "telecom")  # the standard's order


def test_income_only_reason_for_vn2016():
    result = rules.classify(VN2016, area_type=U, income_per_capita=850_000, deprived=[])
    assert result.category == P
    assert any("chỉ theo thu nhập" in reason for reason in result.reasons)


def test_each_indicator_counts_once():
    result = rules.classify(
        VN2022, area_type=R, income_per_capita=1, deprived=["water", "water", "telecom", "sanitation"]
    )
    assert result.deprivation_count == 3 and result.category == P


@pytest.mark.parametrize(
    "kwargs,field,code",
    [
        ({"area_type": "suburban", "income_per_capita": 1}, "area_type", "unknown_area_type"),
        ({"area_type": R, "income_per_capita": -1}, "income_per_capita", "negative_income"),
        ({"area_type": R}, "income_per_capita", "income_required"),
        ({"area_type": R, "income_per_capita": 1, "point_a": 1}, "point_a", "income_and_point_a"),
        ({"area_type": R, "point_a": -1}, "point_a", "negative_point_a"),
        ({"area_type": R, "income_per_capita": 1, "deprived": ["flying"]}, "deprivations", "unknown_indicator"),
        (
            {"area_type": R, "income_per_capita": 1, "deprived": ["waste_treatment"]},
            "deprivations",
            "indicator_not_in_standard",
        ),
    ],
)
def test_bad_input_names_the_field(kwargs, field, code):
    kwargs.setdefault("deprived", [])
    with pytest.raises(RuleInputError) as error:
        rules.classify(VN2022, **kwargs)
    assert (error.value.field, error.value.code) == (field, code)


def test_indicators_of_one_standard_are_refused_by_another():
    with pytest.raises(RuleInputError, match="không thuộc chuẩn VN-2027"):
        rules.classify(VN2027, area_type=R, income_per_capita=1, deprived=["information_access"])
    with pytest.raises(RuleInputError, match="không thuộc chuẩn VN-2016"):
        rules.classify(VN2016, area_type=R, income_per_capita=1, deprived=["employment"])


def test_standard_in_force_on_a_date():
    standards = list(STANDARDS.values())
    assert rules.standard_on(datetime.date(2021, 12, 31), standards) is VN2016
    assert rules.standard_on(datetime.date(2022, 1, 1), standards) is VN2022
    assert rules.standard_on(datetime.date(2026, 12, 31), standards) is VN2022
    assert rules.standard_on(datetime.date(2027, 1, 1), standards) is VN2027
    assert rules.standard_on(datetime.date(2031, 1, 1), standards) is None


# --- properties ---------------------------------------------------------------------------------

standard_st = st.sampled_from(list(STANDARDS.values()))
area_st = st.sampled_from([R, U])
income_st = st.integers(min_value=0, max_value=5_000_000)


@given(standard_st, area_st, income_st, st.data())
def test_more_deprivations_never_make_a_household_better_off(standard, area, income, data):
    smaller = data.draw(st.sets(st.sampled_from(standard.indicators)))
    larger = smaller | data.draw(st.sets(st.sampled_from(standard.indicators)))
    before = rules.classify(standard, area_type=area, income_per_capita=income, deprived=smaller)
    after = rules.classify(standard, area_type=area, income_per_capita=income, deprived=larger)
    assert rules.CATEGORY_RANK[after.category] >= rules.CATEGORY_RANK[before.category]


@given(standard_st, area_st, income_st, income_st, st.data())
def test_more_income_never_makes_a_household_worse_off(standard, area, low, high, data):
    low, high = min(low, high), max(low, high)
    codes = data.draw(st.sets(st.sampled_from(standard.indicators)))
    poorer = rules.classify(standard, area_type=area, income_per_capita=low, deprived=codes)
    richer = rules.classify(standard, area_type=area, income_per_capita=high, deprived=codes)
    assert rules.CATEGORY_RANK[richer.category] <= rules.CATEGORY_RANK[poorer.category]


@given(area_st, st.integers(0, 400), st.integers(0, 400), st.sets(st.sampled_from(V2022_CODES)))
def test_a_higher_point_a_never_makes_a_household_worse_off(area, a, b, codes):
    low, high = min(a, b), max(a, b)
    poorer = rules.classify(VN2022, area_type=area, point_a=low, deprived=codes)
    richer = rules.classify(VN2022, area_type=area, point_a=high, deprived=codes)
    assert rules.CATEGORY_RANK[richer.category] <= rules.CATEGORY_RANK[poorer.category]


@given(standard_st, area_st, income_st, st.data())
def test_above_the_line_deprivations_do_not_matter(standard, area, income, data):
    codes = data.draw(st.sets(st.sampled_from(standard.indicators)))
    result = rules.classify(standard, area_type=area, income_per_capita=income, deprived=codes)
    if income > standard.poor_line[area]:
        assert result.category in (Category.AVERAGE, Category.NOT_POOR)
    assert result.point_b == 10 * len(codes) and result.deprivation_count == len(codes)


# --- statuses, events, windows (domain A5) ------------------------------------------------------


@pytest.mark.parametrize(
    "from_status,to_status,listed_before,event",
    [
        ("poor", "near_poor", True, "escaped_poverty"),
        ("poor", "not_poor", True, "escaped_poverty"),
        ("near_poor", "poor", True, "became_poor"),
        ("near_poor", "not_poor", True, "escaped_near_poverty"),
        ("not_poor", "poor", False, "newly_poor"),
        ("not_poor", "near_poor", False, "newly_near_poor"),
        ("not_poor", "poor", True, "relapsed_poor"),
        ("not_poor", "near_poor", True, "relapsed_near_poor"),
    ],
)
def test_status_events_of_a5(from_status, to_status, listed_before, event):
    assert rules.status_event(from_status, to_status, listed_before=listed_before) == event


@pytest.mark.parametrize(
    "from_status,to_status,field", [("poor", "poor", "to_status"), ("rich", "poor", "from_status")]
)
def test_status_events_refuse_non_changes(from_status, to_status, field):
    with pytest.raises(RuleInputError) as error:
        rules.status_event(from_status, to_status, listed_before=False)
    assert error.value.field == field


@pytest.mark.parametrize(
    "category,status", [("poor", "poor"), ("near_poor", "near_poor"), ("average", "not_poor"), ("not_poor", "not_poor")]
)
def test_status_of_a_category(category, status):
    assert rules.status_of(category) == status


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2023, 1, 31), 1, datetime.date(2023, 2, 28)),
        (datetime.date(2024, 2, 29), 36, datetime.date(2027, 2, 28)),
        (datetime.date(2025, 12, 10), 36, datetime.date(2028, 12, 10)),
        (datetime.date(2025, 3, 31), -1, datetime.date(2025, 2, 28)),
        (datetime.date(2025, 1, 15), -36, datetime.date(2022, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_newly_escaped_window():
    left = datetime.date(2025, 12, 10)
    assert rules.newly_escaped_until(left, "not_poor", 36) == datetime.date(2028, 12, 10)
    assert rules.newly_escaped_until(left, "poor", 36) is None  # back on a list
    assert rules.newly_escaped_until(left, "near_poor", 36) is None
    assert rules.newly_escaped_until(None, "not_poor", 36) is None
    assert rules.newly_escaped_until(left, "not_poor", 12) == datetime.date(2026, 12, 10)


def test_years_in_poverty():
    d = datetime.date
    history = [
        (d(2020, 12, 1), "poor"),
        (d(2022, 12, 1), "near_poor"),
        (d(2024, 6, 1), "poor"),
        (d(2024, 12, 1), "not_poor"),
    ]
    assert rules.years_in_poverty(history, d(2026, 1, 1)) == 4  # 2020, 2021, 2022, 2024
    assert rules.years_in_poverty(history, d(2021, 6, 1)) == 2  # 2020, 2021
    assert rules.years_in_poverty([], d(2026, 1, 1)) == 0
    assert rules.years_in_poverty([(d(2027, 1, 1), "poor")], d(2026, 1, 1)) == 0


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)), st.integers(0, 120))
def test_add_months_moves_forward_by_whole_months(day, months):
    later = rules.add_months(day, months)
    assert (later.year - day.year) * 12 + later.month - day.month == months
    assert later.day <= day.day


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"income_per_capita": rules.MAX_INCOME + 1}, "income_per_capita"),
        ({"point_a": rules.MAX_POINT_A + 1}, "point_a"),
    ],
)
def test_implausible_amounts_are_refused(kwargs, field):
    with pytest.raises(RuleInputError) as error:
        rules.classify(VN2022, area_type=R, deprived=[], **kwargs)
    assert error.value.field == field


def test_the_largest_plausible_income_is_classified():
    assert rules.classify(VN2022, area_type=R, deprived=[], income_per_capita=rules.MAX_INCOME).category == X
