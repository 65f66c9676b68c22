"""Targeting lists and outcome views on seeded households (domain A8).

Targeting: households in scope with a status, deprived in an indicator on their latest current survey, with no
delivered support addressing it since a date. Outcomes: of the households supported in a year, how many were out
of poverty (and off the lists) at the end of each later year that has ended, and which fell back despite the
support. Expected sets and counts are worked out here from the seeded data."""

import datetime

import pytest

from households import rules as household_rules
from households import services as household_services
from households.models import Household, Member
from programs.standards import services as program_services
from support import selectors, services
from tests.support.helpers import amount_for

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 20)
SINCE = D(2025, 6, 1)
LISTED = {"poor", "near_poor"}
BAD_HOUSE = {
    "has_house": True,
    "floor_area_m2": "60",
    "foundation_frame_durable": True,
    "walls_durable": False,
    "roof_durable": False,
}  # 2 of 3 structures not durable: deprived in housing quality (A4), and in nothing else
GOOD_HOUSE = BAD_HOUSE | {"walls_durable": True, "roof_durable": True}
ANSWERED_NONE = {
    "employment": False,
    "water": False,
    "sanitation": False,
    "telecom": False,
    "information_access": False,
}


def decide(chair, household, changes):
    for day, status in changes:
        program_services.record_status_change(
            actor=chair, household_id=household.pk, to_status=status, effective_date=day, decision_number="3/QĐ"
        )


def survey(officer, household, day, house):
    Member.objects.filter(household=household).update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=D(2027, 12, 31),
        education_level="upper_secondary",
    )
    Member.objects.filter(household=household, relation="child").update(schooling="lower_secondary")
    return program_services.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=day,
        review_year=day.year,
        income_per_capita=1_000_000,
        dwelling=house,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=ANSWERED_NONE,
        today=TODAY,
    )


def support(officer, approver, household, code, day, status):
    kept = services.record_support(
        actor=officer,
        household_id=household.pk,
        type_code=code,
        date=day,
        funding_source="central",
        amount=amount_for(code),
        today=TODAY,
    )
    if status in ("approved", "delivered", "cancelled"):
        kept = services.approve_support(actor=approver, record_id=kept.pk, version=None, day=day)
    if status in ("delivered", "cancelled"):
        kept = services.deliver_support(actor=officer, record_id=kept.pk, version=None, delivered_on=day, today=TODAY)
    if status == "cancelled":
        services.cancel_support(actor=officer, record_id=kept.pk, version=None, reason="Ghi nhầm.", day=day)
    return kept


# --- targeting ------------------------------------------------------------------------------------------------

POOR = [(D(2024, 1, 10), "poor")]
HOUSING = "housing_repair_temp"  # addresses housing_quality; no poor-district rule
# name: (status changes, surveys as (day, house), supports as (type, day, status))
TARGETING = {
    "latest_deprived": (POOR, [(D(2024, 9, 20), GOOD_HOUSE), (D(2025, 9, 20), BAD_HOUSE)], []),
    "earlier_only": (POOR, [(D(2024, 9, 20), BAD_HOUSE), (D(2025, 9, 20), GOOD_HOUSE)], []),
    "superseded": (POOR, [(D(2025, 9, 20), BAD_HOUSE), (D(2025, 9, 25), GOOD_HOUSE)], []),
    "near_poor": ([(D(2024, 1, 10), "near_poor")], [(D(2025, 9, 20), BAD_HOUSE)], []),
    "not_poor": ([], [(D(2025, 9, 20), BAD_HOUSE)], []),
    "no_survey": (POOR, [], []),
    "delivered_since": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [(HOUSING, D(2025, 7, 1), "delivered")]),
    "delivered_on_the_day": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [(HOUSING, SINCE, "delivered")]),
    "delivered_before": (
        POOR,
        [(D(2025, 9, 20), BAD_HOUSE)],
        [(HOUSING, SINCE - datetime.timedelta(days=1), "delivered")],
    ),
    "planned": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [(HOUSING, D(2025, 7, 1), "planned")]),
    "approved": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [(HOUSING, D(2025, 7, 1), "approved")]),
    "cancelled": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [(HOUSING, D(2025, 7, 1), "cancelled")]),
    "other_kind": (POOR, [(D(2025, 9, 20), BAD_HOUSE)], [("livestock_p3", D(2025, 7, 1), "delivered")]),
}


