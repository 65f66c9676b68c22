"""The REST API of the year's figures (domain Part B §6.2, §4.3): an area's figures, its communes
ranked, its rates over the years, the targets and a recomputation queued to Celery.

The seeded story: fifteen households of commune A (two of them ethnic minority, one moved in during 2026) and
three of commune B, whose statuses are decided by the chair over 2024-2026, and one household of another province
that must never count. Every expected number is counted in the test from the story's table, not by the code
under test. Statuses are decided through the services with the real today (22/11/2026 or later), so every date
is in the past; the figures are refreshed as of TODAY.
"""

import datetime
import threading
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.errors import StaleVersion
from households import services as household_services
from households.models import Area, AuditEntry, Ethnicity, Household, Member
from households.rules import Level
from programs import tasks
from programs.models import CommuneYearFigures, PovertyTarget
from programs.reporting import services as statistics
from programs.standards import services
from tests.api_errors import field_errors
from tests.conftest import PERSONAS, member_data

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 22)
YEARS = [2024, 2025, 2026]
KNOWN_SINCE = datetime.datetime(2023, 1, 1, 3, 0, tzinfo=datetime.UTC)
STATS = "/api/v1/stats/"
FIGURES, COMMUNES, SERIES, REFRESH = (f"{STATS}{name}/" for name in ("figures", "communes", "series", "refresh"))
TARGETS = "/api/v1/targets/"

P, N, X, ABSENT = "poor", "near_poor", "not_poor", None
# name: (commune, decisions, status on 31/12/2024, 31/12/2025, 31/12/2026, the 2026 movement per list)
STORY = {
    "stays_poor": ("a", [(D(2024, 3, 1), P)], P, P, P, {}),
    "escaped": ("a", [(D(2024, 3, 1), P), (D(2026, 6, 1), X)], P, P, X, {P: "escaped"}),
    "to_near_poor": (
        "a",
        [(D(2024, 3, 1), P), (D(2026, 6, 1), N)],
        P,
        P,
        N,
        {P: "to_near_poor", N: "from_poor"},
    ),
    "relapsed": ("a", [(D(2024, 3, 1), P), (D(2025, 3, 1), X), (D(2026, 4, 1), P)], P, X, P, {P: "relapsed"}),
    "relapsed_near": (
        "a",
        [(D(2024, 3, 1), P), (D(2025, 2, 1), X), (D(2026, 5, 1), N)],
        P,
        X,
        N,
        {N: "relapsed"},
    ),
    "near_to_poor": (
        "a",
        [(D(2024, 3, 1), N), (D(2026, 7, 1), P)],
        N,
        N,
        P,
        {N: "to_poor", P: "from_near_poor"},
    ),
    "near_escaped": ("a", [(D(2024, 3, 1), N), (D(2026, 3, 1), X)], N, N, X, {N: "escaped"}),
    "stays_near": ("a", [(D(2025, 5, 1), N)], X, N, N, {}),
    "newly_near": ("a", [(D(2026, 8, 1), N)], X, X, N, {N: "newly"}),
    "newly_poor": ("a", [(D(2026, 8, 1), P)], X, X, P, {P: "newly"}),
    "minority_poor": ("a", [(D(2024, 3, 1), P)], P, P, P, {}),
    "minority_not": ("a", [], X, X, X, {}),
    "never": ("a", [], X, X, X, {}),
    "never_2": ("a", [], X, X, X, {}),
    "moved_in": ("a", [(D(2026, 9, 1), P)], ABSENT, ABSENT, P, {P: "other_increase"}),
    "b_poor": ("b", [(D(2024, 3, 1), P)], P, P, P, {}),
    "b_poor_2": ("b", [(D(2024, 5, 1), P)], P, P, P, {}),
    "b_never": ("b", [], X, X, X, {}),
    "elsewhere": ("other", [(D(2024, 3, 1), P)], P, P, P, {}),
}
MINORITY = {"minority_poor", "minority_not"}
NO_LABOUR = {"stays_poor"}
END = {2024: 2, 2025: 3, 2026: 4}  # the column of the story holding the status on 31/12 of the year


