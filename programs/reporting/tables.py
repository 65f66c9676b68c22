"""The tables of the official reports (domain Part B §6.2, §4.3) and the write-only Excel sheet
they are written on; `reports.render` runs them for a job.

Every number here comes from the pre-aggregated `CommuneYearFigures` of the area's communes (the figures of the
API and the dashboard, as of 31/12 of the year): the communes' rows as they are, the area's total as their sum,
rates with two decimals rounded half up (`accounting.rate`). Pure reads, no writes.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from households.models import Area, Ethnicity, subtree
from households.rules import Level
from programs.models import CommuneYearFigures, ReportKind
from programs.reporting import rules as accounting
from programs.reporting import selectors as figures
from programs.review.documents import NATIONAL_HEADING, dated, issuer_of, unit_name
from programs.rules import INDICATOR_NAMES, POVERTY_CAUSES
from programs.standards import selectors

K = ReportKind
SHEETS: dict[str, str] = {
    K.SUMMARY: "Tổng hợp",
    K.MOVEMENT: "Diễn biến",
    K.DEPRIVATION: "Thiếu hụt",
    K.TARGET_GROUP: "Nhóm đối tượng",
    K.ETHNICITY: "Dân tộc",
    K.CAUSE: "Nguyên nhân nghèo",
    K.CHILDREN: "Trẻ em",
    K.DETAILED_LIST: "Danh sách chi tiết",
    K.ALL: "Tất cả các biểu",
}


def figure_rows(area: Area, year: int) -> "QuerySet[CommuneYearFigures]":
    rows = CommuneYearFigures.objects.filter(year=year)
    return rows.filter(commune=area) if area.level == Level.COMMUNE else rows.filter(subtree(area, "commune__path"))


# --- the figures of the area ---------------------------------------------------------------------------------


@dataclass
class Context:
    area: Area
    year: int
    made: datetime.date
    units: list[tuple[Area, Counter[str]]]  # the communes of the area (or the commune itself) with their figures
    total: Counter[str]
    computed_at: datetime.datetime | None
    indicators: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, area: Area, year: int) -> "Context":
        communes = (
            [area]
            if area.level == Level.COMMUNE
            else list(Area.objects.within(area).filter(level=Level.COMMUNE).order_by("path", "id"))
        )
        counts = dict(figure_rows(area, year).values_list("commune_id", "counts"))
        units = [(commune, Counter(counts.get(commune.pk, {}))) for commune in communes]
        total = accounting.add_up(c for _, c in units)
        standard = selectors.standard_on(accounting.reference_date(year))
        codes = list(standard.indicators) if standard else []
        seen = {key.split(".")[-1] for key in total if key.startswith(("dep.", "child_dep."))}
        codes += sorted(seen - set(codes))
        return cls(area, year, timezone.localdate(), units, total, figures.computed_at(area, year), codes)


@dataclass(frozen=True)
class Col:
    label: str
    width: int = 12
    kind: str = "int"  # text | int | rate | date


@dataclass
class Table:
    title: str
    columns: Sequence[Col]
    rows: list[tuple[Any, ...]]
    total: tuple[Any, ...] | None = None
    groups: Sequence[tuple[str, int]] = ()  # a header row above the columns: (label, number of columns)
    notes: Sequence[str] = ()


rate = accounting.rate


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


Row = tuple[Any, ...]
UNIT = (Col("STT", 6), Col("Mã", 9, "text"), Col("Đơn vị", 26, "text"))


def _unit_rows(ctx: Context, values: Callable[[Counter[str]], Row]) -> tuple[list[Row], Row]:
    rows = [(i, unit.code, unit_name(unit), *values(counts)) for i, (unit, counts) in enumerate(ctx.units, start=1)]
    return rows, (None, None, "Tổng cộng", *values(ctx.total))


def summary(ctx: Context) -> list[Table]:
    def values(c: Counter[str]) -> tuple[Any, ...]:
        h, p, n = c["households"], c["poor"], c["near_poor"]
        mh, mp, mn = (c[f"group.minority.{k}"] for k in ("households", "poor", "near_poor"))
        return (h, p, rate(p, h), n, rate(n, h), rate(p + n, h), mh, mp, rate(mp, mh), mn, rate(mn, mh))

    columns = (
        *UNIT,
        Col("Tổng số hộ"),
        Col("Số hộ nghèo"),
        Col("Tỷ lệ hộ nghèo (%)", kind="rate"),
        Col("Số hộ cận nghèo"),
        Col("Tỷ lệ hộ cận nghèo (%)", kind="rate"),
        Col("Tỷ lệ nghèo đa chiều (%)", kind="rate"),
        Col("Số hộ dân tộc thiểu số"),
        Col("Số hộ nghèo DTTS"),
        Col("Tỷ lệ hộ nghèo DTTS (%)", kind="rate"),
        Col("Số hộ cận nghèo DTTS"),
        Col("Tỷ lệ hộ cận nghèo DTTS (%)", kind="rate"),
    )
    rows, total = _unit_rows(ctx, values)
    notes = ("Tỷ lệ nghèo đa chiều = (số hộ nghèo + số hộ cận nghèo) / tổng số hộ; tỷ lệ DTTS tính trên số hộ DTTS.",)
    return [Table("", columns, rows, total, notes=notes)]


MOVE_LABELS = {
    "poor": {
        "to_near_poor": "Thành hộ cận nghèo",
        "escaped": "Thoát nghèo, vượt chuẩn cận nghèo",
        "from_near_poor": "Từ hộ cận nghèo",
        "relapsed": "Tái nghèo",
    },
    "near_poor": {
        "to_poor": "Thành hộ nghèo",
        "escaped": "Thoát cận nghèo",
        "from_poor": "Từ hộ nghèo",
        "relapsed": "Tái cận nghèo",
    },
}
STATUS_NAMES = {"poor": "hộ nghèo", "near_poor": "hộ cận nghèo"}


def balance_check(move: accounting.Movement) -> str:
    gap = move.start - sum(move.decreases.values()) + sum(move.increases.values()) - move.end
    return "Khớp" if gap == 0 else f"Lệch {gap:+d}"


def movement(ctx: Context) -> list[Table]:
    tables = []
    for number, status in (("I", "poor"), ("II", "near_poor")):
        labels = accounting.MOVEMENT_LABELS | MOVE_LABELS[status]
        decreases, increases = accounting.DECREASES[status], accounting.INCREASES[status]

        def values(c: Counter[str], status: str = status) -> tuple[Any, ...]:
            m = accounting.movement(c, status)
            return (
                m.start,
                *m.decreases.values(),
                sum(m.decreases.values()),
                *m.increases.values(),
                sum(m.increases.values()),
                m.end,
                balance_check(m),
            )

        columns = (
            *UNIT,
            Col(f"Số hộ đầu năm (31/12/{ctx.year - 1})"),
            *(Col(labels[k]) for k in decreases),
            Col("Cộng giảm"),
            *(Col(labels[k]) for k in increases),
            Col("Cộng tăng"),
            Col(f"Số hộ cuối năm (31/12/{ctx.year})"),
            Col("Kiểm tra: đầu năm − giảm + tăng = cuối năm", 16, "text"),
        )
        groups = (("", 4), ("Giảm trong năm", len(decreases) + 1), ("Tăng trong năm", len(increases) + 1), ("", 2))
        rows, total = _unit_rows(ctx, values)
        tables.append(Table(f"{number}. Diễn biến {STATUS_NAMES[status]}", columns, rows, total, groups))
    return tables


def indicator_name(code: str) -> str:
    return cap(INDICATOR_NAMES.get(code, code))


def deprivation(ctx: Context) -> list[Table]:
    t = ctx.total
    poor, near = t["poor"], t["near_poor"]
    rows = []
    for i, code in enumerate(ctx.indicators, start=1):
        p, n = t[f"dep.poor.{code}"], t[f"dep.near_poor.{code}"]
        rows.append((i, indicator_name(code), p, rate(p, poor), n, rate(n, near), p + n, rate(p + n, poor + near)))
    columns = (
        Col("STT", 6),
        Col("Chỉ số thiếu hụt", 36, "text"),
        Col("Số hộ nghèo thiếu hụt"),
        Col("Tỷ lệ trong tổng số hộ nghèo (%)", kind="rate"),
        Col("Số hộ cận nghèo thiếu hụt"),
        Col("Tỷ lệ trong tổng số hộ cận nghèo (%)", kind="rate"),
        Col("Cộng hộ nghèo và cận nghèo thiếu hụt"),
        Col("Tỷ lệ (%)", kind="rate"),
    )
    notes = (
        f"Tổng số hộ nghèo: {poor}; tổng số hộ cận nghèo: {near}.",
        f"Thiếu hụt theo phiếu khảo sát gần nhất của hộ đến ngày 31/12/{ctx.year}; "
        "một hộ có thể thiếu hụt nhiều chỉ số.",
    )
    return [Table("", columns, rows, notes=notes)]


def target_group(ctx: Context) -> list[Table]:
    t = ctx.total
    rows = []
    for i, group in enumerate(accounting.GROUPS, start=1):
        h, p, n = (t[f"group.{group}.{k}"] for k in ("households", "poor", "near_poor"))
        label = accounting.GROUP_LABELS[group]
        rows.append((i, label, h, p, rate(p, h), rate(p, t["poor"]), n, rate(n, h), rate(n, t["near_poor"])))
    columns = (
        Col("STT", 6),
        Col("Nhóm đối tượng", 36, "text"),
        Col("Số hộ"),
        Col("Số hộ nghèo"),
        Col("Tỷ lệ hộ nghèo trong nhóm (%)", kind="rate"),
        Col("Tỷ trọng trong tổng số hộ nghèo (%)", kind="rate"),
        Col("Số hộ cận nghèo"),
        Col("Tỷ lệ hộ cận nghèo trong nhóm (%)", kind="rate"),
        Col("Tỷ trọng trong tổng số hộ cận nghèo (%)", kind="rate"),
    )
    overall: tuple[Any, ...] = ("A", "Toàn địa bàn", t["households"], t["poor"], rate(t["poor"], t["households"]))
    overall += (None, t["near_poor"], rate(t["near_poor"], t["households"]), None)
    notes = ("Một hộ có thể thuộc nhiều nhóm đối tượng.",)
    first = Table("A. Toàn địa bàn", columns, [overall, *rows], notes=notes)

    def values(c: Counter[str]) -> tuple[Any, ...]:
        return tuple(c[f"group.{g}.{s}"] for s in ("poor", "near_poor") for g in accounting.GROUPS)

    per_unit = (*UNIT, *(Col(accounting.GROUP_LABELS[g]) for s in ("poor", "near_poor") for g in accounting.GROUPS))
    size = len(accounting.GROUPS)
    groups = (("", 3), ("Hộ nghèo thuộc nhóm", size), ("Hộ cận nghèo thuộc nhóm", size))
    unit_rows, total = _unit_rows(ctx, values)
    return [first, Table("B. Theo đơn vị", per_unit, unit_rows, total, groups)]


def ethnicity(ctx: Context) -> list[Table]:
    t = ctx.total
    names = dict(Ethnicity.objects.values_list("code", "name"))
    codes = sorted({k.split(".")[1] for k in t if k.startswith("eth.")}, key=lambda c: (-t[f"eth.{c}.households"], c))

    def values(h: int, p: int, n: int) -> tuple[Any, ...]:
        return (h, p, rate(p, h), rate(p, t["poor"]), n, rate(n, h), rate(n, t["near_poor"]))

    rows = []
    for i, code in enumerate(codes, start=1):
        h, p, n = (t[f"eth.{code}.{k}"] for k in ("households", "poor", "near_poor"))
        rows.append((i, code, names.get(code, code), *values(h, p, n)))
    sums = [sum(t[f"eth.{c}.{k}"] for c in codes) for k in ("households", "poor", "near_poor")]
    columns = (
        Col("STT", 6),
        Col("Mã", 6, "text"),
        Col("Dân tộc của chủ hộ", 20, "text"),
        Col("Số hộ"),
        Col("Số hộ nghèo"),
        Col("Tỷ lệ hộ nghèo (%)", kind="rate"),
        Col("Tỷ trọng trong tổng số hộ nghèo (%)", kind="rate"),
        Col("Số hộ cận nghèo"),
        Col("Tỷ lệ hộ cận nghèo (%)", kind="rate"),
        Col("Tỷ trọng trong tổng số hộ cận nghèo (%)", kind="rate"),
    )
    notes = []
    if sums[0] != t["households"]:
        notes.append(f"{t['households'] - sums[0]} hộ chưa ghi chủ hộ nên không có dân tộc của chủ hộ.")
    return [Table("", columns, rows, (None, None, "Tổng cộng", *values(*sums)), notes=notes)]


def cause(ctx: Context) -> list[Table]:
    """The poor and near-poor households by the causes of poverty ticked on their latest survey by 31/12 (Part B
    §4.2): the area's count and share per cause, then each list per unit. A household may tick several causes."""
    t = ctx.total
    poor, near = t["poor"], t["near_poor"]
    none = accounting.NO_CAUSE
    codes = [*POVERTY_CAUSES, none]
    labels = {**{code: cap(name) for code, name in POVERTY_CAUSES.items()}, none: "Chưa ghi nguyên nhân"}
    rows = []
    for i, code in enumerate(codes, start=1):
        p, n = t[f"cause.poor.{code}"], t[f"cause.near_poor.{code}"]
        rows.append((i, labels[code], p, rate(p, poor), n, rate(n, near)))
    columns = (
        Col("STT", 6),
        Col("Nguyên nhân nghèo", 36, "text"),
        Col("Số hộ nghèo"),
        Col("Tỷ lệ trong tổng số hộ nghèo (%)", kind="rate"),
        Col("Số hộ cận nghèo"),
        Col("Tỷ lệ trong tổng số hộ cận nghèo (%)", kind="rate"),
    )
    notes = [
        f"Tổng số hộ nghèo: {poor}; tổng số hộ cận nghèo: {near}.",
        f"Nguyên nhân theo phiếu khảo sát gần nhất của hộ đến ngày 31/12/{ctx.year}. Một hộ có thể có nhiều "
        "nguyên nhân nghèo nên cộng các cột nguyên nhân lớn hơn số hộ.",
    ]
    # figures computed before causes were recorded hold no cause key: their communes are named, not shown as zeros
    stale = [unit for unit, c in ctx.units if c["poor"] + c["near_poor"] and not any(k.startswith("cause.") for k in c)]
    if stale:
        names = ", ".join(unit_name(unit) for unit in stale[:5]) + (", …" if len(stale) > 5 else "")
        notes.append(
            f"Lưu ý: số liệu của {len(stale)} đơn vị ({names}) được tính trước khi ghi nguyên nhân nghèo; "
            "cần tính lại số liệu để có nguyên nhân của các hộ đó."
        )
    first = Table("A. Toàn địa bàn", columns, rows, notes=notes)
    tables = [first]
    for number, status in (("B", "poor"), ("C", "near_poor")):
        name = STATUS_NAMES[status]

        def values(c: Counter[str], status: str = status) -> tuple[Any, ...]:
            return (c[status], *(c[f"cause.{status}.{code}"] for code in codes))

        per_unit = (*UNIT, Col(f"Số {name}"), *(Col(labels[code]) for code in codes))
        groups = (("", 4), (f"Trong đó: số {name} có nguyên nhân", len(POVERTY_CAUSES)), ("", 1))
        unit_rows, total = _unit_rows(ctx, values)
        notes = (f"Một {name} có thể có nhiều nguyên nhân nên cộng các cột nguyên nhân lớn hơn số {name}.",)
        tables.append(Table(f"{number}. {cap(name)} theo đơn vị", per_unit, unit_rows, total, groups, notes))
    return tables


