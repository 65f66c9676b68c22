"""The official reports' jobs (domain Part B §6.2): `request_report` checks and queues a `ReportJob` to Celery;
`build_report` (the task's only call) claims the job, has `reports.render` write the workbook while `Progress`
saves how far it got, and stores the file on the job; `download_report` hands it out and audits every download;
`expire_stale_jobs` fails the jobs whose worker died. Every write of a report job is here."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError, transaction
from django.utils import timezone

from config.errors import DomainError, NotFound
from households.models import User
from households.rules import HOUSEHOLD_VIEW, STATS_VIEW
from households.selectors import scoped_area
from households.services import log_action
from programs.models import JobStatus, ReportJob
from programs.reporting.reports import (
    ACTIVE,
    FAILED,
    LEVELS,
    MAX_ACTIVE,
    PERSONAL,
    QUEUED_TOO_LONG,
    RUNNING_TOO_LONG,
    Forbidden,
    K,
    NotReady,
    filename_of,
    kinds_of,
    render,
)
from programs.reporting.rules import FIRST_YEAR
from programs.reporting.tables import figure_rows

logger = logging.getLogger(__name__)
events = logging.getLogger("giamngheo.events")


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
    if not FIRST_YEAR <= year <= this_year:
        raise DomainError("invalid_year", f"Năm báo cáo phải từ {FIRST_YEAR} đến {this_year}.", "year")
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
        same: ReportJob | None = waiting.filter(area=area, year=year, kind=kind).defer("content").first()
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
    job: ReportJob | None = ReportJob.objects.visible_to(actor).select_related("area").filter(pk=job_id).first()
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
        job: ReportJob | None = (
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


def _log_outcome(job: ReportJob) -> None:
    """The event an operator follows (config/logs.py): which report, how long, how big; ids, never a name."""
    took = (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else None
    done = job.status == JobStatus.DONE
    events.log(
        logging.INFO if done else logging.WARNING,
        "report %s %s: %s of area %s, %s",
        job.pk,
        "built" if done else "failed",
        job.kind,
        job.area_id,
        job.year,
        extra={
            "event": "report.built" if done else "report.failed",
            "job": job.pk,
            "kind": job.kind,
            "area_id": job.area_id,
            "year": job.year,
            "bytes": len(job.content) if done and job.content is not None else None,
            "duration_ms": round(took * 1000) if took is not None else None,
        },
    )


def _finish(job: ReportJob, status: str, message: str, **fields: Any) -> None:
    values = {"status": status, "message": message[:255], "finished_at": timezone.now(), **fields}
    if status == JobStatus.DONE:
        values["progress"] = 100
    ReportJob.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)
    _log_outcome(job)


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
