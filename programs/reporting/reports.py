"""Official reports (domain Part B §6.2, §4.3): the tables of the review's reporting templates as
one Excel workbook per `ReportJob`, for an area in the user's scope and a year, built by Celery
(`tasks.build_report`), never in the request. The jobs' writers are in `services.report_jobs`; `render` here
writes the sheets one by one with openpyxl in write-only mode (rows are streamed to a temporary file, so a
province's detailed list keeps memory flat).

Every number of the tables of figures comes from `CommuneYearFigures` (the figures of the API and the dashboard,
"as of 31/12 of the year"); only the detailed list reads households: those whose last status decision on or
before 31/12 put them on the poor or near-poor list, with the deprivations of their latest current survey by
then — the same rule the figures (`services.figures`) count them by (the report "by cause of poverty" counts the
causes ticked on that same survey).
"""

import datetime
import io
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import OuterRef, QuerySet, Subquery
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from config.errors import DomainError
from households.access import log_export
from households.models import Area, Ethnicity, Household
from households.rules import Level
from programs.models import Assessment, JobStatus, ReportJob, ReportKind, StatusChange
from programs.reporting import rules as accounting
from programs.reporting.tables import (
    BOX,
    SHEETS,
    Col,
    Context,
    Sheet,
    discard,
    footer,
    heading,
    indicator_name,
    new_book,
    write_tables,
)
from programs.review.documents import ascii_slug, unit_name

logger = logging.getLogger(__name__)

K = ReportKind
LEVELS = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
TABLES = (
    K.SUMMARY,
    K.MOVEMENT,
    K.DEPRIVATION,
    K.TARGET_GROUP,
    K.ETHNICITY,
    K.CAUSE,
    K.CHILDREN,
    K.DETAILED_LIST,
)
PERSONAL = frozenset({K.DETAILED_LIST, K.ALL})  # kinds whose file names people
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
MAX_ACTIVE = 5  # reports a user may have waiting at once
RUNNING_TOO_LONG = datetime.timedelta(hours=1)  # a job still "running" after this died with its worker
QUEUED_TOO_LONG = datetime.timedelta(days=1)  # never picked up (broker down when it was queued)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FAILED = "Không lập được báo cáo do lỗi hệ thống; hãy yêu cầu lập lại hoặc báo quản trị chương trình."


def log_download(request: Any, job: ReportJob) -> None:
    """The access log's record of a downloaded report that names people (the whole area's households, as the
    report was built from them); a table of figures names nobody and leaves none."""
    if job.kind in PERSONAL:
        log_export(request, resource=f"Báo cáo chính thức: {job.get_kind_display()} năm {job.year}", area=job.area)


class NotReady(DomainError):
    http_status = 409


class Forbidden(DomainError):
    http_status = 403


class Progress(Protocol):
    """How far the workbook got, as `render` tells it (saved on the job by `services.report_jobs.Progress`)."""

    def report(self, kind: str, fraction: float, message: str) -> None: ...

    def finished(self, kind: str) -> None: ...


def kinds_of(kind: str) -> tuple[str, ...]:
    return TABLES if kind == K.ALL else (kind,)


def filename_of(job: ReportJob) -> str:
    return f"bao-cao-{ascii_slug(SHEETS[job.kind])}-{ascii_slug(unit_name(job.area))}-{job.year}.xlsx"


# --- the detailed list (personal data) ---------------------------------------------------------------------

FLAGS = (
    ("is_ethnic_minority", "Hộ DTTS"),
    ("no_labour_capacity", "Không có khả năng lao động"),
    ("has_revolutionary_contributor", "Có người có công với cách mạng"),
    ("has_social_protection_member", "Có thành viên thuộc đối tượng BTXH"),
    ("is_female_headed", "Chủ hộ là nữ"),
)
LIST_COLUMNS = (
    Col("STT", 7),
    Col("Mã hộ", 18, "text"),
    Col("Họ và tên chủ hộ", 26, "text"),
    Col("Thôn, tổ dân phố", 20, "text"),
    Col("Xã, phường", 20, "text"),
    Col("Phân loại", 13, "text"),
    Col("Từ ngày", 12, "date"),
    Col("Dân tộc của chủ hộ", 12, "text"),
    *(Col(label, 11, "text") for _, label in FLAGS),
    Col("Số chỉ số thiếu hụt", 10),
    Col("Các chỉ số thiếu hụt", 60, "text"),
)
LIST_SECTIONS = (("poor", "I. Hộ nghèo"), ("near_poor", "II. Hộ cận nghèo"))


def listed_households(commune_id: int, year: int, status: str) -> "QuerySet[Any]":
    """(code, head, village id, since, head's ethnicity code, *flags, deprived) of the commune's households whose
    last status decision on or before 31/12 of the year put them on `status`'s list; deprivations of their latest
    current survey by then (None without one). One commune at a time and no join to the areas: on a province
    PostgreSQL misjudges the subquery filter and would scan the areas once per household."""
    end = accounting.reference_date(year)
    last = StatusChange.objects.filter(household=OuterRef("pk"), effective_date__lte=end).order_by(
        "-effective_date", "-id"
    )
    survey = Assessment.objects.filter(household=OuterRef("pk"), is_current=True, survey_date__lte=end).order_by(
        "-survey_date", "-id"
    )
    return (
        Household.objects.filter(commune_id=commune_id)
        .annotate(
            end_status=Subquery(last.values("to_status")[:1]),
            since=Subquery(last.values("effective_date")[:1]),
            deprived_then=Subquery(survey.values("deprived")[:1]),
        )
        .filter(end_status=status)
        .order_by("code", "id")
        .values_list(
            "code",
            "head__full_name",
            "village_id",
            "since",
            "head__ethnicity_id",
            *(name for name, _ in FLAGS),
            "deprived_then",
        )
    )


