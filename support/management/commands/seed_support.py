"""Demo data: a year of support for the demo province's poor and near-poor households (domain A8, Part B §5).

Run after `seed_reviews` (the statuses are those recognised by its review, on 15 December). Everything goes
through the services, as an officer would record it, so eligibility, audit and follow-ups are real:

- budget envelopes for the province and communes A and B, per project and source, for the two years;
- health-insurance cards for every poor or near-poor household in December, after the decision;
- in the legacy district of communes A and B (marked a poor district for the demo), Project 5 housing for
  households deprived in housing quality; elsewhere the temporary-house campaign's repair;
- breeding cows (Project 3), vocational training (Project 4), policy-bank loans with repayments, for a
  share of households drawn by seed; seeds planned but not yet approved;
- follow-ups recorded where due (most livestock alive, some not);
- in commune A, the chair's monthly decisions: some supported households escape, one of them falls back.

Records in commune A are made by `canbo_xa_a` and approved by `chutich_xa_a`; elsewhere by `canbo_tinh`
and approved by `quantri`. Steps dated after today are left for later. A second run does nothing.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from config.formats import seconds
from households.models import Area, Household, User
from households.rules import Level
from households.services import log_action
from programs.models import Assessment
from programs.standards.services import record_status_change
from support import services
from support.models import FollowUpResult, SupportRecord

D = datetime.date
HI_PREMIUM = 1_263_600  # a year of health insurance: 4.5% of the 2,340,000 base salary × 12 (demo figure)
BUDGETS = (  # project, source, province envelope per year, commune A and B shares
    ("P5", "central", 2_000_000_000, 400_000_000),
    ("P3", "central", 1_500_000_000, 200_000_000),
    ("P3", "local", 300_000_000, 50_000_000),
    ("P4", "central", 800_000_000, 100_000_000),
    ("other", "local", 3_000_000_000, 300_000_000),
    ("other", "policy_bank", 10_000_000_000, 1_000_000_000),
)


class Command(BaseCommand):
    help = "Tạo dữ liệu demo hỗ trợ (nhà ở, bò giống, học nghề, vay vốn, BHYT, kế hoạch vốn) cho tỉnh demo."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="15", help="Mã tỉnh (mặc định 15).")
        parser.add_argument("--year", type=int, default=2025, help="Năm rà soát đã công nhận (mặc định 2025).")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, province, year, seed, **options):
        started = time.monotonic()
        area = Area.objects.filter(
            level=Level.PROVINCE, code=f"{int(province):02d}" if province.isdigit() else province
        )
        province_area = area.first()
        if province_area is None:
            raise CommandError(f"Không có tỉnh mã “{province}”.")
        users = {u.username: u for u in User.objects.filter(is_active=True)}
        missing = [n for n in ("canbo_xa_a", "chutich_xa_a", "canbo_tinh", "quantri") if n not in users]
        if missing:
            raise CommandError(f"Thiếu tài khoản demo {', '.join(missing)}: chạy seed_demo trước.")
        households = Household.objects.filter(province=province_area)
        if SupportRecord.objects.filter(household__in=households).exists():
            self.stdout.write(f"{province_area.name} đã có dữ liệu hỗ trợ: không ghi gì thêm.")
            return
        listed = list(
            households.filter(status__in=["poor", "near_poor"]).select_related("commune", "district").order_by("id")
        )
        if not listed:
            raise CommandError(f"{province_area.name} chưa có hộ nghèo, cận nghèo: chạy seed_reviews trước.")
        with transaction.atomic():
            seeding = _Seeding(users, province_area, year, random.Random(seed), timezone.localdate())  # noqa: S311 (demo data, reproducible by seed)
            seeding.budgets()
            for household in listed:
                seeding.household(household)
            seeding.decisions()
            log_action(
                actor=None,
                action="support.demo.seeded",
                obj=province_area,
                changes={"records": (0, seeding.records)},
                reason="Dữ liệu demo (seed_support)",
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Hỗ trợ demo ở {province_area.name}: {seeding.records} lượt hỗ trợ, {seeding.loans} khoản vay, "
                f"{seeding.escaped} hộ thoát nghèo, {seeding.relapsed} hộ tái nghèo; "
                f"trong {seconds(time.monotonic() - started)}."
            )
        )


class _Seeding:
    def __init__(self, users: dict[str, User], province: Area, year: int, rng: random.Random, today: datetime.date):
        self.users, self.province, self.year, self.rng, self.today = users, province, year, rng, today
        self.decided = D(year, 12, 15)
        self.commune_a = users["canbo_xa_a"].area
        self.commune_b = User.objects.filter(username="canbo_xa_b").values_list("area", flat=True).first()
        self.records = self.loans = self.escaped = self.relapsed = 0
        self.supported_a: list[Household] = []
        district_id = (
            self.commune_a.parent_id
            if self.commune_a.parent and self.commune_a.parent.level == Level.DISTRICT
            else None
        )
        poor_district = district_id or self.commune_a.pk
        Area.objects.filter(pk=poor_district).update(is_poor_district=True)
        self.poor_district = poor_district
        self.deprived = dict(
            Assessment.objects.filter(household__province=province, review_year=year, is_current=True).values_list(
                "household_id", "deprived"
            )
        )

    def when(self, days: int) -> datetime.date | None:
        day = self.decided + datetime.timedelta(days=days)
        return day if day <= self.today else None

    def actors(self, household: Household) -> tuple[User, User]:
        if household.commune_id == self.commune_a.pk:
            return self.users["canbo_xa_a"], self.users["chutich_xa_a"]
        return self.users["canbo_tinh"], self.users["quantri"]

    def budgets(self) -> None:
        actor = self.users["canbo_tinh"]
        for year in (self.year, self.year + 1):
            for project, source, envelope, share in BUDGETS:
                services.set_budget(
                    actor=actor,
                    area_id=self.province.pk,
                    year=year,
                    project=project,
                    funding_source=source,
                    amount=envelope,
                    decision=f"QĐ giao vốn {year} (demo)",
                )
                for commune in (self.commune_a.pk, self.commune_b):
                    if commune:
                        services.set_budget(
                            actor=actor,
                            area_id=commune,
                            year=year,
                            project=project,
                            funding_source=source,
                            amount=share,
                            decision=f"QĐ phân bổ vốn {year} (demo)",
                        )

    def support(
        self, household: Household, code: str, planned: int, delivered: int | None, **extra
    ) -> SupportRecord | None:
        day = self.when(planned)
        if day is None:
            return None
        recorder, approver = self.actors(household)
        record = services.record_support(
            actor=recorder,
            household_id=household.pk,
            type_code=code,
            date=day,
            funding_source=extra.pop("funding_source", "central"),
            today=self.today,
            **extra,
        )
        self.records += 1
        if delivered is None:
            return record
        record = services.approve_support(actor=approver, record_id=record.pk, version=record.version, day=day)
        handed = self.when(delivered)
        if handed is None:
            return record
        return services.deliver_support(
            actor=recorder, record_id=record.pk, version=record.version, delivered_on=handed, today=self.today
        )

    def household(self, household: Household) -> None:
        rng, deprived = self.rng, self.deprived.get(household.pk, [])
        poor = household.status == "poor"
        supported = False
        hi = "hi_poor" if poor else "hi_near_poor"
        cards = max(household.members.count(), 1)
        premium = cards * HI_PREMIUM if poor else cards * HI_PREMIUM * 70 // 100  # the state's share (§5.4)
        self.support(
            household, hi, 5, 13, funding_source="central" if poor else "local", quantity=cards, amount=premium
        )
        if "housing_quality" in deprived and rng.random() < 0.6:
            in_district = self.poor_district in (household.commune_id, household.district_id)
            code = "housing_new_p5" if in_district else "housing_repair_temp"
            self.support(household, code, 60, 150, cofinancing=5_000_000 if in_district else 0)
            supported = True
        if poor and rng.random() < 0.35:
            record = self.support(
                household, "livestock_p3", 50, 70, quantity=2, amount=30_000_000, cofinancing=9_000_000
            )
            supported = True
            for follow_up in record.follow_ups.all() if record else []:
                if follow_up.due_on <= self.today:
                    dead = rng.random() < 0.2
                    services.record_follow_up(
                        actor=self.actors(household)[0],
                        follow_up_id=follow_up.pk,
                        done_on=follow_up.due_on,
                        result=FollowUpResult.NOT_ACHIEVED if dead else FollowUpResult.ACHIEVED,
                        note="Một con bò bị bệnh chết." if dead else "Hai con bò khỏe, một con đang mang thai.",
                        today=self.today,
                    )
        if rng.random() < 0.2:
            self.support(household, "training_p4", 100, 110, amount=4_000_000)
            supported = True
        if rng.random() < 0.25 and (disbursed := self.when(30)):
            loan = services.record_loan(
                actor=self.actors(household)[0],
                household_id=household.pk,
                principal=rng.choice((30, 50, 80)) * 1_000_000,
                term_months=36,
                disbursed_on=disbursed,
                purpose="Chăn nuôi, trồng trọt",
                today=self.today,
            )
            self.loans += 1
            self.records += 1
            supported = True
            paid = self.when(210)
            if paid:
                services.record_repayment(
                    actor=self.actors(household)[0],
                    loan_id=loan.pk,
                    version=loan.version,
                    date=paid,
                    principal=loan.principal // 6,
                    interest=loan.principal * loan.annual_rate_bp // 20_000,
                    today=self.today,
                )
        if rng.random() < 0.15:
            self.support(household, "seeds_tools_p3", 330, None, amount=3_000_000)  # planned for next season
        if supported and household.commune_id == self.commune_a.pk:
            self.supported_a.append(household)

    def decisions(self) -> None:
        """Commune A's monthly reviews: a third of its supported poor households escape; one falls back later."""
        chair = self.users["chutich_xa_a"]
        escape_on, relapse_on = self.when(258), self.when(319)  # 30/08 and 30/10 of the next year
        if escape_on is None:
            return
        escaping = [h for h in self.supported_a if h.status == "poor"][::3]
        for household in escaping:
            record_status_change(
                actor=chair,
                household_id=household.pk,
                to_status="not_poor",
                effective_date=escape_on,
                decision_number=f"{len(escaping)}/QĐ-UBND (demo, rà soát thường xuyên tháng 8)",
                today=self.today,
                reason="Hộ đăng ký thoát nghèo, rà soát thường xuyên (demo)",
            )
            self.escaped += 1
        if escaping and relapse_on is not None:
            record_status_change(
                actor=chair,
                household_id=escaping[0].pk,
                to_status="poor",
                effective_date=relapse_on,
                decision_number="1/QĐ-UBND (demo, rà soát thường xuyên tháng 10)",
                today=self.today,
                reason="Hộ gặp thiên tai, mất nhà và vật nuôi (demo)",
            )
            self.relapsed += 1