def pct(part: int, whole: int) -> float | None:
    """A percentage with two decimals, halves up as in the official tables (computed here, not by the code)."""
    if not whole:
        return None
    return float((Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def expected(communes: set[str], year: int, names: set[str] | None = None) -> Counter:
    """Households, poor and near-poor on 31/12 of the year among the story's households of the communes."""
    counts: Counter = Counter()
    for name, story in STORY.items():
        if story[0] in communes and (names is None or name in names) and story[END[year]] is not ABSENT:
            counts["households"] += 1
            counts[story[END[year]]] += 1
    return counts


def movement_2026(communes: set[str], status: str) -> Counter:
    moves = Counter(story[5][status] for story in STORY.values() if story[0] in communes and status in story[5])
    moves["start"] = sum(1 for story in STORY.values() if story[0] in communes and story[END[2025]] == status)
    return moves


@pytest.fixture
def seeded(make_household, commune_a, commune_b, other_commune, chair_a, admin_user, hmong):
    """The story's households with their decisions, and the figures of 2024-2026 refreshed as of TODAY."""
    where = {"a": commune_a, "b": commune_b, "other": other_commune}
    households = {}
    for name, (commune, decisions, *_) in STORY.items():
        if name in MINORITY:
            household = household_services.create_household(
                actor=admin_user,
                data={"commune": where[commune], "is_ethnic_minority": True},
                members=[member_data(f"Giàng A {name}", hmong)],
            )
        else:
            household = make_household(where[commune], f"Hộ {name}", no_labour_capacity=name in NO_LABOUR)
        if name != "moved_in":  # known since 2023; the one that moved in is known from its decision on
            Household.objects.filter(pk=household.pk).update(created_at=KNOWN_SINCE)
        decider = chair_a if commune == "a" else admin_user
        for day, status in decisions:
            services.record_status_change(
                actor=decider,
                household_id=household.pk,
                to_status=status,
                effective_date=day,
                decision_number=f"{day.year}/QĐ-UBND",
            )
        households[name] = household
    statistics.refresh_figures(years=YEARS, communes=[c.pk for c in where.values()], today=TODAY)
    return households


def get(client, url: str, **params):
    return client.get(url, params)


# --- the figures of an area ----------------------------------------------------------------------------------


def test_the_story_is_what_the_households_say(seeded):
    """The table the expectations are counted from agrees with the households' current status (the cache)."""
    for name, household in seeded.items():
        household.refresh_from_db()
        assert household.status == STORY[name][END[2026]], name


@pytest.mark.parametrize(
    ("who", "area", "counted"),
    [
        ("officer_a", "commune_a", {"a"}),
        ("chair_a", "commune_a", {"a"}),
        ("district_staff", "district", {"a"}),
        ("province_staff", "province", {"a", "b"}),
        ("admin_user", "province", {"a", "b"}),
    ],
)
def test_the_figures_of_an_area_are_its_households_counts_and_rates(api, seeded, persona, who, area, counted):
    place = persona(area)
    response = get(api(persona(who)), FIGURES, area=place.pk, year=2026)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["area"] == {"id": place.pk, "code": place.code, "name": place.name}
    assert (body["year"], body["as_of"]) == (2026, "2026-12-31")
    assert body["computed_at"] is not None
    figures = body["figures"]
    now, before = expected(counted, 2026), expected(counted, 2025)
    assert (figures["households"], figures["poor"], figures["near_poor"]) == (now["households"], now[P], now[N])
    assert figures["poor_rate"] == pct(now[P], now["households"])
    assert figures["near_poor_rate"] == pct(now[N], now["households"])
    assert figures["multidimensional_rate"] == pct(now[P] + now[N], now["households"])
    minority_now, minority_before = expected(counted, 2026, MINORITY), expected(counted, 2025, MINORITY)
    assert figures["minority_poor_rate"] == pct(minority_now[P], minority_now["households"])

    def change(part_now: int, part_before: int) -> float:
        delta = Decimal(str(pct(part_now, now["households"]))) - Decimal(str(pct(part_before, before["households"])))
        return float(delta)

    assert figures["change"] == {
        "poor": change(now[P], before[P]),
        "near_poor": change(now[N], before[N]),
        "multidimensional": change(now[P] + now[N], before[P] + before[N]),
        "minority_poor": float(
            Decimal(str(pct(minority_now[P], minority_now["households"])))
            - Decimal(str(pct(minority_before[P], minority_before["households"])))
        ),
    }


def test_commune_a_in_numbers(api, seeded, officer_a, commune_a):
    """The same figures written out, so that a reader sees the story: 14 households at the end of 2025 (the one
    that moved in came in 2026), 15 at the end of 2026."""
    figures = get(api(officer_a), FIGURES, area=commune_a.pk, year=2026).json()["figures"]
    assert (figures["households"], figures["poor"], figures["near_poor"]) == (15, 6, 4)
    assert (figures["poor_rate"], figures["near_poor_rate"], figures["multidimensional_rate"]) == (40.0, 26.67, 66.67)
    assert figures["change"]["poor"] == round(40.0 - 28.57, 2)  # 4 of 14 poor at the end of 2025
    last_year = get(api(officer_a), FIGURES, area=commune_a.pk, year=2025).json()["figures"]
    assert (last_year["households"], last_year["poor"], last_year["near_poor"]) == (14, 4, 3)


def test_the_movement_of_the_year_balances_and_names_each_move(api, seeded, province_staff, province):
    figures = get(api(province_staff), FIGURES, area=province.pk, year=2026).json()["figures"]
    movements = {m["status"]: m for m in figures["movement"]}
    assert set(movements) == {P, N}
    for status, movement in movements.items():
        counted = movement_2026({"a", "b"}, status)
        decreases = {d["key"]: d["count"] for d in movement["decreases"]}
        increases = {i["key"]: i["count"] for i in movement["increases"]}
        assert movement["start"] == counted["start"]
        assert movement["end"] == expected({"a", "b"}, 2026)[status]
        assert {k: v for k, v in {**decreases, **increases}.items() if v} == {
            k: v for k, v in counted.items() if k != "start"
        }
        assert movement["start"] - sum(decreases.values()) + sum(increases.values()) == movement["end"]
        assert movement["balances"] is True
        assert all(d["label"] for d in movement["decreases"] + movement["increases"])
    poor = movements[P]
    assert [d["key"] for d in poor["decreases"]] == ["to_near_poor", "escaped", "other_decrease"]
    assert [i["key"] for i in poor["increases"]] == ["from_near_poor", "relapsed", "newly", "other_increase"]
    assert (poor["start"], poor["end"]) == (6, 8)
    assert {i["key"]: i["label"] for i in poor["increases"]}["relapsed"] == "Tái nghèo / tái cận nghèo"
    near = movements[N]
    assert [d["key"] for d in near["decreases"]] == ["to_poor", "escaped", "other_decrease"]
    assert [i["key"] for i in near["increases"]] == ["from_poor", "relapsed", "newly", "other_increase"]
    assert (near["start"], near["end"]) == (3, 4)


def test_the_movement_of_an_earlier_year_and_its_exit_cohort(api, seeded, officer_a, commune_a):
    """In 2025 two poor households of A left the lists; by the end of 2026 one of them was poor again."""
    figures = get(api(officer_a), FIGURES, area=commune_a.pk, year=2025).json()["figures"]
    poor = {m["status"]: m for m in figures["movement"]}[P]
    assert (poor["start"], poor["end"], poor["balances"]) == (6, 4, True)
    assert {d["key"]: d["count"] for d in poor["decreases"]}["escaped"] == 2
    assert figures["exit_cohort"]["escaped"] == 2
    assert figures["exit_cohort"]["later"] == [{"after_years": 1, "followed": 2, "relapsed": 1, "relapse_rate": 50.0}]


def test_the_figures_by_target_group_and_ethnicity(api, seeded, district_staff, district, hmong, kinh):
    figures = get(api(district_staff), FIGURES, area=district.pk, year=2026).json()["figures"]
    groups = {g["key"]: g for g in figures["groups"]}
    assert list(groups) == ["minority", "no_labour", "revolutionary", "social_protection", "female_head"]
    minority = expected({"a"}, 2026, MINORITY)
    assert groups["minority"]["label"] == "Hộ dân tộc thiểu số"
    assert (groups["minority"]["households"], groups["minority"]["poor"], groups["minority"]["near_poor"]) == (
        minority["households"],
        minority[P],
        minority[N],
    )
    assert groups["minority"]["poor_rate"] == pct(minority[P], minority["households"]) == 50.0
    assert (groups["no_labour"]["households"], groups["no_labour"]["poor"]) == (1, 1)
    assert (groups["revolutionary"]["households"], groups["revolutionary"]["poor_rate"]) == (0, None)

    everyone = expected({"a"}, 2026)
    ethnicities = figures["ethnicities"]
    assert [e["key"] for e in ethnicities] == [kinh.code, hmong.code]  # the most households first
    assert (ethnicities[0]["label"], ethnicities[1]["label"]) == (kinh.name, hmong.name)
    assert ethnicities[1]["households"] == minority["households"]
    assert ethnicities[0]["households"] == everyone["households"] - minority["households"]
    assert ethnicities[0]["poor"] + ethnicities[1]["poor"] == everyone[P]


# the causes of poverty ticked on a survey of 01/10/2026 ("never" is on no list: its cause never counts)
SURVEY_CAUSES = {
    "stays_poor": ("land", "capital"),
    "minority_poor": ("capital",),
    "relapsed": ("illness", "other"),
    "stays_near": ("illness",),
    "never": ("land",),
}


def test_the_causes_of_poverty_among_poor_and_near_poor(api, seeded, officer_a, commune_a, district_staff, district):
    for name, causes in SURVEY_CAUSES.items():
        Member.objects.filter(household=seeded[name]).update(
            health_insurance_number="DN4150000000001", health_insurance_valid_until=D(2027, 12, 31)
        )
        services.record_assessment(
            actor=officer_a,
            household_id=seeded[name].pk,
            survey_date=D(2026, 10, 1),
            review_year=2026,
            income_per_capita=1_000_000,
            dwelling={
                "has_house": True,
                "floor_area_m2": "60",
                "foundation_frame_durable": True,
                "walls_durable": True,
                "roof_durable": True,
            },
            member_extras={m.pk: {"stunted": False, "underweight": False} for m in seeded[name].members.all()},
            answers=dict.fromkeys(("employment", "water", "sanitation", "telecom", "information_access"), False),
            causes=list(causes),
            today=TODAY,
        )
    statistics.refresh_figures(years=[2026], communes=[commune_a.pk], today=TODAY)
    counted: Counter = Counter()
    for name, story in STORY.items():
        if story[0] == "a" and story[END[2026]] in (P, N):
            for code in SURVEY_CAUSES.get(name) or ("none",):
                counted[(story[END[2026]], code)] += 1
    listed = expected({"a"}, 2026)
    for who, area in ((officer_a, commune_a), (district_staff, district)):
        figures = get(api(who), FIGURES, area=area.pk, year=2026).json()["figures"]
        causes = {row["cause"]: row for row in figures["causes"]}
        codes = ["land", "capital", "labour", "tools", "know_how", "skills", "illness", "other", "none"]
        assert list(causes) == codes  # the report's order, then the households without a cause
        for code, row in causes.items():
            assert (row["poor"], row["near_poor"]) == (counted[(P, code)], counted[(N, code)]), code
            assert row["poor_share"] == pct(counted[(P, code)], listed[P])
            assert row["near_poor_share"] == pct(counted[(N, code)], listed[N])
        assert (causes["capital"]["poor"], causes["capital"]["poor_share"]) == (2, 33.33)  # of 6 poor
        assert (causes["none"]["poor"], causes["none"]["near_poor"]) == (3, 3)
        assert causes["land"]["label"] == "thiếu đất sản xuất"
        assert causes["none"]["label"] == "chưa ghi nguyên nhân"
    # 2025, no survey yet: every listed household is counted without a cause
    figures = get(api(officer_a), FIGURES, area=commune_a.pk, year=2025).json()["figures"]
    none = figures["causes"][-1]
    assert (none["cause"], none["poor"], none["near_poor"]) == ("none", figures["poor"], figures["near_poor"])
    assert not any(row["poor"] or row["near_poor"] for row in figures["causes"][:-1])
    # figures stored before causes were recorded lack their keys: no causes rather than zeros, never an error
    row = CommuneYearFigures.objects.get(commune=commune_a, year=2025)
    row.counts = {key: value for key, value in row.counts.items() if not key.startswith("cause.")}
    row.save()
    assert get(api(officer_a), FIGURES, area=commune_a.pk, year=2025).json()["figures"]["causes"] == []


def test_an_area_without_figures_for_the_year_answers_zeros_not_an_error(api, seeded, province_staff, province):
    response = get(api(province_staff), FIGURES, area=province.pk, year=2022)
    assert response.status_code == 200, response.content
    figures = response.json()["figures"]
    assert (figures["households"], figures["poor_rate"], response.json()["computed_at"]) == (0, None, None)
    assert all(value is None for value in figures["change"].values())


def test_the_communes_are_ranked_by_their_poor_household_rate(
    api, seeded, province_staff, province, commune_a, commune_b
):
    response = get(api(province_staff), COMMUNES, area=province.pk, year=2026)
    assert response.status_code == 200, response.content
    ranking = response.json()["communes"]
    a, b = expected({"a"}, 2026), expected({"b"}, 2026)
    assert commune_a.code < commune_b.code  # so B first is the rate's doing, not the code's
    assert [(r["area"], r["households"], r["poor"], r["near_poor"]) for r in ranking] == [
        (commune_b.pk, b["households"], b[P], b[N]),
        (commune_a.pk, a["households"], a[P], a[N]),
    ]
    assert [r["poor_rate"] for r in ranking] == [pct(b[P], b["households"]), pct(a[P], a["households"])]
    assert ranking[0]["name"] == commune_b.name
    assert ranking[1]["multidimensional_rate"] == pct(a[P] + a[N], a["households"])


def test_a_commune_officer_sees_her_commune_alone_in_the_ranking(api, seeded, officer_a, commune_a):
    ranking = get(api(officer_a), COMMUNES, area=commune_a.pk, year=2026).json()["communes"]
    assert [r["area"] for r in ranking] == [commune_a.pk]


def test_the_series_gives_each_year_with_figures(api, seeded, province_staff, province):
    response = get(api(province_staff), SERIES, area=province.pk, start=2022, end=2026)
    assert response.status_code == 200, response.content
    years = response.json()["years"]
    assert [y["year"] for y in years] == YEARS  # 2022 and 2023 were not computed
    for row in years:
        counts = expected({"a", "b"}, row["year"])
        assert (row["households"], row["poor"], row["near_poor"]) == (counts["households"], counts[P], counts[N])
        assert row["poor_rate"] == pct(counts[P], counts["households"])
        assert row["multidimensional_rate"] == pct(counts[P] + counts[N], counts["households"])
    only_2025 = get(api(province_staff), SERIES, area=province.pk, start=2025, end=2025).json()["years"]
    assert [y["year"] for y in only_2025] == [2025]


# --- scope and rights ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [FIGURES, COMMUNES, SERIES])
@pytest.mark.parametrize("where", ["commune_b", "province", "other_commune"])
def test_an_officer_asking_outside_her_commune_is_told_it_is_out_of_scope(api, officer_a, persona, url, where):
    place = persona(where)
    response = get(api(officer_a), url, area=place.pk, year=2026)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "out_of_scope"
    assert place.name in field_errors(response)["area"][0]


def test_district_staff_read_their_district_and_not_the_commune_beside_it(api, seeded, district_staff, commune_b):
    client = api(district_staff)
    assert get(client, FIGURES, area=seeded["stays_poor"].commune_id, year=2026).status_code == 200
    refused = get(client, FIGURES, area=commune_b.pk, year=2026)
    assert (refused.status_code, refused.json()["code"]) == (400, "out_of_scope")


def test_an_unknown_area_is_a_400_naming_it(api, province_staff):
    response = get(api(province_staff), FIGURES, area=2**62, year=2026)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "unknown_area"
    assert "area" in field_errors(response)


def test_a_village_has_no_figures_of_its_own(api, province_staff, village_a):
    """Figures are kept per commune; a village's would be silently empty, so asking for one is a 400."""
    for url in (FIGURES, COMMUNES, SERIES):
        response = get(api(province_staff), url, area=village_a.pk, year=2026)
        assert response.status_code == 400, (url, response.content)
        assert "area" in field_errors(response)


ROLE_STATUS = {
    # persona: (figures of commune A, refresh of commune A, a target for commune A)
    "officer_a": (200, 403, 403),
    "officer_b": (400, 403, 403),
    "chair_a": (200, 403, 403),
    "district_staff": (200, 403, 403),
    "province_staff": (200, 202, 201),
    "admin_user": (200, 202, 201),
    "outsider": (403, 403, 403),
}
assert set(ROLE_STATUS) == set(PERSONAS)


@pytest.mark.parametrize("who", PERSONAS)
def test_who_may_read_refresh_and_set_targets(api, persona, commune_a, monkeypatch, who):
    monkeypatch.setattr(tasks.refresh_figures, "delay", lambda *args: SimpleNamespace(id="t-1"))
    client = api(persona(who))
    read = get(client, FIGURES, area=commune_a.pk, year=2026)
    refresh = client.post(REFRESH, {"area": commune_a.pk}, format="json")
    target = client.post(
        TARGETS,
        {"area": commune_a.pk, "year": 2026, "measure": "poor", "kind": "max_rate", "value": "3"},
        format="json",
    )
    assert (read.status_code, refresh.status_code, target.status_code) == ROLE_STATUS[who]


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("outsider", 403)])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", FIGURES), ("get", COMMUNES), ("get", SERIES), ("get", TARGETS), ("post", REFRESH), ("post", TARGETS)],
)
def test_anonymous_callers_sign_in_and_accounts_without_a_role_are_refused(
    api, persona, queued, commune_a, method, url, who, status
):
    client = api(persona(who) if who else None)
    response = getattr(client, method)(url, {"area": commune_a.pk, "year": 2026})
    assert response.status_code == status
    assert queued == [] and not PovertyTarget.objects.exists()


