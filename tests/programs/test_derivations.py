"""Deprivations derived from facts (domain A4) and their reconciliation with the surveyor's answers (no database)."""

import dataclasses
import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programs.rules import INDICATOR_NAMES, RuleInputError
from programs.standards import derivations as d
from programs.standards.derivations import (
    DerivationSettings,
    Disagreement,
    DwellingFacts,
    MemberFacts,
    age_on,
    derive,
    reconcile,
)

SURVEY = datetime.date(2024, 6, 15)
DWELLING = DwellingFacts(
    has_house=True, floor_area_m2=Decimal(100), foundation_frame_durable=True, walls_durable=True, roof_durable=True
)
SCHOOLING = ("none", "preschool", "primary", "lower_secondary", "upper_secondary", "vocational", "higher")
LEVELS = ("none", "primary", "lower_secondary", "upper_secondary", "vocational", "higher")
TODAY, TOMORROW, YESTERDAY = 0, 1, -1  # where the birthday of the given age falls, relative to the survey date


def born(age: int, birthday: int = TODAY, survey: datetime.date = SURVEY) -> datetime.date:
    """A date of birth whose `age`-th birthday falls `birthday` days after `survey` (so +1 means one year younger)."""
    day = survey + datetime.timedelta(days=birthday)
    return day.replace(year=day.year - age)


def person(age: int = 35, birthday: int = TODAY, **facts) -> MemberFacts:
    """A member with no deprivation of their own unless the facts say otherwise."""
    defaults = {"has_valid_health_insurance": True, "schooling": "none", "education_level": "higher"}
    if age < 16:
        defaults.update(stunted=False, underweight=False, schooling="primary", education_level="none")
    defaults.update(facts)
    return MemberFacts(date_of_birth=born(age, birthday), **defaults)


def derived(members, dwelling=DWELLING, survey=SURVEY, **overrides):
    config = DerivationSettings(**overrides) if overrides else d.DEFAULT_SETTINGS
    return derive(members, dwelling, survey, config)


def only(indicator, members, dwelling=DWELLING, survey=SURVEY, **overrides):
    return derived(members, dwelling, survey, **overrides)[indicator]


def dwelling(**facts) -> DwellingFacts:
    return dataclasses.replace(DWELLING, **facts)


# ---------------------------------------------------------------------------------------------------------------------
# age_on

AGE_TABLE = [
    # date of birth, day, age
    (datetime.date(2000, 6, 15), datetime.date(2024, 6, 15), 24),
    (datetime.date(2000, 6, 15), datetime.date(2024, 6, 14), 23),
    (datetime.date(2000, 6, 15), datetime.date(2024, 6, 16), 24),
    (datetime.date(2000, 6, 16), datetime.date(2024, 6, 15), 23),
    (datetime.date(2000, 6, 14), datetime.date(2024, 6, 15), 24),
    (datetime.date(2024, 6, 15), datetime.date(2024, 6, 15), 0),
    (datetime.date(2023, 6, 15), datetime.date(2024, 6, 14), 0),
    (datetime.date(2023, 6, 15), datetime.date(2024, 6, 15), 1),
    (datetime.date(1999, 12, 31), datetime.date(2000, 12, 30), 0),
    (datetime.date(1999, 12, 31), datetime.date(2000, 12, 31), 1),
    (datetime.date(2000, 1, 1), datetime.date(2023, 12, 31), 23),
    (datetime.date(2000, 1, 1), datetime.date(2024, 1, 1), 24),
    # 29 February: one year older on 1 March in a common year, on 29 February in a leap year.
    (datetime.date(2000, 2, 29), datetime.date(2023, 2, 28), 22),
    (datetime.date(2000, 2, 29), datetime.date(2023, 3, 1), 23),
    (datetime.date(2000, 2, 29), datetime.date(2024, 2, 28), 23),
    (datetime.date(2000, 2, 29), datetime.date(2024, 2, 29), 24),
    (datetime.date(2000, 2, 29), datetime.date(2024, 3, 1), 24),
    (datetime.date(2000, 3, 1), datetime.date(2023, 2, 28), 22),
    (datetime.date(2000, 2, 28), datetime.date(2023, 2, 28), 23),
]


@pytest.mark.parametrize("date_of_birth,day,age", AGE_TABLE)
def test_it_counts_whole_years_turning_a_year_older_on_the_birthday(date_of_birth, day, age):
    assert age_on(date_of_birth, day) == age


@pytest.mark.parametrize("age", [0, 1, 3, 6, 16, 18, 30, 31, 60, 100])
def test_it_makes_the_test_helper_born_give_the_age_on_the_birthday_and_one_less_the_day_before(age):
    assert age_on(born(age), SURVEY) == age
    assert age_on(born(age, YESTERDAY), SURVEY) == age
    if age:
        assert age_on(born(age, TOMORROW), SURVEY) == age - 1


dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


@given(dates, dates, dates)
def test_it_never_makes_a_person_younger_on_a_later_day(date_of_birth, a, b):
    first, second = sorted((a, b))
    assert age_on(date_of_birth, first) <= age_on(date_of_birth, second)


