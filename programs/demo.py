"""Synthetic periodic-review surveys for demos and load tests: reproducible from a seed, no database access.

`draw()` gives one household's survey facts (B1 income, B2 dwelling, the children's measurements and the
surveyor's answers for the indicators the system does not derive); `complete()` adds the surveyor's answers
for the derived indicators once the caller has derived them, equal to what the system derives except in a
small share of surveys, which disagree on one indicator and carry the officer's confirmation. The
classification itself is not drawn: the caller runs the real rule path (`programs.standards.services.evaluate`).

Each household draws from its own generator, seeded with the run's seed and the household's code, so its
survey does not depend on which other households are surveyed in the same run, nor on database ids.

Calibrated for a mountainous province on VN-2022 (rural line 1,500,000 / urban 2,000,000): about 15% of
households poor, 10% near-poor and 20% average-living; incomes are higher in urban communes and lower in
ethnic-minority households, and deprivations are more frequent the lower the income.
"""

import datetime
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from programs.standards.derivations import DERIVED_INDICATORS, is_child

WINDOW = ((9, 15), (11, 30))  # survey dates of the periodic review (domain A6: 1 September to 14 December)
DECISION_DAY = (12, 15)  # the commune chair's recognition decision
DISAGREEMENT_SHARE = 0.02  # surveys whose answer differs from the derived value on one indicator

# Income per person per month (VND): log-normal, median by area type, times an ethnic factor.
MEDIAN_INCOME = {"rural": 2_700_000, "urban": 3_900_000}
INCOME_SIGMA = 0.72
MINORITY_FACTOR, MAJORITY_FACTOR = 0.78, 1.12
INCOME_FLOOR = 300_000

# Probability that the surveyor answers "deprived" for a non-derived indicator: low (well-off) .. high
# (hardship 1, i.e. income at half the poor line or less).
ANSWERED = {
    "employment": (0.03, 0.40),
    "water": (0.03, 0.32),
    "sanitation": (0.05, 0.45),
    "telecom": (0.01, 0.12),
    "information_access": (0.02, 0.28),
    "healthcare_access": (0.03, 0.35),
    "waste_treatment": (0.05, 0.55),
}
ANSWERED_DEFAULT = (0.03, 0.35)
MINORITY_EXTRA = {"water": 0.06, "sanitation": 0.08, "information_access": 0.04}

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Lò", "Nông", "Giàng", "Lý")
MIDDLE = {"male": ("Văn", "Đức", "Minh", "Quang"), "female": ("Thị", "Thu", "Ngọc", "Thanh")}
GIVEN = {
    "male": ("Hùng", "Dũng", "Tuấn", "Nam", "Long", "Hải", "Sơn", "Thắng", "Cường", "Páo", "Chính", "Tiến"),
    "female": ("Lan", "Hoa", "Hương", "Mai", "Linh", "Thảo", "Hằng", "Trang", "Nga", "Huyền", "Mỷ", "Sen"),
}


@dataclass(frozen=True)
class Household:
    """What the generator needs to know of a household (ids are the caller's)."""

    code: str
    commune_code: str
    area_type: str  # "rural" or "urban"
    is_ethnic_minority: bool


@dataclass(frozen=True)
class Survey:
    survey_date: datetime.date
    income_per_capita: int
    dwelling: dict[str, Any]  # as stored on the assessment: floor area as a decimal string
    extras: dict[int, dict[str, bool]]  # member id -> stunted, underweight (children under 16 on the survey date)
    answers: dict[str, bool]  # the non-derived indicators of the standard
    surveyor_name: str
    disagree_on: float | None  # which derived indicator the surveyor answers differently (0..1), or None
    confirm_derived: bool  # on a disagreement, whether the officer confirms the derived value


def window(year: int) -> tuple[datetime.date, datetime.date]:
    (m1, d1), (m2, d2) = WINDOW
    return datetime.date(year, m1, d1), datetime.date(year, m2, d2)


