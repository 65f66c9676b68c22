"""The year's figures of an area, as pure functions of each household's situation at the year's reference
dates (domain Part B §6.2 indicators, §4.3 movement accounting).

A year's figures are those of its recognised review: statuses on 31 December (the periodic review is decided
by mid-December, A6), the population of households known by then, the deprivations of each household's
latest survey by then and the causes of poverty ticked on it (Part B §4.2). The movement of the year compares
each household's status on 31 December of the year before with its status at the end of this year, so that,
per household and so for any area,

    poor_end = poor_start − to_near_poor − escaped − other_decrease + from_near_poor + relapsed + newly + other_increase

holds by construction (and the same for near-poor). Counts are flat `{key: int}` tallies, so the figures of
communes add up to those of any area above them. No ORM, no clock: the caller passes the dates.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# One status_on for the figures and the support's eligibility (a status runs from its decision date, domain A5).
from programs.rules import LISTED, status_on

FIRST_YEAR = 2021  # the program 2021-2025 and its standard (Decree 07/2021): the first year with figures
GROUPS = ("minority", "no_labour", "revolutionary", "social_protection", "female_head")
GROUP_LABELS = {
    "minority": "Hộ dân tộc thiểu số",
    "no_labour": "Hộ không có khả năng lao động",
    "revolutionary": "Hộ có người có công với cách mạng",
    "social_protection": "Hộ có thành viên thuộc đối tượng bảo trợ xã hội",
    "female_head": "Hộ có chủ hộ là nữ",
}
NO_CAUSE = "none"  # `cause.{status}.none`: a listed household whose survey ticked no cause of poverty
# the movement of Part B §4.3: decreases and increases of each list over the year
DECREASES = {
    "poor": ("to_near_poor", "escaped", "other_decrease"),
    "near_poor": ("to_poor", "escaped", "other_decrease"),
}
INCREASES = {
    "poor": ("from_near_poor", "relapsed", "newly", "other_increase"),
    "near_poor": ("from_poor", "relapsed", "newly", "other_increase"),
}
MOVEMENT_LABELS = {
    "to_near_poor": "Thành hộ cận nghèo",
    "to_poor": "Thành hộ nghèo",
    "escaped": "Thoát ra (không còn trong danh sách)",
    "other_decrease": "Giảm khác (chuyển đi, giải thể, nhập hộ)",
    "from_near_poor": "Từ hộ cận nghèo",
    "from_poor": "Từ hộ nghèo",
    "relapsed": "Tái nghèo / tái cận nghèo",
    "newly": "Phát sinh mới",
    "other_increase": "Tăng khác (chuyển đến, tách hộ, đăng ký mới)",
}


def reference_date(year: int) -> datetime.date:
    """The day a year's figures stand on: 31 December, after the periodic review's decision (A6)."""
    return datetime.date(year, 12, 31)


def listed_by(history: Sequence[tuple[datetime.date, str]], day: datetime.date) -> bool:
    """Whether the household was on a list at any time up to `day` (what makes a return a relapse, A5)."""
    return any(status in LISTED for effective, status in history if effective <= day)


@dataclass(frozen=True)
class HouseholdYear:
    """What one household contributes to its commune's figures of a year."""

    present_start: bool  # known by 31/12 of the year before
    present_end: bool  # known by 31/12 of the year
    start: str  # status on 31/12 of the year before
    end: str  # status on 31/12 of the year
    listed_before: bool  # on a list at any time up to 31/12 of the year before
    groups: frozenset[str] = frozenset()  # of GROUPS
    ethnicity: str = ""  # the head's ethnicity code
    deprived: tuple[str, ...] = ()  # of the latest survey by 31/12 of the year
    causes: tuple[str, ...] = ()  # the causes of poverty ticked on that same survey (rules.POVERTY_CAUSES codes)
    children: int = 0  # members under 16 on 31/12 of the year
    later: tuple[str | None, ...] = ()  # status on 31/12 of each following year (None: not begun)