@given(dates, st.integers(min_value=0, max_value=120))
def test_it_adds_one_year_on_each_anniversary_and_not_the_day_before(date_of_birth, years):
    if (date_of_birth.month, date_of_birth.day) == (2, 29):
        date_of_birth -= datetime.timedelta(days=1)
    anniversary = date_of_birth.replace(year=date_of_birth.year + years)
    assert age_on(date_of_birth, anniversary) == years
    if years:
        assert age_on(date_of_birth, anniversary - datetime.timedelta(days=1)) == years - 1


@given(dates, dates)
def test_it_gives_the_year_difference_or_one_less(date_of_birth, day):
    assert age_on(date_of_birth, day) in (day.year - date_of_birth.year, day.year - date_of_birth.year - 1)


def test_a_child_is_a_member_under_16_on_the_day():
    assert d.CHILD_UNDER == 16 == d.DEFAULT_SETTINGS.child_under
    assert d.is_child(born(15), SURVEY) and d.is_child(born(16, TOMORROW), SURVEY)
    assert not d.is_child(born(16), SURVEY)
    assert d.children_born_after(SURVEY) == datetime.date(2008, 6, 15)
    # born on 29 February: 16 on 1 March, still a child on 28 February, in both forms of the rule
    leap = datetime.date(2008, 2, 29)
    for day, child in ((datetime.date(2024, 2, 28), True), (datetime.date(2024, 3, 1), False)):
        assert d.is_child(leap, day) is child
        assert (leap > d.children_born_after(day)) is child


@given(dates, dates)
def test_the_date_of_birth_bound_of_children_agrees_with_their_age(date_of_birth, day):
    # the queries (admin survey form, the year's figures) filter on dates of birth; the survey's derivations on ages
    if date_of_birth <= day:
        assert (date_of_birth > d.children_born_after(day)) == d.is_child(date_of_birth, day)


@given(dates)
def test_it_gives_age_zero_on_the_day_of_birth(date_of_birth):
    assert age_on(date_of_birth, date_of_birth) == 0


# ---------------------------------------------------------------------------------------------------------------------
# derive: shape and defaults


def test_it_derives_exactly_the_seven_indicators_of_a4_in_a_fixed_order():
    result = derived([person()])
    assert tuple(result) == d.DERIVED_INDICATORS
    assert set(d.DERIVED_INDICATORS) == {
        "housing_area",
        "housing_quality",
        "health_insurance",
        "nutrition",
        "dependants",
        "child_schooling",
        "adult_education",
    }
    assert set(d.DERIVED_INDICATORS) <= set(INDICATOR_NAMES)


def test_it_finds_no_deprivation_in_a_well_off_household():
    assert derived([person(40), person(38), person(10)]) == dict.fromkeys(d.DERIVED_INDICATORS, False)


def test_it_uses_the_thresholds_of_a4_by_default():
    s = d.DEFAULT_SETTINGS
    assert s.min_floor_area_per_person == Decimal(8)
    assert s.insured_by_law_under == 6
    assert s.child_under == 16
    assert s.elderly_from == 60
    assert s.dependants_share_over == Decimal("0.5")
    assert s.schooling_from == 3
    assert (s.adult_education_from, s.adult_education_upper_secondary_from, s.adult_education_to) == (16, 18, 30)
    members = [person(70, has_valid_health_insurance=False), person(5)]
    assert derive(members, DWELLING, SURVEY) == derive(members, DWELLING, SURVEY, DerivationSettings())


# ---------------------------------------------------------------------------------------------------------------------
# housing_area: floor area / members < 8 m²

HOUSING_AREA_TABLE = [
    # floor area, members, deprived
    (Decimal(8), 1, False),
    (Decimal("7.99"), 1, True),
    (Decimal("8.01"), 1, False),
    (Decimal(16), 2, False),
    (Decimal("15.99"), 2, True),
    (Decimal(24), 3, False),
    (Decimal("23.99"), 3, True),
    (Decimal(56), 7, False),
    (Decimal("55.99"), 7, True),
    (Decimal(0), 1, True),
    (Decimal(100), 12, False),
    (Decimal(100), 13, True),
    (16, 2, False),
    (15, 2, True),
]


@pytest.mark.parametrize("area,size,deprived", HOUSING_AREA_TABLE)
def test_it_finds_housing_area_deprived_below_8_square_metres_per_person_not_at_8(area, size, deprived):
    assert only("housing_area", [person()] * size, dwelling(floor_area_m2=area)) is deprived


@pytest.mark.parametrize("area", [None, Decimal(0), Decimal(1000)])
def test_it_finds_housing_area_deprived_when_there_is_no_house_whatever_the_area(area):
    assert only("housing_area", [person()], dwelling(has_house=False, floor_area_m2=area)) is True
    assert only("housing_area", [], dwelling(has_house=False, floor_area_m2=area)) is True


def test_it_leaves_housing_area_unknown_without_a_floor_area():
    assert only("housing_area", [person()], dwelling(floor_area_m2=None)) is None
    assert only("housing_area", [person()], dwelling(has_house=None, floor_area_m2=None)) is None


def test_it_leaves_housing_area_unknown_without_members():
    assert only("housing_area", [], dwelling(floor_area_m2=Decimal(50))) is None