@pytest.fixture
def targeted(make_household, commune_a, commune_b, officer_a, officer_b, chair_a):
    made = {}
    for name, (changes, surveys, supports) in TARGETING.items():
        household = make_household(commune_a, f"Hộ {name}", ("Con",))
        decide(chair_a, household, changes)
        for day, house in surveys:
            survey(officer_a, household, day, house)
        for code, day, status in supports:
            support(officer_a, chair_a, household, code, day, status)
        made[name] = household
    # the same situation in commune B, outside commune A's scope
    chair_b = household_services.create_officer(
        actor=None, username="chutich_b", role=household_rules.Role.COMMUNE_CHAIR, area=commune_b
    )
    elsewhere = make_household(commune_b, "Hộ xã B", ("Con",))
    decide(chair_b, elsewhere, POOR)
    survey(officer_b, elsewhere, D(2025, 9, 20), BAD_HOUSE)
    made["elsewhere"] = elsewhere
    return made


def expected(statuses, *, indicator=True, type_codes=None):
    """The names the list should hold, read from the table above."""
    names = set()
    for name, (changes, surveys, supports) in TARGETING.items():
        status = changes[-1][1] if changes else "not_poor"
        if status not in statuses:
            continue
        if indicator:
            latest = max(surveys, key=lambda s: s[0], default=None)
            if latest is None or latest[1] is not BAD_HOUSE:
                continue
        removing = [
            (code, day)
            for code, day, state in supports
            if state == "delivered"
            and day >= SINCE
            and (code in type_codes if type_codes else not indicator or code == HOUSING)
        ]
        if not removing:
            names.add(name)
    return names


