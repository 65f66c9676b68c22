"""Who may receive a support, as pure functions of the household's status history, flags and area at a date.

No ORM, no settings, no clock: the caller passes the history and the day. Sources: shared/domain.md A8 and
Part B §5 (projects and amounts, Decision 90/QĐ-TTg; housing, Circular 01/2022/TT-BXD; credit, Decision
28/2015/QĐ-TTg), §4.1 and §5.6 (the newly-escaped window is a setting per benefit; eligibility reads the status
history, not only the current status).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from programs.rules import LISTED, STATUSES, add_months


class Limit(StrEnum):
    """How often a household may receive the same support."""

    ONCE = "once"  # at most once per household (a house)
    PER_YEAR = "per_year"  # at most once per calendar year (a health-insurance card)
    NONE = "none"  # no limit (training courses, loans)


STATUS_LABELS = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo", "not_poor": "hộ không nghèo"}


@dataclass(frozen=True)
class EligibilityRule:
    """Who an intervention type is for (A8): the statuses that qualify, whether a newly-escaped household
    qualifies and for how many months after leaving the lists, whether the household must live in a poor
    district (Project 5 housing), and how often it may be received."""

    statuses: frozenset[str]
    newly_escaped: bool = False
    window_months: int = 36
    poor_district_only: bool = False
    limit: Limit = Limit.NONE

    def __post_init__(self) -> None:
        unknown = set(self.statuses) - set(STATUSES)
        if unknown:
            raise ValueError(f"unknown statuses: {sorted(unknown)}")
        if self.window_months < 0:
            raise ValueError("window_months must not be negative")


@dataclass(frozen=True)
class HouseholdAtDate:
    """What eligibility reads: the status history as (effective date, new status) in date order, whether the
    household lives in a poor district, and the dates it already received this support (delivered or
    approved, not cancelled)."""

    history: Sequence[tuple[datetime.date, str]]
    in_poor_district: bool
    received_on: Sequence[datetime.date] = ()


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # why not (empty when eligible); why yes otherwise


def status_on(history: Sequence[tuple[datetime.date, str]], day: datetime.date) -> str:
    """The household's status on `day`: that of the last change effective on or before it (not poor before any)."""
    status = "not_poor"
    for effective, new_status in history:
        if effective > day:
            break
        status = new_status
    return status


def left_lists_on(history: Sequence[tuple[datetime.date, str]], day: datetime.date) -> datetime.date | None:
    """When the household last left the poor and near-poor lists, as of `day` (None if it is on a list or never was)."""
    left = None
    before = "not_poor"
    for effective, new_status in history:
        if effective > day:
            break
        if before in LISTED and new_status not in LISTED:
            left = effective
        elif new_status in LISTED:
            left = None
        before = new_status
    return left


def newly_escaped_on(history: Sequence[tuple[datetime.date, str]], day: datetime.date, months: int) -> bool:
    """Whether the household is newly escaped on `day`: it left the lists less than `months` months before
    (Decision 28/2015/QĐ-TTg: 36 months for credit; Part B §4.1)."""
    left = left_lists_on(history, day)
    return left is not None and day < add_months(left, months)


def check_eligibility(rule: EligibilityRule, household: HouseholdAtDate, day: datetime.date) -> Eligibility:
    """Whether a household may receive a support on `day` under `rule`, with the reasons in Vietnamese."""
    refusals: list[str] = []
    status = status_on(household.history, day)
    qualifies = status in rule.statuses
    newly = rule.newly_escaped and newly_escaped_on(household.history, day, rule.window_months)
    if not qualifies and not newly:
        wanted = ", ".join(STATUS_LABELS[s] for s in STATUSES if s in rule.statuses) or "không tình trạng nào"
        if rule.newly_escaped:
            wanted += f", hộ mới thoát nghèo (trong {rule.window_months} tháng)"
            left = left_lists_on(household.history, day)
            if left is not None:
                until = add_months(left, rule.window_months)
                refusals.append(
                    f"hộ thoát nghèo ngày {left:%d/%m/%Y}, đã hết thời gian hộ mới thoát nghèo ngày {until:%d/%m/%Y}"
                )
        refusals.insert(0, f"ngày {day:%d/%m/%Y} hộ là {STATUS_LABELS[status]}; chỉ hỗ trợ {wanted}")
    if rule.poor_district_only and not household.in_poor_district:
        refusals.append("chỉ hỗ trợ hộ ở huyện nghèo (địa bàn đặc biệt khó khăn theo dự án)")
    earlier = sorted(d for d in household.received_on if d <= day)
    if rule.limit is Limit.ONCE and earlier:
        refusals.append(f"hộ đã nhận hỗ trợ này ngày {earlier[-1]:%d/%m/%Y} (chỉ một lần)")
    if rule.limit is Limit.PER_YEAR and any(d.year == day.year for d in earlier):
        refusals.append(f"hộ đã nhận hỗ trợ này trong năm {day.year} (mỗi năm một lần)")
    if refusals:
        return Eligibility(False, tuple(refusals))
    if qualifies:
        return Eligibility(True, (STATUS_LABELS[status],))
    left = left_lists_on(household.history, day)
    assert left is not None  # newly escaped
    return Eligibility(True, (f"hộ mới thoát nghèo (đến {add_months(left, rule.window_months):%d/%m/%Y})",))
