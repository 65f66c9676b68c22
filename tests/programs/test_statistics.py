"""The year's figures on seeded data (domain Part B §4.3, §6.2): fifteen households in two communes
with their statuses decided over 2023-2026 through the status service, surveys through the survey service;
`refresh_figures` stores each commune's tally per year and the selectors add them up for any area.

Every expected number is typed below, household by household, and only summed here: what each household is at
the start and the end of each year, its movement, the deprivations and causes of poverty of its latest current
survey and its children under 16 while it is on a list."""

import datetime
import io
import threading
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from config.errors import DomainError
from households import rules as household_rules
from households import services as household_services
from households.models import Area, Ethnicity, Household
from programs.models import CommuneYearFigures, StaleFigures
from programs.reporting import rules as accounting
from programs.reporting import selectors
from programs.reporting import services as statistics
from programs.reporting.services import figures
from programs.standards import services as program_services
from tests.conftest import PROVINCE_CODE

pytestmark = pytest.mark.django_db
D = datetime.date
P, N, X = "poor", "near_poor", "not_poor"
TODAY = D(2026, 11, 20)
YEARS = (2024, 2025, 2026)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
ANSWERED = ("employment", "water", "sanitation", "telecom", "information_access")  # the rest of VN-2022 is derived
GOOD_HOUSE = {
    "has_house": True,
    "floor_area_m2": "60",
    "foundation_frame_durable": True,
    "walls_durable": True,
    "roof_durable": True,
}
BAD_HOUSE = GOOD_HOUSE | {"walls_durable": False, "roof_durable": False}  # deprived in housing quality only


@dataclass
class Seed:
    commune: str  # "a" or "b"
    registered: datetime.datetime | None  # local time; None: left as created (the real now)
    changes: list[tuple[datetime.date, str]] = field(default_factory=list)
    surveys: list[tuple[datetime.date, int, frozenset[str]]] = field(default_factory=list)  # day, review, deprived
    children: tuple[datetime.date, ...] = ()
    spouse: bool = False
    hmong: bool = False  # the head's ethnicity (else Kinh)
    flags: tuple[str, ...] = ()