# --- bad input: a 400 naming the field, never a 500 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (FIGURES, {"year": "abc"}, "year"),
        (FIGURES, {"year": 1990}, "year"),
        (FIGURES, {"year": 2101}, "year"),
        (FIGURES, {"year": 10**30}, "year"),
        (FIGURES, {"year": ""}, "year"),
        (FIGURES, {"year": "2026.5"}, "year"),
        (FIGURES, {"area": 0}, "area"),
        (FIGURES, {"area": -3}, "area"),
        (FIGURES, {"area": "abc"}, "area"),
        (FIGURES, {"area": 10**30}, "area"),
        (FIGURES, {"area": None}, "area"),
        (COMMUNES, {"year": "abc"}, "year"),
        (COMMUNES, {"area": 10**30}, "area"),
        (SERIES, {"start": 2026, "end": 2024}, "start"),
        (SERIES, {"start": 2016, "end": 2050}, "start"),
        (SERIES, {"start": "abc"}, "start"),
        (SERIES, {"end": 1990}, "end"),
        (SERIES, {"end": 2019}, "end"),  # before the default start: the year sent is named
        (SERIES, {"end": 2060}, "end"),
        (SERIES, {"area": "abc"}, "area"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, officer_a, commune_a, url, params, field):
    query = {"area": commune_a.pk, "year": 2026, **params}
    response = get(api(officer_a), url, **{k: v for k, v in query.items() if v is not None})
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()


