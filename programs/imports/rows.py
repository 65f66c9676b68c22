"""The rows of an uploaded workbook, read and looked up (the Excel round-trip): each sheet's cells parsed against
its columns, the households, members and surveys matched with the commune's registry, every problem kept in the
row-by-row report (`Errors`). Nothing is written here: `services.import_workbook` writes the plan."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from config import formats
from households import services as registry
from households.models import Area, Ethnicity, Household, User
from households.rules import Level, fold_text
from programs.imports.layout import (
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    MEMBER,
    MEMBER_COLUMNS,
    REF,
    SHEETS,
    SURVEY,
    CellError,
    Col,
    blank,
    error,
    parse,
    survey_columns,
    text,
)

MAX_ERRORS = 1_000  # kept on the batch; the rest are counted


class Errors:
    """The row-by-row report, each problem once, in sheet and row order."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, int | None, str, str], dict[str, Any]] = {}

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.items.setdefault((sheet, row, column, message), error(sheet, row, column, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def report(self) -> list[dict[str, Any]]:
        order = {name: index for index, name in enumerate(SHEETS)}
        rows = sorted(self.items.values(), key=lambda e: (order.get(e["sheet"], -1), e["row"] or 0))
        if len(rows) > MAX_ERRORS:
            more = len(rows) - MAX_ERRORS
            rows = rows[:MAX_ERRORS] + [error("", None, "", f"… và {formats.number(more)} lỗi khác.")]
        return rows


HOUSEHOLD_KEYS = tuple(c.key for c in HOUSEHOLD_COLUMNS if c.key in registry.HOUSEHOLD_FIELDS)
MEMBER_HEADERS = {c.key: c.header for c in MEMBER_COLUMNS}
SURVEY_COLUMNS = survey_columns()  # every indicator: the survey's standard says which ones it takes
SURVEY_HEADERS = {c.key: c.header for c in SURVEY_COLUMNS}
ANSWERS = "Thiếu hụt … (các cột chỉ số)"
SURVEY_FIELD_COLUMNS = {
    "survey_date": SURVEY_HEADERS["survey_date"],
    "standard": SURVEY_HEADERS["survey_date"],
    "review_year": SURVEY_HEADERS["review_year"],
    "review_kind": SURVEY_HEADERS["review_kind"],
    "review_month": SURVEY_HEADERS["review_month"],
    "income_per_capita": SURVEY_HEADERS["income_per_capita"],
    "point_a": SURVEY_HEADERS["point_a"],
    "dwelling": SURVEY_HEADERS["floor_area_m2"],
    "household": REF.header,
    "answers": ANSWERS,
    "confirmed": ANSWERS,
    "causes": SURVEY_HEADERS["causes"],
}
HOUSEHOLD_FIELD_COLUMNS = {"village": "Thôn/tổ dân phố", "commune": "Mã hộ", "version": "Phiên bản"}


@dataclass
class MemberRow:
    row: int
    member_id: int | None
    data: dict[str, Any]
    ok: bool


@dataclass
class HouseholdRow:
    row: int
    data: dict[str, Any]
    ok: bool
    number: int | None = None  # its "STT hộ"
    version: int | None = None
    code: str = ""
    existing: Household | None = None
    members: list[MemberRow] = field(default_factory=list)
    household: Household | None = None  # once written

    @property
    def failed(self) -> bool:
        return not self.ok or not all(m.ok for m in self.members)


@dataclass
class SurveyRow:
    row: int
    target: HouseholdRow | Household
    values: dict[str, Any]


@dataclass
class Plan:
    households: list[HouseholdRow]
    surveys: list[SurveyRow]


def _cells(
    sheet: str, number: int, record: dict[str, Any], columns: Sequence[Col], errors: Errors
) -> tuple[dict[str, Any], bool]:
    values: dict[str, Any] = {}
    ok = True
    for col in columns:
        if col.kind == "info" or (col.kind == "answer" and col.key not in record):
            continue
        try:
            values[col.key] = parse(col, record.get(col.key))
        except CellError as exc:
            errors.add(sheet, number, col.header, str(exc))
            ok = False
    return values, ok


class _Lookups:
    """What the rows name, fetched once per file: villages, ethnic groups, the commune's households."""

    def __init__(self, actor: User, commune: Area, sheets: dict[str, list[tuple[int, dict[str, Any]]]]):
        villages = Area.objects.filter(parent=commune, level=Level.VILLAGE)
        self.villages = {fold_text(v.name): v for v in villages} | {v.code.lower(): v for v in villages}
        ethnicities = list(Ethnicity.objects.all())
        self.ethnicities = {e.code: e for e in ethnicities} | {fold_text(e.name): e for e in ethnicities}
        # the households of the "Hộ" sheet, with their members (compared with the rows); those only surveyed, bare
        listed = {text(r.get("code")) for _, r in sheets[HOUSEHOLD] if not blank(r.get("code"))}
        surveyed = {text(r.get("ref")) for _, r in sheets[SURVEY] if not blank(r.get("ref"))} - listed
        in_commune = Household.objects.visible_to(actor).filter(commune=commune)
        found = list(in_commune.filter(code__in=listed).select_related("village").prefetch_related("members"))
        found += in_commune.filter(code__in=surveyed).only("id", "code", "commune_id")
        self.households = {h.code: h for h in found}

    def ethnicity(self, raw: Any) -> Ethnicity:
        value = text(raw)
        found = self.ethnicities.get(value.zfill(2) if value.isdigit() else fold_text(value))
        if found is None:
            raise CellError(f"Không có dân tộc mã/tên “{value}” trong danh mục 54 dân tộc (trang “Danh mục”).")
        return found


def read_plan(actor: User, commune: Area, sheets: dict[str, list[tuple[int, dict[str, Any]]]], errors: Errors) -> Plan:
    look = _Lookups(actor, commune, sheets)
    by_number: dict[int, HouseholdRow] = {}
    by_code: dict[str, HouseholdRow] = {}
    households = []
    for number, record in sheets[HOUSEHOLD]:
        values, ok = _cells(HOUSEHOLD, number, record, HOUSEHOLD_COLUMNS, errors)
        data = {key: values[key] for key in HOUSEHOLD_KEYS if key in values}
        village = values.get("village")
        data["village"] = None
        if village:
            data["village"] = look.villages.get(fold_text(village)) or look.villages.get(village.lower())
            if data["village"] is None:
                errors.add(
                    HOUSEHOLD, number, "Thôn/tổ dân phố", f"{commune.name} không có thôn/tổ dân phố “{village}”."
                )
                ok = False
        if not data.get("area_type"):
            data.pop("area_type", None)
        code = values.get("code")
        entry = HouseholdRow(
            row=number, data=data, ok=ok, number=values.get("number"), version=values.get("version"), code=code or ""
        )
        if code:
            entry.existing = look.households.get(code)
            if entry.existing is None:
                message = f"{commune.name} không có hộ mã {code}; để trống mã hộ nếu là hộ mới."
                errors.add(HOUSEHOLD, number, "Mã hộ", message)
                entry.ok = False
            elif code in by_code:
                errors.add(HOUSEHOLD, number, "Mã hộ", f"Hộ {code} đã có ở dòng {by_code[code].row}.")
                entry.ok = False
            elif entry.version is None:
                errors.add(HOUSEHOLD, number, "Phiên bản", "Hộ đã có phải giữ “Phiên bản” như khi tải mẫu.")
                entry.ok = False
            by_code.setdefault(code, entry)
        stt = values.get("number")
        if stt is not None:
            if stt in by_number:
                errors.add(HOUSEHOLD, number, "STT hộ", f"STT {stt} đã dùng ở dòng {by_number[stt].row}.")
                entry.ok = False
            by_number.setdefault(stt, entry)
        households.append(entry)

    def target(sheet: str, number: int, raw: Any) -> HouseholdRow | Household | None:
        ref = text(raw)
        found: HouseholdRow | Household | None = None
        if ref.isascii() and ref.isdigit():  # a household code has a dash: digits are the STT of the "Hộ" sheet
            found = by_number.get(int(ref))
        else:
            found = by_code.get(ref) or (look.households.get(ref) if sheet == SURVEY else None)
        if found is None:
            where = "ở trang “Hộ”" if sheet == MEMBER else f"ở trang “Hộ” hay trong {commune.name}"
            errors.add(sheet, number, REF.header, f"Không có hộ “{ref}” {where}.")
        return found

    seen_members: dict[int, int] = {}
    for number, record in sheets[MEMBER]:
        values, ok = _cells(MEMBER, number, record, MEMBER_COLUMNS, errors)
        owner = target(MEMBER, number, record.get("ref")) if not blank(record.get("ref")) else None
        if not blank(record.get("ethnicity")):
            try:
                values["ethnicity"] = look.ethnicity(record["ethnicity"])
            except CellError as exc:
                errors.add(MEMBER, number, MEMBER_HEADERS["ethnicity"], str(exc))
                ok = False
        member_id = values.get("member_id")
        if member_id is not None and isinstance(owner, HouseholdRow):
            known = owner.existing is not None and any(m.pk == member_id for m in owner.existing.members.all())
            if not known or member_id in seen_members:
                message = (
                    f"Hộ này không có thành viên mã {member_id}; để trống nếu là thành viên mới."
                    if not known
                    else f"Thành viên mã {member_id} đã có ở dòng {seen_members[member_id]}."
                )
                errors.add(MEMBER, number, MEMBER_HEADERS["member_id"], message)
                ok = False
            seen_members.setdefault(member_id, number)
        data = {key: values[key] for key in registry.MEMBER_FIELDS if key in values}
        data["national_id"] = data.get("national_id") or None
        data["schooling"] = data.get("schooling") or "none"
        data["education_level"] = data.get("education_level") or "none"
        row = MemberRow(row=number, member_id=member_id, data=data, ok=ok)
        if isinstance(owner, HouseholdRow):
            owner.members.append(row)

    surveys = []
    for number, record in sheets[SURVEY]:
        values, ok = _cells(SURVEY, number, record, SURVEY_COLUMNS, errors)
        owner = target(SURVEY, number, record.get("ref")) if not blank(record.get("ref")) else None
        if ok and owner is not None:
            surveys.append(SurveyRow(row=number, target=owner, values=values))
    if not households and not surveys and not errors:
        errors.add("", None, "", "Tệp không có dòng nào để nhập.")
    return Plan(households=households, surveys=surveys)
