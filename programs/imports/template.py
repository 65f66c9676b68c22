"""The Excel import's template as written for download (programs.imports.template): instructions, the commune's
households and members, one survey row per household, and the lists the cells pick from, in the layout of
programs.imports.layout. Written with openpyxl's write-only mode.
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from households.models import (
    Area,
    AreaType,
    EducationLevel,
    Ethnicity,
    Household,
    Relation,
    Schooling,
    Sex,
    WorkStatus,
)
from programs.imports.layout import (
    HOUSEHOLD,
    HOUSEHOLD_COLUMNS,
    INSTRUCTIONS,
    LISTS,
    MEMBER,
    MEMBER_COLUMNS,
    NO,
    SURVEY,
    YES,
    Col,
    choice_labels,
    survey_columns,
)
from programs.models import ReviewKind
from programs.rules import POVERTY_CAUSES

VALIDATED_ROWS = 20_001  # data validation down to this row

_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_INFO_FILL = PatternFill("solid", fgColor="EDEDED")


def _safe(value: Any) -> Any:
    """Text as text: never a formula (a name starting with "="), no characters Excel refuses."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell(ws, value: Any, *, as_text: bool = False):
    cell = WriteOnlyCell(ws, value=_safe(value))
    if isinstance(value, str):
        cell.data_type = "s"
    if as_text:
        cell.number_format = "@"
    return cell


def _day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _label(labels: dict[str, str], value: str) -> str:
    return labels.get(value, "") if value else ""