@pytest.mark.parametrize("url", [FIGURES, COMMUNES])
@pytest.mark.parametrize("year", ["next", 2099, 2017, 2020])
def test_a_year_to_come_or_before_the_figures_begin_is_a_400_naming_the_year(
    api, seeded, officer_a, commune_a, url, year
):
    # figures are kept from 2021 to this year: another year would answer zeros as if they were that year's figures
    year = timezone.localdate().year + 1 if year == "next" else year
    response = get(api(officer_a), url, area=commune_a.pk, year=year)
    assert response.status_code == 400, response.content
    assert list(field_errors(response)) == ["year"]


@pytest.mark.parametrize(("params", "field"), [({"end": "next"}, "end"), ({"start": 2017}, "start")])
def test_a_series_reaching_a_year_to_come_or_before_2021_is_a_400_naming_it(
    api, seeded, officer_a, commune_a, params, field
):
    next_year = timezone.localdate().year + 1
    params = {k: next_year if v == "next" else v for k, v in params.items()}
    response = get(api(officer_a), SERIES, area=commune_a.pk, **params)
    assert response.status_code == 400, response.content
    assert field in field_errors(response)


# --- cost ----------------------------------------------------------------------------------------------------


def test_a_figures_request_costs_a_few_queries_however_many_communes(
    api, seeded, province_staff, province, commune_b, django_assert_max_num_queries
):
    client = api(province_staff)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert get(client, url, area=province.pk, year=2026).status_code == 200
        return len(captured)

    with django_assert_max_num_queries(6):
        get(client, FIGURES, area=province.pk, year=2026)
    few = {url: queries(url) for url in (FIGURES, COMMUNES, SERIES)}

    b_figures = CommuneYearFigures.objects.get(commune=commune_b, year=2026)
    others = (
        Area.objects.within(province)
        .filter(level=Level.COMMUNE)
        .exclude(pk__in=CommuneYearFigures.objects.filter(year=2026).values("commune"))
    )
    assert others.count() > 50  # a province's worth of communes
    CommuneYearFigures.objects.bulk_create(
        CommuneYearFigures(
            commune=commune,
            year=2026,
            households=b_figures.households,
            poor=b_figures.poor,
            near_poor=b_figures.near_poor,
            counts=b_figures.counts,
            computed_at=b_figures.computed_at,
        )
        for commune in others
    )
    many = {url: queries(url) for url in (FIGURES, COMMUNES, SERIES)}
    assert many == few
    communes_with_figures = CommuneYearFigures.objects.filter(year=2026, commune__path__startswith=province.path)
    figures = get(client, FIGURES, area=province.pk, year=2026).json()["figures"]
    assert figures["households"] == sum(communes_with_figures.values_list("households", flat=True))
    assert len(get(client, COMMUNES, area=province.pk, year=2026).json()["communes"]) == communes_with_figures.count()