def at(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def dep(*codes):
    return frozenset(codes)


SEED = {
    # A1: newly poor 2024
    "A1": Seed(
        "a",
        at(2023, 3, 1),
        [(D(2024, 6, 10), P)],
        [(D(2024, 10, 1), 2024, dep("water")), (D(2025, 10, 1), 2025, dep("water", "sanitation"))],
        children=(D(2015, 6, 1), D(2025, 3, 1)),  # the second born in 2025
        spouse=True,
    ),
    # A2: escaped 2024, relapsed on 31/12/2025
    "A2": Seed(
        "a",
        at(2022, 5, 1),
        [(D(2022, 12, 20), P), (D(2024, 11, 15), X), (D(2025, 12, 31), P)],
        [
            (D(2024, 10, 5), 2024, dep("telecom")),
            (D(2025, 11, 1), 2025, dep("employment")),
            (D(2025, 10, 15), 2025, dep("information_access")),  # supersedes the later-dated survey of 1/11
            (D(2026, 10, 1), 2026, dep("water")),
        ],
        children=(D(2012, 5, 1), D(2008, 3, 3)),  # the second is 16 from March 2024
        hmong=True,
        flags=("is_ethnic_minority",),
    ),
    # A3: poor to near-poor 2025
    "A3": Seed(
        "a",
        at(2022, 6, 1),
        [(D(2023, 1, 15), P), (D(2025, 6, 1), N)],
        [(D(2025, 9, 20), 2025, dep("housing_quality"))],
        children=(D(2010, 1, 1),),  # 16 on 1/1/2026
        flags=("is_female_headed", "no_labour_capacity"),
    ),
    # A4: near-poor to poor 2026
    "A4": Seed(
        "a",
        at(2023, 1, 1),
        [(D(2023, 5, 5), N), (D(2026, 3, 1), P)],
        [(D(2024, 9, 1), 2024, dep("sanitation"))],
        flags=("has_revolutionary_contributor",),
    ),
    # A5: newly near-poor 2024, escaped 2025
    "A5": Seed(
        "a", at(2023, 6, 1), [(D(2024, 2, 1), N), (D(2025, 12, 15), X)], children=(D(2020, 2, 2),)
    ),
    # A6: never poor
    "A6": Seed(
        "a",
        at(2023, 1, 1),
        surveys=[(D(2025, 9, 1), 2025, dep("water"))],
        children=(D(2014, 4, 4),),
        flags=("has_social_protection_member",),
    ),
    # A7: registered in 2026, poor
    "A7": Seed(
        "a", at(2026, 2, 10), [(D(2026, 4, 1), P)], [(D(2026, 3, 20), 2026, dep("telecom"))], children=(D(2019, 7, 7),)
    ),
    # A8: registered late on 31/12/2024
    "A8": Seed("a", at(2024, 12, 31, 23, 30)),  # 16:30 UTC
    # A9: registered early on 1/1/2025
    "A9": Seed("a", at(2025, 1, 1, 0, 30)),  # still 31/12/2024 in UTC
    # A10: escaped 2023, relapsed near-poor 2024
    "A10": Seed(
        "a", at(2022, 1, 1), [(D(2023, 2, 1), P), (D(2023, 12, 20), X), (D(2024, 8, 1), N)]
    ),
    # B1: poor throughout
    "B1": Seed(
        "b",
        at(2021, 6, 1),
        [(D(2021, 12, 20), P)],
        [(D(2024, 9, 9), 2024, dep("water", "employment")), (D(2026, 9, 9), 2026, dep())],
        children=(D(2011, 1, 1), D(2010, 12, 31)),  # the second is 16 on 31/12/2026
        spouse=True,
        hmong=True,
        flags=("is_ethnic_minority",),
    ),
    # B2: newly poor 2024, escaped 2025, relapsed 2026
    "B2": Seed(
        "b",
        at(2023, 1, 1),
        [(D(2024, 1, 10), P), (D(2025, 9, 1), X), (D(2026, 6, 1), P)],
        [(D(2024, 10, 10), 2024, dep("sanitation"))],
        children=(D(2016, 1, 1),),
    ),
    # B3: newly near-poor 2026
    "B3": Seed("b", at(2023, 1, 1), [(D(2026, 5, 5), N)], children=(D(2024, 5, 5),), flags=("is_ethnic_minority",)),
    # B4: registered now, surveyed in 2023
    "B4": Seed("b", None, surveys=[(D(2023, 11, 5), 2023, dep())], flags=("is_female_headed",)),
    # B5: escaped on 31/12/2024
    "B5": Seed("b", at(2022, 1, 1), [(D(2023, 3, 3), P), (D(2024, 12, 31), X)]),
}  # fmt: skip

# name: {year: (status on 31/12 of the year before, on 31/12 of the year, poor-list move, near-poor-list move)};
# None: not yet known on that date
STATUS_YEARS = {
    "A1": {2024: (X, P, "newly", ""), 2025: (P, P, "", ""), 2026: (P, P, "", "")},
    "A2": {2024: (P, X, "escaped", ""), 2025: (X, P, "relapsed", ""), 2026: (P, P, "", "")},
    "A3": {2024: (P, P, "", ""), 2025: (P, N, "to_near_poor", "from_poor"), 2026: (N, N, "", "")},
    "A4": {2024: (N, N, "", ""), 2025: (N, N, "", ""), 2026: (N, P, "from_near_poor", "to_poor")},
    "A5": {2024: (X, N, "", "newly"), 2025: (N, X, "", "escaped"), 2026: (X, X, "", "")},
    "A6": {2024: (X, X, "", ""), 2025: (X, X, "", ""), 2026: (X, X, "", "")},
    "A7": {2024: (None, None, "", ""), 2025: (None, None, "", ""), 2026: (None, P, "other_increase", "")},
    "A8": {2024: (None, X, "", ""), 2025: (X, X, "", ""), 2026: (X, X, "", "")},
    "A9": {2024: (None, None, "", ""), 2025: (None, X, "", ""), 2026: (X, X, "", "")},
    "A10": {2024: (X, N, "", "relapsed"), 2025: (N, N, "", ""), 2026: (N, N, "", "")},
    "B1": {2024: (P, P, "", ""), 2025: (P, P, "", ""), 2026: (P, P, "", "")},
    "B2": {2024: (X, P, "newly", ""), 2025: (P, X, "escaped", ""), 2026: (X, P, "relapsed", "")},
    "B3": {2024: (X, X, "", ""), 2025: (X, X, "", ""), 2026: (X, N, "", "newly")},
    "B4": {2024: (X, X, "", ""), 2025: (X, X, "", ""), 2026: (X, X, "", "")},
    "B5": {2024: (P, X, "escaped", ""), 2025: (X, X, "", ""), 2026: (X, X, "", "")},
}  # fmt: skip

# name: {year: (deprivations of the latest current survey by 31/12, children under 16 on 31/12)}, for the years
# the household ends on a list
LISTED_FACTS = {
    "A1": {2024: (dep("water"), 1), 2025: (dep("water", "sanitation"), 2), 2026: (dep("water", "sanitation"), 2)},
    "A2": {2025: (dep("information_access"), 1), 2026: (dep("water"), 1)},
    "A3": {2024: (dep(), 1), 2025: (dep("housing_quality"), 1), 2026: (dep("housing_quality"), 0)},
    "A4": {2024: (dep("sanitation"), 0), 2025: (dep("sanitation"), 0), 2026: (dep("sanitation"), 0)},
    "A5": {2024: (dep(), 1)},
    "A7": {2026: (dep("telecom"), 1)},
    "A10": {2024: (dep(), 0), 2025: (dep(), 0), 2026: (dep(), 0)},
    "B1": {2024: (dep("water", "employment"), 2), 2025: (dep("water", "employment"), 2), 2026: (dep(), 1)},
    "B2": {2024: (dep("sanitation"), 1), 2026: (dep("sanitation"), 1)},
    "B3": {2026: (dep(), 1)},
}  # fmt: skip

# the causes of poverty ticked on each survey, by household and survey day (none where not listed)
SURVEY_CAUSES = {
    ("A1", D(2024, 10, 1)): ("capital",),
    ("A1", D(2025, 10, 1)): ("capital", "land"),
    ("A2", D(2024, 10, 5)): ("illness",),
    ("A2", D(2025, 11, 1)): ("labour",),  # superseded by the survey of 15/10
    ("A2", D(2025, 10, 15)): ("know_how",),
    ("A3", D(2025, 9, 20)): ("labour", "illness"),
    ("A4", D(2024, 9, 1)): ("tools",),
    ("A6", D(2025, 9, 1)): ("other",),  # never on a list: never counted
    ("A7", D(2026, 3, 20)): ("skills", "capital"),
    ("B1", D(2024, 9, 9)): ("land",),
    ("B1", D(2026, 9, 9)): ("land", "capital", "labour"),
    ("B2", D(2024, 10, 10)): ("capital",),
}
# name: {year: causes of the latest current survey by 31/12}, for the years the household ends on a list; () is
# counted as "none" (no survey by then, or a survey that ticked none: A2's survey of 2026)
LISTED_CAUSES = {
    "A1": {2024: ("capital",), 2025: ("capital", "land"), 2026: ("capital", "land")},
    "A2": {2025: ("know_how",), 2026: ()},
    "A3": {2024: (), 2025: ("labour", "illness"), 2026: ("labour", "illness")},
    "A4": {2024: ("tools",), 2025: ("tools",), 2026: ("tools",)},
    "A5": {2024: ()},
    "A7": {2026: ("skills", "capital")},
    "A10": {2024: (), 2025: (), 2026: ()},
    "B1": {2024: ("land",), 2025: ("land",), 2026: ("land", "capital", "labour")},
    "B2": {2024: ("capital",), 2026: ("capital",)},
    "B3": {2026: ()},
}  # fmt: skip

# the exit cohorts: who escaped poverty in the year, followed and poor again at the end of the next years (the
# running year 2026 as of TODAY; 2027 not begun)
COHORTS = {
    # A2 escaped 2024, poor at the end of 2025 and still today; A3 poor -> near-poor in 2025, still near-poor
    ("a", 2024): {
        "cohort.escaped": 1,
        "cohort.followed_1": 1,
        "cohort.relapsed_1": 1,
        "cohort.followed_2": 1,
        "cohort.relapsed_2": 1,
    },
    ("a", 2025): {"cohort.escaped": 1, "cohort.followed_1": 1},
    # B5 escaped on 31/12/2024, not poor since; B2 escaped 2025 and relapsed in June 2026
    ("b", 2024): {"cohort.escaped": 1, "cohort.followed_1": 1, "cohort.followed_2": 1},
    ("b", 2025): {"cohort.escaped": 1, "cohort.followed_1": 1, "cohort.relapsed_1": 1},
}

GROUP_OF_FLAG = {
    "is_ethnic_minority": "minority",
    "no_labour_capacity": "no_labour",
    "has_revolutionary_contributor": "revolutionary",
    "has_social_protection_member": "social_protection",
    "is_female_headed": "female_head",
}


def expected_counts(communes: str, year: int) -> Counter:
    """The sum, over the seeded households of the communes, of what the tables above say about them."""
    counts: Counter = Counter()
    for name, seed in SEED.items():
        if seed.commune not in communes:
            continue
        start, end, poor_move, near_move = STATUS_YEARS[name][year]
        for status, move in ((P, poor_move), (N, near_move)):
            counts[f"move.{status}.start"] += start == status
            if move:
                counts[f"move.{status}.{move}"] += 1
        if end is None:
            continue
        counts["households"] += 1
        counts[end] += 1
        for flag in seed.flags:
            counts[f"group.{GROUP_OF_FLAG[flag]}.households"] += 1
            counts[f"group.{GROUP_OF_FLAG[flag]}.{end}"] += 1
        ethnicity = "08" if seed.hmong else "01"
        counts[f"eth.{ethnicity}.households"] += 1
        counts[f"eth.{ethnicity}.{end}"] += 1
        assert (end in (P, N)) == (year in LISTED_FACTS.get(name, {})), (name, year)
        if end in (P, N):
            deprived, children = LISTED_FACTS[name][year]
            counts[f"children.{end}"] += children
            for code in deprived:
                counts[f"dep.{end}.{code}"] += 1
                counts[f"child_dep.{code}"] += children
            for code in LISTED_CAUSES[name][year] or ("none",):
                counts[f"cause.{end}.{code}"] += 1
    for commune in communes:
        counts.update(COHORTS.get((commune, year), {}))
    return counts


def nonzero(counts) -> dict[str, int]:
    return {key: value for key, value in counts.items() if value}


def member(name, ethnicity, relation, born, schooling="none"):
    return {
        "full_name": name,
        "date_of_birth": born,
        "sex": "male",
        "ethnicity": ethnicity,
        "relation": relation,
        "health_insurance_number": "DN4150000000001",
        "health_insurance_valid_until": D(2030, 12, 31),
        "education_level": "upper_secondary",
        "schooling": schooling,
    }


def record_survey(officer, household, day, review_year, deprived, causes=()):
    assessment = program_services.record_assessment(
        actor=officer,
        household_id=household.pk,
        survey_date=day,
        review_year=review_year,
        income_per_capita=1_000_000,
        dwelling=BAD_HOUSE if "housing_quality" in deprived else GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers={code: code in deprived for code in ANSWERED},
        causes=list(causes),
        today=TODAY,
    )
    assert set(assessment.deprived) == deprived  # nothing derived from the members or the house by surprise
    assert set(assessment.causes) == set(causes)
    return assessment


@dataclass
class World:
    province: Area
    district: Area
    commune_a: Area
    commune_b: Area
    kinh: Ethnicity
    hmong: Ethnicity
    households: dict[str, Household]


def officer(username: str, role: str, area: Area):
    return household_services.create_officer(actor=None, username=username, role=role, area=area)


def build_world() -> World:
    """The areas and people of tests/conftest.py (a legacy district over commune A), and the seeded households."""
    Role, Level = household_rules.Role, household_rules.Level
    province = Area.objects.get(code=PROVINCE_CODE)
    commune_a, commune_b = Area.objects.filter(parent=province, level=Level.COMMUNE).order_by("code")[:2]
    district = Area.objects.create(
        code=f"{province.code}-H99",
        name="Huyện cũ (kiểm thử)",
        name_search="huyen cu (kiem thu)",
        level=Level.DISTRICT,
        parent=province,
        province=province,
        path=f"{province.path}{province.code}-H99/",
    )
    commune_a.parent, commune_a.path = district, f"{district.path}{commune_a.code}/"
    commune_a.save()
    communes = {"a": commune_a, "b": commune_b}
    kinh, hmong = Ethnicity.objects.get(code="01"), Ethnicity.objects.get(code="08")
    admin = officer("quantri_tk", Role.PROGRAM_ADMIN, None)
    officers = {k: officer(f"canbo_{k}_tk", Role.COMMUNE_OFFICER, c) for k, c in communes.items()}
    chairs = {k: officer(f"chutich_{k}_tk", Role.COMMUNE_CHAIR, c) for k, c in communes.items()}
    made = {}
    for name, seed in SEED.items():
        ethnicity = hmong if seed.hmong else kinh
        members = [member(f"Chủ hộ {name}", ethnicity, "head", D(1980, 5, 17))]
        if seed.spouse:
            members.append(member(f"Vợ {name}", ethnicity, "spouse", D(1982, 2, 2)))
        for index, born in enumerate(seed.children):
            age = (TODAY - born).days // 365
            schooling = "none" if age < 3 else ("primary" if age < 16 else "upper_secondary")
            members.append(member(f"Con {index} {name}", ethnicity, "child", born, schooling))
        household = household_services.create_household(
            actor=admin, data={"commune": communes[seed.commune], **dict.fromkeys(seed.flags, True)}, members=members
        )
        if seed.registered is not None:
            Household.objects.filter(pk=household.pk).update(created_at=seed.registered)
        for day, status in seed.changes:
            program_services.record_status_change(
                actor=chairs[seed.commune],
                household_id=household.pk,
                to_status=status,
                effective_date=day,
                decision_number="15/QĐ-UBND",
                today=TODAY,
            )
        for day, review_year, deprived in seed.surveys:
            causes = SURVEY_CAUSES.get((name, day), ())
            record_survey(officers[seed.commune], household, day, review_year, deprived, causes)
        made[name] = household
    return World(province, district, commune_a, commune_b, kinh, hmong, made)


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    """Seeded and refreshed once for the class below, in a transaction rolled back at its end; each test runs
    in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        written = statistics.refresh_figures(years=YEARS, today=TODAY)
        assert written == 6  # two communes, three years; no other commune of the country has a household
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def seeded(world, db):
    return world


def rows():
    return {
        (row.commune_id, row.year): (row.households, row.poor, row.near_poor, row.counts)
        for row in CommuneYearFigures.objects.all()
    }


# --- on the seeded households: the stored rows, any area's figures, presentation ------------------------------

# The province's movement per year (Part B §4.3), for the poor list then the near-poor list:
# start, decreases (to the other list, escaped, other), increases (from the other list, relapsed, newly, other), end
MOVEMENT = {
    2024: ((4, (0, 2, 0), (0, 0, 2, 0), 4), (1, (0, 0, 0), (0, 1, 1, 0), 3)),
    2025: ((4, (1, 1, 0), (0, 1, 0, 0), 3), (3, (0, 1, 0), (1, 0, 0, 0), 3)),
    2026: ((3, (0, 0, 0), (1, 1, 0, 1), 6), (3, (1, 0, 0), (0, 0, 1, 0), 3)),
}
DECREASE_KEYS = {P: ("to_near_poor", "escaped", "other_decrease"), N: ("to_poor", "escaped", "other_decrease")}
INCREASE_KEYS = {
    P: ("from_near_poor", "relapsed", "newly", "other_increase"),
    N: ("from_poor", "relapsed", "newly", "other_increase"),
}


class TestOnSeededHouseholds:
    def test_each_commune_row_holds_the_counts_made_by_hand(self, seeded):
        stored = rows()
        communes = {"a": seeded.commune_a, "b": seeded.commune_b}
        assert set(stored) == {(c.pk, year) for c in communes.values() for year in YEARS}
        for key, commune in communes.items():
            for year in YEARS:
                households, poor, near_poor, counts = stored[(commune.pk, year)]
                expected = expected_counts(key, year)
                assert (households, poor, near_poor) == (expected["households"], expected[P], expected[N])
                assert nonzero(counts) == nonzero(expected), (key, year)

    @pytest.mark.parametrize(
        ("year", "a", "b"),
        [
            # households, poor, near-poor, not poor
            (2024, (8, 2, 3, 3), (5, 2, 0, 3)),  # A7 and A9 not yet registered; A8 registered on 31/12
            (2025, (9, 2, 3, 4), (5, 1, 0, 4)),
            (2026, (10, 4, 2, 4), (5, 2, 1, 2)),
        ],
    )
    def test_the_headline_counts(self, seeded, year, a, b):
        for commune, expected in ((seeded.commune_a, a), (seeded.commune_b, b)):
            counts = selectors.figures_by_year(commune, [year])[year]
            assert (counts["households"], counts[P], counts[N], counts[X]) == expected

    def test_a_province_or_district_is_the_sum_of_its_communes(self, seeded):
        in_province = selectors.figures_by_year(seeded.province, YEARS)
        in_district = selectors.figures_by_year(seeded.district, YEARS)  # the legacy district holds A only
        for year in YEARS:
            assert nonzero(in_province[year]) == nonzero(expected_counts("ab", year))
            assert nonzero(in_district[year]) == nonzero(expected_counts("a", year))
            in_b = selectors.figures_by_year(seeded.commune_b, [year])[year]
            assert nonzero(in_b) == nonzero(expected_counts("b", year))
        assert selectors.figures_by_year(seeded.province, [2023]) == {}

    @pytest.mark.parametrize("year", YEARS)
    def test_the_movement_balances_in_the_province_and_each_commune(self, seeded, year):
        counts = selectors.figures_by_year(seeded.province, [year])[year]
        for status, (start, down, up, end) in zip((P, N), MOVEMENT[year], strict=True):
            assert start - sum(down) + sum(up) == end  # the table itself
            decreases = dict(zip(DECREASE_KEYS[status], down, strict=True))
            increases = dict(zip(INCREASE_KEYS[status], up, strict=True))
            movement = accounting.movement(counts, status)
            assert (movement.start, movement.decreases, movement.increases, movement.end) == (
                start,
                decreases,
                increases,
                end,
            )
            assert movement.balances
            for commune in (seeded.commune_a, seeded.commune_b):
                assert accounting.movement(selectors.figures_by_year(commune, [year])[year], status).balances

    def test_the_exit_cohorts_of_the_province(self, seeded):
        by_year = selectors.figures_by_year(seeded.province, YEARS)
        # 2024: A2 (poor again from 31/12/2025) and B5 (not since); 2025: A3 (near-poor), B2 (poor again in 2026)
        assert accounting.cohort(by_year[2024]) == accounting.CohortShare(2, [2, 2], [1, 1])
        assert accounting.cohort(by_year[2025]) == accounting.CohortShare(2, [2, 0], [1, 0])
        assert accounting.cohort(by_year[2026]) == accounting.CohortShare(0, [0, 0], [0, 0])

    def test_communes_are_ranked_by_their_poor_household_rate(self, seeded):
        def ranking(area, year):
            return [
                (r["area"], r["households"], r["poor"], r["near_poor"])
                + (r["poor_rate"], r["near_poor_rate"], r["multidimensional_rate"])
                for r in selectors.commune_ranking(area, year)
            ]

        a, b, province = seeded.commune_a.pk, seeded.commune_b.pk, seeded.province
        assert ranking(province, 2024) == [(b, 5, 2, 0, 40.0, 0.0, 40.0), (a, 8, 2, 3, 25.0, 37.5, 62.5)]
        assert ranking(province, 2025) == [(a, 9, 2, 3, 22.22, 33.33, 55.56), (b, 5, 1, 0, 20.0, 0.0, 20.0)]
        assert seeded.commune_a.code < seeded.commune_b.code  # equal rates: by commune code
        assert ranking(province, 2026) == [(a, 10, 4, 2, 40.0, 20.0, 60.0), (b, 5, 2, 1, 40.0, 20.0, 60.0)]
        assert ranking(seeded.district, 2026) == [(a, 10, 4, 2, 40.0, 20.0, 60.0)]
        assert ranking(seeded.commune_b, 2025) == [(b, 5, 1, 0, 20.0, 0.0, 20.0)]
        assert ranking(province, 2023) == []
        first = selectors.commune_ranking(province, 2024)[0]
        assert (first["code"], first["name"]) == (seeded.commune_b.code, seeded.commune_b.name)

    def test_a_second_refresh_writes_the_same_rows(self, seeded):
        before = rows()
        communes = [commune.pk for commune in (seeded.commune_a, seeded.commune_b)]
        assert statistics.refresh_figures(years=YEARS, communes=communes, today=TODAY) == 6
        assert rows() == before

    def test_a_commune_without_households_has_no_row(self, seeded):
        communes = Area.objects.filter(parent=seeded.province, level=household_rules.Level.COMMUNE)
        empty = communes.exclude(pk__in=[seeded.commune_a.pk, seeded.commune_b.pk]).order_by("code").first()
        CommuneYearFigures.objects.create(
            commune=empty, year=2025, households=3, poor=1, counts={"households": 3, P: 1}, computed_at=at(2025, 6, 1)
        )  # left from when it had households
        written = statistics.refresh_figures(years=[2025], communes=[empty.pk, seeded.commune_b.pk], today=TODAY)
        assert written == 1
        assert not CommuneYearFigures.objects.filter(commune=empty).exists()
        assert CommuneYearFigures.objects.filter(year=2025).count() == 2

    def test_present_figures_of_the_province(self, seeded):
        by_year = selectors.figures_by_year(seeded.province, [2024, 2025])
        targets = [
            accounting.Target(P, "reduction", 1.5),
            accounting.Target(P, "max_rate", 20.0),
            accounting.Target("minority_poor", "reduction", 3.0),
        ]
        shown = selectors.present_figures(by_year[2025], by_year[2024], targets)
        # 2025: 14 households, 3 poor (A1, A2, B1), 3 near-poor (A3, A4, A10); 2024: 13, 4, 3
        assert (shown["households"], shown["poor"], shown["near_poor"]) == (14, 3, 3)
        assert (shown["poor_rate"], shown["near_poor_rate"], shown["multidimensional_rate"]) == (21.43, 21.43, 42.86)
        assert shown["minority_poor_rate"] == 66.67  # A2 and B1 of A2, B1, B3
        # against 2024: 30.77%, 23.08%, 53.85%, ethnic-minority 33.33% (B1 of A2, B1, B3)
        assert shown["change"] == {
            "poor": -9.34,
            "near_poor": -1.65,
            "multidimensional": -10.99,
            "minority_poor": 33.34,
        }
        groups = [
            (g["key"], g["households"], g["poor"], g["near_poor"], g["poor_rate"], g["near_poor_rate"])
            for g in shown["groups"]
        ]
        assert groups == [
            ("minority", 3, 2, 0, 66.67, 0.0),
            ("no_labour", 1, 0, 1, 0.0, 100.0),
            ("revolutionary", 1, 0, 1, 0.0, 100.0),
            ("social_protection", 1, 0, 0, 0.0, 0.0),
            ("female_head", 2, 0, 1, 0.0, 50.0),
        ]
        assert shown["groups"][0]["label"] == "Hộ dân tộc thiểu số"
        ethnicities = [
            (e["key"], e["label"], e["households"], e["poor"], e["near_poor"], e["poor_rate"])
            for e in shown["ethnicities"]
        ]
        assert ethnicities == [("01", seeded.kinh.name, 12, 1, 3, 8.33), ("08", seeded.hmong.name, 2, 2, 0, 100.0)]
        deprivations = [
            (d["indicator"], d["poor"], d["poor_share"], d["near_poor"], d["near_poor_share"], d["children"])
            for d in shown["deprivations"]
        ]
        assert deprivations == [
            ("water", 2, 66.67, 0, 0.0, 4),
            ("employment", 1, 33.33, 0, 0.0, 2),
            ("information_access", 1, 33.33, 0, 0.0, 1),
            ("sanitation", 1, 33.33, 1, 33.33, 2),
            ("housing_quality", 0, 0.0, 1, 33.33, 1),
        ]
        assert shown["deprivations"][0]["label"] == "nguồn nước sinh hoạt"
        # 2025, poor A1 (capital, land), A2 (know-how), B1 (land); near-poor A3 (labour, illness), A4 (tools), A10
        # (none); in the report's order, then those without a cause
        causes = [
            (c["cause"], c["poor"], c["poor_share"], c["near_poor"], c["near_poor_share"]) for c in shown["causes"]
        ]
        assert causes == [
            ("land", 2, 66.67, 0, 0.0),
            ("capital", 1, 33.33, 0, 0.0),
            ("labour", 0, 0.0, 1, 33.33),
            ("tools", 0, 0.0, 1, 33.33),
            ("know_how", 1, 33.33, 0, 0.0),
            ("skills", 0, 0.0, 0, 0.0),
            ("illness", 0, 0.0, 1, 33.33),
            ("other", 0, 0.0, 0, 0.0),
            ("none", 0, 0.0, 1, 33.33),
        ]
        assert (shown["causes"][0]["label"], shown["causes"][-1]["label"]) == (
            "thiếu đất sản xuất",
            "chưa ghi nguyên nhân",
        )
        assert shown["children"] == {"poor": 5, "near_poor": 1}
        poor, near_poor = shown["movement"]
        assert (poor["status"], poor["start"], poor["end"], poor["balances"]) == (P, 4, 3, True)
        assert [(m["key"], m["count"]) for m in poor["decreases"]] == [
            ("to_near_poor", 1),
            ("escaped", 1),
            ("other_decrease", 0),
        ]
        assert [(m["key"], m["count"]) for m in poor["increases"]] == [
            ("from_near_poor", 0),
            ("relapsed", 1),
            ("newly", 0),
            ("other_increase", 0),
        ]
        assert poor["increases"][1]["label"] == "Tái nghèo / tái cận nghèo"
        assert (near_poor["status"], near_poor["start"], near_poor["end"], near_poor["balances"]) == (N, 3, 3, True)
        assert shown["exit_cohort"] == {
            "escaped": 2,
            "later": [{"after_years": 1, "followed": 2, "relapsed": 1, "relapse_rate": 50.0}],
        }
        assert [(t["measure"], t["kind"], t["actual"], t["on_track"]) for t in shown["targets"]] == [
            (P, "reduction", 9.34, True),
            (P, "max_rate", 21.43, False),
            ("minority_poor", "reduction", -33.34, False),
        ]
        assert shown["targets"][0]["text"] == (
            "Tỷ lệ hộ nghèo giảm 9,34 điểm % (30,77% → 21,43%) — đạt mục tiêu giảm 1,50 điểm."
        )
        assert shown["targets"][1]["text"] == "Tỷ lệ hộ nghèo 21,43% — chưa đạt mục tiêu không quá 20,00%."

    def test_present_figures_without_a_year_before(self, seeded):
        counts = selectors.figures_by_year(seeded.province, [2024])[2024]
        shown = selectors.present_figures(counts, None, [accounting.Target(P, "reduction", 1.0)])
        assert shown["change"] == {"poor": None, "near_poor": None, "multidimensional": None, "minority_poor": None}
        assert (shown["targets"][0]["actual"], shown["targets"][0]["on_track"]) == (None, None)
        assert shown["exit_cohort"]["later"] == [
            {"after_years": 1, "followed": 2, "relapsed": 1, "relapse_rate": 50.0},
            {"after_years": 2, "followed": 2, "relapsed": 1, "relapse_rate": 50.0},
        ]
        empty = selectors.present_figures(Counter(), None)
        assert (empty["households"], empty["poor_rate"], empty["targets"], empty["deprivations"]) == (0, None, [], [])
        assert empty["causes"] == []
        # figures stored before causes were recorded lack their keys: no causes shown, never an error
        old = Counter({key: value for key, value in counts.items() if not key.startswith("cause.")})
        assert selectors.present_figures(old, None)["causes"] == []
        assert all(m["balances"] for m in empty["movement"])


# --- stale marks ------------------------------------------------------------------------------------------------


def test_a_stale_mark_keeps_the_earliest_year(commune_a, commune_b):
    statistics.mark_stale(commune_a.pk, D(2025, 3, 1))
    statistics.mark_stale(commune_a.pk, D(2026, 1, 5))
    assert StaleFigures.objects.get(commune=commune_a).year == 2025
    statistics.mark_stale(commune_a.pk, D(2024, 12, 31))
    statistics.mark_stale(commune_b.pk, D(2026, 2, 2))
    assert StaleFigures.objects.get(commune=commune_a).year == 2024
    statistics.mark_stale(commune_a.pk, D(2019, 6, 1))  # before the first year with figures
    assert dict(StaleFigures.objects.values_list("commune_id", "year")) == {commune_a.pk: 2021, commune_b.pk: 2026}


def small_seed(commune, chair, admin_user, kinh, changes, registered=None):
    household = household_services.create_household(
        actor=admin_user,
        data={"commune": commune},
        members=[member("Lò Văn Sáng", kinh, "head", D(1975, 1, 1))],
    )
    Household.objects.filter(pk=household.pk).update(created_at=registered or at(2023, 1, 1))
    for day, status in changes:
        program_services.record_status_change(
            actor=chair,
            household_id=household.pk,
            to_status=status,
            effective_date=day,
            decision_number="9/QĐ",
            today=TODAY,
        )
    return household


def test_a_decision_marks_its_commune_stale_and_the_refresh_clears_the_mark(commune_a, chair_a, admin_user, kinh):
    small_seed(commune_a, chair_a, admin_user, kinh, [(D(2025, 4, 1), P)], registered=at(2024, 1, 1))
    assert list(StaleFigures.objects.values_list("commune_id", "year")) == [(commune_a.pk, 2025)]
    assert not CommuneYearFigures.objects.exists()
    # 2023 (an exit cohort year of the decision) has no household yet: no row
    assert statistics.refresh_stale_figures(today=TODAY) == 3
    assert not StaleFigures.objects.exists()
    assert {row.year: (row.households, row.poor) for row in CommuneYearFigures.objects.all()} == {
        2024: (1, 0),
        2025: (1, 1),
        2026: (1, 1),
    }
    assert statistics.refresh_stale_figures(today=TODAY) == 0  # nothing left to do


def test_a_survey_marks_its_commune_stale(commune_b, officer_b, make_household):
    household = make_household(commune_b, "Giàng A Páo")
    Household.objects.filter(pk=household.pk).update(created_at=at(2023, 1, 1))
    household.members.update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=D(2030, 1, 1),
        education_level="upper_secondary",
    )
    record_survey(officer_b, household, D(2024, 10, 2), 2024, dep("water"))
    assert list(StaleFigures.objects.values_list("commune_id", "year")) == [(commune_b.pk, 2024)]


def test_a_relapse_refreshes_the_exit_cohort_of_two_years_before(commune_a, chair_a, admin_user, kinh):
    small_seed(commune_a, chair_a, admin_user, kinh, [(D(2023, 3, 1), P), (D(2024, 5, 1), X)])
    statistics.refresh_figures(years=YEARS, communes=[commune_a.pk], today=TODAY)
    StaleFigures.objects.all().delete()
    cohort_2024 = accounting.cohort(CommuneYearFigures.objects.get(commune=commune_a, year=2024).counts)
    assert cohort_2024 == accounting.CohortShare(1, [1, 1], [0, 0])
    household = Household.objects.get(commune=commune_a)
    program_services.record_status_change(
        actor=chair_a,
        household_id=household.pk,
        to_status=P,
        effective_date=D(2026, 6, 1),
        decision_number="10/QĐ",
        today=TODAY,
    )
    statistics.refresh_stale_figures(today=TODAY)
    cohort_2024 = accounting.cohort(CommuneYearFigures.objects.get(commune=commune_a, year=2024).counts)
    assert cohort_2024 == accounting.CohortShare(1, [1, 1], [0, 1])  # poor again today, in the second year
    counts_2026 = CommuneYearFigures.objects.get(commune=commune_a, year=2026).counts
    assert (counts_2026["move.poor.relapsed"], counts_2026[P]) == (1, 1)


# --- a decision while a refresh runs (two transactions, real PostgreSQL locks) ---------------------------------


def in_thread(function, results, key):
    def target():
        try:
            results[key] = function()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each side got
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refresh_never_loses_the_mark_of_a_decision_made_meanwhile(
    committed_areas, make_household, commune_a, chair_a, monkeypatch
):
    """One transactional test (they are slow) for both orders of a decision and a refresh in one commune."""
    # With a worker: the beat's refresh races the decisions (with eager tasks a commit refreshes at once instead)
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    household = make_household(commune_a, "Sùng A Tủa")
    Household.objects.filter(pk=household.pk).update(created_at=at(2023, 1, 1))
    with transaction.atomic():
        statistics.mark_stale(commune_a.pk, D(2024, 3, 1))  # an earlier decision's mark, not yet refreshed
    results: dict[str, object] = {}

    # 1. A decision holds the mark (not committed yet): the refresh skips it, the next run takes it.
    marked, release = threading.Event(), threading.Event()

    def deciding():
        with transaction.atomic():
            statistics.mark_stale(commune_a.pk, D(2025, 5, 1))  # relies on the mark already there
            marked.set()
            # ... the rest of the decision's transaction, until the refresh below is done (a ceiling far above it:
            # on a loaded machine a 10 s ceiling let the decision commit before the refresh ran, failing the test)
            release.wait(120)

    decision = in_thread(deciding, results, "held")
    assert marked.wait(60)
    assert statistics.refresh_stale_figures(today=TODAY) == 0
    release.set()
    decision.join(30)
    assert list(StaleFigures.objects.values_list("commune_id", "year")) == [(commune_a.pk, 2024)]

    # 2. The refresh has read the data when the decision is made: the decision's mark outlives the refresh.
    refreshed, decided = threading.Event(), threading.Event()
    refresh = statistics.refresh_figures

    def refresh_then_linger(**kwargs):
        written = refresh(**kwargs)  # the data as it is before the decision
        refreshed.set()
        decided.wait(1.5)  # the decision is made meanwhile (or waits for this refresh to finish)
        return written

    monkeypatch.setattr(figures, "refresh_figures", refresh_then_linger)

    def decide():
        refreshed.wait(10)
        try:
            return program_services.record_status_change(
                actor=chair_a,
                household_id=household.pk,
                to_status=P,
                effective_date=D(2025, 5, 1),
                decision_number="7",
                today=TODAY,
            )
        finally:
            decided.set()

    threads = [
        in_thread(lambda: statistics.refresh_stale_figures(today=TODAY), results, "refresh"),
        in_thread(decide, results, "decision"),
    ]
    for thread in threads:
        thread.join(30)
    assert results["refresh"] == 4 and not isinstance(results["decision"], Exception), results  # 2022 (empty)-2026
    assert CommuneYearFigures.objects.get(commune=commune_a, year=2025).poor == 0  # read before the decision
    assert list(StaleFigures.objects.values_list("commune_id", "year")) == [(commune_a.pk, 2025)]
    monkeypatch.setattr(figures, "refresh_figures", refresh)
    statistics.refresh_stale_figures(today=TODAY)
    assert CommuneYearFigures.objects.get(commune=commune_a, year=2025).poor == 1
    assert not StaleFigures.objects.exists()


# --- which years are computed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("years", [[TODAY.year + 1], [2025, 2099], [2019], [2016, 2025]])
def test_a_year_to_come_or_before_2021_is_never_computed(commune_a, chair_a, admin_user, kinh, years):
    # computed now, a year to come would store today's lists as that year's figures, and no run would refresh them
    small_seed(commune_a, chair_a, admin_user, kinh, [(D(2025, 4, 1), P)])
    with pytest.raises(DomainError) as refused:
        statistics.refresh_figures(years=years, communes=[commune_a.pk], today=TODAY)
    assert (refused.value.code, refused.value.field) == ("invalid_year", "years")
    assert not CommuneYearFigures.objects.exists()


def test_the_command_refuses_a_year_to_come_a_village_and_stale_with_an_area(
    commune_a, village_a, chair_a, admin_user, kinh
):
    small_seed(commune_a, chair_a, admin_user, kinh, [(D(2025, 4, 1), P)])  # marks commune A stale
    next_year = str(timezone.localdate().year + 1)
    for args, says in (
        (["--area", commune_a.code, "--year", next_year], f"không tính năm {next_year}"),
        (["--area", commune_a.code, "--year", "2019"], "không tính năm 2019"),
        (["--area", village_a.code], "số liệu tính theo xã"),
        (["--stale", "--area", commune_a.code], "không dùng kèm --area, --year"),
        (["--stale", "--year", "2025"], "không dùng kèm --area, --year"),
    ):
        with pytest.raises(CommandError, match=says):
            call_command("refresh_statistics", *args, stdout=io.StringIO())
    assert not CommuneYearFigures.objects.exists()
    assert StaleFigures.objects.filter(commune=commune_a).exists()  # the mark waits for a real --stale run

    out = io.StringIO()
    call_command("refresh_statistics", "--area", commune_a.code, "--year", "2025", stdout=out)
    assert "Đã tính số liệu: 1 dòng" in out.getvalue()
    assert CommuneYearFigures.objects.get(commune=commune_a, year=2025).poor == 1