class _Lists:
    """The "Danh mục" sheet: one list per column, referenced by the cells' data validation."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, list[str]]] = []

    def add(self, title: str, values: Iterable[str]) -> str:
        values = list(values) or [""]
        self.columns.append((title, values))
        letter = get_column_letter(len(self.columns))
        return f"'{LISTS}'!${letter}$2:${letter}${len(values) + 1}"


def _sheet(book, title: str, columns: Sequence[Col], rows: Iterable[Sequence[Any]], validations: dict[str, str]):
    ws = book.create_sheet(title)
    ws.freeze_panes = "A2"
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = col.width
        if col.kind in ("text", "id", "date", "ref", "village", "ethnicity"):
            ws.column_dimensions[letter].number_format = "@"  # what is typed stays text (dates, IDs, codes)
        formula = validations.get(col.kind)
        if col.kind == "choice" and col.choices is not None:
            formula = validations.get(col.choices.__name__)
        if formula:
            check = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            check.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
            ws.data_validations.append(check)
    header = []
    for col in columns:
        cell = _cell(ws, col.header)
        cell.font = _HEAD_FONT
        cell.fill = _INFO_FILL if col.kind == "info" else _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    # a cell of its own (slow in openpyxl) only where it matters: a national ID typed over must stay text (its
    # leading zeros), and a text starting with "=" must not become a formula
    as_text = [col.kind == "id" for col in columns]
    for row in rows:
        ws.append(
            [
                _cell(ws, v, as_text=t) if isinstance(v, str) and (t or v.startswith("=")) else _safe(v)
                for v, t in zip(row, as_text, strict=False)
            ]
        )
    return ws


LIST_TITLES = {
    AreaType: "Khu vực",
    Sex: "Giới tính",
    Relation: "Quan hệ với chủ hộ",
    Schooling: "Đang đi học",
    EducationLevel: "Trình độ học vấn",
    WorkStatus: "Việc làm",
    ReviewKind: "Loại rà soát",
}


def render_template(
    commune: Area, households: Sequence[Household], villages: Sequence[str], indicators: Sequence[str], about: str
) -> bytes:
    """The workbook of the commune: instructions, households, members, one blank survey per household, lists."""
    book = Workbook(write_only=True)
    lists = _Lists()
    groups = list(Ethnicity.objects.order_by("code").values_list("code", "name"))
    validations = {
        "flag": lists.add("Có/Không", [YES, NO]),
        "village": lists.add("Thôn/tổ dân phố", villages),
        "ethnicity": lists.add("Mã dân tộc", [code for code, _ in groups]),
        "answer": '"1,0"',
    }
    lists.add("Dân tộc", [name for _, name in groups])  # beside the codes, to look them up
    validations["tri"] = validations["flag"]
    # one cause picked from the list, or several typed with ";" (the list does not refuse what is typed)
    validations["causes"] = lists.add("Nguyên nhân nghèo", POVERTY_CAUSES.values())
    lists.add("Mã nguyên nhân nghèo", POVERTY_CAUSES)  # beside the names: the codes may be written instead
    labels = {}
    for choices, title in LIST_TITLES.items():
        pairs = choice_labels(choices)
        labels[choices.__name__] = dict(pairs)
        validations[choices.__name__] = lists.add(title, [label for _, label in pairs])
    survey = survey_columns(indicators)
    _instructions(book, commune, survey, about)

    def flag(value: bool) -> str:
        return YES if value else NO

    head_names = {h.pk: (h.head.full_name if h.head else "") for h in households}
    _sheet(
        book,
        HOUSEHOLD,
        HOUSEHOLD_COLUMNS,
        (
            (
                number,
                h.code,
                h.version,
                head_names[h.pk],
                h.village.name if h.village else "",
                h.address,
                _label(labels["AreaType"], h.area_type),
                flag(h.is_ethnic_minority),
                flag(h.has_revolutionary_contributor),
                flag(h.has_social_protection_member),
                flag(h.no_labour_capacity),
                flag(h.is_female_headed),
            )
            for number, h in enumerate(households, start=1)
        ),
        validations,
    )
    _sheet(
        book,
        MEMBER,
        MEMBER_COLUMNS,
        (
            (
                h.code,
                m.pk,
                m.full_name,
                _day(m.date_of_birth),
                _label(labels["Sex"], m.sex),
                _label(labels["Relation"], m.relation),
                m.ethnicity_id,
                m.national_id or "",
                m.health_insurance_number,
                _day(m.health_insurance_valid_until),
                flag(m.has_disability),
                flag(m.receives_disability_allowance),
                _label(labels["Schooling"], m.schooling),
                _label(labels["EducationLevel"], m.education_level),
                _label(labels["WorkStatus"], m.work_status),
                m.occupation,
            )
            for h in households
            for m in sorted(h.members.all(), key=lambda m: m.pk)
        ),
        validations,
    )
    _sheet(book, SURVEY, survey, ((h.code, head_names[h.pk]) for h in households), validations)
    ws = book.create_sheet(LISTS)
    ws.append([_cell(ws, title) for title, _ in lists.columns])
    longest = max(len(values) for _, values in lists.columns)
    for index in range(longest):
        ws.append(
            [_cell(ws, values[index], as_text=True) if index < len(values) else None for _, values in lists.columns]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instructions(book, commune: Area, survey: Sequence[Col], about: str) -> None:
    ws = book.create_sheet(INSTRUCTIONS)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 42
    ws.column_dimensions["C"].width = 80
    title = WriteOnlyCell(ws, value=f"Mẫu nhập hộ và phiếu khảo sát — {commune.name} (mã {commune.code})")
    title.font = Font(bold=True, size=13)
    ws.append([title])
    ws.append([f"Tải lúc {timezone.localtime():%H:%M %d/%m/%Y}. Tệp có thông tin cá nhân: giữ kín, không chia sẻ."])
    ws.append([about])
    for line in GUIDE:
        ws.append([line])
    heading = [WriteOnlyCell(ws, value=v) for v in ("Trang", "Cột", "Cách nhập")]
    for cell in heading:
        cell.font = _HEAD_FONT
    ws.append(heading)
    for sheet, columns in ((HOUSEHOLD, HOUSEHOLD_COLUMNS), (MEMBER, MEMBER_COLUMNS), (SURVEY, survey)):
        answers_done = False
        for col in columns:
            if col.kind == "answer":
                if not answers_done:
                    ws.append([sheet, "Thiếu hụt … (mỗi chỉ số của chuẩn nghèo một cột)", col.note])
                answers_done = True
                continue
            ws.append([sheet, col.header, " ".join(filter(None, ("Bắt buộc." if col.required else "", col.note)))])


GUIDE = (
    "",
    "Cách dùng:",
    "1. Trang “Hộ”: mỗi dòng một hộ. Hộ đã có giữ nguyên “Mã hộ” và “Phiên bản”; hộ mới để trống mã hộ và "
    "ghi một “STT hộ” chưa dùng.",
    "2. Trang “Thành viên”: mỗi dòng một người; cột “Hộ (STT hoặc mã hộ)” chỉ dòng của hộ ở trang “Hộ”. "
    "Mỗi hộ có đúng một chủ hộ. Thành viên đã có giữ nguyên “Mã thành viên”; bớt thành viên thì làm trong hệ thống.",
    "3. Trang “Phiếu khảo sát”: mỗi dòng một phiếu; để trống nếu hộ chưa khảo sát. Câu trả lời chỉ số: "
    "1 = thiếu hụt, 0 = không thiếu hụt, để trống = hệ thống tự tính từ thông tin thành viên, nhà ở. "
    "“Nguyên nhân nghèo”: một hoặc nhiều nguyên nhân ở trang “Danh mục” (tên hoặc mã), cách nhau bởi dấu “;”.",
    "4. Ngày nhập theo dạng dd/mm/yyyy. Số CCCD nhập dạng chữ (12 chữ số). Không đổi tên trang, tên cột.",
    "5. Khi tải lên, hệ thống kiểm tra mọi dòng trước. Có lỗi thì không ghi gì và báo từng lỗi (trang, dòng, cột, "
    "lỗi gì); không có lỗi thì ghi tất cả cùng lúc. Tải lên lại cùng một tệp đã ghi sẽ không ghi gì thêm.",
    "",
)