# --- targets -------------------------------------------------------------------------------------------------


def target_body(place: Area, **extra) -> dict:
    return {"area": place.pk, "year": 2026, "measure": "poor", "kind": "max_rate", "value": "50", **extra}


def test_province_staff_set_a_target_then_change_it_with_the_version_they_saw(api, province_staff, province):
    client = api(province_staff)
    created = client.post(TARGETS, target_body(province, source="Nghị quyết HĐND tỉnh"), format="json")
    assert created.status_code == 201, created.content
    target = created.json()
    assert (target["area"]["id"], target["year"], target["measure"], target["kind"]) == (
        province.pk,
        2026,
        "poor",
        "max_rate",
    )
    assert (target["value"], target["source"], target["version"]) == ("50.00", "Nghị quyết HĐND tỉnh", 1)

    changed = client.post(TARGETS, target_body(province, value="45.5", version=1), format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["id"], changed.json()["value"], changed.json()["version"]) == (target["id"], "45.50", 2)
    assert changed.json()["source"] == "Nghị quyết HĐND tỉnh"  # kept when not sent again
    stored = PovertyTarget.objects.get()
    assert (stored.value, stored.version, stored.recorded_by) == (Decimal("45.50"), 2, province_staff)

    stale = client.post(TARGETS, target_body(province, value="40", version=1), format="json")
    assert stale.status_code == 409, stale.content
    assert (stale.json()["code"], "version" in field_errors(stale)) == ("stale_version", True)
    assert PovertyTarget.objects.get().value == Decimal("45.50")


