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

from programs.rules import LISTED, NEWLY_ESCAPED_MONTHS, STATUSES, add_months, status_on


class Limit(StrEnum):
    """How often a household may receive the same support."""

    ONCE = "once"  # at most once per household (a house)
    PER_YEAR = "per_year"  # at most once per calendar year (a health-insurance card)
    NONE = "none"  # no limit (training courses, loans)


STATUS_LABELS = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo", "not_poor": "hộ không nghèo"}

# The National Target Program for Sustainable Poverty Reduction 2021-2025 (Decision 90/QĐ-TTg, Part B §5.1) runs
# from 2021: no support of one of its projects (P1-P7) is older. Policies outside it (credit, health insurance) are.
PROGRAM_START = datetime.date(2021, 1, 1)
# The targeting list counts the supports delivered since this day unless told otherwise (admin and API alike).
TARGETING_SINCE = PROGRAM_START


@dataclass(frozen=True)
class EligibilityRule:
    """Who an intervention type is for (A8): the statuses that qualify, whether a newly-escaped household
    qualifies and for how many months after leaving the lists, whether the household must live in a poor
    district (Project 5 housing), and how often it may be received."""

    statuses: frozenset[str]
    newly_escaped: bool = False
    window_months: int = NEWLY_ESCAPED_MONTHS  # the household's own window unless the benefit sets one (A5)
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
    household lives in a poor district, and the dates of the records of this support it already has (planned,
    approved or delivered; not cancelled), whatever their date: a support recorded after the fact, dated
    before one already on file, is still a second one."""

    history: Sequence[tuple[datetime.date, str]]
    in_poor_district: bool
    received_on: Sequence[datetime.date] = ()


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # why not (empty when eligible); why yes otherwise


# Kinds of support that are "the same thing" for the once-only and once-a-year limits (domain §5.2:
# a house "not supported by other programs" — a new house or a repair, under Project 5 or the 2024-2025
# campaign, is one housing support). Other kinds count only records of the same type.
SAME_SUPPORT = (frozenset({"housing_new", "housing_repair"}), frozenset({"health_insurance"}))


def same_support(kind: str) -> frozenset[str]:
    """The kinds whose records count against a limit of a type of `kind` (empty: only the type itself)."""
    return next((group for group in SAME_SUPPORT if kind in group), frozenset())


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
        wanted_parts = [STATUS_LABELS[s] for s in STATUSES if s in rule.statuses]
        if rule.newly_escaped:
            wanted_parts.append(f"hộ mới thoát nghèo (trong {rule.window_months} tháng)")
            left = left_lists_on(household.history, day)
            if left is not None:
                until = add_months(left, rule.window_months)
                refusals.append(
                    f"hộ thoát nghèo ngày {left:%d/%m/%Y}, đã hết thời gian hộ mới thoát nghèo ngày {until:%d/%m/%Y}"
                )
        wanted = ", ".join(wanted_parts) or "không tình trạng nào"
        refusals.insert(0, f"ngày {day:%d/%m/%Y} hộ là {STATUS_LABELS[status]}; chỉ hỗ trợ {wanted}")
    if rule.poor_district_only and not household.in_poor_district:
        refusals.append("chỉ hỗ trợ hộ ở huyện nghèo (địa bàn đặc biệt khó khăn theo dự án)")
    # Every record counts, also one dated after `day`: the limit is per household (or per year), not "before".
    received = sorted(household.received_on)
    if rule.limit is Limit.ONCE and received:
        shown = max((d for d in received if d <= day), default=received[0])
        refusals.append(f"hộ đã nhận hỗ trợ này (hoặc cùng loại) ngày {shown:%d/%m/%Y} (chỉ một lần)")
    if rule.limit is Limit.PER_YEAR and any(d.year == day.year for d in received):
        refusals.append(f"hộ đã nhận hỗ trợ này (hoặc cùng loại) trong năm {day.year} (mỗi năm một lần)")
    if refusals:
        return Eligibility(False, tuple(refusals))
    if qualifies:
        return Eligibility(True, (STATUS_LABELS[status],))
    left = left_lists_on(household.history, day)
    assert left is not None  # newly escaped
    return Eligibility(True, (f"hộ mới thoát nghèo (đến {add_months(left, rule.window_months):%d/%m/%Y})",))


# --- the life of a support record: planned → approved → delivered, or cancelled ------------------------


class RecordState(StrEnum):
    PLANNED = "planned"
    APPROVED = "approved"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class RecordMove(StrEnum):
    APPROVE = "approve"
    DELIVER = "deliver"
    CANCEL = "cancel"


RECORD_MOVES: dict[RecordState, dict[RecordMove, RecordState]] = {
    RecordState.PLANNED: {RecordMove.APPROVE: RecordState.APPROVED, RecordMove.CANCEL: RecordState.CANCELLED},
    RecordState.APPROVED: {RecordMove.DELIVER: RecordState.DELIVERED, RecordMove.CANCEL: RecordState.CANCELLED},
    # a delivered support recorded by mistake is cancelled with a reason, never deleted
    RecordState.DELIVERED: {RecordMove.CANCEL: RecordState.CANCELLED},
    RecordState.CANCELLED: {},
}
STATE_LABELS = {
    RecordState.PLANNED: "dự kiến",
    RecordState.APPROVED: "đã duyệt",
    RecordState.DELIVERED: "đã hỗ trợ",
    RecordState.CANCELLED: "đã hủy",
}
MOVE_LABELS = {RecordMove.APPROVE: "duyệt", RecordMove.DELIVER: "xác nhận đã hỗ trợ", RecordMove.CANCEL: "hủy"}


def record_move(state: RecordState, move: RecordMove) -> RecordState:
    """The state a record goes to; a forbidden move raises ValueError with a Vietnamese message."""
    target = RECORD_MOVES[state].get(move)
    if target is None:
        allowed = ", ".join(MOVE_LABELS[m] for m in RECORD_MOVES[state]) or "không thao tác nào"
        raise ValueError(
            f"Hỗ trợ đang ở trạng thái “{STATE_LABELS[state]}”, không thể {MOVE_LABELS[move]}; được: {allowed}."
        )
    return target


# --- outcome follow-ups after delivery ------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    code: str
    label: str
    months: int  # after the delivery date


# What the commune checks after a support is delivered, by kind of support (livestock alive at 6 and
# 12 months, house completed and inspected, trainee employed after 6 months). The national texts set no
# follow-up calendar; these are the program's monitoring defaults (Project 7, M&E; domain Part B §5.1).
FOLLOW_UPS: dict[str, tuple[FollowUp, ...]] = {
    "livestock": (
        FollowUp("alive_6m", "Vật nuôi còn sống, phát triển sau 6 tháng", 6),
        FollowUp("alive_12m", "Vật nuôi còn sống, sinh sản sau 12 tháng", 12),
    ),
    "seeds_tools": (FollowUp("harvest_6m", "Cây trồng, công cụ được sử dụng, có thu hoạch sau 6 tháng", 6),),
    "housing_new": (FollowUp("house_done", "Nhà hoàn thành và được nghiệm thu (đủ “3 cứng”)", 6),),
    "housing_repair": (FollowUp("house_done", "Nhà sửa chữa hoàn thành và được nghiệm thu", 3),),
    "training": (FollowUp("employed_6m", "Học viên có việc làm sau 6 tháng", 6),),
    "job": (FollowUp("working_6m", "Người lao động còn làm việc sau 6 tháng", 6),),
    "credit": (FollowUp("loan_use_3m", "Vốn vay được sử dụng đúng mục đích sau 3 tháng", 3),),
}


def follow_ups(kind: str, delivered_on: datetime.date) -> list[tuple[FollowUp, datetime.date]]:
    """The checks due after a support of `kind` delivered on `delivered_on`, with their due dates."""
    return [(f, add_months(delivered_on, f.months)) for f in FOLLOW_UPS.get(kind, ())]


# --- preferential credit (Part B §5.3) ------------------------------------------------------------------


# Rates and the newly-escaped term limit are data on the credit intervention types (migration 0002, A8:
# poor 6.6%, near-poor 7.92%, newly escaped 8.25% for at most 5 years, housing 3%); what is rule is which
# production-loan type a household's status points to, and the overdue rate.
OVERDUE_FACTOR_PCT = 130  # overdue debt bears 130% of the loan rate (Decree 06/2026 Art. 32, Part B §5.3)


def credit_type_for(status: str, newly_escaped: bool) -> str | None:
    """The code of the production-loan type a household's status points to (None if none): Part B §5.3."""
    if status == "poor":
        return "credit_poor"
    if status == "near_poor":
        return "credit_near_poor"
    return "credit_newly_escaped" if newly_escaped else None