def children(ctx: Context) -> list[Table]:
    t = ctx.total
    poor, near = t["children.poor"], t["children.near_poor"]
    first = Table(
        "A. Trẻ em dưới 16 tuổi",
        (Col("STT", 6), Col("Thuộc", 36, "text"), Col("Số trẻ em dưới 16 tuổi")),
        [(1, "Hộ nghèo", poor), (2, "Hộ cận nghèo", near)],
        (None, "Cộng", poor + near),
    )
    rows = []
    for i, code in enumerate(ctx.indicators, start=1):
        n = t[f"child_dep.{code}"]
        rows.append((i, indicator_name(code), n, rate(n, poor + near)))
    second = Table(
        "B. Trẻ em dưới 16 tuổi trong hộ nghèo, hộ cận nghèo thiếu hụt từng chỉ số",
        (Col("STT", 6), Col("Chỉ số thiếu hụt của hộ", 36, "text"), Col("Số trẻ em"), Col("Tỷ lệ (%)", kind="rate")),
        rows,
        notes=(
            f"Tuổi tính đến ngày 31/12/{ctx.year}; tỷ lệ trên tổng số trẻ em dưới 16 tuổi của hộ nghèo, cận nghèo.",
        ),
    )
    return [first, second]


BUILDERS: dict[str, Callable[[Context], list[Table]]] = {
    K.SUMMARY: summary,
    K.MOVEMENT: movement,
    K.DEPRIVATION: deprivation,
    K.TARGET_GROUP: target_group,
    K.ETHNICITY: ethnicity,
    K.CAUSE: cause,
    K.CHILDREN: children,
}