def test_a_target_that_exists_is_not_overwritten_without_its_version(api, province_staff, admin_user, province):
    """Two planners creating the same target: the second learns of the first instead of silently replacing it."""
    assert api(province_staff).post(TARGETS, target_body(province), format="json").status_code == 201
    second = api(admin_user).post(TARGETS, target_body(province, value="30"), format="json")
    assert second.status_code == 409, second.content
    assert second.json()["code"] == "stale_version"
    assert PovertyTarget.objects.get().value == Decimal("50")


def test_setting_a_target_is_audited_with_old_and_new_values(api, province_staff, province):
    client = api(province_staff)
    first = client.post(TARGETS, target_body(province, source="NQ 01"), format="json").json()
    client.post(TARGETS, target_body(province, value="45", source="NQ 02", version=1), format="json")
    entries = AuditEntry.objects.filter(action="programs.target.set", object_id=str(first["id"])).order_by("id")
    assert [e.actor for e in entries] == [province_staff, province_staff]
    created, changed = (e.changes for e in entries)
    assert Decimal(created["value"][1]) == Decimal(50) and created["value"][0] is None
    assert created["source"] == [None, "NQ 01"]
    assert [Decimal(v) for v in changed["value"]] == [Decimal(50), Decimal(45)]
    assert changed["source"] == ["NQ 01", "NQ 02"]


def test_a_commune_officer_cannot_set_a_target(api, officer_a, commune_a):
    response = api(officer_a).post(TARGETS, target_body(commune_a), format="json")
    assert response.status_code == 403
    assert not PovertyTarget.objects.exists()


