"""A household's own request to be reviewed (domain A6, Part B §3.3): the monthly review, or joining the periodic
one while it runs."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from config.errors import DomainError, StaleVersion
from households.models import Household, User
from households.services import log_action
from programs import rules
from programs.models import (
    CaseOrigin,
    RequestChannel,
    RequestKind,
    ReviewCampaign,
    ReviewCase,
    ReviewKind,
)
from programs.review import rules as review_rules
from programs.review.services.campaigns import get_or_open_campaign, not_future
from programs.review.services.cases import set_state
from programs.standards.services.assessments import visible_household


def _request_campaign(household: Household, kind: str, year: int, month: int) -> ReviewCampaign:
    try:
        return get_or_open_campaign(commune=household.commune, kind=kind, year=year, month=month)
    except DomainError as exc:  # e.g. no standard for that date: the request's date is at fault
        raise DomainError(exc.code, exc.message, "filed_on") from exc


@transaction.atomic
def file_review_request(
    *,
    actor: User,
    household_id: int,
    request_kind: str,
    channel: str,
    filed_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> ReviewCase:
    """A household asks to be reviewed: to be added to a list, or to be recognised as having escaped
    (đăng ký thoát nghèo). The case joins the review that handles requests filed that day (A6, §3.3)."""
    household = visible_household(actor, household_id, lock=True)
    if request_kind not in RequestKind.values:
        raise DomainError("invalid", f"Loại đề nghị “{request_kind}” không hợp lệ.", "request_kind")
    if channel not in RequestChannel.values:
        raise DomainError("invalid", f"Hình thức nộp “{channel}” không hợp lệ.", "channel")
    not_future(filed_on, today or timezone.localdate(), "filed_on")
    if request_kind == RequestKind.EXIT and household.status not in rules.LISTED:
        raise DomainError(
            "not_listed", "Chỉ hộ nghèo hoặc hộ cận nghèo mới đăng ký thoát nghèo, thoát cận nghèo.", "request_kind"
        )
    kind, year, month = review_rules.review_cycle_for_request(filed_on)
    campaign = _request_campaign(household, kind, year, month)
    existing = ReviewCase.objects.filter(household=household, campaign=campaign).first()
    if kind == ReviewKind.PERIODIC and (
        campaign.reported_on is not None or (existing is not None and existing.state in review_rules.CLOSED_STATES)
    ):
        # The periodic review is over for this household (reported, or its case closed): the request goes
        # to the monthly review instead, so a household can ask in any month (A6).
        year, month = review_rules.next_monthly_cycle(filed_on)
        campaign = _request_campaign(household, ReviewKind.MONTHLY, year, month)
        existing = ReviewCase.objects.filter(household=household, campaign=campaign).first()
    if campaign.reported_on is not None:
        raise DomainError(
            "review_closed",
            f"{campaign} đã báo cáo tỉnh ngày {campaign.reported_on:%d/%m/%Y}: đề nghị được xét ở kỳ sau.",
            "filed_on",
        )
    if existing is not None:
        raise DomainError(
            "already_in_review",
            f"Hộ đã có hồ sơ {existing.reference} trong {campaign} ({existing.get_state_display()}).",
            "household",
        )
    case = ReviewCase(
        campaign=campaign,
        household=household,
        origin=CaseOrigin.REQUESTED,
        status_at_opening=household.status,
        request_kind=request_kind,
        request_channel=channel,
        requested_on=filed_on,
        request_note=note.strip(),
    )
    set_state(case, review_rules.CaseState.LISTED)
    case.version = 1
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # the opening of the review listed the household a moment ago
        raise StaleVersion(f"Hộ vừa được đưa vào {campaign}; hãy tải lại hồ sơ của hộ.", "household") from exc
    log_action(
        actor=actor,
        action="programs.review_case.requested",
        obj=case,
        changes={
            "campaign": (None, str(campaign)),
            "request_kind": (None, request_kind),
            "requested_on": (None, filed_on.isoformat()),
        },
        reason=note,
        household=household,
    )
    return case