def test_it_derives_housing_area_from_the_area_when_whether_there_is_a_house_is_unknown():
    assert only("housing_area", [person()] * 2, dwelling(has_house=None, floor_area_m2=Decimal(15))) is True
    assert only("housing_area", [person()] * 2, dwelling(has_house=None, floor_area_m2=Decimal(16))) is False


def test_it_counts_every_member_for_housing_area_whatever_their_age():
    members = [person(0), person(2), person(90)]
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal(24))) is False
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal("23.5"))) is True


def test_it_applies_a_configured_floor_area_threshold():
    members = [person()] * 2
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal(16)), min_floor_area_per_person=10) is True
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal(20)), min_floor_area_per_person=10) is False
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal(12)), min_floor_area_per_person=6) is False
    assert only("housing_area", members, dwelling(floor_area_m2=Decimal("11.9")), min_floor_area_per_person=6) is True


areas = st.decimals(min_value=0, max_value=2000, places=2, allow_nan=False, allow_infinity=False)


@given(areas, areas, st.integers(min_value=1, max_value=30))
def test_it_never_makes_housing_area_worse_for_more_floor_area(a, b, size):
    small, large = sorted((a, b))
    members = [person()] * size
    assert only("housing_area", members, dwelling(floor_area_m2=large)) <= only(
        "housing_area", members, dwelling(floor_area_m2=small)
    )


@given(areas, st.integers(min_value=1, max_value=30))
def test_it_finds_housing_area_deprived_exactly_when_area_is_below_8_times_the_members(area, size):
    assert only("housing_area", [person()] * size, dwelling(floor_area_m2=area)) is (area < 8 * size)


@given(areas, st.integers(min_value=1, max_value=30))
def test_it_never_makes_housing_area_better_for_one_more_member(area, size):
    place = dwelling(floor_area_m2=area)
    assert only("housing_area", [person()] * (size + 1), place) >= only("housing_area", [person()] * size, place)


# ---------------------------------------------------------------------------------------------------------------------
# housing_quality: at least 2 of the 3 main structures non-durable, or no house

STRUCTURES = list(itertools.product((True, False), repeat=3))


@pytest.mark.parametrize("foundation,walls,roof", STRUCTURES)
def test_it_finds_housing_quality_deprived_when_two_or_three_structures_are_not_durable(foundation, walls, roof):
    place = dwelling(foundation_frame_durable=foundation, walls_durable=walls, roof_durable=roof)
    non_durable = [foundation, walls, roof].count(False)
    assert only("housing_quality", [person()], place) is (non_durable >= 2)


@pytest.mark.parametrize(
    "foundation,walls,roof,deprived",
    [
        (None, False, False, True),
        (False, None, False, True),
        (False, False, None, True),
        (None, True, False, None),
        (False, None, True, None),
        (None, None, False, None),
        (None, None, True, None),
        (None, None, None, None),
    ],
)
def test_it_decides_housing_quality_when_the_known_structures_decide_it_else_leaves_it_unknown(
    foundation, walls, roof, deprived
):
    place = dwelling(foundation_frame_durable=foundation, walls_durable=walls, roof_durable=roof)
    assert only("housing_quality", [person()], place) is deprived


@pytest.mark.parametrize("foundation,walls,roof", [(None, True, True), (True, None, True), (True, True, None)])
def test_it_finds_housing_quality_not_deprived_when_two_known_structures_are_durable(foundation, walls, roof):
    place = dwelling(foundation_frame_durable=foundation, walls_durable=walls, roof_durable=roof)
    assert only("housing_quality", [person()], place) is False


@pytest.mark.parametrize("structures", [*STRUCTURES, (None, None, None)])
def test_it_finds_housing_quality_deprived_when_there_is_no_house_whatever_the_structures(structures):
    foundation, walls, roof = structures
    place = dwelling(has_house=False, foundation_frame_durable=foundation, walls_durable=walls, roof_durable=roof)
    assert only("housing_quality", [person()], place) is True


def test_it_derives_housing_quality_from_the_structures_when_whether_there_is_a_house_is_unknown():
    assert only("housing_quality", [person()], dwelling(has_house=None)) is False
    place = dwelling(has_house=None, walls_durable=False, roof_durable=False)
    assert only("housing_quality", [person()], place) is True


def test_it_derives_housing_quality_without_members():
    assert only("housing_quality", [], dwelling(walls_durable=False, roof_durable=False)) is True
    assert only("housing_quality", [], DWELLING) is False


# ---------------------------------------------------------------------------------------------------------------------
# health_insurance: a member aged 6+ without a valid card (children under 6 are insured by law)

HEALTH_INSURANCE_TABLE = [
    # age, where the birthday falls, insured, deprived
    (6, TODAY, False, True),
    (6, TOMORROW, False, False),
    (6, YESTERDAY, False, True),
    (6, TODAY, True, False),
    (0, TODAY, False, False),
    (5, TODAY, False, False),
    (7, TOMORROW, False, True),
    (16, TODAY, False, True),
    (18, TODAY, False, True),
    (30, TODAY, False, True),
    (60, TODAY, False, True),
    (60, TODAY, True, False),
    (95, TODAY, False, True),
]