def survey_days(year: int) -> list[datetime.date]:
    first, last = window(year)
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def decision_date(year: int) -> datetime.date:
    return datetime.date(year, *DECISION_DAY)


def decision_number(commune_code: str, year: int, seed: int) -> str:
    """The commune chair's recognition decision of the review: one per commune."""
    return f"{random.Random(f'{seed}:{year}:{commune_code}:decision').randint(120, 480)}/QĐ-UBND"


def surveyor_names(commune_code: str, seed: int) -> tuple[str, ...]:
    """The commune's survey team (rà soát viên): three names."""
    rng = random.Random(f"{seed}:{commune_code}:surveyors")
    names = []
    for _ in range(3):
        sex = "female" if rng.random() < 0.5 else "male"
        names.append(f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}")
    return tuple(names)


# How often each cause of poverty is ticked for a poor or near-poor household (programs.rules.POVERTY_CAUSES);
# plausible for a mountainous province, not measured.
CAUSE_SHARES = {
    "land": 0.35,
    "capital": 0.55,
    "labour": 0.25,
    "tools": 0.2,
    "know_how": 0.3,
    "skills": 0.3,
    "illness": 0.15,
    "other": 0.05,
}


def causes(household_code: str, year: int, seed: int, category: str) -> list[str]:
    """The causes of poverty the surveyor ticks for a poor or near-poor household (at least one), none otherwise.
    Drawn from the household's own generator, so they do not change the rest of its survey."""
    if category not in ("poor", "near_poor"):
        return []
    rng = random.Random(f"{seed}:{year}:{household_code}:causes")
    ticked = [code for code, share in CAUSE_SHARES.items() if rng.random() < share]
    return ticked or ["capital"]


def hardship(income: int, poor_line: int) -> float:
    """0 at 1.5 times the poor line or more, 1 at half the line or less, linear between."""
    return min(1.0, max(0.0, 1.5 - income / poor_line))


def draw(
    household: Household,
    members: Sequence[tuple[int, datetime.date]],
    *,
    year: int,
    seed: int,
    poor_line: Mapping[str, int],
    answered_indicators: Sequence[str],
    surveyors: Sequence[str],
) -> Survey:
    """One household's survey facts. `members`: (member id, date of birth) in id order.

    `poor_line`: the poor line per area type of the standard in force; `answered_indicators`: the
    indicators of that standard the system does not derive.
    """
    rng = random.Random(f"{seed}:{year}:{household.code}")
    rnd = rng.random
    first, last = window(year)
    survey_date = first + datetime.timedelta(days=int(rnd() * ((last - first).days + 1)))

    median = MEDIAN_INCOME[household.area_type] * (MINORITY_FACTOR if household.is_ethnic_minority else MAJORITY_FACTOR)
    income = median * math.exp(rng.gauss(0.0, INCOME_SIGMA))
    income_per_capita = max(INCOME_FLOOR, int(round(income, -4)))
    h = hardship(income_per_capita, poor_line[household.area_type])

    answers = {}
    for code in answered_indicators:
        low, high = ANSWERED.get(code, ANSWERED_DEFAULT)
        extra = MINORITY_EXTRA.get(code, 0.0) if household.is_ethnic_minority else 0.0
        answers[code] = rnd() < low + (high - low) * h + extra

    if rnd() < 0.005 + 0.03 * h:
        dwelling: dict[str, Any] = {
            "has_house": False,
            "floor_area_m2": None,
            "foundation_frame_durable": None,
            "walls_durable": None,
            "roof_durable": None,
        }
    else:
        per_person = 20.0 * (1 - 0.4 * h) * math.exp(rng.gauss(0.0, 0.45))
        area = max(Decimal(6), Decimal(round(per_person * len(members) * 2)) / 2)
        non_durable = 0.04 + 0.38 * h
        dwelling = {
            "has_house": True,
            "floor_area_m2": str(area),
            "foundation_frame_durable": rnd() >= non_durable,
            "walls_durable": rnd() >= non_durable,
            "roof_durable": rnd() >= non_durable * 0.8,
        }

    extras = {}
    stunted_p, underweight_p = 0.03 + 0.15 * h, 0.02 + 0.10 * h
    for member_id, born in members:
        if is_child(born, survey_date):
            extras[member_id] = {"stunted": rnd() < stunted_p, "underweight": rnd() < underweight_p}

    disagrees = rnd() < DISAGREEMENT_SHARE
    return Survey(
        survey_date=survey_date,
        income_per_capita=income_per_capita,
        dwelling=dwelling,
        extras=extras,
        answers=answers,
        surveyor_name=surveyors[int(rnd() * len(surveyors))],
        disagree_on=rnd() if disagrees else None,
        confirm_derived=rnd() < 0.6,
    )


