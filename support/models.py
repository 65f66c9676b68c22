"""WHAT HOUSEHOLDS RECEIVE: intervention types and support records (domain A8, Part B §5)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from config.formats import money
from households.models import Area, Household, ScopedQuerySet
from programs.rules import NEWLY_ESCAPED_MONTHS
from support.rules import EligibilityRule, Limit


class Project(models.TextChoices):
    """The projects of the NTP 2021-2025 (Decision 90/QĐ-TTg, Part B §5.1), or a policy outside it."""

    P1 = "P1", _("Dự án 1: hạ tầng huyện nghèo, xã đặc biệt khó khăn")
    P2 = "P2", _("Dự án 2: đa dạng hóa sinh kế, mô hình giảm nghèo")
    P3 = "P3", _("Dự án 3: hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng")
    P4 = "P4", _("Dự án 4: giáo dục nghề nghiệp, việc làm bền vững")
    P5 = "P5", _("Dự án 5: hỗ trợ nhà ở hộ nghèo, cận nghèo huyện nghèo")
    P6 = "P6", _("Dự án 6: truyền thông và giảm nghèo về thông tin")
    P7 = "P7", _("Dự án 7: nâng cao năng lực, giám sát, đánh giá")
    OTHER = "other", _("Chính sách ngoài Chương trình")


class Kind(models.TextChoices):
    HOUSING_NEW = "housing_new", _("Xây mới nhà ở")
    HOUSING_REPAIR = "housing_repair", _("Sửa chữa nhà ở")
    LIVESTOCK = "livestock", _("Con giống, vật nuôi")
    SEEDS_TOOLS = "seeds_tools", _("Giống cây trồng, vật tư, công cụ")
    TRAINING = "training", _("Đào tạo nghề")
    JOB = "job", _("Giới thiệu việc làm")
    CREDIT = "credit", _("Tín dụng ưu đãi")
    HEALTH_INSURANCE = "health_insurance", _("Bảo hiểm y tế")
    TUITION = "tuition", _("Miễn, giảm học phí")
    ELECTRICITY = "electricity", _("Hỗ trợ tiền điện")
    OTHER = "other", _("Khác")


class LimitChoices(models.TextChoices):
    ONCE = Limit.ONCE, _("Một lần mỗi hộ")
    PER_YEAR = Limit.PER_YEAR, _("Mỗi năm một lần")
    NONE = Limit.NONE, _("Không giới hạn")


class InterventionType(models.Model):
    """A kind of support with its project, the deprivations it addresses, its default amount and who may get it
    (A8). Amounts, rates and rules are data with their legal source, edited by program admins."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    project = models.CharField(_("dự án"), max_length=5, choices=Project.choices)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    addresses = models.JSONField(_("chỉ số thiếu hụt được giải quyết"), default=list, blank=True)
    default_amount = models.PositiveBigIntegerField(_("mức hỗ trợ mặc định (đồng)"), default=0)
    unit = models.CharField(_("đơn vị"), max_length=40, default="hộ")
    annual_rate_bp = models.PositiveIntegerField(
        _("lãi suất năm (phần vạn)"), null=True, blank=True, help_text=_("Tín dụng: 660 = 6,60%/năm.")
    )
    eligible_statuses = models.JSONField(_("tình trạng được hỗ trợ"), default=list)
    newly_escaped = models.BooleanField(_("hộ mới thoát nghèo được hỗ trợ"), default=False)
    # the newly-escaped window of this benefit (shared/domain.md A5: a setting per benefit), by default the
    # household's own 36 months
    newly_escaped_months = models.PositiveSmallIntegerField(
        _("thời gian hộ mới thoát nghèo (tháng)"), default=NEWLY_ESCAPED_MONTHS
    )
    poor_district_only = models.BooleanField(_("chỉ ở huyện nghèo"), default=False)
    limit = models.CharField(_("số lần"), max_length=10, choices=LimitChoices.choices, default=LimitChoices.NONE)
    max_term_months = models.PositiveSmallIntegerField(
        _("thời hạn vay tối đa (tháng)"), null=True, blank=True, help_text=_("Tín dụng: để trống nếu không giới hạn.")
    )
    legal_source = models.CharField(_("căn cứ pháp lý"), max_length=300)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("loại hỗ trợ")
        verbose_name_plural = _("loại hỗ trợ")
        ordering = ["project", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_rate_bp__isnull=True) | Q(annual_rate_bp__lte=10_000),
                name="support_interventiontype_rate_range",
            ),
        ]

    def __str__(self) -> str:
        """Its name, with its project unless the name already says it ("… (Dự án 3)")."""
        project = str(self.get_project_display())
        return self.name if project.split(":")[0] in self.name else f"{self.name} ({project})"

    def rule(self) -> EligibilityRule:
        return EligibilityRule(
            statuses=frozenset(self.eligible_statuses),
            newly_escaped=self.newly_escaped,
            window_months=self.newly_escaped_months,
            poor_district_only=self.poor_district_only,
            limit=Limit(self.limit),
        )