@pytest.mark.parametrize("age,birthday,insured,deprived", HEALTH_INSURANCE_TABLE)
def test_it_finds_health_insurance_deprived_for_an_uninsured_member_aged_6_or_over(age, birthday, insured, deprived):
    members = [person(40), person(age, birthday, has_valid_health_insurance=insured)]
    assert only("health_insurance", members) is deprived


@pytest.mark.parametrize("survey,deprived", [(datetime.date(2022, 2, 28), False), (datetime.date(2022, 3, 1), True)])
def test_it_counts_a_child_born_on_29_february_as_6_from_1_march_for_health_insurance(survey, deprived):
    child = MemberFacts(date_of_birth=datetime.date(2016, 2, 29), has_valid_health_insurance=False)
    assert only("health_insurance", [child], survey=survey) is deprived


def test_it_finds_health_insurance_deprived_when_one_of_many_members_lacks_a_card():
    members = [person(40), person(38), person(70, has_valid_health_insurance=False), person(10)]
    assert only("health_insurance", members) is True


def test_it_ignores_uninsured_children_under_6_for_health_insurance():
    members = [person(40), person(1, has_valid_health_insurance=False), person(5, has_valid_health_insurance=False)]
    assert only("health_insurance", members) is False


def test_it_finds_health_insurance_not_deprived_in_a_household_without_members():
    assert only("health_insurance", []) is False


def test_it_applies_a_configured_age_of_insurance_by_law():
    members = [person(6, has_valid_health_insurance=False)]
    assert only("health_insurance", members, insured_by_law_under=7) is False
    assert only("health_insurance", [person(0, has_valid_health_insurance=False)], insured_by_law_under=0) is True


def members_strategy(max_size=8):
    measurement = st.none() | st.booleans()
    member = st.builds(
        MemberFacts,
        date_of_birth=st.dates(min_value=datetime.date(1920, 1, 1), max_value=SURVEY),
        has_valid_health_insurance=st.booleans(),
        schooling=st.sampled_from(SCHOOLING),
        education_level=st.sampled_from(LEVELS),
        receives_disability_allowance=st.booleans(),
        stunted=measurement,
        underweight=measurement,
    )
    return st.lists(member, max_size=max_size)


ages = st.integers(min_value=0, max_value=100)


@given(members_strategy(), st.integers(min_value=6, max_value=100))
def test_it_never_clears_health_insurance_when_adding_an_uninsured_member_aged_6_or_over(members, age):
    assert only("health_insurance", [*members, person(age, has_valid_health_insurance=False)]) is True


@given(members_strategy(), st.integers(min_value=0, max_value=5), st.booleans())
def test_it_never_changes_health_insurance_when_adding_a_child_under_6(members, age, insured):
    with_child = [*members, person(age, has_valid_health_insurance=insured)]
    assert only("health_insurance", with_child) is only("health_insurance", members)


@given(members_strategy())
def test_it_finds_health_insurance_deprived_exactly_when_a_member_aged_6_or_over_lacks_a_card(members):
    expected = any(age_on(m.date_of_birth, SURVEY) >= 6 and not m.has_valid_health_insurance for m in members)
    assert only("health_insurance", members) is expected


# ---------------------------------------------------------------------------------------------------------------------
# nutrition: a child under 16 stunted or underweight; unknown when a child is unmeasured and none is deprived

NUTRITION_TABLE = [
    # stunted, underweight, deprived
    (True, False, True),
    (False, True, True),
    (True, True, True),
    (False, False, False),
    (True, None, True),
    (None, True, True),
    (False, None, None),
    (None, False, None),
    (None, None, None),
]


@pytest.mark.parametrize("stunted,underweight,deprived", NUTRITION_TABLE)
def test_it_finds_nutrition_deprived_for_a_stunted_or_underweight_child(stunted, underweight, deprived):
    members = [person(40), person(8, stunted=stunted, underweight=underweight)]
    assert only("nutrition", members) is deprived


@pytest.mark.parametrize(
    "age,birthday,counted",
    [
        (0, TODAY, True),
        (3, TODAY, True),
        (15, TODAY, True),
        (16, TOMORROW, True),
        (16, TODAY, False),
        (17, TODAY, False),
    ],
)
def test_it_counts_only_children_under_16_for_nutrition(age, birthday, counted):
    stunted = [person(40), person(age, birthday, stunted=True, underweight=False)]
    unmeasured = [person(40), person(age, birthday, stunted=None, underweight=None)]
    assert only("nutrition", stunted) is (True if counted else False)
    assert only("nutrition", unmeasured) is (None if counted else False)


def test_it_finds_nutrition_deprived_when_one_child_is_stunted_and_another_is_unmeasured():
    members = [person(8, stunted=None, underweight=None), person(4, stunted=True, underweight=False)]
    assert only("nutrition", members) is True


def test_it_leaves_nutrition_unknown_when_one_child_is_unmeasured_and_the_others_are_well():
    members = [person(8, stunted=None, underweight=None), person(4), person(12)]
    assert only("nutrition", members) is None


def test_it_finds_nutrition_not_deprived_without_children_even_if_adults_are_unmeasured_or_stunted():
    members = [person(40, stunted=None, underweight=None), person(20, stunted=True, underweight=True)]
    assert only("nutrition", members) is False
    assert only("nutrition", []) is False