GROWTH = (0.9, 1.3)  # a listed household's income from one review to the next, per person: uniform in this range


def resurvey(
    household: Household,
    members: Sequence[tuple[int, datetime.date]],
    previous: Survey,
    *,
    year: int,
    seed: int,
    survey_date: datetime.date,
    poor_line: Mapping[str, int],
    answered_indicators: Sequence[str],
    surveyors: Sequence[str],
) -> Survey:
    """The household's survey in the review of `year`, drawn from its survey of the review before (`previous`):
    the same dwelling, an income a little higher or lower, the same answers to the indicators both standards ask
    (an indicator new in this standard is drawn as `draw` does), the children measured again. A review's cases
    are households already on the lists, so their new survey follows their old one rather than the province's
    income distribution. Drawn from the household's own generator: the same seed gives the same survey."""
    rng = random.Random(f"{seed}:{year}:{household.code}:resurvey")
    rnd = rng.random
    income = max(INCOME_FLOOR, int(round(previous.income_per_capita * rng.uniform(*GROWTH), -4)))
    h = hardship(income, poor_line[household.area_type])
    answers = {}
    for code in answered_indicators:
        if code in previous.answers:
            answers[code] = previous.answers[code]
            continue
        low, high = ANSWERED.get(code, ANSWERED_DEFAULT)
        extra = MINORITY_EXTRA.get(code, 0.0) if household.is_ethnic_minority else 0.0
        answers[code] = rnd() < low + (high - low) * h + extra
    stunted_p, underweight_p = 0.03 + 0.15 * h, 0.02 + 0.10 * h
    extras = {
        member_id: {"stunted": rnd() < stunted_p, "underweight": rnd() < underweight_p}
        for member_id, born in members
        if is_child(born, survey_date)
    }
    return Survey(
        survey_date=survey_date,
        income_per_capita=income,
        dwelling=dict(previous.dwelling),
        extras=extras,
        answers=answers,
        surveyor_name=surveyors[int(rnd() * len(surveyors))],
        disagree_on=None,
        confirm_derived=False,
    )


def complete(
    survey: Survey, derived: Mapping[str, bool | None], indicators: Sequence[str]
) -> tuple[dict[str, bool], dict[str, bool]]:
    """The surveyor's answers for all `indicators` of the standard, and the officer's confirmations.

    A derived indicator is answered as derived (False where the facts left it undecided); in a disagreeing
    survey one of them is answered the other way and the officer confirms either value.
    """
    answers: dict[str, bool] = {}
    derived_codes = [code for code in indicators if code in DERIVED_INDICATORS]
    for code in indicators:
        if code in DERIVED_INDICATORS:
            answers[code] = bool(derived.get(code))
        else:
            answers[code] = survey.answers[code]
    confirmed: dict[str, bool] = {}
    if survey.disagree_on is not None and derived_codes:
        code = derived_codes[int(survey.disagree_on * len(derived_codes))]
        if derived.get(code) is not None:
            answers[code] = not derived[code]
            confirmed[code] = bool(derived[code]) if survey.confirm_derived else answers[code]
    return answers, confirmed