@dataclass(frozen=True)
class Names:
    """What the list writes instead of ids: villages (code, name) and ethnicities of the area."""

    villages: dict[int, tuple[str, str]]
    ethnicities: dict[str, str]

    @classmethod
    def of(cls, area: Area) -> "Names":
        villages = Area.objects.within(area).filter(level=Level.VILLAGE).values_list("id", "code", "name")
        return cls(
            {pk: (code, name) for pk, code, name in villages}, dict(Ethnicity.objects.values_list("code", "name"))
        )


def _list_row(sheet: Sheet, names: Names, number: int, commune: str, status: str, row: tuple[Any, ...]) -> list[Any]:
    code, head, village, since, ethnicity, *flags, deprived = row
    if deprived is None:
        count, deprivations = None, "(chưa có phiếu khảo sát)"
    else:
        count, deprivations = len(deprived), ", ".join(indicator_name(c) for c in deprived)
    return [
        number,
        sheet.text(code),
        sheet.text(head or "(chưa ghi chủ hộ)"),
        sheet.text(names.villages.get(village, ("", ""))[1]),
        sheet.text(commune),
        "Hộ nghèo" if status == "poor" else "Hộ cận nghèo",
        sheet.cell(since, "bc_list_date"),
        names.ethnicities.get(ethnicity, ""),
        *("x" if flag else None for flag in flags),
        count,
        deprivations,
    ]


def write_detailed_list(sheet: Sheet, ctx: Context, progress: Progress) -> str:
    """The poor households, then the near-poor, commune by commune (in the order of the summary), village by
    village: one commune's households in memory at a time. Returns a warning when the list and the figures differ."""
    names = Names.of(ctx.area)
    expected = ctx.total["poor"] + ctx.total["near_poor"]
    last = get_column_letter(len(LIST_COLUMNS))
    counts: Counter[str] = Counter()
    boxes: list[str] = []
    for status, title in LIST_SECTIONS:
        sheet.line(title, "bc_section", merge=False)
        sheet.header(LIST_COLUMNS)
        first = sheet.row + 1
        for commune, _ in ctx.units:
            rows = list(listed_households(commune.pk, ctx.year, status))
            rows.sort(key=lambda row: (names.villages.get(row[2], ("", ""))[0], row[0]))
            commune_name = unit_name(commune)
            for row in rows:
                counts[status] += 1
                sheet.append(_list_row(sheet, names, counts[status], commune_name, status, row))
            done = counts.total()
            progress.report(K.DETAILED_LIST, done / max(expected, 1), f"Danh sách chi tiết: {done}/{expected} hộ.")
        if counts[status]:
            boxes.append(f"A{first}:{last}{sheet.row}")
        else:
            sheet.line("Không có hộ nào.", "bc_note", merge=False)
        sheet.blank()
    if boxes:  # borders drawn by one rule, not cell by cell: a province's list is written twice as fast
        sheet.ws.conditional_formatting.add(" ".join(boxes), FormulaRule(formula=["TRUE"], border=BOX))
    sheet.line(f"Tổng số: {counts['poor']} hộ nghèo, {counts['near_poor']} hộ cận nghèo.", "bc_section", merge=False)
    if (counts["poor"], counts["near_poor"]) != (ctx.total["poor"], ctx.total["near_poor"]):
        note = (
            f"Lưu ý: danh sách ({counts['poor']} hộ nghèo, {counts['near_poor']} hộ cận nghèo) khác số liệu tổng hợp "
            f"({ctx.total['poor']}, {ctx.total['near_poor']}): dữ liệu đã thay đổi sau lần tính số liệu gần nhất."
        )
        sheet.line(note, "bc_note", merge=False)
        return note
    return ""


def render(job: ReportJob, progress: Progress) -> tuple[bytes, str]:
    """The job's workbook (one sheet per table) and a warning for the job's message, if any."""
    ctx = Context.of(job.area, job.year)
    book = new_book(f"{K(job.kind).label} — {unit_name(job.area)} {job.year}")
    note = ""
    try:
        for kind in kinds_of(job.kind):
            progress.report(kind, 0.0, f"Đang lập: {K(kind).label}…")
            if kind == K.DETAILED_LIST:
                sheet = Sheet(book, SHEETS[kind], [c.width for c in LIST_COLUMNS])
                heading(sheet, ctx, kind, figures=False)
                note = write_detailed_list(sheet, ctx, progress)
                footer(sheet, ctx)
            else:
                write_tables(book, ctx, kind)
            progress.finished(kind)
        buffer = io.BytesIO()
        book.save(buffer)
    except BaseException:
        discard(book)
        raise
    return buffer.getvalue(), note