def test_it_applies_a_configured_child_age_to_nutrition():
    members = [person(40), person(17, stunted=True, underweight=False)]
    assert only("nutrition", members) is False
    assert only("nutrition", members, child_under=18) is True


NUTRITION_ORDER = {False: 0, None: 1, True: 2}


@given(members_strategy(), st.data())
def test_it_never_makes_nutrition_worse_by_removing_a_member(members, data):
    if not members:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(members) - 1))
    fewer = members[:index] + members[index + 1 :]
    assert NUTRITION_ORDER[only("nutrition", fewer)] <= NUTRITION_ORDER[only("nutrition", members)]


@given(members_strategy(), st.integers(min_value=0, max_value=15), st.booleans())
def test_it_finds_nutrition_deprived_whenever_a_stunted_or_underweight_child_is_present(members, age, which):
    child = person(age, stunted=which, underweight=not which)
    assert only("nutrition", [*members, child]) is True


@given(members_strategy(), st.integers(min_value=0, max_value=15))
def test_it_never_changes_nutrition_by_removing_a_measured_child_who_is_well(members, age):
    assert only("nutrition", [*members, person(age)]) is only("nutrition", members)


# ---------------------------------------------------------------------------------------------------------------------
# dependants: more than 50% of members are children under 16, people aged 60+, or disabled with an allowance

DEPENDANTS_TABLE = [
    # members, deprived
    ([person(10), person(30)], False),  # exactly 50%
    ([person(10), person(12), person(30)], True),  # 2/3
    ([person(10), person(12), person(30), person(35)], False),  # 2/4
    ([person(10), person(12), person(70), person(35)], True),  # 3/4
    ([person(10), person(12), person(30), person(35), person(40)], False),  # 2/5
    ([person(10), person(12), person(65), person(35), person(40)], True),  # 3/5
    ([person(10)], True),
    ([person(60)], True),
    ([person(35)], False),
    ([person(35, receives_disability_allowance=True)], True),
    ([person(60), person(61), person(30)], True),
    ([person(60, TOMORROW), person(61), person(30)], False),  # 59 on the survey date
    ([person(60, YESTERDAY), person(61), person(30)], True),
    ([person(16), person(15), person(30)], False),  # 16 is no longer a child
    ([person(16, TOMORROW), person(15), person(30)], True),  # 15 on the survey date
    ([person(0), person(30)], False),
    ([person(35, receives_disability_allowance=True), person(10), person(30)], True),
    ([person(35, receives_disability_allowance=True), person(30)], False),
    ([person(70, receives_disability_allowance=True), person(30)], False),  # counted once
    ([person(10, receives_disability_allowance=True), person(30)], False),  # counted once
]


@pytest.mark.parametrize("members,deprived", DEPENDANTS_TABLE)
def test_it_finds_dependants_deprived_when_more_than_half_the_members_are_dependants(members, deprived):
    assert only("dependants", members) is deprived


def test_it_leaves_dependants_unknown_without_members():
    assert only("dependants", []) is None


def test_it_applies_a_configured_dependant_share_and_ages():
    half = [person(10), person(30)]
    assert only("dependants", half, dependants_share_over=Decimal("0.4")) is True
    assert only("dependants", [person(10), person(12), person(30)], dependants_share_over=Decimal("0.7")) is False
    assert only("dependants", [person(62), person(62), person(30)], elderly_from=65) is False
    assert only("dependants", [person(55), person(55), person(30)], elderly_from=55) is True
    assert only("dependants", [person(17), person(17), person(30)], child_under=18) is True


def is_dependant(member: MemberFacts) -> bool:
    age = age_on(member.date_of_birth, SURVEY)
    return age < 16 or age >= 60 or member.receives_disability_allowance


@given(members_strategy(max_size=12))
def test_it_finds_dependants_deprived_exactly_when_twice_the_dependants_exceed_the_members(members):
    expected = (2 * sum(map(is_dependant, members)) > len(members)) if members else None
    assert only("dependants", members) is expected


@given(members_strategy(max_size=12).filter(bool), st.one_of(st.integers(0, 15), st.integers(60, 100)))
def test_it_never_clears_dependants_when_adding_a_dependant(members, age):
    if only("dependants", members):
        assert only("dependants", [*members, person(age)]) is True


@given(members_strategy(max_size=12).filter(bool), st.integers(16, 59))
def test_it_never_sets_dependants_when_adding_a_member_who_is_not_a_dependant(members, age):
    if not only("dependants", members):
        assert only("dependants", [*members, person(age)]) is False


# ---------------------------------------------------------------------------------------------------------------------
# child_schooling: a child aged 3 to under 16 not attending school

CHILD_SCHOOLING_TABLE = [
    # age, where the birthday falls, schooling, deprived
    (3, TODAY, "none", True),
    (3, TOMORROW, "none", False),  # 2 on the survey date
    (3, YESTERDAY, "none", True),
    (2, TODAY, "none", False),
    (0, TODAY, "none", False),
    (10, TODAY, "none", True),
    (15, TODAY, "none", True),
    (16, TOMORROW, "none", True),  # 15 on the survey date
    (16, TODAY, "none", False),
    (17, TODAY, "none", False),
    (3, TODAY, "preschool", False),
    (10, TODAY, "primary", False),
    (13, TODAY, "lower_secondary", False),
    (15, TODAY, "upper_secondary", False),
    (15, TODAY, "vocational", False),
]