def overdue_rate_bp(rate_bp: int) -> int:
    """The overdue rate, 130% of the loan rate, rounded half up to a basis point (6.60% → 8.58%)."""
    return (rate_bp * OVERDUE_FACTOR_PCT + 50) // 100


def loan_maturity(disbursed_on: datetime.date, term_months: int) -> datetime.date:
    return add_months(disbursed_on, term_months)


def outstanding(principal: int, repaid: Sequence[int]) -> int:
    """What is still owed of the principal (never below zero; an overpayment is refused upstream)."""
    return max(principal - sum(repaid), 0)


def loan_overdue(maturity: datetime.date, balance: int, day: datetime.date) -> bool:
    """A loan is overdue when principal is still owed after its maturity date."""
    return balance > 0 and day > maturity


# --- outcomes: what followed a support -----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one supported household: its status when first supported in the year, its status at
    the end of each following year, and whether it fell back onto a list after leaving it, after the support."""

    status_at_support: str
    status_at: dict[int, str]  # year → status on 31 December
    relapsed_after: bool


def outcome(
    history: Sequence[tuple[datetime.date, str]],
    supported_on: datetime.date,
    years: Sequence[int],
    *,
    until: datetime.date | None = None,
) -> Outcome:
    """The outcome of a household supported on `supported_on`, read from its status history (A5). It relapsed
    after the support when, after that day and by `until`, it came back onto a list it had left (the
    `relapsed_poor` / `relapsed_near_poor` events of A5). Without `until`: by the end of the last of `years`,
    or of the support's own year if that is later. The year-end statuses are read for `years` only, each on
    31 December or on `until` if that comes first (a year still running, as it stands)."""
    end = until if until is not None else datetime.date(max([supported_on.year, *years]), 12, 31)
    relapsed = False
    ever_listed = False
    before = "not_poor"
    for effective, new_status in history:
        if effective > end:
            break
        came_back = ever_listed and before not in LISTED and new_status in LISTED
        if came_back and effective > supported_on:
            relapsed = True
        ever_listed = ever_listed or new_status in LISTED
        before = new_status
    return Outcome(
        status_at_support=status_on(history, supported_on),
        status_at={y: status_on(history, min(datetime.date(y, 12, 31), end)) for y in years},
        relapsed_after=relapsed,
    )