# --- the workbook ----------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = {"wrap_text": True, "vertical": "center"}
STYLES = {
    "bc_title": {"font": Font(bold=True, size=14), "alignment": Alignment(horizontal="center", **WRAP)},
    "bc_heading": {"font": Font(bold=True), "alignment": Alignment(horizontal="center", **WRAP)},
    "bc_line": {"alignment": Alignment(horizontal="center", **WRAP)},
    "bc_section": {"font": Font(bold=True), "alignment": Alignment(horizontal="left", vertical="center")},
    "bc_note": {"font": Font(italic=True), "alignment": Alignment(horizontal="left", vertical="center")},
    "bc_header": {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="D9D9D9"),
        "border": BOX,
        "alignment": Alignment(horizontal="center", **WRAP),
    },
    "bc_list_date": {"number_format": "dd/mm/yyyy", "alignment": Alignment(horizontal="center")},
}
FORMATS = {"text": "General", "int": "#,##0", "rate": "0.00", "date": "dd/mm/yyyy"}
for _kind, _format in FORMATS.items():
    for _suffix, _font in (("", Font()), ("_b", Font(bold=True))):
        STYLES[f"bc_{_kind}{_suffix}"] = {
            "font": _font,
            "border": BOX,
            "number_format": _format,
            "alignment": Alignment(horizontal="left" if _kind == "text" else "center", **WRAP),
        }


