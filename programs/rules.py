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
    """1500000 -> '1.500.000 đ' (Vietnamese thousands separator), for the classification's reasons.

    A pure rule cannot ask Django for the locale's separators, so this spells them out; everything else formats
    money with `config.formats.money`, which reads them from `config/formats/vi/formats.py` (a test checks that
    the two agree)."""
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
                f"Chỉ số “{INDICATOR_NAMES[code]}” ({code}) không thuộc chuẩn {standard.code}.",
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
# The household's own newly-escaped window (hộ mới thoát nghèo): 36 months after the decision that took it off
# both lists (shared/domain.md A5, Part B §4.1: Decision 28/2015/QĐ-TTg as the policy bank applies it). It is what
# the household's page, the API's `newly_escaped_until` and the "newly escaped" filters show. Each benefit has its
# own window (`support.models.InterventionType.newly_escaped_months`, domain A5 "a setting per benefit"), whose
# default is this one.
NEWLY_ESCAPED_MONTHS = 36


def status_on(history: Sequence[tuple[datetime.date, str]], day: datetime.date) -> str:
    """The household's status on `day`: that of the last change effective on or before it (not poor before any).

    `history`: (effective date, new status) in date order (domain A5: a status runs from its decision date)."""
    status = "not_poor"
    for effective, new_status in history:
        if effective > day:
            break
        status = new_status
    return status


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


def newly_escaped_until(
    left_lists_on: datetime.date | None, status: str, months: int = NEWLY_ESCAPED_MONTHS
) -> datetime.date | None:
    """End of the newly-escaped window (hộ mới thoát nghèo), or None.

    A household that left the poor and near-poor lists (to not poor) is newly escaped for `months`
    (`NEWLY_ESCAPED_MONTHS` unless a benefit says otherwise) after the decision date: Decision 28/2015/QĐ-TTg,
    domain A5, Part B §4.1, §5.6. A household back on a list is not newly escaped.
    """
    if left_lists_on is None or status in LISTED:
        return None
    return add_months(left_lists_on, months)


def newly_escaped_since(today: datetime.date) -> datetime.date:
    """Households off both lists that left them after this day are newly escaped on `today` (the household's own
    window, `NEWLY_ESCAPED_MONTHS`; domain A5). What the "newly escaped" filters of the admin and the API read."""
    return add_months(today, -NEWLY_ESCAPED_MONTHS)


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
