"""The review calendar's batch services (domain A6, Part B §6.1): opening the periodic review, reminders of
steps due, escalation of overdue steps, the reporting calendar, and e-mailing notifications.

Idempotent from the data (STYLE 21): campaigns are unique per (commune, cycle), cases per (household,
campaign), notifications per (user, kind, target, due date), all written with `bulk_create(ignore_conflicts=True)`;
a second run creates and sends nothing. Fan-out works in chunks of communes and of rows, with a handful of
queries per chunk and none per household. The Celery tasks in `tasks.py` and the management commands call
these same functions.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from households.models import Area, AuditEntry, Household, User, subtree
from households.rules import Level, Role
from programs import rules
from programs.models import (
    CaseOrigin,
    Notification,
    NotificationKind,
    ReviewCampaign,
    ReviewCase,
    ReviewKind,
)
from programs.review import rules as review_rules
from programs.review.services import campaign_standard, default_steps

# The events an operator follows (config/logs.py): counts and ids, never a name.
logger = logging.getLogger("giamngheo.events")

COMMUNE_CHUNK = 200  # communes per fan-out task
ROW_CHUNK = 5000  # rows per INSERT of notifications
MAIL_CHUNK = 500  # e-mails per SMTP connection and claim


def chunked(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _fmt(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


# --- opening the periodic review ------------------------------------------------------------------------


def commune_ids(area_codes: Iterable[str] = ()) -> list[int]:
    """The official communes (all, or those within the given areas of any level)."""
    queryset = Area.objects.filter(level=Level.COMMUNE)
    codes = sorted(set(area_codes))
    if codes:
        paths = list(Area.objects.filter(code__in=codes).values_list("code", "path"))
        unknown = sorted(set(codes) - {code for code, _ in paths})
        if unknown:
            raise ValueError(f"Không tìm thấy địa bàn: {', '.join(unknown)}")
        within = Q()
        for _, path in paths:
            within |= subtree(path)
        queryset = queryset.filter(within)
    return list(queryset.order_by("id").values_list("id", flat=True))


def open_campaigns(*, year: int, communes: Sequence[int]) -> int:
    """The periodic-review campaign of every given commune for `year`, with the default calendar; returns how
    many were created. Campaigns before 1 July 2025 carry the district step where a district exists (A6)."""
    standard = campaign_standard(ReviewKind.PERIODIC, year, 0)
    existing = set(
        ReviewCampaign.objects.filter(year=year, kind=ReviewKind.PERIODIC, month=0, area_id__in=communes).values_list(
            "area_id", flat=True
        )
    )
    missing = [pk for pk in communes if pk not in existing]
    in_district = set(Area.objects.filter(pk__in=missing, parent__level=Level.DISTRICT).values_list("id", flat=True))
    district_step = {
        pk: review_rules.carries_district_step(ReviewKind.PERIODIC, year, 0, commune_in_district=pk in in_district)
        for pk in missing
    }
    new = [
        ReviewCampaign(
            area_id=pk,
            year=year,
            kind=ReviewKind.PERIODIC,
            month=0,
            standard=standard,
            has_district_step=district_step[pk],
            steps=default_steps(ReviewKind.PERIODIC, year, 0, has_district_step=district_step[pk]),
        )
        for pk in missing
    ]
    with transaction.atomic():
        ReviewCampaign.objects.bulk_create(new, batch_size=ROW_CHUNK, ignore_conflicts=True)
        created = ReviewCampaign.objects.filter(
            year=year, kind=ReviewKind.PERIODIC, month=0, area_id__in=missing
        ).values_list("id", flat=True)
        content_type = ContentType.objects.get_for_model(ReviewCampaign)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=None,
                    action="programs.review_campaign.opened",
                    content_type=content_type,
                    object_id=pk,
                    changes={"year": [None, year], "standard": [None, standard.code]},
                    reason="Mở kỳ rà soát định kỳ (1/9 - 14/12)",
                )
                for pk in created
            ],
            batch_size=ROW_CHUNK,
        )
    logger.info(
        "review opened: %s campaigns of %s communes, %s",
        len(new),
        len(communes),
        year,
        extra={"event": "review.opened", "year": year, "communes": len(communes), "campaigns": len(new)},
    )
    return len(new)


def open_cases(*, year: int, communes: Sequence[int], all_households: bool = False) -> int:
    """One case per household on the poor and near-poor lists of these communes (or every resident household,
    where the province's plan says so, Part B §3.2 step 1) in their periodic campaign of `year`; returns how
    many were created. One transaction for the chunk: a crash leaves nothing half done, a retry fills the gap.

    One INSERT … SELECT per commune, so the households never travel through Python; households that already
    have their case are skipped by the anti-join (and the unique constraint), so a second run writes nothing. The
    cases are numbered in the order of their households, so the same data gives the same case ids (the README's
    API examples name them).
    """
    campaigns = list(
        ReviewCampaign.objects.filter(year=year, kind=ReviewKind.PERIODIC, month=0, area_id__in=communes)
        .order_by("area_id")
        .values_list("id", "area_id", "steps")
    )
    case_table = ReviewCase._meta.db_table
    household_table = Household._meta.db_table
    listed = sorted(rules.LISTED)
    only_listed = "" if all_households else "AND h.status IN (%s, %s)"
    statement = f"""
        INSERT INTO {case_table} (campaign_id, household_id, state, origin, status_at_opening, request_kind,
            request_channel, request_note, proposed_category, meeting_note, district_opinion, decision_number,
            recognised_status, certificate_number, rejection_reason, due_step, due_on, version, created_at, updated_at)
        SELECT %s, h.id, %s, CASE WHEN h.status IN (%s, %s) THEN %s ELSE %s END, h.status, '', '', '', '', '', '',
            '', '', '', '', %s, %s, 1, %s, %s
        FROM {household_table} h
        WHERE h.commune_id = %s {only_listed}
          AND NOT EXISTS (SELECT 1 FROM {case_table} r WHERE r.household_id = h.id AND r.campaign_id = %s)
        ORDER BY h.id
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters
    now = timezone.now()
    created = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for campaign_id, area_id, steps in campaigns:
            due = steps.get(review_rules.Step.SURVEY.value)
            params: list[Any] = [campaign_id, review_rules.CaseState.LISTED.value, *listed, CaseOrigin.LISTED.value]
            params += [CaseOrigin.ALL_RESIDENTS.value if all_households else CaseOrigin.LISTED.value]
            params += [review_rules.Step.SURVEY.value, due, now, now, area_id]
            params += [] if all_households else listed
            params += [campaign_id]
            cursor.execute(statement, params)
            created += max(cursor.rowcount, 0)
    logger.info(
        "review cases opened: %s in %s communes, %s",
        created,
        len(campaigns),
        year,
        extra={"event": "review.cases_opened", "year": year, "communes": len(campaigns), "cases": created},
    )
    return created


@dataclass(frozen=True)
class Opened:
    campaigns: int
    cases: int


def open_periodic_review(*, year: int, area_codes: Iterable[str] = (), all_households: bool = False) -> Opened:
    """Open the periodic review of `year` by hand, all chunks in this process (the command's path)."""
    communes = commune_ids(area_codes)
    campaigns = open_campaigns(year=year, communes=communes)
    cases = sum(
        open_cases(year=year, communes=chunk, all_households=all_households)
        for chunk in chunked(communes, COMMUNE_CHUNK)
    )
    return Opened(campaigns=campaigns, cases=cases)


# --- notifications ----------------------------------------------------------------------------------------


def notify(rows: list[Notification]) -> int:
    """Insert notifications, skipping those that exist; returns how many are new."""
    if not rows:
        return 0
    keys = {(n.user_id, n.kind, n.target, n.due_on) for n in rows}
    user_ids = {k[0] for k in keys}
    targets = {k[2] for k in keys}
    with transaction.atomic():
        before = Notification.objects.filter(user_id__in=user_ids, target__in=targets).count()
        for start in range(0, len(rows), ROW_CHUNK):
            Notification.objects.bulk_create(rows[start : start + ROW_CHUNK], ignore_conflicts=True)
        return Notification.objects.filter(user_id__in=user_ids, target__in=targets).count() - before


def users_by_area(area_ids: Iterable[int], roles: Sequence[str]) -> dict[int, list[int]]:
    users: dict[int, list[int]] = defaultdict(list)
    for pk, area_id in User.objects.filter(is_active=True, role__in=roles, area_id__in=set(area_ids)).values_list(
        "id", "area_id"
    ):
        users[area_id].append(pk)
    return users


def _due_groups(**filters: Any) -> list[dict[str, Any]]:
    """Open cases grouped by (campaign, awaited step, deadline): one query over the deadline index. A case
    whose household has moved to another commune is stopped (workflow `moved_away`) and not counted."""
    return list(
        ReviewCase.objects.filter(due_on__isnull=False, **filters)
        .filter(household__commune_id=F("campaign__area_id"))
        .values("campaign_id", "due_step", "due_on")
        .annotate(n=Count("id"))
        .order_by("due_on", "campaign_id", "due_step")
    )


def _campaign_info(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    return {
        row["id"]: row
        for row in ReviewCampaign.objects.filter(pk__in=set(ids)).values(
            "id",
            "area_id",
            "area__name",
            "area__parent_id",
            "area__parent__level",
            "area__province_id",
            "year",
            "kind",
            "month",
        )
    }


def _cycle(info: dict[str, Any]) -> str:
    if info["kind"] == ReviewKind.PERIODIC:
        return f"rà soát định kỳ {info['year']}"
    return f"rà soát tháng {info['month']}/{info['year']}"


def send_step_reminders(*, today: datetime.date, days: int = 7) -> int:
    """Remind the commune's officers (the chair for recognition) of steps due within `days` days."""
    groups = _due_groups(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
    campaigns = _campaign_info(g["campaign_id"] for g in groups)
    officers = users_by_area((c["area_id"] for c in campaigns.values()), [Role.COMMUNE_OFFICER])
    chairs = users_by_area((c["area_id"] for c in campaigns.values()), [Role.COMMUNE_CHAIR])
    rows = []
    for group in groups:
        info = campaigns[group["campaign_id"]]
        step = review_rules.Step(group["due_step"])
        due: datetime.date = group["due_on"]
        to = (chairs if step is review_rules.Step.RECOGNITION else officers).get(info["area_id"], [])
        subject = f"{group['n']} hộ cần {review_rules.STEP_LABELS[step]} trước {_fmt(due)} — {info['area__name']}"
        label = review_rules.STEP_LABELS[step]
        body = (
            f"{info['area__name']}, {_cycle(info)}: {group['n']} hồ sơ đang chờ bước “{label}”, "
            f"hạn {_fmt(due)}. Xem danh sách trong mục Hồ sơ rà soát hộ."
        )
        rows += [
            Notification(
                user_id=user_id,
                kind=NotificationKind.STEP_DUE,
                target=f"campaign:{info['id']}:{step.value}",
                due_on=due,
                campaign_id=info["id"],
                area_id=info["area_id"],
                step=step.value,
                count=group["n"],
                subject=subject[:255],
                body=body,
            )
            for user_id in to
        ]
    return notify(rows)


def escalate_overdue(*, today: datetime.date) -> int:
    """Tell the level above, once per overdue step of a campaign: the district where one exists (and has
    staff), else the province (A6)."""
    groups = _due_groups(due_on__lt=today)
    campaigns = _campaign_info(g["campaign_id"] for g in groups)
    districts = users_by_area(
        (c["area__parent_id"] for c in campaigns.values() if c["area__parent__level"] == Level.DISTRICT),
        [Role.DISTRICT_STAFF],
    )
    provinces = users_by_area((c["area__province_id"] for c in campaigns.values()), [Role.PROVINCE_STAFF])
    rows = []
    for group in groups:
        info = campaigns[group["campaign_id"]]
        step = review_rules.Step(group["due_step"])
        due: datetime.date = group["due_on"]
        to = districts.get(info["area__parent_id"]) or provinces.get(info["area__province_id"], [])
        subject = (
            f"Quá hạn: {info['area__name']} còn {group['n']} hộ chưa {review_rules.STEP_LABELS[step]} (hạn {_fmt(due)})"
        )
        body = (
            f"{info['area__name']}, {_cycle(info)}: bước “{review_rules.STEP_LABELS[step]}” hết hạn ngày {_fmt(due)}, "
            f"còn {group['n']} hồ sơ chưa xong (tính đến {_fmt(today)})."
        )
        rows += [
            Notification(
                user_id=user_id,
                kind=NotificationKind.STEP_OVERDUE,
                target=f"campaign:{info['id']}:{step.value}",
                due_on=due,
                campaign_id=info["id"],
                area_id=info["area_id"],
                step=step.value,
                count=group["n"],
                subject=subject[:255],
                body=body,
            )
            for user_id in to
        ]
    escalated = notify(rows)
    logger.info(
        "overdue steps escalated: %s notifications",
        escalated,
        extra={"event": "reminders.escalated", "notified": escalated},
    )
    return escalated


def send_reporting_reminders(*, today: datetime.date, days: int = 7) -> int:
    """The reporting calendar (§6.1): province staff before the preliminary (15/11) and official (20/12)
    reports; the officers and chair of each commune that ran a monthly review, before the report on the 5th."""
    end = today + datetime.timedelta(days=days)
    deadlines = [
        (kind, day)
        for year in range(today.year, end.year + 1)
        for kind, day in review_rules.reporting_deadlines(year)
        if today <= day <= end
    ]
    rows = []
    for kind, day in deadlines:
        label = review_rules.DEADLINE_LABELS[kind]
        if kind is review_rules.Deadline.MONTHLY_REPORT:
            cycle = rules.add_months(day, -1)
            areas = dict(
                ReviewCampaign.objects.filter(kind=ReviewKind.MONTHLY, year=cycle.year, month=cycle.month).values_list(
                    "area_id", "area__name"
                )
            )
            users = users_by_area(areas, [Role.COMMUNE_OFFICER, Role.COMMUNE_CHAIR])
        else:
            areas = dict(Area.objects.filter(level=Level.PROVINCE).values_list("id", "name"))
            users = users_by_area(areas, [Role.PROVINCE_STAFF])
        for area_id, user_ids in users.items():
            rows += [
                Notification(
                    user_id=user_id,
                    kind=kind.value,
                    target=f"area:{area_id}",
                    due_on=day,
                    area_id=area_id,
                    subject=f"Hạn {_fmt(day)}: {label} — {areas[area_id]}"[:255],
                    body=f"{areas[area_id]}: {label}, hạn {_fmt(day)}.",
                )
                for user_id in user_ids
            ]
    return notify(rows)


def deliver_notifications(*, limit: int | None = None) -> int:
    """E-mail the notifications not yet e-mailed to users with an address; returns how many were sent.

    Each chunk is claimed with `SELECT … FOR UPDATE SKIP LOCKED`, sent over one connection and marked in the
    same transaction, so two workers never send the same row and a finished chunk is never sent again. A
    message the mail server refuses (a bad address) is marked with its error and not retried; a server that
    cannot be reached fails the chunk, which the task retries later. (A crash between the server accepting
    a message and the commit would resend that chunk: mail has no two-phase commit; the rows themselves are
    never duplicated.)"""
    sent = 0
    while limit is None or sent < limit:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at__isnull=True, user__is_active=True)
                .exclude(user__email="")
                .select_related("user")
                .order_by("id")[:MAIL_CHUNK]
            )
            if not batch:
                break
            failed: dict[int, str] = {}
            with mail.get_connection() as connection:
                for note in batch:
                    message = mail.EmailMessage(
                        subject=f"[Giảm nghèo] {note.subject}", body=note.body, to=[note.user.email]
                    )
                    try:
                        connection.send_messages([message])
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError) as exc:
                        failed[note.pk] = f"{type(exc).__name__}: {exc}"[:255]
            now = timezone.now()
            Notification.objects.filter(pk__in=[n.pk for n in batch if n.pk not in failed]).update(emailed_at=now)
            for pk, error in failed.items():
                Notification.objects.filter(pk=pk).update(emailed_at=now, email_error=error)
            sent += len(batch) - len(failed)
            logger.info(
                "notifications e-mailed: %s, %s refused",
                len(batch) - len(failed),
                len(failed),
                extra={"event": "mail.sent", "emailed": len(batch) - len(failed), "refused": len(failed)},
            )
    return sent


@dataclass(frozen=True)
class Reminded:
    steps: int
    reports: int
    emailed: int


def send_review_reminders(*, today: datetime.date, days: int = 7) -> Reminded:
    """Everything due within `days` days: steps of open cases and the reporting calendar; then e-mail."""
    steps = send_step_reminders(today=today, days=days)
    reports = send_reporting_reminders(today=today, days=days)
    done = Reminded(steps=steps, reports=reports, emailed=deliver_notifications())
    logger.info(
        "reminders sent: %s steps, %s reporting dates, %s e-mails",
        done.steps,
        done.reports,
        done.emailed,
        extra={"event": "reminders.sent", "steps": done.steps, "reports": done.reports, "emailed": done.emailed},
    )
    return done


def mark_read(*, actor: User, notification_ids: Iterable[int]) -> int:
    """The actor's own notifications among these marked as read (the to-do list's "đã xem"); returns how many were
    unread. A notification is the actor's own business: no audit entry."""
    return Notification.objects.filter(pk__in=list(notification_ids), user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