@pytest.mark.parametrize("age,birthday,schooling,deprived", CHILD_SCHOOLING_TABLE)
def test_it_finds_child_schooling_deprived_for_a_child_from_3_to_under_16_not_at_school(
    age, birthday, schooling, deprived
):
    members = [person(40), person(age, birthday, schooling=schooling)]
    assert only("child_schooling", members) is deprived


def test_it_finds_child_schooling_deprived_when_one_of_several_children_is_out_of_school():
    members = [person(40), person(8), person(12, schooling="none"), person(14, schooling="lower_secondary")]
    assert only("child_schooling", members) is True


def test_it_finds_child_schooling_not_deprived_without_children():
    assert only("child_schooling", [person(40), person(70)]) is False
    assert only("child_schooling", []) is False


def test_it_applies_configured_school_ages():
    assert only("child_schooling", [person(4, schooling="none")], schooling_from=5) is False
    assert only("child_schooling", [person(16, schooling="none")], child_under=18) is True


# ---------------------------------------------------------------------------------------------------------------------
# adult_education: 16 to <18 neither studying nor lower-secondary; 18 to 30 neither studying nor upper-secondary+

ADULT_EDUCATION_TABLE = [
    # age, where the birthday falls, schooling, education level, deprived
    (16, TOMORROW, "none", "none", False),  # 15: a child
    (16, TODAY, "none", "none", True),
    (16, YESTERDAY, "none", "none", True),
    (16, TODAY, "none", "primary", True),
    (16, TODAY, "none", "lower_secondary", False),
    (16, TODAY, "none", "upper_secondary", False),
    (16, TODAY, "none", "vocational", False),
    (16, TODAY, "none", "higher", False),
    (16, TODAY, "upper_secondary", "primary", False),
    (16, TODAY, "vocational", "none", False),
    (17, TODAY, "none", "primary", True),
    (18, TOMORROW, "none", "lower_secondary", False),  # 17: lower secondary is enough
    (18, TOMORROW, "none", "primary", True),
    (18, TODAY, "none", "lower_secondary", True),
    (18, TODAY, "none", "none", True),
    (18, TODAY, "none", "primary", True),
    (18, TODAY, "none", "upper_secondary", False),
    (18, TODAY, "none", "vocational", False),
    (18, TODAY, "none", "higher", False),
    (18, TODAY, "vocational", "lower_secondary", False),
    (18, TODAY, "higher", "upper_secondary", False),
    (18, TODAY, "upper_secondary", "primary", False),
    (25, TODAY, "none", "lower_secondary", True),
    (30, TODAY, "none", "lower_secondary", True),
    (31, TOMORROW, "none", "lower_secondary", True),  # 30 on the survey date
    (31, TODAY, "none", "lower_secondary", False),
    (31, YESTERDAY, "none", "none", False),
    (45, TODAY, "none", "none", False),
    (30, TODAY, "none", "upper_secondary", False),
    (30, TODAY, "lower_secondary", "primary", False),
]


@pytest.mark.parametrize("age,birthday,schooling,level,deprived", ADULT_EDUCATION_TABLE)
def test_it_finds_adult_education_deprived_for_a_person_16_to_30_neither_studying_nor_qualified_for_their_age(
    age, birthday, schooling, level, deprived
):
    members = [person(40), person(age, birthday, schooling=schooling, education_level=level)]
    assert only("adult_education", members) is deprived


@pytest.mark.parametrize("survey,deprived", [(datetime.date(2022, 2, 28), False), (datetime.date(2022, 3, 1), True)])
def test_it_holds_a_person_born_on_29_february_to_the_18_year_norm_from_1_march(survey, deprived):
    member = MemberFacts(
        date_of_birth=datetime.date(2004, 2, 29), has_valid_health_insurance=True, education_level="lower_secondary"
    )
    assert only("adult_education", [member], survey=survey) is deprived


def test_it_finds_adult_education_deprived_when_one_of_several_young_adults_falls_short():
    members = [person(20, education_level="higher"), person(22, education_level="primary"), person(50)]
    assert only("adult_education", members) is True
    assert only("adult_education", []) is False


def test_it_applies_configured_adult_education_ages():
    assert only("adult_education", [person(35, education_level="none")], adult_education_to=35) is True
    assert (
        only("adult_education", [person(15, schooling="none", education_level="none")], adult_education_from=15) is True
    )
    level = "lower_secondary"
    assert (
        only("adult_education", [person(18, education_level=level)], adult_education_upper_secondary_from=19) is False
    )
    assert only("adult_education", [person(17, education_level=level)], adult_education_upper_secondary_from=17) is True


def short_of_norm(member: MemberFacts) -> bool:
    age = age_on(member.date_of_birth, SURVEY)
    if member.schooling != "none" or not 16 <= age <= 30:
        return False
    needed = ("lower_secondary", "upper_secondary", "vocational", "higher") if age < 18 else LEVELS[3:]
    return member.education_level not in needed