def _text(value: Any) -> Any:
    """Control characters cannot be stored in a sheet: dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class Sheet:
    """A write-only sheet filled from the top down; column widths go first (written before the rows)."""

    def __init__(self, book: Workbook, name: str, widths: Sequence[int]):
        self.ws = book.create_sheet(name)
        self.width = len(widths)
        self.row = 0
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.ws.page_setup.orientation = "landscape" if sum(widths) > 120 else "portrait"
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True

    def cell(self, value: Any, style: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=_text(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text stays text: a name starting with "=" is never a formula
        if style:
            cell.style = style
        return cell

    def text(self, value: str | None) -> Any:
        """A text value for a plain (unstyled) row: as is (None when empty), or a cell forced to text when it looks
        like a formula."""
        value = _text(value or "")
        return self.cell(value) if value.startswith("=") else value or None

    def append(self, values: list[Any]) -> None:
        self.ws.append(values)
        self.row += 1

    def blank(self) -> None:
        self.append([])

    def line(self, text: str, style: str = "bc_line", *, merge: bool = True, height: int | None = None) -> None:
        if merge and self.width > 1:
            self.ws.merged_cells.add(f"A{self.row + 1}:{get_column_letter(self.width)}{self.row + 1}")
        if height:
            self.ws.row_dimensions[self.row + 1].height = height
        self.append([self.cell(text, style)])

    def header(self, columns: Sequence[Col], groups: Sequence[tuple[str, int]] = ()) -> None:
        if groups:
            first = self.row + 1
            cells, column = [], 1
            for label, span in groups:
                cells += [self.cell(label, "bc_header")] + [self.cell(None, "bc_header")] * (span - 1)
                if span > 1:
                    last = get_column_letter(column + span - 1)
                    self.ws.merged_cells.add(f"{get_column_letter(column)}{first}:{last}{first}")
                column += span
            self.append(cells)
        self.ws.row_dimensions[self.row + 1].height = 60
        self.append([self.cell(column.label, "bc_header") for column in columns])

    def values(self, columns: Sequence[Col], values: Sequence[Any], *, bold: bool = False) -> None:
        suffix = "_b" if bold else ""
        self.append([self.cell(v, f"bc_{c.kind}{suffix}") for c, v in zip(columns, values, strict=True)])


def heading(sheet: Sheet, ctx: Context, kind: str, figures: bool) -> None:
    for text in NATIONAL_HEADING:
        sheet.line(text, "bc_heading")
    sheet.line(issuer_of(ctx.area), "bc_heading")
    sheet.blank()
    sheet.line(f"{K(kind).label.upper()} NĂM {ctx.year}", "bc_title", height=40)
    sheet.line(f"Địa bàn: {unit_name(ctx.area)} — Tình trạng ngày 31/12/{ctx.year}")
    made = f"Ngày lập: {ctx.made:%d/%m/%Y}"
    if figures and ctx.computed_at:
        made += f" — số liệu tổng hợp tính lúc {timezone.localtime(ctx.computed_at):%H:%M %d/%m/%Y}"
    sheet.line(made)
    if not figures:
        sheet.line("Tài liệu có thông tin cá nhân: chỉ dùng cho công tác giảm nghèo, không công bố, không chia sẻ.")
    sheet.blank()


def footer(sheet: Sheet, ctx: Context) -> None:
    """The place and date, then who signs: the person who made the table on the left, the committee on the right."""
    sheet.blank()
    right = max(sheet.width - 3, 3)  # the signer's block: the last columns
    for left_text, right_text, style in (
        ("", dated(ctx.area, ctx.made), "bc_note"),
        ("NGƯỜI LẬP BIỂU", "TM. ỦY BAN NHÂN DÂN", "bc_heading"),
        ("(Ký, ghi rõ họ tên)", "CHỦ TỊCH", "bc_line"),
    ):
        row = sheet.row + 1
        if sheet.width > right:
            sheet.ws.merged_cells.add(f"{get_column_letter(right)}{row}:{get_column_letter(sheet.width)}{row}")
        sheet.append([None, sheet.cell(left_text, style)] + [None] * (right - 3) + [sheet.cell(right_text, style)])


def new_book(title: str) -> Workbook:
    """A write-only workbook with the styles of the reports."""
    book = Workbook(write_only=True)
    book.properties.title = title[:255]
    book.properties.creator = "giamngheo"
    for name, values in STYLES.items():
        book.add_named_style(NamedStyle(name=name, **values))
    return book


def discard(book: Workbook) -> None:
    """A build that fails half way: close the sheets' streams and delete their temporary files, which `save` would
    have done (a worker lives long; openpyxl otherwise removes them only when the process exits)."""
    for sheet in book.worksheets:
        writer = getattr(sheet, "_writer", None)
        with suppress(Exception):
            if getattr(sheet, "_rows", None) is not None:
                sheet._rows.close()
            if writer is not None:
                writer.close()
                writer.cleanup()


def write_tables(book: Workbook, ctx: Context, kind: str) -> None:
    tables = BUILDERS[kind](ctx)
    widths: list[int] = []
    for table in tables:
        for index, column in enumerate(table.columns):
            if index < len(widths):
                widths[index] = max(widths[index], column.width)
            else:
                widths.append(column.width)
    sheet = Sheet(book, SHEETS[kind], widths)
    heading(sheet, ctx, kind, figures=True)
    for table in tables:
        if table.title:
            sheet.line(table.title, "bc_section", merge=False)
        for note in table.notes:
            sheet.line(note, "bc_note", merge=False)
        sheet.header(table.columns, table.groups)
        for row in table.rows:
            sheet.values(table.columns, row)
        if table.total is not None:
            sheet.values(table.columns, table.total, bold=True)
        sheet.blank()
    footer(sheet, ctx)
