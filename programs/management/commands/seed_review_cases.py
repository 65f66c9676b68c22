"""Demo data: the periodic review of a year under way, every step of it (domain A6; Part B §3.2, §8.4).

Run after `open_periodic_review` (and `seed_reviews` of the year before, whose surveys the new ones follow). In
commune A (the demo's `canbo_xa_a` and `chutich_xa_a`) the cases are walked through the services, as the officer
and the chair would, to every state a case can be in since 1 July 2025: waiting for its survey, surveyed, agreed by
the village meeting, posted (still running), under a complaint's recheck, posted with the posting over (ready for
the chair's recognition), recognised with its certificate, reported to the province; and a household's own
request, answered in writing. In commune B (`canbo_xa_b`, `chutich_xa_b`) every case is recognised and the campaign
reported to the province.

The dates count back from today in working days, so the demo reaches the same states whatever the day: a case
ready for the chair was posted long enough ago for its three working days to be over. Households are taken in
the order of their codes, and their surveys are drawn from their survey of the review before (`programs.demo`),
so the same seed gives the same cases in the same states. A second run writes nothing.
"""

import datetime
import random
import time
from collections import defaultdict
from dataclasses import replace

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from config.bulk import vacuum_analyze
from config.formats import seconds
from households.models import Area, AuditEntry, Household, User
from households.rules import Level
from households.services import log_action
from programs import demo
from programs.models import Assessment, CaseOrigin, ReviewCampaign, ReviewCase, ReviewKind, StatusChange
from programs.review import rules as review_rules
from programs.review import services as workflow
from programs.standards import derivations, selectors, services

DONE = "programs.demo.review_cases_seeded"
S = review_rules.CaseState
READY = "ready"  # posted, the posting over: what the chair recognises
# Commune A's cases, in the order of their households' codes, and how many working days before today each step
# was taken: survey, village meeting, posting, the chair's decision, the report to the province. The cases after
# these wait for their survey.
PLAN_A: tuple[tuple[str, tuple[int, ...]], ...] = (
    (S.REPORTED, (22, 19, 16, 12, 9)),
    (S.RECOGNISED, (22, 19, 16, 12)),
    (READY, (15, 13, 11)),
    (READY, (15, 13, 11)),
    (READY, (15, 13, 11)),
    (S.RECHECK, (9, 6, 2)),  # posted two working days ago, a complaint received yesterday
    (S.POSTED, (9, 6, 1)),  # posted yesterday: three working days run until tomorrow
    (S.AGREED, (6, 3)),
    (S.CLASSIFIED, (3,)),
    (S.CLASSIFIED, (3,)),
)
PLAN_B = (30, 27, 25, 20)  # commune B: every case recognised; the campaign reported 18 working days ago
REPORTED_B = 18
REQUEST_FILED, REQUEST_ANSWERED = 8, 3
STATE_ORDER = [*review_rules.CaseState]


def working_days_before(day: datetime.date, count: int) -> datetime.date:
    """The working day (Monday-Friday) `count` working days before `day` (`day` itself for 0)."""
    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu demo cho kỳ rà soát định kỳ đang diễn ra: hồ sơ của xã A ở mọi bước (chờ khảo sát đến đã báo "
        "cáo tỉnh, kể cả chờ công nhận và đang phúc tra khiếu nại), kỳ rà soát của xã B đã công nhận và báo cáo tỉnh "
        "(chạy open_periodic_review trước)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="15", help="Mã tỉnh/thành phố (mặc định 15, Lào Cai).")
        parser.add_argument("--year", type=int, default=2026, help="Năm rà soát (mặc định 2026).")
        parser.add_argument("--seed", type=int, default=2026, help="Hạt giống ngẫu nhiên (mặc định 2026).")

    def handle(self, *args, province, year, seed, **options):
        started = time.monotonic()
        code = f"{int(province):02d}" if province.strip().isdigit() else province.strip()
        if not Area.objects.filter(level=Level.PROVINCE, code=code).exists():
            raise CommandError(f"Không có tỉnh/thành phố mã “{code}”.")
        users = {u.username: u for u in User.objects.filter(is_active=True).select_related("area")}
        missing = [name for name in ("canbo_xa_a", "chutich_xa_a") if name not in users]
        if missing:
            raise CommandError(f"Thiếu tài khoản demo {', '.join(missing)}: chạy seed_demo trước.")
        campaigns = {
            c.area_id: c
            for c in ReviewCampaign.objects.filter(
                year=year, kind=ReviewKind.PERIODIC, month=0, area__province__code=code
            ).select_related("area", "standard")
        }
        commune_a = users["canbo_xa_a"].area
        campaign_a = campaigns.get(commune_a.pk)
        if campaign_a is None:
            raise CommandError(
                f"{commune_a.name} chưa có kỳ rà soát định kỳ {year}: chạy open_periodic_review --year {year} trước."
            )
        content_type = ContentType.objects.get_for_model(ReviewCampaign)
        if AuditEntry.objects.filter(action=DONE, content_type=content_type, object_id=str(campaign_a.pk)).exists():
            self.stdout.write(f"Hồ sơ rà soát demo {year} đã có từ lần chạy trước: không ghi gì thêm.")
            return
        walk = _Walk(year=year, seed=seed, today=timezone.localdate())
        with transaction.atomic():
            walk.commune_a(campaign_a, users["canbo_xa_a"], users["chutich_xa_a"])
            commune_b = users["canbo_xa_b"].area if "canbo_xa_b" in users else None
            if commune_b is not None and "chutich_xa_b" in users and commune_b.pk in campaigns:
                walk.commune_b(campaigns[commune_b.pk], users["canbo_xa_b"], users["chutich_xa_b"])
            log_action(
                actor=None,
                action=DONE,
                obj=campaign_a,
                changes={"moves": (0, walk.moves)},
                reason="Dữ liệu demo (seed_review_cases)",
            )
        # After the commit: statistics and the visibility map of the rows the walk wrote or changed (a VACUUM of a
        # table whose other pages are all-visible reads only the changed ones).
        vacuum_analyze(Assessment, ReviewCase, StatusChange, Household)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rà soát định kỳ {year} (demo): {walk.moves} bước hồ sơ trong {seconds(time.monotonic() - started)}."
            )
        )
        for campaign in walk.campaigns:
            self.stdout.write(f"{campaign.area.name}:")
            cases = ReviewCase.objects.filter(campaign=campaign).select_related("household").order_by("household__code")
            by_state: dict[str, list[str]] = defaultdict(list)
            for case in cases:
                ready = case.state == S.POSTED and case.posting_end is not None and case.posting_end < walk.today
                by_state[READY if ready else case.state].append(case.household.code)
            for state in [*STATE_ORDER[:4], READY, *STATE_ORDER[4:]]:
                if by_state.get(state):
                    label = (
                        "hết niêm yết, chờ công nhận" if state == READY else review_rules.CASE_STATE_LABELS[S(state)]
                    )
                    self.stdout.write(f"  {label}: {', '.join(by_state[state])}")