@given(members_strategy())
def test_it_finds_adult_education_and_child_schooling_exactly_as_a4_words_them(members):
    assert only("adult_education", members) is any(map(short_of_norm, members))
    out_of_school = any(3 <= age_on(m.date_of_birth, SURVEY) < 16 and m.schooling == "none" for m in members)
    assert only("child_schooling", members) is out_of_school


# ---------------------------------------------------------------------------------------------------------------------
# derive: properties across indicators


@given(members_strategy(), members_strategy(max_size=3))
def test_it_never_clears_an_at_least_one_member_indicator_when_adding_members(members, more):
    before, after = derived(members), derived([*members, *more])
    for code in ("health_insurance", "child_schooling", "adult_education"):
        assert after[code] >= before[code]


@given(members_strategy(), st.randoms(use_true_random=False))
def test_it_ignores_the_order_of_members(members, random):
    shuffled = list(members)
    random.shuffle(shuffled)
    assert derived(shuffled) == derived(members)


dwellings = st.builds(
    DwellingFacts,
    has_house=st.none() | st.booleans(),
    floor_area_m2=st.none() | areas,
    foundation_frame_durable=st.none() | st.booleans(),
    walls_durable=st.none() | st.booleans(),
    roof_durable=st.none() | st.booleans(),
)


@settings(max_examples=200)
@given(members_strategy(), dwellings)
def test_it_gives_true_false_or_none_and_derives_member_indicators_without_the_dwelling(members, place):
    result = derived(members, place)
    assert all(value in (True, False, None) for value in result.values())
    assert result["housing_quality"] == derived([person()], place)["housing_quality"]
    for code in ("health_insurance", "nutrition", "dependants", "child_schooling", "adult_education"):
        assert result[code] == derived(members, DWELLING)[code]
    for code in ("health_insurance", "child_schooling", "adult_education"):
        assert result[code] is not None


# ---------------------------------------------------------------------------------------------------------------------
# reconcile

CODES = ("nutrition", "health_insurance", "water")


def test_it_keeps_the_value_when_system_and_surveyor_agree():
    system = {"nutrition": True, "health_insurance": False}
    surveyor = {"nutrition": True, "health_insurance": False, "water": False}
    result = reconcile(CODES, system, surveyor, {})
    assert result.final == {"nutrition": True, "health_insurance": False, "water": False}
    assert result.disagreements == ()


@pytest.mark.parametrize("value", [True, False])
def test_it_takes_the_derived_value_when_the_surveyor_did_not_answer(value):
    for answered in ({}, {"nutrition": None}):
        result = reconcile(["nutrition"], {"nutrition": value}, answered, {})
        assert result.final == {"nutrition": value}
        assert result.disagreements == ()


@pytest.mark.parametrize("value", [True, False])
def test_it_takes_the_surveyors_answer_when_nothing_was_derived(value):
    for system in ({}, {"nutrition": None}):
        result = reconcile(["nutrition"], system, {"nutrition": value}, {})
        assert result.final == {"nutrition": value}
        assert result.disagreements == ()


def test_it_takes_the_surveyors_answer_for_indicators_that_are_not_derived():
    result = reconcile(["water", "telecom"], derived([person()]), {"water": True, "telecom": False}, {})
    assert result.final == {"water": True, "telecom": False}


@pytest.mark.parametrize("system,surveyor", [(True, False), (False, True)])
@pytest.mark.parametrize("officer", [True, False])
def test_it_takes_the_officers_confirmation_when_system_and_surveyor_disagree(system, surveyor, officer):
    result = reconcile(["nutrition"], {"nutrition": system}, {"nutrition": surveyor}, {"nutrition": officer})
    assert result.final == {"nutrition": officer}
    assert result.disagreements == (Disagreement("nutrition", system, surveyor),)


@pytest.mark.parametrize("system,surveyor", [(True, False), (False, True)])
def test_it_refuses_an_unconfirmed_disagreement_naming_the_indicator_in_vietnamese(system, surveyor):
    with pytest.raises(RuleInputError) as error:
        reconcile(CODES, {"health_insurance": system}, {"health_insurance": surveyor, "nutrition": True}, {})
    assert error.value.field == "confirmed"
    assert error.value.code == "unconfirmed_disagreement"
    assert "bảo hiểm y tế" in error.value.message
    assert Disagreement("health_insurance", system, surveyor).describe() in error.value.message
    assert "dinh dưỡng" not in error.value.message


def test_it_names_every_unconfirmed_disagreement_but_not_the_confirmed_ones():
    system = {"nutrition": True, "health_insurance": True, "housing_area": False}
    surveyor = {"nutrition": False, "health_insurance": False, "housing_area": True}
    with pytest.raises(RuleInputError) as error:
        reconcile(["nutrition", "health_insurance", "housing_area"], system, surveyor, {"health_insurance": True})
    message = error.value.message
    assert "dinh dưỡng" in message and "diện tích nhà ở bình quân đầu người" in message
    assert "bảo hiểm y tế" not in message
    assert message.index("dinh dưỡng") < message.index("diện tích nhà ở")


