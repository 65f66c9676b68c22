"""The services of a commune's campaign (domain A6; Part B §6.1): its standard and calendar, opening it, changing
its calendar inside the review, and reporting its recognised cases to the province."""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import DomainError, NotFound
from households.models import Area, AuditEntry, User
from households.rules import Level
from households.services import log_action
from programs import rules
from programs.models import (
    PovertyStandard,
    ReviewCampaign,
    ReviewCase,
    ReviewKind,
)
from programs.review import rules as review_rules
from programs.standards import selectors


def not_future(day: datetime.date, today: datetime.date, field: str) -> None:
    if day > today:
        raise DomainError("future_date", "Ngày không được sau ngày hôm nay.", field)


def not_before(day: datetime.date, earlier: datetime.date | None, field: str, what: str) -> None:
    if earlier is not None and day < earlier:
        raise DomainError("too_early", f"Ngày này trước {what} ({earlier:%d/%m/%Y}).", field)


def campaign_standard(kind: str, year: int, month: int) -> PovertyStandard:
    """The standard a review applies (`review_rules.standard_days`)."""
    days = review_rules.standard_days(kind, year, month)
    for day in days:
        found = selectors.standard_on(day)
        if found is not None:
            return PovertyStandard.objects.get(code=found.code)
    raise DomainError("no_standard", f"Không có chuẩn nghèo áp dụng ngày {days[0]:%d/%m/%Y}.", "year")


def default_steps(kind: str, year: int, month: int, *, has_district_step: bool) -> dict[str, str]:
    if kind == ReviewKind.PERIODIC:
        steps = review_rules.periodic_calendar(year, has_district_step=has_district_step)
    else:
        steps = review_rules.monthly_calendar(year, month, has_district_step=has_district_step)
    return {step: day.isoformat() for step, day in steps.items()}


def get_or_open_campaign(*, commune: Area, kind: str, year: int, month: int = 0) -> ReviewCampaign:
    """The commune's campaign of that review, opened with the default calendar when it does not exist yet.

    Campaigns before 1 July 2025 carry the district step when the commune lies in a district (A6)."""
    if commune.level != Level.COMMUNE:
        raise DomainError("not_a_commune", "Kỳ rà soát được mở cho từng xã.", "area")
    existing: ReviewCampaign | None = ReviewCampaign.objects.filter(
        area=commune, year=year, kind=kind, month=month
    ).first()
    if existing is not None:
        return existing
    in_district = commune.parent is not None and commune.parent.level == Level.DISTRICT
    has_district_step = review_rules.carries_district_step(kind, year, month, commune_in_district=in_district)
    campaign: ReviewCampaign
    campaign, _ = ReviewCampaign.objects.get_or_create(
        area=commune,
        year=year,
        kind=kind,
        month=month,
        defaults={
            "standard": campaign_standard(kind, year, month),
            "steps": default_steps(kind, year, month, has_district_step=has_district_step),
            "has_district_step": has_district_step,
        },
    )
    return campaign