def listed(made, queryset):
    by_pk = {h.pk: name for name, h in made.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_targeting_lists_the_deprived_on_their_latest_survey_without_a_delivered_support_since(targeted, officer_a):
    scope = Household.objects.visible_to(officer_a)
    found = selectors.targeting(scope, indicator="housing_quality", statuses=["poor"], since=SINCE)
    assert listed(targeted, found) == expected({"poor"})
    assert listed(targeted, found) == {
        "latest_deprived",
        "delivered_before",
        "planned",
        "approved",
        "cancelled",
        "other_kind",
    }


def test_targeting_by_several_statuses(targeted, officer_a):
    scope = Household.objects.visible_to(officer_a)
    found = selectors.targeting(scope, indicator="housing_quality", statuses=["poor", "near_poor"], since=SINCE)
    assert listed(targeted, found) == expected({"poor", "near_poor"})
    assert "near_poor" in listed(targeted, found)
    only_near = selectors.targeting(scope, indicator="housing_quality", statuses=["near_poor"], since=SINCE)
    assert listed(targeted, only_near) == {"near_poor"}


def test_targeting_by_support_types_instead_of_what_they_address(targeted, officer_a):
    scope = Household.objects.visible_to(officer_a)
    found = selectors.targeting(
        scope, indicator="housing_quality", statuses=["poor"], since=SINCE, type_codes=["livestock_p3"]
    )
    assert listed(targeted, found) == expected({"poor"}, type_codes=["livestock_p3"])
    assert "delivered_since" in listed(targeted, found) and "other_kind" not in listed(targeted, found)


def test_targeting_by_status_alone_drops_anyone_given_anything_since(targeted, officer_a):
    scope = Household.objects.visible_to(officer_a)
    found = selectors.targeting(scope, indicator=None, statuses=["poor"], since=SINCE)
    assert listed(targeted, found) == expected({"poor"}, indicator=False)
    assert "no_survey" in listed(targeted, found) and "other_kind" not in listed(targeted, found)


def test_targeting_stays_within_the_scope_given(targeted, officer_a, province_staff):
    narrow = selectors.targeting(
        Household.objects.visible_to(officer_a), indicator="housing_quality", statuses=["poor"], since=SINCE
    )
    wide = selectors.targeting(
        Household.objects.visible_to(province_staff), indicator="housing_quality", statuses=["poor"], since=SINCE
    )
    assert "elsewhere" not in listed(targeted, narrow)
    assert listed(targeted, wide) == listed(targeted, narrow) | {"elsewhere"}


# --- outcomes -------------------------------------------------------------------------------------------------

YEAR = 2024
# name: (status changes, supports as (type, day, final status))
OUTCOMES = {
    "escaped": (
        [(D(2023, 12, 20), "poor"), (D(2025, 6, 1), "not_poor")],
        [("livestock_p3", D(2024, 3, 1), "delivered")],
    ),
    "to_near_poor": (
        [(D(2023, 12, 20), "poor"), (D(2025, 12, 1), "near_poor")],
        [
            ("livestock_p3", D(2024, 2, 1), "planned"),  # not delivered: not the first support
            ("livestock_p3", D(2024, 5, 1), "delivered"),
            ("training_p4", D(2024, 7, 1), "delivered"),
        ],
    ),
    "near_poor_escapes_late": (
        [(D(2023, 12, 20), "near_poor"), (D(2026, 2, 1), "not_poor")],
        [("training_p4", D(2024, 4, 1), "delivered")],
    ),
    "relapsed": (
        [(D(2023, 12, 20), "poor"), (D(2024, 10, 1), "not_poor"), (D(2025, 11, 3), "poor")],
        [("livestock_p3", D(2024, 2, 1), "delivered")],
    ),
    "relapsed_before_support": (
        [(D(2023, 1, 5), "poor"), (D(2023, 6, 1), "not_poor"), (D(2023, 12, 20), "poor")],
        [("livestock_p3", D(2024, 3, 1), "delivered")],
    ),
    "relapsed_in_2026": (
        [(D(2023, 12, 20), "poor"), (D(2024, 8, 1), "not_poor"), (D(2026, 3, 1), "near_poor")],
        [("training_p4", D(2024, 3, 1), "delivered")],
    ),
    "supported_next_year": ([(D(2023, 12, 20), "poor")], [("livestock_p3", D(2025, 2, 1), "delivered")]),
    "cancelled_only": ([(D(2023, 12, 20), "poor")], [("livestock_p3", D(2024, 2, 1), "cancelled")]),
}
PROJECTS = {"livestock_p3": "P3", "training_p4": "P4"}


@pytest.fixture
def supported(make_household, commune_a, officer_a, chair_a):
    made = {}
    for name, (changes, supports) in OUTCOMES.items():
        household = make_household(commune_a, f"Hộ {name}")
        decide(chair_a, household, changes)
        for code, day, status in supports:
            support(officer_a, chair_a, household, code, day, status)
        made[name] = household
    return made


def status_at(changes, day):
    known = [status for effective, status in changes if effective <= day]
    return known[-1] if known else "not_poor"


def relapsed_between(changes, after, until):
    statuses = ["not_poor"] + [s for _, s in changes]
    return any(
        after < changes[k - 1][0] <= until
        and statuses[k] in LISTED
        and statuses[k - 1] not in LISTED
        and any(s in LISTED for s in statuses[: k - 1])
        for k in range(1, len(statuses))
    )


def expected_row(today, project=None, horizon=2):
    years = [y for y in range(YEAR + 1, YEAR + horizon + 1) if D(y, 1, 1) <= today]  # a running year so far
    end = min(today, D(YEAR + horizon, 12, 31))  # fall-backs so far, within the horizon
    row = {"supported": 0, "poor": 0, "listed": 0, "relapsed": set()}
    row |= {f"out_{y}": 0 for y in years} | {f"off_{y}": 0 for y in years}
    for name, (changes, supports) in OUTCOMES.items():
        days = [
            day
            for code, day, status in supports
            if status == "delivered" and day.year == YEAR and (project is None or PROJECTS[code] == project)
        ]
        if not days:
            continue
        first = min(days)
        at_support = status_at(changes, first)
        row["supported"] += 1
        row["poor"] += at_support == "poor"
        row["listed"] += at_support in LISTED
        for y in years:
            day = min(D(y, 12, 31), end)
            row[f"out_{y}"] += at_support == "poor" and status_at(changes, day) != "poor"
            row[f"off_{y}"] += at_support in LISTED and status_at(changes, day) not in LISTED
        if relapsed_between(changes, first, end):
            row["relapsed"].add(name)
    return years, row


def shown(row, years, made):
    names = {h.code: name for name, h in made.items()}
    return (
        {
            "supported": row.supported,
            "poor": row.poor,
            "listed": row.listed,
            "relapsed": {names[code] for code in row.relapsed_households},
        }
        | {f"out_{y}": row.out_of_poverty.get(y, 0) for y in years}
        | {f"off_{y}": row.off_lists.get(y, 0) for y in years}
    )


@pytest.mark.parametrize("today", [TODAY, D(2027, 1, 5)])
def test_outcomes_of_a_years_supports_count_exits_at_each_ended_year_and_relapses(supported, officer_a, today):
    years, total, by_project = selectors.outcomes(Household.objects.visible_to(officer_a), YEAR, today=today)
    want_years, want = expected_row(today)
    assert years == want_years
    assert shown(total, years, supported) == want
    assert total.relapsed == len(want["relapsed"])
    assert [row.key for row in by_project] == ["P3", "P4"]
    for row in by_project:
        assert shown(row, years, supported) == expected_row(today, row.key)[1]


def test_a_running_year_shows_so_far_and_a_fall_back_counts_as_soon_as_it_is_decided(supported, officer_a):
    scope = Household.objects.visible_to(officer_a)
    years, total, _ = selectors.outcomes(scope, YEAR, today=D(2026, 12, 30))
    assert years == [2025, 2026]
    assert [e["so_far"] for e in total.as_dict(years, D(2026, 12, 30))["by_year"]] == [False, True]
    assert total.supported == 6  # worked out by hand: all but the household supported in 2025 and the cancelled one
    both = sorted([supported["relapsed"].code, supported["relapsed_in_2026"].code])
    assert sorted(total.relapsed_households) == both
    years, total, _ = selectors.outcomes(scope, YEAR, today=D(2026, 1, 10))
    assert years == [2025, 2026]
    assert total.relapsed_households == [supported["relapsed"].code]  # the 2026 one is not decided yet
    years, total, _ = selectors.outcomes(scope, YEAR, today=D(2025, 12, 30))
    assert years == [2025]
    assert total.as_dict(years, D(2025, 12, 30))["by_year"][0]["so_far"] is True
    assert total.relapsed_households == [supported["relapsed"].code]


def test_a_fall_back_beyond_the_horizon_is_not_counted(supported, officer_a):
    scope = Household.objects.visible_to(officer_a)
    years, total, _ = selectors.outcomes(scope, YEAR, horizon=1, today=D(2027, 1, 5))
    assert years == [2025]
    assert shown(total, years, supported) == expected_row(D(2027, 1, 5), horizon=1)[1]
    assert total.relapsed_households == [supported["relapsed"].code]


def test_a_relapse_in_the_support_year_shows_before_the_next_year_ends(make_household, commune_a, officer_a, chair_a):
    household = make_household(commune_a, "Hộ tái nghèo sớm")
    decide(chair_a, household, [(D(2025, 1, 5), "poor"), (D(2025, 6, 1), "not_poor"), (D(2025, 11, 1), "poor")])
    support(officer_a, chair_a, household, "livestock_p3", D(2025, 2, 1), "delivered")
    years, total, _ = selectors.outcomes(Household.objects.visible_to(officer_a), 2025, today=TODAY)
    assert years == [2026]  # running: as it stands today
    assert total.relapsed_households == [household.code]


def test_outcomes_as_dict_lists_every_year(supported, officer_a):
    years, total, _ = selectors.outcomes(Household.objects.visible_to(officer_a), YEAR, today=D(2027, 1, 5))
    data = total.as_dict(years)
    assert [entry["year"] for entry in data["by_year"]] == [2025, 2026]
    assert data["supported"] == total.supported and data["relapsed"] == total.relapsed


def test_households_out_of_scope_are_not_counted(supported, officer_b):
    years, total, rows = selectors.outcomes(Household.objects.visible_to(officer_b), YEAR, today=TODAY)
    assert (total.supported, rows) == (0, [])
