"""The program's rules as pure functions: poverty standards and the classification of a household.

No ORM, no settings, no clock: standards come in as `Standard` values (built from the database by the
selectors), dates are passed in. Sources: shared/domain.md A1 (standards), A2 (classification),
A3 (indicator codes); Part B §1.2, §1.6, §2 and §3.4 (score path, Circular 07/2021/TT-BLĐTBXH).
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE = "average"
    NOT_POOR = "not_poor"


class AreaType(StrEnum):
    RURAL = "rural"
    URBAN = "urban"


CATEGORY_LABELS: dict[Category, str] = {
    Category.POOR: "hộ nghèo",
    Category.NEAR_POOR: "hộ cận nghèo",
    Category.AVERAGE: "hộ có mức sống trung bình",
    Category.NOT_POOR: "hộ không nghèo",
}
AREA_LABELS: dict[AreaType, str] = {AreaType.RURAL: "nông thôn", AreaType.URBAN: "thành thị"}

# Indicator codes (domain A3), stable across the API, the database and reports, with their Vietnamese names.
INDICATOR_NAMES: dict[str, str] = {
    "employment": "việc làm",
    "dependants": "người phụ thuộc trong hộ gia đình",
    "nutrition": "dinh dưỡng",
    "healthcare_access": "tiếp cận các dịch vụ y tế",
    "health_insurance": "bảo hiểm y tế",
    "adult_education": "trình độ giáo dục của người lớn",
    "child_schooling": "tình trạng đi học của trẻ em",
    "housing_quality": "chất lượng nhà ở",
    "housing_area": "diện tích nhà ở bình quân đầu người",
    "water": "nguồn nước sinh hoạt",
    "sanitation": "nhà tiêu hợp vệ sinh",
    "waste_treatment": "xử lý rác thải",
    "telecom": "sử dụng dịch vụ viễn thông",
    "information_access": "phương tiện phục vụ tiếp cận thông tin",
}


# Sanity bounds of the inputs (far above any real household; they keep typos and overflows out).
MAX_INCOME = 10_000_000_000  # VND per person per month
MAX_POINT_A = 10_000


class RuleInputError(ValueError):
    """Input the rules cannot decide on; `field` names the input at fault (the API's 400 uses it)."""

    def __init__(self, code: str, message: str, field: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


# Causes of poverty (nguyên nhân nghèo), a multi-select of the survey of a poor or near-poor household, counted in
# the report "…theo các nguyên nhân nghèo" (domain Part B §4.2 and §6.2; the list follows the fields of public
# review exports, S64, UNVERIFIED against the official form). Codes are stable; the order is the report's.
POVERTY_CAUSES: dict[str, str] = {
    "land": "thiếu đất sản xuất",
    "capital": "thiếu vốn sản xuất, kinh doanh",
    "labour": "thiếu lao động",
    "tools": "thiếu phương tiện sản xuất",
    "know_how": "thiếu kiến thức về sản xuất",
    "skills": "thiếu kỹ năng lao động, tay nghề",
    "illness": "có người ốm đau, bệnh nặng, tai nạn",
    "other": "nguyên nhân khác",
}


def check_causes(codes: Sequence[str]) -> tuple[str, ...]:
    """The causes of poverty of a survey, known codes only, each once, in the report's order."""
    unknown = [code for code in codes if code not in POVERTY_CAUSES]
    if unknown:
        known = ", ".join(POVERTY_CAUSES)
        raise RuleInputError("unknown_cause", f"Nguyên nhân nghèo “{unknown[0]}” không có; các mã: {known}.", "causes")
    return tuple(code for code in POVERTY_CAUSES if code in set(codes))


@dataclass(frozen=True)
class Standard:
    """One poverty standard (domain A1). Money is VND per person per month; lines are inclusive (≤)."""

    code: str
    name: str
    legal_basis: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    poor_line: Mapping[AreaType, int]
    indicators: tuple[str, ...]
    deprivation_threshold: int = 3
    income_only_line: Mapping[AreaType, int] | None = None
    average_upper: Mapping[AreaType, int] | None = None
    point_a_max: Mapping[AreaType, int] | None = None
    point_b_per_indicator: int = 10

    def applies_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Classification:
    standard: str
    area_type: AreaType
    category: Category
    deprivation_count: int
    deprived: tuple[str, ...]
    point_b: int
    income_line: int
    reasons: tuple[str, ...]


def money(amount: int) -> str:
    """1500000 -> '1.500.000 đ' (Vietnamese thousands separator)."""
    return f"{amount:,} đ".replace(",", ".")


def parse_area_type(value: str) -> AreaType:
    try:
        return AreaType(value)
    except ValueError:
        raise RuleInputError(
            "unknown_area_type",
            f"Khu vực “{value}” không hợp lệ: chỉ nhận rural (nông thôn) hoặc urban (thành thị).",
            "area_type",
        ) from None


def check_indicators(standard: Standard, codes: Iterable[str], field: str = "deprivations") -> tuple[str, ...]:
    """The codes, each once, in the standard's order; an unknown code or one of another standard is an error."""
    wanted = set(codes)
    for code in sorted(wanted):
        if code not in INDICATOR_NAMES:
            raise RuleInputError("unknown_indicator", f"Chỉ số “{code}” không tồn tại.", field)
        if code not in standard.indicators:
            raise RuleInputError(
                "indicator_not_in_standard",
                f"Chỉ số “{code}” ({INDICATOR_NAMES[code]}) không thuộc chuẩn {standard.code}.",
                field,
            )
    return tuple(code for code in standard.indicators if code in wanted)


def classify(
    standard: Standard,
    *,
    area_type: AreaType | str,
    deprived: Iterable[str],
    income_per_capita: int | None = None,
    point_a: int | None = None,
) -> Classification:
    """Classify one household exactly as domain A2 says.

    k = number of deprived indicators; point_b = 10 * k. Below the line means income ≤ poor line of the
    area (or, on the score path, Point A ≤ the standard's threshold). An income at or below the
    income-only line (VN-2016) is poor whatever k is; below the line, poor when k ≥ 3, else near-poor;
    above it, average when the standard has an average-living band and income is within it, else not poor.
    """
    area = parse_area_type(area_type) if not isinstance(area_type, AreaType) else area_type
    codes = check_indicators(standard, deprived)
    if income_per_capita is not None and point_a is not None:
        raise RuleInputError("income_and_point_a", "Chỉ nhập một trong hai: thu nhập bình quân hoặc điểm A.", "point_a")
    if income_per_capita is None and point_a is None:
        raise RuleInputError(
            "income_required", "Phải có thu nhập bình quân đầu người/tháng hoặc điểm A (phiếu B1).", "income_per_capita"
        )
    if income_per_capita is not None and income_per_capita < 0:
        raise RuleInputError("negative_income", "Thu nhập bình quân không được âm.", "income_per_capita")
    if income_per_capita is not None and income_per_capita > MAX_INCOME:
        raise RuleInputError(
            "implausible_income",
            f"Thu nhập bình quân vượt {money(MAX_INCOME)}/người/tháng: kiểm tra lại.",
            "income_per_capita",
        )
    if point_a is not None and point_a > MAX_POINT_A:
        raise RuleInputError("implausible_point_a", f"Điểm A vượt {MAX_POINT_A}: kiểm tra lại.", "point_a")
    if point_a is not None:
        if standard.point_a_max is None:
            raise RuleInputError(
                "no_score_path",
                f"Chuẩn {standard.code} không có ngưỡng điểm A: hãy nhập thu nhập bình quân đầu người.",
                "point_a",
            )
        if point_a < 0:
            raise RuleInputError("negative_point_a", "Điểm A không được âm.", "point_a")

    k = len(codes)
    point_b = standard.point_b_per_indicator * k
    line = standard.poor_line[area]
    where = f"{AREA_LABELS[area]}, chuẩn {standard.code}"
    names = ", ".join(INDICATOR_NAMES[code] for code in codes)
    deprivations = f"thiếu hụt {k}/{len(standard.indicators)} chỉ số (điểm B = {point_b})" + (f": {names}" if k else "")
    reasons: list[str] = []

    if point_a is not None:
        assert standard.point_a_max is not None
        threshold = standard.point_a_max[area]
        below_line = point_a <= threshold
        sign = "≤" if below_line else ">"
        reasons.append(
            f"điểm A = {point_a} {sign} {threshold} điểm (ngưỡng tương ứng chuẩn nghèo {money(line)}, {where})"
        )
    else:
        assert income_per_capita is not None
        below_line = income_per_capita <= line
        sign = "≤" if below_line else ">"
        reasons.append(f"thu nhập {money(income_per_capita)}/người/tháng {sign} chuẩn nghèo {money(line)} ({where})")

    income_only = (
        standard.income_only_line[area] if standard.income_only_line and income_per_capita is not None else None
    )
    if income_only is not None and income_per_capita is not None and income_per_capita <= income_only:
        category = Category.POOR
        reasons.append(
            f"thu nhập ≤ {money(income_only)} (chuẩn nghèo chỉ theo thu nhập): hộ nghèo, không xét số chỉ số thiếu hụt"
        )
        reasons.append(deprivations)
    elif below_line:
        threshold_k = standard.deprivation_threshold
        reasons.append(deprivations)
        if k >= threshold_k:
            category = Category.POOR
            reasons.append(f"{k} ≥ {threshold_k} chỉ số thiếu hụt: hộ nghèo")
        else:
            category = Category.NEAR_POOR
            reasons.append(f"{k} < {threshold_k} chỉ số thiếu hụt: hộ cận nghèo")
    elif (
        standard.average_upper is not None
        and income_per_capita is not None
        and income_per_capita <= standard.average_upper[area]
    ):
        category = Category.AVERAGE
        reasons.append(f"thu nhập ≤ {money(standard.average_upper[area])}: hộ có mức sống trung bình")
    else:
        category = Category.NOT_POOR
        if standard.average_upper is not None and income_per_capita is not None:
            reasons.append(f"thu nhập > {money(standard.average_upper[area])} (mức sống trung bình): hộ không nghèo")
        elif point_a is not None and standard.average_upper is not None:
            reasons.append("trên ngưỡng điểm A: hộ không nghèo (điểm A không xác định mức sống trung bình)")
        else:
            reasons.append("trên chuẩn nghèo: hộ không nghèo")
    return Classification(
        standard=standard.code,
        area_type=area,
        category=category,
        deprivation_count=k,
        deprived=codes,
        point_b=point_b,
        income_line=line,
        reasons=tuple(reasons),
    )


def standard_on(day: datetime.date, standards: Sequence[Standard]) -> Standard | None:
    """The standard in force on `day` (by validity); the latest-starting one if several overlap."""
    applicable = [s for s in standards if s.applies_on(day)]
    return max(applicable, key=lambda s: s.valid_from) if applicable else None


# Severity order of categories: a higher rank is worse off. Used by the properties of the rule.
CATEGORY_RANK: dict[Category, int] = {
    Category.NOT_POOR: 0,
    Category.AVERAGE: 1,
    Category.NEAR_POOR: 2,
    Category.POOR: 3,
}


# --- statuses and events (domain A5) ---------------------------------------------------------------

LISTED = frozenset({"poor", "near_poor"})  # on the commune's poor or near-poor list
STATUSES = ("poor", "near_poor", "not_poor")


def status_of(category: Category | str) -> str:
    """A household's status from an assessment's category: average-living households are not poor (A5)."""
    return "not_poor" if category in (Category.AVERAGE, Category.NOT_POOR) else str(category)


def status_event(from_status: str, to_status: str, *, listed_before: bool) -> str:
    """The event of a change of status (table of A5); `listed_before`: the household was poor or near-poor before."""
    for value, field in ((from_status, "from_status"), (to_status, "to_status")):
        if value not in STATUSES:
            raise RuleInputError("unknown_status", f"Tình trạng “{value}” không hợp lệ.", field)
    if from_status == to_status:
        raise RuleInputError("same_status", "Tình trạng mới trùng tình trạng hiện tại: không có thay đổi.", "to_status")
    if from_status == "poor":
        return "escaped_poverty"
    if from_status == "near_poor":
        return "became_poor" if to_status == "poor" else "escaped_near_poverty"
    if to_status == "poor":
        return "relapsed_poor" if listed_before else "newly_poor"
    return "relapsed_near_poor" if listed_before else "newly_near_poor"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def newly_escaped_until(left_lists_on: datetime.date | None, status: str, months: int) -> datetime.date | None:
    """End of the newly-escaped window (hộ mới thoát nghèo), or None.

    A household that left the poor and near-poor lists (to not poor) is newly escaped for `months`
    (36 by default) after the decision date: Decision 28/2015/QĐ-TTg, domain Part B §4.1, §5.6. A household
    back on a list is not newly escaped.
    """
    if left_lists_on is None or status in LISTED:
        return None
    return add_months(left_lists_on, months)


def years_in_poverty(history: Sequence[tuple[datetime.date, str]], as_of: datetime.date) -> int:
    """Calendar years, up to `as_of`, in which the household was poor for some time.

    `history`: (effective date, new status) in date order.
    """
    years: set[int] = set()
    for index, (start, status) in enumerate(history):
        if status != "poor" or start > as_of:
            continue
        end = history[index + 1][0] if index + 1 < len(history) else as_of
        end = min(end, as_of)
        years.update(range(start.year, end.year + 1))
    return len(years)


# --- the review workflow (domain A6; Part B §3.1-§3.3, §6.1, §8.4, §8.5) --------------------------------


class CaseState(StrEnum):
    """Where one household's case stands in a review (Part B §8.4)."""

    LISTED = "listed"  # on the list to review, or sent back to survey
    CLASSIFIED = "classified"  # surveyed; the classification is computed with the survey (A2)
    AGREED = "agreed"  # the village meeting agreed (at least 50% of attendees)
    POSTED = "posted"  # posted publicly
    RECHECK = "recheck"  # a complaint is being rechecked; recognition is held
    DISTRICT_CONSULTED = "district_consulted"  # only campaigns that carry the district step (before 1/7/2025)
    RECOGNISED = "recognised"  # the commune chair's decision (number, date); certificate issued
    REPORTED = "reported"  # included in the report to the province
    REJECTED = "rejected"  # a request found not eligible, answered in writing with the reasons (§3.3)


class Move(StrEnum):
    SURVEY = "survey"
    MEETING = "meeting"
    POST = "post"
    COMPLAIN = "complain"
    RESOLVE_COMPLAINT = "resolve_complaint"
    CONSULT_DISTRICT = "consult_district"
    RECOGNISE = "recognise"
    REJECT = "reject"
    REPORT = "report"


CASE_STATE_LABELS: dict[CaseState, str] = {
    CaseState.LISTED: "chờ khảo sát",
    CaseState.CLASSIFIED: "đã khảo sát, phân loại",
    CaseState.AGREED: "họp thôn đã thống nhất",
    CaseState.POSTED: "đang niêm yết công khai",
    CaseState.RECHECK: "đang phúc tra khiếu nại",
    CaseState.DISTRICT_CONSULTED: "đã xin ý kiến cấp huyện",
    CaseState.RECOGNISED: "đã công nhận",
    CaseState.REPORTED: "đã báo cáo tỉnh",
    CaseState.REJECTED: "không công nhận (đã trả lời bằng văn bản)",
}
MOVE_LABELS: dict[Move, str] = {
    Move.SURVEY: "ghi kết quả khảo sát",
    Move.MEETING: "ghi kết quả họp thôn",
    Move.POST: "niêm yết công khai",
    Move.COMPLAIN: "ghi nhận khiếu nại",
    Move.RESOLVE_COMPLAINT: "giải quyết khiếu nại",
    Move.CONSULT_DISTRICT: "ghi ý kiến cấp huyện",
    Move.RECOGNISE: "công nhận",
    Move.REJECT: "không công nhận",
    Move.REPORT: "báo cáo tỉnh",
}

# The allowed moves, as data: move -> the states it may start from. Where a move leads is `next_state`.
# Resurveying an agreed or posted case sends it through the meeting and the posting again.
MOVES: dict[Move, frozenset[CaseState]] = {
    Move.SURVEY: frozenset(
        {
            CaseState.LISTED,
            CaseState.CLASSIFIED,
            CaseState.AGREED,
            CaseState.POSTED,
            CaseState.RECHECK,
            CaseState.DISTRICT_CONSULTED,
        }
    ),
    Move.MEETING: frozenset({CaseState.CLASSIFIED}),
    Move.POST: frozenset({CaseState.AGREED}),
    Move.COMPLAIN: frozenset({CaseState.POSTED, CaseState.RECHECK, CaseState.DISTRICT_CONSULTED}),
    # A complaint is answered whatever happened since (an upheld one may have sent the case back to survey
    # while another was open); recognition waits until none is open.
    Move.RESOLVE_COMPLAINT: frozenset(
        {
            CaseState.LISTED,
            CaseState.CLASSIFIED,
            CaseState.AGREED,
            CaseState.POSTED,
            CaseState.RECHECK,
            CaseState.DISTRICT_CONSULTED,
        }
    ),
    Move.CONSULT_DISTRICT: frozenset({CaseState.POSTED}),
    Move.RECOGNISE: frozenset({CaseState.POSTED, CaseState.DISTRICT_CONSULTED}),
    Move.REJECT: frozenset({CaseState.LISTED, CaseState.CLASSIFIED, CaseState.AGREED, CaseState.POSTED}),
    Move.REPORT: frozenset({CaseState.RECOGNISED}),
}
CLOSED_STATES = frozenset({CaseState.REPORTED, CaseState.REJECTED})
OPEN_STATES = frozenset(CaseState) - CLOSED_STATES


def check_move(state: CaseState | str, move: Move, *, has_district_step: bool, requested: bool) -> None:
    """Refuse a move the workflow does not allow from `state`, with the reason.

    The district step exists only in campaigns that carry it (before 1 July 2025, A6); a case recognised
    in such a campaign must pass it. Only a household's own request can be refused (§3.3).
    """
    state = CaseState(state)
    if state not in MOVES[move]:
        allowed = ", ".join(
            MOVE_LABELS[m] for m in allowed_moves(state, has_district_step=has_district_step, requested=requested)
        )
        raise RuleInputError(
            "forbidden_move",
            f"Không thể {MOVE_LABELS[move]} khi hồ sơ {CASE_STATE_LABELS[state]}"
            + (f" (được phép: {allowed})." if allowed else " (hồ sơ đã đóng)."),
            "state",
        )
    if move is Move.CONSULT_DISTRICT and not has_district_step:
        raise RuleInputError(
            "no_district_step", "Kỳ rà soát này không có bước xin ý kiến cấp huyện (bỏ từ 01/07/2025).", "state"
        )
    if move is Move.RECOGNISE and has_district_step and state is CaseState.POSTED:
        raise RuleInputError(
            "district_step_pending", "Kỳ rà soát này phải xin ý kiến cấp huyện trước khi công nhận.", "state"
        )
    if move is Move.REJECT and not requested:
        raise RuleInputError(
            "not_a_request",
            "Chỉ trả lời không công nhận cho hộ tự đề nghị rà soát; hộ trong danh sách được công nhận theo kết quả.",
            "state",
        )


def allowed_moves(
    state: CaseState | str, *, has_district_step: bool, requested: bool, open_complaints: bool = True
) -> list[Move]:
    """The moves that may start from `state` (for buttons and hints); REJECT only for a household's request,
    RESOLVE_COMPLAINT only while a complaint is open."""
    moves = [
        m
        for m in Move
        if CaseState(state) in MOVES[m]
        and (requested or m is not Move.REJECT)
        and (open_complaints or m is not Move.RESOLVE_COMPLAINT)
    ]
    if not has_district_step:
        moves = [m for m in moves if m is not Move.CONSULT_DISTRICT]
    elif CaseState(state) is CaseState.POSTED:
        moves = [m for m in moves if m is not Move.RECOGNISE]
    return moves


def meeting_agreed(attendees: int, agreeing: int) -> bool:
    """Whether the village meeting agreed: at least 50% of the attendees (Part B §3.2 step 3)."""
    if attendees < 1:
        raise RuleInputError("no_attendees", "Số người dự họp phải ít nhất là 1.", "attendees")
    if agreeing < 0 or agreeing > attendees:
        raise RuleInputError(
            "bad_agreeing", f"Số người đồng ý phải từ 0 đến số người dự họp ({attendees}).", "agreeing"
        )
    return agreeing * 2 >= attendees


def resolve_state(state: CaseState | str, *, upheld: bool, open_complaints_left: int) -> CaseState:
    """Where a case goes when one complaint is resolved: an upheld complaint sends it back to survey; a
    dismissed one releases a case under recheck back to its posting once no other complaint is open, and
    leaves a case elsewhere where it is. Recognition itself refuses while any complaint is open."""
    if upheld:
        return CaseState.LISTED
    if CaseState(state) is CaseState.RECHECK and not open_complaints_left:
        return CaseState.POSTED
    return CaseState(state)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The last day of a posting of `days` working days (Monday-Friday) starting on `start`.

    A posting that starts on a weekend starts counting on the Monday. Public holidays are not known to the
    system: an officer who posts over a holiday sets the end date by hand.
    """
    if days < 1:
        raise RuleInputError("bad_days", "Số ngày niêm yết phải ít nhất là 1 ngày làm việc.", "posting_days")
    day = start
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    counted = 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


class Step(StrEnum):
    """The steps of a campaign's calendar a case waits for (Part B §3.2)."""

    SURVEY = "survey"
    MEETING = "meeting"
    POSTING = "posting"
    DISTRICT = "district"
    RECOGNITION = "recognition"
    REPORT = "report"


STEP_LABELS: dict[Step, str] = {
    Step.SURVEY: "khảo sát, phân loại",
    Step.MEETING: "họp thôn thống nhất kết quả",
    Step.POSTING: "niêm yết công khai",
    Step.DISTRICT: "xin ý kiến cấp huyện",
    Step.RECOGNITION: "công nhận (quyết định của Chủ tịch UBND xã)",
    Step.REPORT: "báo cáo kết quả lên tỉnh",
}

# The step a case in each state waits for; closed cases wait for nothing.
_AWAITED: dict[CaseState, Step] = {
    CaseState.LISTED: Step.SURVEY,
    CaseState.CLASSIFIED: Step.MEETING,
    CaseState.AGREED: Step.POSTING,
    CaseState.POSTED: Step.RECOGNITION,
    CaseState.RECHECK: Step.RECOGNITION,
    CaseState.DISTRICT_CONSULTED: Step.RECOGNITION,
    CaseState.RECOGNISED: Step.REPORT,
}


def awaited_step(state: CaseState | str, *, has_district_step: bool) -> Step | None:
    if CaseState(state) is CaseState.POSTED and has_district_step:
        return Step.DISTRICT
    return _AWAITED.get(CaseState(state))


def due_date(
    state: CaseState | str, steps: Mapping[str, datetime.date], *, has_district_step: bool
) -> tuple[Step, datetime.date] | tuple[None, None]:
    """The step a case waits for and its deadline in the campaign's calendar, or (None, None) when closed."""
    step = awaited_step(state, has_district_step=has_district_step)
    if step is None or step.value not in steps:
        return None, None
    return step, steps[step.value]


def periodic_calendar(year: int, *, has_district_step: bool = False) -> dict[str, datetime.date]:
    """Default deadlines of the periodic review of `year`, which runs 1 September - 14 December (A6, §3.1).

    The regulation fixes the window and the provincial reports (preliminary before 15 November, official
    before 20 December, §6.1); the step deadlines inside it are set by each province's plan, so these are
    defaults a program admin can change per campaign: the commune's results are posted before the
    provincial preliminary report, and recognised and reported by the end of the window.
    """
    steps = {
        Step.SURVEY.value: datetime.date(year, 10, 15),
        Step.MEETING.value: datetime.date(year, 10, 31),
        Step.POSTING.value: datetime.date(year, 11, 10),
        Step.RECOGNITION.value: datetime.date(year, 12, 14),
        Step.REPORT.value: datetime.date(year, 12, 14),
    }
    if has_district_step:
        steps[Step.DISTRICT.value] = datetime.date(year, 11, 25)
    return steps


def monthly_calendar(year: int, month: int, *, has_district_step: bool = False) -> dict[str, datetime.date]:
    """Deadlines of the monthly (regular) review of `month`: it starts on the 15th and the chair decides
    within 15 days (A6, §3.3); its result goes into the commune's report on the 5th of the next month (§6.1).

    The intermediate deadlines are defaults, set so that a case posted on its deadline (the 23rd) ends its
    3 working days by the 28th at the latest and can still be recognised by the 30th.
    """
    start = datetime.date(year, month, 15)
    steps = {
        Step.SURVEY.value: start + datetime.timedelta(days=3),
        Step.MEETING.value: start + datetime.timedelta(days=5),
        Step.POSTING.value: start + datetime.timedelta(days=8),
        Step.RECOGNITION.value: start + datetime.timedelta(days=15),
        Step.REPORT.value: add_months(datetime.date(year, month, 5), 1),
    }
    if has_district_step:
        steps[Step.DISTRICT.value] = start + datetime.timedelta(days=14)
    return steps


def next_monthly_cycle(day: datetime.date) -> tuple[int, int]:
    """The monthly review a request filed on `day` goes to: this month's when filed on or before the 15th
    (the cycle starts that day), else next month's."""
    cycle = day if day.day <= 15 else add_months(day.replace(day=1), 1)
    return cycle.year, cycle.month


DISTRICT_LEVEL_ABOLISHED = datetime.date(2025, 7, 1)  # two-tier local government (A6, A7)


def review_start(kind: str, year: int, month: int) -> datetime.date:
    """The day a review starts: 1 September for the periodic review, the 15th for a monthly one (A6)."""
    return datetime.date(year, 9, 1) if kind == "periodic" else datetime.date(year, month, 15)


def carries_district_step(kind: str, year: int, month: int, *, commune_in_district: bool) -> bool:
    """A review carries the district consultation only if it started before 1 July 2025 and the commune lies in
    a district (A6: "since 1 July 2025 there is no district step; older campaigns may carry one")."""
    return commune_in_district and review_start(kind, year, month) < DISTRICT_LEVEL_ABOLISHED


def standard_days(kind: str, year: int, month: int) -> tuple[datetime.date, ...]:
    """The days whose standard a review applies, in order of preference: the periodic review of Y decides the
    lists of Y+1, so the standard in force on 1 January Y+1 (Part B §8.5: the 2026 review applies VN-2027),
    else the one at its start; a monthly review the standard in force on its 15th."""
    if kind == "periodic":
        return (datetime.date(year + 1, 1, 1), datetime.date(year, 9, 1))
    return (datetime.date(year, month, 15),)


def in_periodic_window(day: datetime.date) -> bool:
    """1 September - 14 December (A6)."""
    return datetime.date(day.year, 9, 1) <= day <= datetime.date(day.year, 12, 14)


def review_cycle_for_request(filed_on: datetime.date) -> tuple[str, int, int]:
    """The review that handles a household's request filed on `filed_on`: (kind, year, month; 0 = periodic).

    During the periodic window the request joins the periodic review (A6: "plus those who filed a
    request"). Otherwise the next monthly review: the one starting on the 15th of this month when filed on
    or before the 15th, else next month's; a monthly cycle that would start inside the window is the
    periodic review.
    """
    if in_periodic_window(filed_on):
        return "periodic", filed_on.year, 0
    year, month = next_monthly_cycle(filed_on)
    if in_periodic_window(datetime.date(year, month, 15)):
        return "periodic", year, 0
    return "monthly", year, month


class Deadline(StrEnum):
    """The reporting calendar (Decision 24/2021 Art. 7, Part B §6.1)."""

    PRELIMINARY_REPORT = "preliminary_report"
    OFFICIAL_REPORT = "official_report"
    MONTHLY_REPORT = "monthly_report"


DEADLINE_LABELS: dict[Deadline, str] = {
    Deadline.PRELIMINARY_REPORT: "báo cáo sơ bộ kết quả rà soát định kỳ của tỉnh (trước 15/11)",
    Deadline.OFFICIAL_REPORT: "báo cáo chính thức kết quả rà soát định kỳ của tỉnh (trước 20/12)",
    Deadline.MONTHLY_REPORT: "báo cáo kết quả rà soát thường xuyên hằng tháng (ngày 5)",
}


def reporting_deadlines(year: int) -> list[tuple[Deadline, datetime.date]]:
    """The reporting deadlines of `year`: the province's preliminary (15 November) and official (20 December)
    periodic-review reports, and the communes' monthly-review report on the 5th, February to September (§6.1)."""
    deadlines = [(Deadline.MONTHLY_REPORT, datetime.date(year, month, 5)) for month in range(2, 10)]
    deadlines.append((Deadline.PRELIMINARY_REPORT, datetime.date(year, 11, 15)))
    deadlines.append((Deadline.OFFICIAL_REPORT, datetime.date(year, 12, 20)))
    return deadlines


def certificate_number(sequence: int, *, year: int, month: int) -> str:
    """The number of a poor or near-poor household certificate (…/GCN-HN.HCN, Part B §3.2 step 6),
    per commune and review: "0007/2026/GCN-HN.HCN", or "0007/T03.2026/GCN-HN.HCN" for March's monthly review."""
    cycle = f"{year}" if month == 0 else f"T{month:02d}.{year}"
    return f"{sequence:04d}/{cycle}/GCN-HN.HCN"