class FundingSource(models.TextChoices):
    CENTRAL = "central", _("Ngân sách trung ương")
    LOCAL = "local", _("Ngân sách địa phương")
    POLICY_BANK = "policy_bank", _("Ngân hàng Chính sách xã hội")
    SOCIAL = "social", _("Huy động xã hội")
    HOUSEHOLD = "household", _("Hộ đối ứng")


class RecordStatus(models.TextChoices):
    PLANNED = "planned", _("Dự kiến")
    APPROVED = "approved", _("Đã duyệt")
    DELIVERED = "delivered", _("Đã hỗ trợ")
    CANCELLED = "cancelled", _("Đã hủy")


class SupportRecordQuerySet(ScopedQuerySet):
    scope_through = "household"


class SupportRecord(models.Model):
    """One support a household received (or is to receive), with its eligibility at the date."""

    household = models.ForeignKey(Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="supports")
    intervention_type = models.ForeignKey(
        InterventionType, verbose_name=_("loại hỗ trợ"), on_delete=models.PROTECT, related_name="records"
    )
    date = models.DateField(_("ngày hỗ trợ"))
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    funding_source = models.CharField(_("nguồn vốn"), max_length=15, choices=FundingSource.choices)
    cofinancing = models.PositiveBigIntegerField(_("hộ đối ứng (đồng)"), default=0)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.PLANNED, editable=False
    )
    eligibility = models.JSONField(_("lý do đủ hoặc không đủ điều kiện"), default=list)
    override_reason = models.TextField(_("lý do vẫn hỗ trợ khi không đủ điều kiện"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    note = models.TextField(_("ghi chú"), blank=True, default="")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    approved_on = models.DateField(_("ngày duyệt"), null=True, blank=True, editable=False)
    delivered_on = models.DateField(_("ngày giao hỗ trợ"), null=True, blank=True, editable=False)
    cancelled_on = models.DateField(_("ngày hủy"), null=True, blank=True, editable=False)
    cancel_reason = models.TextField(_("lý do hủy"), blank=True, default="", editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    objects = SupportRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("hỗ trợ đã nhận")
        verbose_name_plural = _("hỗ trợ đã nhận")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cofinancing__lte=F("amount")), name="support_supportrecord_cofinancing_le_amount"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="support_supportrecord_quantity_positive"),
        ]
        indexes = [
            # eligibility's "already received" and the targeting lists: a household's records of a type
            models.Index(fields=["household", "intervention_type", "date"], name="support_record_by_household"),
            # budgets and outcome views: the delivered records of a year
            models.Index(fields=["status", "date"], name="support_record_by_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention_type.name} — {self.household} ({self.date:%d/%m/%Y})"


class FollowUpResult(models.TextChoices):
    ACHIEVED = "achieved", _("Đạt")
    NOT_ACHIEVED = "not_achieved", _("Không đạt")


class FollowUpQuerySet(ScopedQuerySet):
    scope_through = "record__household"


class SupportFollowUp(models.Model):
    """A check of what a delivered support achieved, due some months after delivery (rules.FOLLOW_UPS); its
    officers are reminded through the review's notifications until the result is recorded."""

    record = models.ForeignKey(
        SupportRecord, verbose_name=_("hỗ trợ"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    code = models.CharField(_("mã"), max_length=20)
    label = models.CharField(_("nội dung theo dõi"), max_length=200)
    due_on = models.DateField(_("hạn theo dõi"))
    done_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    result = models.CharField(_("kết quả"), max_length=15, choices=FollowUpResult.choices, blank=True, default="")
    note = models.TextField(_("ghi chú"), blank=True, default="")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("theo dõi kết quả hỗ trợ")
        verbose_name_plural = _("theo dõi kết quả hỗ trợ")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "code"], name="support_followup_once"),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, result="") | Q(done_on__isnull=False) & ~Q(result=""),
                name="support_followup_done_has_result",
            ),
        ]
        indexes = [
            # the reminders: open follow-ups by due date
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="support_followup_open"),
        ]

    def __str__(self) -> str:
        return f"{self.label} — hạn {self.due_on:%d/%m/%Y}"