def household_year(
    history: Sequence[tuple[datetime.date, str]],
    *,
    first_seen: datetime.date,
    year: int,
    later_years: int = 2,
    today: datetime.date,
    groups: Iterable[str] = (),
    ethnicity: str = "",
    deprived: Sequence[str] = (),
    causes: Sequence[str] = (),
    children: int = 0,
) -> HouseholdYear:
    """One household's situation for the year from its status history (date order) and facts."""
    start_day, end_day = reference_date(year - 1), reference_date(year)
    later: list[str | None] = []
    for offset in range(1, later_years + 1):
        day = reference_date(year + offset)
        later.append(None if datetime.date(year + offset, 1, 1) > today else status_on(history, min(day, today)))
    return HouseholdYear(
        present_start=first_seen <= start_day,
        present_end=first_seen <= end_day,
        start=status_on(history, start_day),
        end=status_on(history, end_day),
        listed_before=listed_by(history, start_day),
        groups=frozenset(groups),
        ethnicity=ethnicity,
        deprived=tuple(deprived),
        causes=tuple(causes),
        children=children,
        later=tuple(later),
    )


def movement_of(h: HouseholdYear, status: str) -> tuple[str | None, str | None]:
    """(decrease, increase) of `status`'s list that this household makes over the year, if any."""
    was = h.present_start and h.start == status
    now = h.present_end and h.end == status
    if was == now:
        return None, None
    if was:
        if not h.present_end:
            return "other_decrease", None
        return ("to_near_poor" if status == "poor" else "to_poor") if h.end in LISTED else "escaped", None
    if not h.present_start:
        return None, "other_increase"
    if h.start in LISTED:
        return None, "from_near_poor" if status == "poor" else "from_poor"
    return None, "relapsed" if h.listed_before else "newly"


def tally(households: Iterable[HouseholdYear]) -> Counter[str]:
    """The flat counts of a set of households (a commune): summed over communes for any area."""
    counts: Counter[str] = Counter()
    for h in households:
        for status in ("poor", "near_poor"):
            if h.present_start and h.start == status:
                counts[f"move.{status}.start"] += 1
            decrease, increase = movement_of(h, status)
            if decrease:
                counts[f"move.{status}.{decrease}"] += 1
            if increase:
                counts[f"move.{status}.{increase}"] += 1
        if h.present_start and h.start == "poor" and h.present_end and h.end != "poor":
            counts["cohort.escaped"] += 1
            for offset, later in enumerate(h.later, start=1):
                if later is not None:
                    counts[f"cohort.followed_{offset}"] += 1
                    counts[f"cohort.relapsed_{offset}"] += later == "poor"
        if not h.present_end:
            continue
        end = h.end
        counts["households"] += 1
        counts[end] += 1
        for group in h.groups:
            counts[f"group.{group}.households"] += 1
            counts[f"group.{group}.{end}"] += 1
        if h.ethnicity:
            counts[f"eth.{h.ethnicity}.households"] += 1
            counts[f"eth.{h.ethnicity}.{end}"] += 1
        if end in LISTED:
            counts[f"children.{end}"] += h.children
            for code in h.deprived:
                counts[f"dep.{end}.{code}"] += 1
                counts[f"child_dep.{code}"] += h.children
            # a household may tick several causes: each counted once; none ticked is counted as such
            for code in dict.fromkeys(h.causes) or (NO_CAUSE,):
                counts[f"cause.{end}.{code}"] += 1
    return counts