def test_it_refuses_an_indicator_with_neither_a_derived_value_nor_an_answer():
    with pytest.raises(RuleInputError) as error:
        reconcile(CODES, {"nutrition": None, "health_insurance": False}, {"nutrition": None}, {})
    assert error.value.field == "answers"
    assert error.value.code == "missing_answer"
    assert "dinh dưỡng" in error.value.message and "nguồn nước sinh hoạt" in error.value.message
    assert "bảo hiểm y tế" not in error.value.message


def test_it_names_an_unknown_missing_indicator_by_its_code():
    with pytest.raises(RuleInputError) as error:
        reconcile(["no_such_indicator"], {}, {}, {})
    assert error.value.field == "answers"
    assert "no_such_indicator" in error.value.message


def test_it_reports_an_unconfirmed_disagreement_before_a_missing_answer():
    with pytest.raises(RuleInputError) as error:
        reconcile(["nutrition", "water"], {"nutrition": True}, {"nutrition": False}, {})
    assert error.value.field == "confirmed"


@pytest.mark.parametrize("value", [True, False])
def test_it_lets_a_confirmation_override_an_agreeing_pair_without_recording_a_disagreement(value):
    result = reconcile(["nutrition"], {"nutrition": value}, {"nutrition": value}, {"nutrition": not value})
    assert result.final == {"nutrition": not value}
    assert result.disagreements == ()


@pytest.mark.parametrize(
    "system,surveyor", [({"nutrition": True}, {}), ({}, {"nutrition": True}), ({}, {}), ({"nutrition": None}, {})]
)
def test_it_lets_a_confirmation_decide_when_at_most_one_side_has_a_value(system, surveyor):
    assert reconcile(["nutrition"], system, surveyor, {"nutrition": False}).final == {"nutrition": False}


def test_it_reconciles_only_the_requested_indicators_in_their_order():
    system = {"nutrition": True, "housing_area": True}
    surveyor = {"water": False, "housing_area": False, "telecom": True}
    result = reconcile(["water", "nutrition"], system, surveyor, {"telecom": False, "sanitation": True})
    assert list(result.final) == ["water", "nutrition"]
    assert result.final == {"water": False, "nutrition": True}
    assert result.disagreements == ()


def test_it_lists_disagreements_in_the_order_of_the_indicators():
    system = {"housing_area": True, "nutrition": False}
    surveyor = {"housing_area": False, "nutrition": True}
    result = reconcile(["nutrition", "housing_area"], system, surveyor, {"nutrition": True, "housing_area": True})
    assert [x.indicator for x in result.disagreements] == ["nutrition", "housing_area"]


def test_it_describes_a_disagreement_in_vietnamese():
    assert Disagreement("health_insurance", True, False).describe() == (
        "bảo hiểm y tế: hệ thống tính “thiếu hụt”, người khảo sát ghi “không thiếu hụt”"
    )
    assert Disagreement("housing_area", False, True).describe() == (
        "diện tích nhà ở bình quân đầu người: hệ thống tính “không thiếu hụt”, người khảo sát ghi “thiếu hụt”"
    )


def test_it_reconciles_what_derive_produced():
    members = [person(40, has_valid_health_insurance=False), person(8, stunted=None, underweight=None)]
    system = derived(members, dwelling(floor_area_m2=None))
    surveyor = {"nutrition": False, "housing_area": True, "health_insurance": False}
    codes = ["nutrition", "housing_area", "health_insurance", "housing_quality"]
    with pytest.raises(RuleInputError) as error:
        reconcile(codes, system, surveyor, {})
    assert error.value.field == "confirmed" and "bảo hiểm y tế" in error.value.message
    result = reconcile(codes, system, surveyor, {"health_insurance": True})
    assert result.final == {
        "nutrition": False,
        "housing_area": True,
        "health_insurance": True,
        "housing_quality": False,
    }
    assert result.disagreements == (Disagreement("health_insurance", True, False),)


values = st.none() | st.booleans()
code_lists = st.lists(st.sampled_from(sorted(INDICATOR_NAMES)), unique=True, max_size=8)


@given(code_lists, st.data())
def test_it_gives_every_indicator_the_confirmation_else_the_derived_value_else_the_answer(codes, data):
    system = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(codes, values)))
    surveyor = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(codes, values)))
    officer = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(codes, st.booleans())))
    disagreeing = [c for c in codes if None not in (system.get(c), surveyor.get(c)) and system[c] != surveyor[c]]
    missing = [c for c in codes if system.get(c) is None and surveyor.get(c) is None and c not in officer]
    if any(c not in officer for c in disagreeing):
        with pytest.raises(RuleInputError) as error:
            reconcile(codes, system, surveyor, officer)
        assert error.value.field == "confirmed"
    elif missing:
        with pytest.raises(RuleInputError) as error:
            reconcile(codes, system, surveyor, officer)
        assert error.value.field == "answers"
    else:
        result = reconcile(codes, system, surveyor, officer)
        assert list(result.final) == codes
        for c in codes:
            expected = officer.get(c, system.get(c) if system.get(c) is not None else surveyor.get(c))
            assert result.final[c] is expected
        assert [x.indicator for x in result.disagreements] == disagreeing