class LoanQuerySet(ScopedQuerySet):
    scope_through = "record__household"


class Loan(models.Model):
    """A policy-bank loan as the commune knows it (Part B §5.3): recorded, not disbursed — the bank is the
    system of record. Its support record (a credit type) carries household, date, amount and eligibility."""

    record = models.OneToOneField(
        SupportRecord, verbose_name=_("hỗ trợ"), on_delete=models.PROTECT, related_name="loan"
    )
    purpose = models.CharField(_("mục đích vay"), max_length=200)
    principal = models.PositiveBigIntegerField(_("số tiền vay (đồng)"))
    annual_rate_bp = models.PositiveIntegerField(_("lãi suất năm (phần vạn)"), help_text=_("660 = 6,60%/năm."))
    term_months = models.PositiveSmallIntegerField(_("thời hạn (tháng)"))
    disbursed_on = models.DateField(_("ngày giải ngân"))
    maturity_on = models.DateField(_("ngày đến hạn"), editable=False)
    contract_number = models.CharField(_("số hợp đồng / khế ước"), max_length=60, blank=True, default="")
    repaid = models.PositiveBigIntegerField(_("gốc đã trả (đồng)"), default=0, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoản vay ưu đãi")
        verbose_name_plural = _("khoản vay ưu đãi")
        ordering = ["-disbursed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(repaid__lte=F("principal")), name="support_loan_repaid_le_principal"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="support_loan_term_positive"),
            models.CheckConstraint(condition=Q(annual_rate_bp__lte=10_000), name="support_loan_rate_range"),
        ]

    def __str__(self) -> str:
        return f"Vay {money(self.principal)} — {self.record.household}"

    @property
    def balance(self) -> int:
        return self.principal - self.repaid


class LoanRepayment(models.Model):
    loan = models.ForeignKey(Loan, verbose_name=_("khoản vay"), on_delete=models.PROTECT, related_name="repayments")
    date = models.DateField(_("ngày trả"))
    principal = models.PositiveBigIntegerField(_("gốc (đồng)"))
    interest = models.PositiveBigIntegerField(_("lãi (đồng)"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("lần trả nợ")
        verbose_name_plural = _("lần trả nợ")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {money(self.principal)}"


class BudgetQuerySet(ScopedQuerySet):
    """Budgets of the user's area, the areas within it and the areas above it (a commune sees the
    province's envelope it draws on)."""

    scope_path = "area__path"
    scope_above = True


class BudgetAllocation(models.Model):
    """The money of a project and source for an area (province, district or commune) and year. A commune's
    allocations come out of its province's (and district's) envelope: they must not add up to more."""

    area = models.ForeignKey(Area, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    project = models.CharField(_("dự án"), max_length=5, choices=Project.choices)
    funding_source = models.CharField(_("nguồn vốn"), max_length=15, choices=FundingSource.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    decision = models.CharField(_("quyết định giao vốn"), max_length=120, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch vốn")
        verbose_name_plural = _("kế hoạch vốn")
        ordering = ["year", "area__path", "project", "funding_source"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "project", "funding_source"], name="support_budget_one_per_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year} {self.project} {self.get_funding_source_display()}"


class DemoStep(models.Model):
    """A step of the demo's seeding (`manage.py setup_demo`, which `make run` calls) done on this database. It is
    written in the step's own transaction, so a step is either done and recorded or neither; a second run skips
    every recorded step and never touches what users wrote in between."""

    key = models.CharField(_("bước"), max_length=120, unique=True)
    done_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    output = models.TextField(_("kết quả"), blank=True, default="")

    class Meta:
        verbose_name = _("bước tạo dữ liệu demo")
        verbose_name_plural = _("các bước tạo dữ liệu demo")
        ordering = ["done_at", "id"]

    def __str__(self) -> str:
        return self.key