class _Walk:
    """Walks cases through the review's services with dates counted back from today."""

    def __init__(self, *, year: int, seed: int, today: datetime.date):
        self.year, self.seed, self.today = year, seed, today
        self.moves = 0
        self.campaigns: list[ReviewCampaign] = []

    def day(self, working_days: int) -> datetime.date:
        return working_days_before(self.today, working_days)

    def cases(self, campaign: ReviewCampaign) -> list[ReviewCase]:
        return list(
            ReviewCase.objects.filter(campaign=campaign, origin=CaseOrigin.LISTED, state=S.LISTED)
            .select_related("household")
            .order_by("household__code", "id")
        )

    def commune_a(self, campaign: ReviewCampaign, officer: User, chair: User) -> None:
        self.campaigns.append(campaign)
        number = demo.decision_number(campaign.area.code, self.year, self.seed)
        for case, (state, days) in zip(self.cases(campaign), PLAN_A, strict=False):
            case = self.survey(officer, campaign, case, self.day(days[0]))
            if len(days) > 1:
                case = self.meet(officer, case, self.day(days[1]))
            if len(days) > 2:
                case = self.post(officer, case, self.day(days[2]))
            if state == S.RECHECK:
                case = self.complain(officer, case, self.day(1))
            if len(days) > 3:
                case = self.recognise(chair, case, number, self.day(days[3]))
            if len(days) > 4:
                self.moves += 1
                workflow.report_case(
                    actor=officer, case_id=case.pk, expected_version=case.version, reported_on=self.day(days[4]),
                    today=self.today,
                )  # fmt: skip
        self.refused_request(campaign, officer, chair)

    def commune_b(self, campaign: ReviewCampaign, officer: User, chair: User) -> None:
        self.campaigns.append(campaign)
        number = demo.decision_number(campaign.area.code, self.year, self.seed)
        survey_day, meeting_day, posting_day, decision_day = (self.day(n) for n in PLAN_B)
        for case in self.cases(campaign):
            case = self.survey(officer, campaign, case, survey_day)
            case = self.post(officer, self.meet(officer, case, meeting_day), posting_day)
            self.recognise(chair, case, number, decision_day)
        self.moves += 1
        workflow.report_campaign(
            actor=officer, campaign_id=campaign.pk, reported_on=self.day(REPORTED_B), today=self.today
        )

    # --- the moves ---------------------------------------------------------------------------------------

    def survey(self, officer: User, campaign: ReviewCampaign, case: ReviewCase, day: datetime.date) -> ReviewCase:
        """The household's survey of this review, drawn from its survey of the review before; recording it moves
        the case on (`advance_on_survey`)."""
        household = case.household
        members = list(household.members.order_by("id"))
        standard = selectors.standard_rule(campaign.standard.code)
        answered = [c for c in standard.indicators if c not in derivations.DERIVED_INDICATORS]
        subject = demo.Household(
            code=household.code,
            commune_code=campaign.area.code,
            area_type=household.area_type,
            is_ethnic_minority=household.is_ethnic_minority,
        )
        born = [(m.pk, m.date_of_birth) for m in members]
        team = demo.surveyor_names(campaign.area.code, self.seed)
        poor_line = {str(k): v for k, v in standard.poor_line.items()}
        before = (
            Assessment.objects.filter(household=household, review_year=self.year - 1, review_kind=ReviewKind.PERIODIC)
            .current()
            .first()
        )
        if before is not None and before.income_per_capita is not None:
            previous = demo.Survey(
                survey_date=before.survey_date,
                income_per_capita=before.income_per_capita,
                dwelling=before.dwelling,
                extras={},
                answers=before.answers,
                surveyor_name=before.surveyor_name,
                disagree_on=None,
                confirm_derived=False,
            )
            drawn = demo.resurvey(
                subject, born, previous, year=self.year, seed=self.seed, survey_date=day, poor_line=poor_line,
                answered_indicators=answered, surveyors=team,
            )  # fmt: skip
        else:
            drawn = demo.draw(
                subject, born, year=self.year, seed=self.seed, poor_line=poor_line, answered_indicators=answered,
                surveyors=team,
            )  # fmt: skip
            drawn = replace(drawn, survey_date=day)
        facts, _ = services.member_facts(members, drawn.extras, day)
        dwelling = services.dwelling_facts(drawn.dwelling)
        answers, confirmed = demo.complete(drawn, derivations.derive(facts, dwelling, day), standard.indicators)
        _, _, result = services.evaluate(
            standard,
            area_type=household.area_type,
            members=facts,
            dwelling=dwelling,
            survey_date=day,
            answers=answers,
            confirmed=confirmed,
            income_per_capita=drawn.income_per_capita,
            point_a=None,
        )
        services.record_assessment(
            actor=officer,
            household_id=household.pk,
            survey_date=day,
            review_year=self.year,
            income_per_capita=drawn.income_per_capita,
            dwelling=drawn.dwelling,
            member_extras=drawn.extras,
            answers=answers,
            confirmed=confirmed,
            causes=demo.causes(household.code, self.year, self.seed, result.category.value),
            surveyor_name=drawn.surveyor_name,
            today=self.today,
        )
        self.moves += 1
        return ReviewCase.objects.get(pk=case.pk)

    def meet(self, officer: User, case: ReviewCase, day: datetime.date) -> ReviewCase:
        rng = random.Random(f"{self.seed}:{self.year}:{case.household.code}:meeting")  # noqa: S311 (demo data)
        attendees = rng.randint(25, 45)
        self.moves += 1
        return workflow.record_meeting(
            actor=officer,
            case_id=case.pk,
            expected_version=case.version,
            meeting_date=day,
            attendees=attendees,
            agreeing=attendees - rng.randint(0, attendees // 4),
            note="Họp thôn thống nhất kết quả rà soát (dữ liệu demo).",
            today=self.today,
        )

    def post(self, officer: User, case: ReviewCase, day: datetime.date) -> ReviewCase:
        self.moves += 1
        return workflow.post_case(
            actor=officer, case_id=case.pk, expected_version=case.version, posting_start=day, today=self.today
        )

    def complain(self, officer: User, case: ReviewCase, day: datetime.date) -> ReviewCase:
        self.moves += 1
        workflow.file_complaint(
            actor=officer,
            case_id=case.pk,
            expected_version=case.version,
            received_on=day,
            complainant="Nguyễn Văn Hòa (hộ cùng thôn)",
            content="Hộ mới mua xe máy và sửa lại nhà, đề nghị xem lại thu nhập.",
            today=self.today,
        )
        return ReviewCase.objects.get(pk=case.pk)

    def recognise(self, chair: User, case: ReviewCase, number: str, day: datetime.date) -> ReviewCase:
        self.moves += 1
        return workflow.recognise_case(
            actor=chair,
            case_id=case.pk,
            expected_version=case.version,
            decision_number=number,
            decision_date=day,
            today=self.today,
        )

    def refused_request(self, campaign: ReviewCampaign, officer: User, chair: User) -> None:
        """A household off the lists asks to be reviewed; the chair answers in writing why it is not eligible."""
        household = (
            Household.objects.filter(commune=campaign.area, status="not_poor")
            .exclude(pk__in=ReviewCase.objects.values("household_id"))
            .order_by("code")
            .first()
        )
        if household is None:
            return
        case = workflow.file_review_request(
            actor=officer,
            household_id=household.pk,
            request_kind="add",
            channel="in_person",
            filed_on=self.day(REQUEST_FILED),
            note="Chồng mất việc từ tháng 9, thu nhập giảm; đề nghị xét hộ cận nghèo.",
            today=self.today,
        )
        workflow.reject_case(
            actor=chair,
            case_id=case.pk,
            expected_version=case.version,
            reason="Rà soát lại: thu nhập bình quân vẫn trên chuẩn cận nghèo, vợ có việc làm ổn định.",
            decided_on=self.day(REQUEST_ANSWERED),
            today=self.today,
        )
        self.moves += 2