def add_up(tallies: Iterable[Mapping[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for counts in tallies:
        total.update(counts)
    return total


def rate(part: int, whole: int) -> float | None:
    """A percentage with two decimals, halves rounded up as in the official tables and Excel's ROUND (None when
    there is no household). Exact integer arithmetic: `round()` on the float would round 1/800 = 0.125% to 0.12."""
    if not whole:
        return None
    return (20_000 * part + whole) // (2 * whole) / 100


@dataclass(frozen=True)
class Movement:
    status: str
    start: int
    decreases: dict[str, int]
    increases: dict[str, int]
    end: int

    @property
    def balances(self) -> bool:
        return self.start - sum(self.decreases.values()) + sum(self.increases.values()) == self.end


def movement(counts: Mapping[str, int], status: str) -> Movement:
    return Movement(
        status=status,
        start=counts.get(f"move.{status}.start", 0),
        decreases={k: counts.get(f"move.{status}.{k}", 0) for k in DECREASES[status]},
        increases={k: counts.get(f"move.{status}.{k}", 0) for k in INCREASES[status]},
        end=counts.get(status, 0),
    )


@dataclass(frozen=True)
class Target:
    """A target of an area for a year (Part B §5.1): a rate to reach (at most `value` %), or a reduction of
    at least `value` points against the year before."""

    measure: str  # poor | near_poor | multidimensional | minority_poor
    kind: str  # max_rate | reduction
    value: float


@dataclass(frozen=True)
class TargetCheck:
    target: Target
    actual: float | None  # the rate, or the reduction in points
    on_track: bool | None  # None when the figures are missing
    text: str


MEASURE_LABELS = {
    "poor": "tỷ lệ hộ nghèo",
    "near_poor": "tỷ lệ hộ cận nghèo",
    "multidimensional": "tỷ lệ nghèo đa chiều (nghèo + cận nghèo)",
    "minority_poor": "tỷ lệ hộ nghèo dân tộc thiểu số",
}


def measure_rate(counts: Mapping[str, int], measure: str) -> float | None:
    if measure == "minority_poor":
        return rate(counts.get("group.minority.poor", 0), counts.get("group.minority.households", 0))
    part = (
        counts.get("poor", 0) + counts.get("near_poor", 0) if measure == "multidimensional" else counts.get(measure, 0)
    )
    return rate(part, counts.get("households", 0))


def vn(number: float) -> str:
    """Two decimals with the Vietnamese decimal comma: 21,43."""
    return f"{number:.2f}".replace(".", ",")


def check_target(target: Target, this_year: Mapping[str, int], last_year: Mapping[str, int] | None) -> TargetCheck:
    """Whether the area is on track: its rate at most the target, or reduced by at least the target points."""
    label = MEASURE_LABELS[target.measure]
    now = measure_rate(this_year, target.measure)
    if target.kind == "max_rate":
        if now is None:
            return TargetCheck(target, None, None, f"Chưa có số liệu {label}.")
        ok = now <= target.value
        verb = "đạt" if ok else "chưa đạt"
        return TargetCheck(
            target, now, ok, f"{label.capitalize()} {vn(now)}% — {verb} mục tiêu không quá {vn(target.value)}%."
        )
    before = measure_rate(last_year, target.measure) if last_year is not None else None
    if now is None or before is None:
        return TargetCheck(target, None, None, f"Chưa đủ số liệu hai năm để tính mức giảm {label}.")
    reduction = round(before - now, 2)
    ok = reduction >= target.value
    verb = "đạt" if ok else "chưa đạt"
    # a rate that went up is said so ("tăng 8,33"), never "giảm -8,33"
    change = f"giảm {vn(reduction)}" if reduction >= 0 else f"tăng {vn(-reduction)}"
    return TargetCheck(
        target,
        reduction,
        ok,
        f"{label.capitalize()} {change} điểm % ({vn(before)}% → {vn(now)}%) — {verb} mục tiêu giảm "
        f"{vn(target.value)} điểm.",
    )


@dataclass
class CohortShare:
    escaped: int
    followed: list[int] = field(default_factory=list)
    relapsed: list[int] = field(default_factory=list)


def cohort(counts: Mapping[str, int], later_years: int = 2) -> CohortShare:
    """Of the households that escaped poverty in the year: how many were followed and were poor again at the
    end of each later year."""
    return CohortShare(
        escaped=counts.get("cohort.escaped", 0),
        followed=[counts.get(f"cohort.followed_{k}", 0) for k in range(1, later_years + 1)],
        relapsed=[counts.get(f"cohort.relapsed_{k}", 0) for k in range(1, later_years + 1)],
    )
