"""Official reports (domain Part B §6.2, §4.3): the tables of the review's reporting templates as
one Excel workbook per `ReportJob`, for an area in the user's scope and a year, built by Celery
(`tasks.build_report`), never in the request.

`request_report` checks and queues; `build_report` claims the job, writes the sheets one by one with openpyxl in
write-only mode (rows are streamed to a temporary file, so a province's detailed list keeps memory flat), saves
the progress as it goes and stores the file on the job; `download_report` hands it out and audits every download.

Every number of the tables of figures comes from `CommuneYearFigures` (the figures of the API and the dashboard,
"as of 31/12 of the year"); only the detailed list reads households: those whose last status decision on or
before 31/12 put them on the poor or near-poor list, with the deprivations of their latest current survey by
then — the same rule `statistics` counts them by (the report "by cause of poverty" counts the causes ticked on
that same survey).
"""

import datetime
import io
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from openpyxl.formatting.rule import FormulaRule
from openpyxl.utils import get_column_letter

from config.errors import DomainError, NotFound
from households.models import Area, Ethnicity, Household, User
from households.rules import HOUSEHOLD_VIEW, STATS_VIEW, Level
from households.selectors import scoped_area
from households.services import log_action
from programs.models import Assessment, JobStatus, ReportJob, ReportKind, StatusChange
from programs.reporting import rules as accounting
from programs.reporting import services as statistics
from programs.reporting.tables import (
    BOX,
    SHEETS,
    Col,
    Context,
    Sheet,
    discard,
    figure_rows,
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


class NotReady(DomainError):
    http_status = 409


class Forbidden(DomainError):
    http_status = 403


def kinds_of(kind: str) -> tuple[str, ...]:
    return TABLES if kind == K.ALL else (kind,)


# --- the use cases -------------------------------------------------------------------------------------------


def request_report(*, actor: User, area_id: int, year: int, kind: str, today: datetime.date | None = None) -> ReportJob:
    """Ask for a report of an area (province, district or commune in the actor's scope) and a year: the job is
    queued to Celery once the transaction commits. The same report already waiting is returned, not queued twice."""
    if not actor.has_right(STATS_VIEW):
        raise DomainError("no_right", "Tài khoản không có quyền lập báo cáo thống kê.", "actor")
    if kind not in K.values:
        raise DomainError("invalid_kind", f"Không có biểu báo cáo “{str(kind)[:30]}”.", "kind")
    if kind in PERSONAL and not actor.has_right(HOUSEHOLD_VIEW):
        raise DomainError("no_right", "Danh sách chi tiết chỉ dành cho người được xem hồ sơ hộ.", "kind")
    this_year = (today or timezone.localdate()).year
    if not statistics.FIRST_YEAR <= year <= this_year:
        raise DomainError("invalid_year", f"Năm báo cáo phải từ {statistics.FIRST_YEAR} đến {this_year}.", "year")
    area = scoped_area(actor, area_id)
    if area.level not in LEVELS:
        raise DomainError("invalid_level", "Báo cáo lập cho tỉnh, huyện hoặc xã; thôn không có số liệu riêng.", "area")
    if not figure_rows(area, year).exists():
        raise DomainError(
            "no_figures",
            f"Chưa có số liệu năm {year} của {area.name}: số liệu được tính lại hằng đêm hoặc khi người quản lý "
            "số liệu yêu cầu.",
            "year",
        )
    expire_stale_jobs()
    with transaction.atomic():
        waiting = ReportJob.objects.filter(requested_by=actor, status__in=ACTIVE)
        same = waiting.filter(area=area, year=year, kind=kind).defer("content").first()
        if same is not None:
            return same
        if waiting.count() >= MAX_ACTIVE:
            raise DomainError("too_many", f"Bạn đang có {MAX_ACTIVE} báo cáo chờ lập; hãy đợi chúng xong.", "kind")
        job = ReportJob.objects.create(requested_by=actor, area=area, year=year, kind=kind)
        log_action(
            actor=actor,
            action="programs.report.requested",
            obj=job,
            changes={"area": (None, area.code), "year": (None, year), "kind": (None, kind)},
        )
        transaction.on_commit(partial(_queue, job.pk), robust=True)
    return job


def _not_plugged(job_id: int) -> None:
    raise RuntimeError(f"report {job_id}: no queue (ProgramsConfig.ready plugs tasks.build_report in)")


@dataclass
class ReportQueue:
    """How a requested report reaches the Celery worker. The task (`programs.tasks.build_report`) imports this
    module to build the report, so this module does not import the task back: `ProgramsConfig.ready` plugs
    `tasks.build_report.delay` in here, as it plugs the review into the standards' survey service."""

    build_report: Callable[[int], object] = _not_plugged


queue = ReportQueue()


def _queue(job_id: int) -> None:
    queue.build_report(job_id)


def download_report(*, actor: User, job_id: int) -> ReportJob:
    """The finished report of the actor's own job, with its file; every download is audited (who, when, which
    report, whether it names people)."""
    job = ReportJob.objects.visible_to(actor).select_related("area").filter(pk=job_id).first()
    if job is None:
        raise NotFound("Không tìm thấy báo cáo.", "id")
    if not actor.has_right(STATS_VIEW) or not actor.is_in_charge_of(job.area):
        raise Forbidden("out_of_scope", f"“{job.area.name}” không còn thuộc địa bàn bạn phụ trách.", "area")
    if job.status != JobStatus.DONE or job.content is None:
        raise NotReady("not_ready", f"Báo cáo chưa lập xong (trạng thái: {job.get_status_display()}).", "status")
    log_action(
        actor=actor,
        action="programs.report.downloaded",
        obj=job,
        changes={
            "kind": (None, job.kind),
            "area": (None, job.area.code),
            "year": (None, job.year),
            "filename": (None, job.filename),
            "personal_data": (None, job.kind in PERSONAL),
        },
    )
    return job


def expire_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Jobs whose worker died (still running after an hour) or that were never picked up are marked failed, so
    no job waits forever; a late task for such a job builds it all the same."""
    now = now or timezone.now()
    stuck = ReportJob.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - RUNNING_TOO_LONG)
    lost = ReportJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    message = "Quá thời gian lập báo cáo; hãy yêu cầu lập lại."
    return sum(rows.update(status=JobStatus.FAILED, message=message, finished_at=now) for rows in (stuck, lost))


def build_report(job_id: int) -> ReportJob | None:
    """Build the job's workbook (the task's only call). A finished job is left as it is (a retried or repeated
    task builds nothing); a failure marks the job failed with a message, and a database error is raised again so
    that Celery retries."""
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("area", "requested_by")
            .defer("content")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.status == JobStatus.DONE:
            return job
        job.status, job.progress, job.message = JobStatus.RUNNING, 0, "Đang lập báo cáo…"
        job.started_at, job.finished_at = timezone.now(), None
        job.save(update_fields=["status", "progress", "message", "started_at", "finished_at"])
    try:
        user = job.requested_by
        if not user.is_active or not user.has_right(STATS_VIEW) or not user.is_in_charge_of(job.area):
            _finish(job, JobStatus.FAILED, f"“{job.area.name}” không còn thuộc địa bàn của người yêu cầu.")
            return job
        content, note = render(job, Progress(job))
    except DatabaseError:
        logger.exception("report job %s: database error", job_id)
        _finish(job, JobStatus.FAILED, "Lỗi cơ sở dữ liệu khi lập báo cáo; hệ thống tự thử lại vài lần.")
        raise
    except SoftTimeLimitExceeded:
        _finish(job, JobStatus.FAILED, "Quá thời gian lập báo cáo; hãy yêu cầu lập lại hoặc báo quản trị.")
        return job
    except Exception:  # noqa: BLE001 — whatever broke, the job must not stay "running"; the log keeps the trace
        logger.exception("report job %s failed", job_id)
        _finish(job, JobStatus.FAILED, FAILED)
        return job
    _finish(job, JobStatus.DONE, note or "Đã lập xong.", content=content, filename=filename_of(job))
    return job


def _finish(job: ReportJob, status: str, message: str, **fields: Any) -> None:
    values = {"status": status, "message": message[:255], "finished_at": timezone.now(), **fields}
    if status == JobStatus.DONE:
        values["progress"] = 100
    ReportJob.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)


def filename_of(job: ReportJob) -> str:
    return f"bao-cao-{ascii_slug(SHEETS[job.kind])}-{ascii_slug(unit_name(job.area))}-{job.year}.xlsx"


class Progress:
    """Saves the job's progress (and only its progress and message) as the sheets are written, and the detailed list
    commune by commune. The list weighs nine times as much as all the tables of figures together: it is the slow
    part."""

    def __init__(self, job: ReportJob):
        self.job = job
        kinds = kinds_of(job.kind)
        figures = len([k for k in kinds if k != K.DETAILED_LIST])
        self.weights = {k: (9 * figures or 1) if k == K.DETAILED_LIST else 1 for k in kinds}
        self.total = sum(self.weights.values())
        self.done = 0

    def report(self, kind: str, fraction: float, message: str) -> None:
        share = (self.done + self.weights[kind] * min(max(fraction, 0.0), 1.0)) / self.total
        progress = min(99, int(100 * share))
        if (progress, message) != (self.job.progress, self.job.message):
            self.job.progress, self.job.message = progress, message[:255]
            self.job.save(update_fields=["progress", "message"])

    def finished(self, kind: str) -> None:
        self.done += self.weights[kind]
        self.report(kind, 0.0, f"Đã lập: {K(kind).label}.")


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
