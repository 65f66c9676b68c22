"""Deprivations derived from survey facts (domain A4), and their reconciliation with the surveyor's answers.

Pure: facts in, per-indicator answers out. Ages are computed on the survey date. Only the derivations
listed in A4 are implemented; the other indicators are recorded as the surveyor answered them.
Thresholds whose wording Part B §1.3 marks UNVERIFIED (dependants, adult education, child schooling)
are the defaults of A4, kept in `DerivationSettings` so that they can be changed without code.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from programs.rules import INDICATOR_NAMES, RuleInputError, add_months

# Values of households.models.Schooling / EducationLevel (kept as plain strings: no ORM here).
NOT_ATTENDING = "none"
SECONDARY_OR_MORE = frozenset({"lower_secondary", "upper_secondary", "vocational", "higher"})
UPPER_SECONDARY_OR_MORE = frozenset({"upper_secondary", "vocational", "higher"})
# Children are the members under 16 on the day (shared/domain.md A4: nutrition, dependants, child schooling; Part B
# §6.2: the child deprivations of the reports). The survey's stunted/underweight questions are asked of them.
CHILD_UNDER = 16

DERIVED_INDICATORS = (
    "dependants",
    "nutrition",
    "health_insurance",
    "adult_education",
    "child_schooling",
    "housing_quality",
    "housing_area",
)


@dataclass(frozen=True)
class DerivationSettings:
    """The configurable parts of A4 (Part B §1.3)."""

    min_floor_area_per_person: Decimal = Decimal(8)
    insured_by_law_under: int = 6  # children under 6 are insured by law (Part B §5.4)
    child_under: int = CHILD_UNDER
    elderly_from: int = 60
    dependants_share_over: Decimal = Decimal("0.5")
    schooling_from: int = 3
    adult_education_from: int = 16
    adult_education_upper_secondary_from: int = 18
    adult_education_to: int = 30


DEFAULT_SETTINGS = DerivationSettings()


@dataclass(frozen=True)
class MemberFacts:
    date_of_birth: datetime.date
    has_valid_health_insurance: bool
    schooling: str = NOT_ATTENDING
    education_level: str = "none"
    receives_disability_allowance: bool = False
    stunted: bool | None = None
    underweight: bool | None = None


@dataclass(frozen=True)
class DwellingFacts:
    has_house: bool | None = None
    floor_area_m2: Decimal | None = None
    foundation_frame_durable: bool | None = None
    walls_durable: bool | None = None
    roof_durable: bool | None = None


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day` (a person born on 29 February turns a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def is_child(date_of_birth: datetime.date, day: datetime.date) -> bool:
    """Whether a member born on `date_of_birth` is a child (under 16) on `day` (domain A4: ages on the survey date)."""
    return age_on(date_of_birth, day) < CHILD_UNDER


def children_born_after(day: datetime.date) -> datetime.date:
    """The members born after this date (and not after `day`) are the children on `day`: `is_child` as a bound
    on dates of birth, for queries (a child born on 29 February turns 16 on 1 March, as in `age_on`)."""
    return add_months(day, -12 * CHILD_UNDER)


def derive(
    members: Sequence[MemberFacts],
    dwelling: DwellingFacts,
    survey_date: datetime.date,
    settings: DerivationSettings = DEFAULT_SETTINGS,
) -> dict[str, bool | None]:
    """Each derivable indicator of A4: True when deprived, False when not, None when the facts are missing."""
    s = settings
    members = [m for m in members if m.date_of_birth <= survey_date]  # born later: not a member on that day
    ages = [age_on(m.date_of_birth, survey_date) for m in members]
    people = list(zip(members, ages, strict=True))
    result: dict[str, bool | None] = {}

    # housing_area: floor area / number of members < 8 m².
    if dwelling.has_house is False:
        result["housing_area"] = True
    elif dwelling.floor_area_m2 is None or not members:
        result["housing_area"] = None
    else:
        result["housing_area"] = Decimal(dwelling.floor_area_m2) / len(members) < s.min_floor_area_per_person

    # housing_quality: no house, or at least 2 of the 3 main structures of non-durable materials.
    structures = (dwelling.foundation_frame_durable, dwelling.walls_durable, dwelling.roof_durable)
    if dwelling.has_house is False:
        result["housing_quality"] = True
    elif None in structures:
        non_durable = sum(1 for durable in structures if durable is False)
        durable = sum(1 for value in structures if value is True)
        result["housing_quality"] = True if non_durable >= 2 else (False if durable >= 2 else None)
    else:
        result["housing_quality"] = sum(1 for durable in structures if not durable) >= 2

    # health_insurance: at least one member aged 6 or over without a valid card on the survey date.
    result["health_insurance"] = any(
        age >= s.insured_by_law_under and not m.has_valid_health_insurance for m, age in people
    )

    # nutrition: at least one child under 16 stunted or underweight.
    children = [m for m, age in people if age < s.child_under]
    if any(m.stunted or m.underweight for m in children):
        result["nutrition"] = True
    elif any(m.stunted is None or m.underweight is None for m in children):
        result["nutrition"] = None
    else:
        result["nutrition"] = False

    # dependants: more than 50% of members are children under 16, people aged 60+, or disabled with an allowance.
    if members:
        dependants = sum(
            1 for m, age in people if age < s.child_under or age >= s.elderly_from or m.receives_disability_allowance
        )
        result["dependants"] = Decimal(dependants) / len(members) > s.dependants_share_over
    else:
        result["dependants"] = None

    # child_schooling: a child aged 3 to under 16 not attending school.
    result["child_schooling"] = any(
        s.schooling_from <= age < s.child_under and m.schooling == NOT_ATTENDING for m, age in people
    )

    # adult_education: a person aged 16-30 neither studying nor holding the qualification for their age.
    def short_of_norm(m: MemberFacts, age: int) -> bool:
        if not s.adult_education_from <= age <= s.adult_education_to or m.schooling != NOT_ATTENDING:
            return False
        if age < s.adult_education_upper_secondary_from:
            return m.education_level not in SECONDARY_OR_MORE
        return m.education_level not in UPPER_SECONDARY_OR_MORE

    result["adult_education"] = any(short_of_norm(m, age) for m, age in people)
    return {code: result[code] for code in DERIVED_INDICATORS}


@dataclass(frozen=True)
class Disagreement:
    indicator: str
    derived: bool
    answered: bool

    def describe(self) -> str:
        def word(value: bool) -> str:
            return "thiếu hụt" if value else "không thiếu hụt"

        return (
            f"{INDICATOR_NAMES[self.indicator]}: hệ thống tính “{word(self.derived)}”, "
            f"người khảo sát ghi “{word(self.answered)}”"
        )


class UnconfirmedDisagreements(RuleInputError):
    """Disagreements between the derivation and the surveyor's answers that nobody confirmed, each named, so that a
    form can ask for the confirmation of exactly these indicators."""

    def __init__(self, message: str, disagreements: tuple[Disagreement, ...]):
        super().__init__("unconfirmed_disagreement", message, "confirmed")
        self.disagreements = disagreements


@dataclass(frozen=True)
class Reconciled:
    final: dict[str, bool]
    disagreements: tuple[Disagreement, ...] = field(default_factory=tuple)


def reconcile(
    indicators: Sequence[str],
    derived: Mapping[str, bool | None],
    answered: Mapping[str, bool | None],
    confirmed: Mapping[str, bool],
) -> Reconciled:
    """The final answer per indicator of the standard.

    Where the system derived a value and the surveyor answered too and they differ, the officer must
    confirm one (`confirmed[code]`); an unconfirmed disagreement is an error naming it. Otherwise the
    derived value wins when present, else the surveyor's answer; an indicator with neither is an error.
    """
    final: dict[str, bool] = {}
    disagreements: list[Disagreement] = []
    unconfirmed: list[Disagreement] = []
    missing: list[str] = []
    for code in indicators:
        system, surveyor = derived.get(code), answered.get(code)
        if system is not None and surveyor is not None and system != surveyor:
            disagreement = Disagreement(code, system, surveyor)
            disagreements.append(disagreement)
            if code in confirmed:
                final[code] = confirmed[code]
            else:
                unconfirmed.append(disagreement)
            continue
        if code in confirmed:
            final[code] = confirmed[code]
        elif system is not None:
            final[code] = system
        elif surveyor is not None:
            final[code] = surveyor
        else:
            missing.append(INDICATOR_NAMES.get(code, code))
    if unconfirmed:
        raise UnconfirmedDisagreements(
            "Kết quả tính và câu trả lời của người khảo sát khác nhau, cần xác nhận: "
            + "; ".join(d.describe() for d in unconfirmed)
            + ".",
            tuple(unconfirmed),
        )
    if missing:
        raise RuleInputError("missing_answer", "Chưa có câu trả lời cho chỉ số: " + ", ".join(missing) + ".", "answers")
    return Reconciled(final=final, disagreements=tuple(disagreements))