@pytest.mark.parametrize("where", ["other_commune", "village_a"])
def test_a_target_outside_the_planners_reach_is_a_400_naming_the_area(api, persona, province_staff, where):
    response = api(province_staff).post(TARGETS, target_body(persona(where)), format="json")
    assert response.status_code == 400, response.content
    assert "area" in field_errors(response)
    assert not PovertyTarget.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measure": "wealth"}, "measure"),
        ({"kind": "min_rate"}, "kind"),
        ({"value": "101"}, "value"),
        ({"value": "-1"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"value": 1.234}, "value"),
        ({"value": "NaN"}, "value"),
        ({"value": "abc"}, "value"),
        ({"year": 2050}, "year"),
        ({"year": "abc"}, "year"),
        ({"area": "abc"}, "area"),
        ({"area": 10**30}, "area"),
        ({"area": 2**62}, "area"),
        ({"version": 0}, "version"),
        ({"version": 10**30}, "version"),
    ],
)
def test_an_invalid_target_is_a_400_naming_the_field(api, province_staff, province, change, field):
    response = api(province_staff).post(TARGETS, target_body(province, **change), format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not PovertyTarget.objects.exists()


def test_the_targets_show_in_the_figures_on_track_or_not(api, seeded, province_staff, officer_a, province, commune_a):
    client = api(province_staff)
    now, before = expected({"a", "b"}, 2026), expected({"a", "b"}, 2025)
    rate_now, rate_before = pct(now[P], now["households"]), pct(before[P], before["households"])
    assert rate_now > rate_before  # the province's poor-household rate went up in 2026
    for body in (
        target_body(province, value="50"),  # below 50%: reached
        target_body(province, kind="reduction", value="1.5"),  # down by 1.5 points: missed
        target_body(province, measure="near_poor", value="10"),  # below 10%: missed
    ):
        assert client.post(TARGETS, body, format="json").status_code == 201

    targets = get(client, FIGURES, area=province.pk, year=2026).json()["figures"]["targets"]
    checks = {(t["measure"], t["kind"]): t for t in targets}
    assert set(checks) == {("poor", "max_rate"), ("poor", "reduction"), ("near_poor", "max_rate")}
    reached = checks[("poor", "max_rate")]
    assert (reached["value"], reached["actual"], reached["on_track"]) == (50.0, rate_now, True)
    assert reached["text"] == f"Tỷ lệ hộ nghèo {vn(rate_now)}% — đạt mục tiêu không quá 50,00%."
    missed = checks[("poor", "reduction")]
    assert (missed["actual"], missed["on_track"]) == (float(Decimal(str(rate_before)) - Decimal(str(rate_now))), False)
    rise = float(Decimal(str(rate_now)) - Decimal(str(rate_before)))
    assert missed["text"].startswith(f"Tỷ lệ hộ nghèo tăng {vn(rise)} điểm %")  # up, not "giảm -…"
    assert f"({vn(rate_before)}% → {vn(rate_now)}%)" in missed["text"]
    assert "chưa đạt mục tiêu giảm 1,50 điểm" in missed["text"]
    near = checks[("near_poor", "max_rate")]
    assert (near["on_track"], near["actual"]) == (False, pct(now[N], now["households"]))
    assert "chưa đạt mục tiêu không quá 10,00%" in near["text"]

    # a target of the province is the province's: commune A's figures carry none
    assert get(api(officer_a), FIGURES, area=commune_a.pk, year=2026).json()["figures"]["targets"] == []


def test_a_target_without_figures_says_so(api, province_staff, province):
    client = api(province_staff)  # no figures at all: 2022 (a year that has passed) has none either
    client.post(TARGETS, target_body(province, year=2022, kind="reduction", value="1"), format="json")
    [check] = get(client, FIGURES, area=province.pk, year=2022).json()["figures"]["targets"]
    assert (check["on_track"], check["actual"]) == (None, None)
    assert check["text"].startswith("Chưa đủ số liệu")


def test_the_targets_listed_are_those_of_the_area_above_and_within(
    api, province_staff, officer_a, officer_b, province, commune_a, commune_b
):
    client = api(province_staff)
    ids = {}
    for name, area, year in (("province", province, 2026), ("a", commune_a, 2025), ("b", commune_b, 2026)):
        ids[name] = client.post(TARGETS, target_body(area, year=year), format="json").json()["id"]

    everything = client.get(TARGETS).json()
    assert [t["id"] for t in everything["results"]] == [ids["a"], ids["province"], ids["b"]]  # year, then area
    mine = api(officer_a).get(TARGETS).json()["results"]
    assert {t["id"] for t in mine} == {ids["province"], ids["a"]}  # the province's and her commune's
    assert api(officer_a).get(f"{TARGETS}{ids['province']}/").status_code == 200
    assert api(officer_a).get(f"{TARGETS}{ids['b']}/").status_code == 404
    assert {t["id"] for t in api(officer_b).get(TARGETS).json()["results"]} == {ids["province"], ids["b"]}

    by_area = client.get(TARGETS, {"area": commune_a.pk}).json()["results"]
    assert [t["id"] for t in by_area] == [ids["a"]]
    assert [t["id"] for t in client.get(TARGETS, {"year": 2026}).json()["results"]] == [ids["province"], ids["b"]]
    for bad in ("abc", 10**30, 0):
        response = client.get(TARGETS, {"area": bad})
        assert response.status_code == 400, response.content
        assert "area" in field_errors(response)
    assert client.get(TARGETS, {"year": "abc"}).status_code == 400


# --- refresh -------------------------------------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    """Celery's broker is the outside world: the queued calls are kept, to be run by the test."""
    calls = []

    def delay(*args, **kwargs):
        calls.append((args, kwargs))
        return SimpleNamespace(id=f"task-{len(calls)}")

    monkeypatch.setattr(tasks.refresh_figures, "delay", delay)
    return calls


def test_province_staff_queue_a_refresh_of_their_communes(api, queued, province_staff, province, commune_a, commune_b):
    household = household_services.create_household(
        actor=province_staff,
        data={"commune": commune_b},
        members=[member_data("Lý Văn Sáng", Ethnicity.objects.get(code="01"))],
    )
    services.record_status_change(
        actor=province_staff,
        household_id=household.pk,
        to_status=P,
        effective_date=D(2026, 10, 1),
        decision_number="9/QĐ",
    )
    response = api(province_staff).post(REFRESH, {"years": [2026, 2025, 2026]}, format="json")
    assert response.status_code == 202, response.content
    communes = set(Area.objects.within(province).filter(level=Level.COMMUNE).values_list("id", flat=True))
    assert {commune_a.pk, commune_b.pk} <= communes
    assert response.json() == {"task": "task-1", "communes": len(communes), "years": [2025, 2026]}
    [(args, kwargs)] = queued
    years, commune_ids = args
    assert (years, kwargs) == ([2025, 2026], {})
    assert sorted(commune_ids) == sorted(communes) and len(commune_ids) == len(communes)
    assert not CommuneYearFigures.objects.exists()  # nothing computed in the request

    tasks.refresh_figures(*args)  # what the worker does with the message
    b_2026 = CommuneYearFigures.objects.get(commune=commune_b, year=2026)
    assert (b_2026.households, b_2026.poor) == (1, 1)


def test_a_refresh_of_one_commune_and_of_everything(api, queued, province_staff, admin_user, commune_a):
    assert api(province_staff).post(REFRESH, {"area": commune_a.pk}, format="json").status_code == 202
    assert queued[-1][0] == (None, [commune_a.pk])
    everything = api(admin_user).post(REFRESH, {}, format="json")
    assert everything.status_code == 202, everything.content
    assert everything.json()["communes"] is None
    assert queued[-1][0] == (None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"area": "abc"}, "area"),
        ({"area": 10**30}, "area"),
        ({"years": ["abc"]}, "years"),
        ({"years": [1990]}, "years"),
        ({"years": list(range(2016, 2050))}, "years"),
        ({"years": 2026}, "years"),
        ({"years": [2026, 2100]}, "years"),  # a year to come has no figures yet
    ],
)
def test_a_bad_refresh_is_a_400_naming_the_field_and_queues_nothing(api, queued, province_staff, body, field):
    response = api(province_staff).post(REFRESH, body, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert queued == []


def test_a_refresh_of_a_year_before_the_figures_begin_is_refused(api, queued, province_staff):
    response = api(province_staff).post(REFRESH, {"years": [2017, 2025]}, format="json")
    assert response.status_code == 400 and "years" in field_errors(response)
    assert queued == []


def test_a_refresh_outside_ones_province_is_refused(api, queued, province_staff, other_commune):
    response = api(province_staff).post(REFRESH, {"area": other_commune.pk}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "out_of_scope")
    assert queued == []


def test_a_commune_officer_cannot_queue_a_refresh(api, queued, officer_a, commune_a):
    assert api(officer_a).post(REFRESH, {"area": commune_a.pk}, format="json").status_code == 403
    assert queued == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_planners_creating_the_same_target_at_once_get_a_conflict_not_a_500(
    committed_areas, province_staff, admin_user, province
):
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        with transaction.atomic():
            target = set_target_as(province_staff, province, Decimal(50))
            inserted.set()
            release.wait(10)  # still uncommitted while the second planner tries
        return target

    def second():
        inserted.wait(10)
        return set_target_as(admin_user, province, Decimal(30))

    threads = [run_in_thread(first, results, "first"), run_in_thread(second, results, "second")]
    time.sleep(0.5)  # the second insert now waits on the first's row
    release.set()
    for thread in threads:
        thread.join(30)
    assert isinstance(results["first"], PovertyTarget), results
    assert isinstance(results["second"], StaleVersion), results
    assert PovertyTarget.objects.get().value == Decimal(50)


def set_target_as(actor, area: Area, value: Decimal) -> PovertyTarget:
    return statistics.set_target(actor=actor, area_id=area.pk, year=2026, measure="poor", kind="max_rate", value=value)


def run_in_thread(function, results, key):
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


def vn(number: float) -> str:
    """Two decimals with the Vietnamese decimal comma, as the targets' texts write them."""
    return f"{number:.2f}".replace(".", ",")