@transaction.atomic
def change_campaign_calendar(
    *, actor: User, campaign_id: int, steps: dict[str, datetime.date], posting_days: int | None = None, reason: str = ""
) -> ReviewCampaign:
    """Change a campaign's deadlines (a province's plan); the open cases' deadlines follow.

    The steps must keep their order (survey, meeting, posting, district, recognition, report) and stay within
    the review: 1 September - 31 December of a periodic review (the window ends on 14 December, A6; a province
    may run late, but not into another year), the 15th of the month to the end of the next month for a monthly one.
    """
    campaign: ReviewCampaign | None = (
        ReviewCampaign.objects.visible_to(actor).select_for_update().filter(pk=campaign_id).first()
    )
    if campaign is None:
        raise NotFound("Không tìm thấy kỳ rà soát.", "campaign")
    if campaign.reported_on is not None:
        raise DomainError(
            "review_closed",
            f"Kỳ rà soát đã báo cáo tỉnh ngày {campaign.reported_on:%d/%m/%Y}: lịch không đổi nữa.",
            "steps",
        )
    unknown = sorted(set(steps) - {s.value for s in review_rules.Step})
    if unknown:
        raise DomainError("unknown_step", f"Bước không hợp lệ: {', '.join(unknown)}.", "steps")
    if review_rules.Step.DISTRICT.value in steps and not campaign.has_district_step:
        raise DomainError("no_district_step", "Kỳ rà soát này không có bước xin ý kiến cấp huyện.", "steps")
    if campaign.kind == ReviewKind.PERIODIC:
        first, last = datetime.date(campaign.year, 9, 1), datetime.date(campaign.year, 12, 31)
    else:
        first = datetime.date(campaign.year, campaign.month, 15)
        last = rules.add_months(first.replace(day=1), 2) - datetime.timedelta(days=1)
    for step, day in steps.items():
        if not first <= day <= last:
            raise DomainError(
                "outside_review",
                f"Hạn bước “{review_rules.STEP_LABELS[review_rules.Step(step)]}” "
                f"phải từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}.",
                "steps",
            )
    merged = campaign.step_dates() | dict(steps)
    ordered = [merged[step.value] for step in review_rules.Step if step.value in merged]
    if ordered != sorted(ordered):
        raise DomainError(
            "steps_out_of_order",
            "Hạn các bước phải theo thứ tự: khảo sát, họp thôn, niêm yết, (xin ý kiến huyện), công nhận, báo cáo.",
            "steps",
        )
    before = dict(campaign.steps)
    new_steps = {step: day.isoformat() for step, day in merged.items()}
    campaign.steps = new_steps
    changes: dict[str, tuple[Any, Any]] = {"steps": (before, new_steps)}
    if posting_days is not None:
        if not 1 <= posting_days <= 30:
            raise DomainError("bad_days", "Số ngày niêm yết phải từ 1 đến 30 ngày làm việc.", "posting_days")
        changes["posting_days"] = (campaign.posting_days, posting_days)
        campaign.posting_days = posting_days
    campaign.save(update_fields=["steps", "posting_days"])
    for step, day in steps.items():
        ReviewCase.objects.filter(campaign=campaign, due_step=step).exclude(due_on=day).update(
            due_on=day, version=F("version") + 1
        )
    log_action(
        actor=actor, action="programs.review_campaign.calendar_changed", obj=campaign, changes=changes, reason=reason
    )
    return campaign


@transaction.atomic
def report_campaign(
    *, actor: User, campaign_id: int, reported_on: datetime.date, today: datetime.date | None = None
) -> int:
    """Report every recognised case of a campaign to the province at once; returns how many."""
    campaign = ReviewCampaign.objects.visible_to(actor).select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("Không tìm thấy kỳ rà soát.", "campaign")
    not_future(reported_on, today or timezone.localdate(), "reported_on")
    cases = list(
        ReviewCase.objects.select_for_update().filter(campaign=campaign, state=review_rules.CaseState.RECOGNISED)
    )
    if not cases:
        raise DomainError("nothing_to_report", "Kỳ rà soát chưa có hồ sơ nào đã công nhận để báo cáo.", "campaign")
    latest = max(case.decision_date for case in cases if case.decision_date)
    not_before(reported_on, latest, "reported_on", "ngày quyết định công nhận gần nhất")
    ReviewCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        state=review_rules.CaseState.REPORTED,
        reported_on=reported_on,
        due_step="",
        due_on=None,
        version=F("version") + 1,
    )
    content_type = ContentType.objects.get_for_model(ReviewCase)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action="programs.review_case.reported",
                content_type=content_type,
                object_id=str(case.pk),
                household_id=case.household_id,
                changes={
                    "state": [case.state, review_rules.CaseState.REPORTED.value],
                    "reported_on": [None, reported_on.isoformat()],
                },
            )
            for case in cases
        ]
    )
    campaign.reported_on = reported_on
    campaign.save(update_fields=["reported_on"])
    log_action(
        actor=actor,
        action="programs.review_campaign.reported",
        obj=campaign,
        changes={"reported_cases": (None, len(cases)), "reported_on": (None, reported_on.isoformat())},
    )
    return len(cases)
