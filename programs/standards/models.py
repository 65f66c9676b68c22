"""WHAT THE PROGRAM DECIDES: standards, assessments, status history (A1-A5) and the annual review (A6)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.models import Area, Household, HouseholdStatus
from programs.rules import CLOSED_STATES, CaseState, Deadline


class Indicator(models.Model):
    """A deprivation indicator with its stable code (domain A3)."""

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    dimension = models.CharField(_("chiều"), max_length=60)

    class Meta:
        verbose_name = _("chỉ số thiếu hụt")
        verbose_name_plural = _("chỉ số thiếu hụt")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PovertyStandard(models.Model):
    """A national (or local) poverty standard: lines in VND per person per month, inclusive (≤)."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    rural_poor_line = models.PositiveBigIntegerField(_("chuẩn nghèo nông thôn"))
    urban_poor_line = models.PositiveBigIntegerField(_("chuẩn nghèo thành thị"))
    rural_income_only_line = models.PositiveBigIntegerField(
        _("chuẩn nghèo chỉ theo thu nhập, nông thôn"), null=True, blank=True
    )
    urban_income_only_line = models.PositiveBigIntegerField(
        _("chuẩn nghèo chỉ theo thu nhập, thành thị"), null=True, blank=True
    )
    rural_average_upper = models.PositiveBigIntegerField(_("mức sống trung bình đến, nông thôn"), null=True, blank=True)
    urban_average_upper = models.PositiveBigIntegerField(_("mức sống trung bình đến, thành thị"), null=True, blank=True)
    deprivation_threshold = models.PositiveSmallIntegerField(_("số chỉ số thiếu hụt để là hộ nghèo"), default=3)
    rural_point_a_max = models.PositiveIntegerField(_("ngưỡng điểm A nông thôn"), null=True, blank=True)
    urban_point_a_max = models.PositiveIntegerField(_("ngưỡng điểm A thành thị"), null=True, blank=True)
    point_b_per_indicator = models.PositiveSmallIntegerField(_("điểm B mỗi chỉ số"), default=10)
    indicators = models.ManyToManyField(Indicator, through="StandardIndicator", verbose_name=_("chỉ số"))
    notes = models.TextField(_("ghi chú"), blank=True, default="")

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["valid_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="programs_povertystandard_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(rural_point_a_max__isnull=True, urban_point_a_max__isnull=True)
                | Q(rural_point_a_max__isnull=False, urban_point_a_max__isnull=False),
                name="programs_povertystandard_point_a_both_or_none",
            ),
            models.CheckConstraint(
                condition=Q(rural_average_upper__isnull=True, urban_average_upper__isnull=True)
                | Q(rural_average_upper__gte=F("rural_poor_line"), urban_average_upper__gte=F("urban_poor_line")),
                name="programs_povertystandard_average_above_line",
            ),
            models.CheckConstraint(
                condition=Q(rural_income_only_line__isnull=True, urban_income_only_line__isnull=True)
                | Q(rural_income_only_line__lte=F("rural_poor_line"), urban_income_only_line__lte=F("urban_poor_line")),
                name="programs_povertystandard_income_only_below_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class StandardIndicator(models.Model):
    standard = models.ForeignKey(PovertyStandard, on_delete=models.CASCADE, related_name="standard_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("thứ tự"))

    class Meta:
        verbose_name = _("chỉ số của chuẩn")
        verbose_name_plural = _("chỉ số của chuẩn")
        ordering = ["standard", "position"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "indicator"], name="programs_standardindicator_unique"),
        ]


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Rà soát định kỳ")
    MONTHLY = "monthly", _("Rà soát thường xuyên (hằng tháng)")


class Category(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE = "average", _("Hộ có mức sống trung bình")
    NOT_POOR = "not_poor", _("Hộ không nghèo")


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))

    def current(self) -> "AssessmentQuerySet":
        return self.filter(is_current=True)


class Assessment(models.Model):
    """One survey of one household in one review (B1 income or Point A, B2 facts), with its result.

    Never overwritten: a new survey in the same review supersedes the earlier one, which stays.
    """

    household = models.ForeignKey(Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="assessments")
    standard = models.ForeignKey(
        PovertyStandard, verbose_name=_("chuẩn nghèo"), on_delete=models.PROTECT, related_name="+"
    )
    review_year = models.PositiveSmallIntegerField(_("năm rà soát"))
    review_kind = models.CharField(_("loại rà soát"), max_length=10, choices=ReviewKind.choices)
    review_month = models.PositiveSmallIntegerField(_("tháng (rà soát thường xuyên)"), default=0)
    survey_date = models.DateField(_("ngày khảo sát"))
    area_type = models.CharField(
        _("khu vực"), max_length=5, choices=[("rural", _("Nông thôn")), ("urban", _("Thành thị"))]
    )
    quick_answers = models.JSONField(_("nhận dạng nhanh"), default=dict, blank=True)
    income_per_capita = models.PositiveBigIntegerField(_("thu nhập bình quân/người/tháng"), null=True, blank=True)
    point_a = models.PositiveIntegerField(_("điểm A"), null=True, blank=True)
    dwelling = models.JSONField(_("thông tin nhà ở"), default=dict, blank=True)
    member_facts = models.JSONField(_("thông tin thành viên khi khảo sát"), default=list, blank=True)
    answers = models.JSONField(_("câu trả lời của người khảo sát"), default=dict, blank=True)
    derived = models.JSONField(_("chỉ số hệ thống tính"), default=dict, blank=True)
    confirmed = models.JSONField(_("xác nhận khi khác nhau"), default=dict, blank=True)
    disagreements = models.JSONField(_("khác nhau giữa tính toán và trả lời"), default=list, blank=True)
    deprived = models.JSONField(_("chỉ số thiếu hụt"), default=list)
    # programs.rules.POVERTY_CAUSES codes, as the surveyor ticked them (Part B §4.2); reported for listed households
    causes = models.JSONField(_("nguyên nhân nghèo"), default=list, blank=True)
    deprivation_count = models.PositiveSmallIntegerField(_("số chỉ số thiếu hụt"))
    point_b = models.PositiveSmallIntegerField(_("điểm B"))
    income_line = models.PositiveBigIntegerField(_("chuẩn nghèo áp dụng"))
    category = models.CharField(_("phân loại"), max_length=10, choices=Category.choices)
    reasons = models.JSONField(_("lý do"), default=list)
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người khảo sát"), on_delete=models.PROTECT, related_name="+"
    )
    surveyor_name = models.CharField(_("tên rà soát viên"), max_length=120, blank=True, default="")
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    is_current = models.BooleanField(_("phiếu hiện hành của kỳ rà soát"), default=True, editable=False)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("thay bằng phiếu"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True, default="")

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu khảo sát, phân loại hộ")
        verbose_name_plural = _("phiếu khảo sát, phân loại hộ")
        ordering = ["-survey_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "review_year", "review_kind", "review_month"],
                condition=Q(is_current=True),
                name="programs_assessment_one_current_per_review",
            ),
            models.CheckConstraint(
                condition=Q(review_kind=ReviewKind.PERIODIC, review_month=0)
                | Q(review_kind=ReviewKind.MONTHLY, review_month__gte=1, review_month__lte=12),
                name="programs_assessment_month_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(income_per_capita__isnull=False) | Q(point_a__isnull=False),
                name="programs_assessment_income_or_point_a",
            ),
        ]
        indexes = [
            # the latest assessment of a household (reclassify, detail pages)
            models.Index(fields=["household", "-survey_date", "-id"], name="programs_assessment_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.household} — {self.review_year} ({self.get_category_display()})"


class StatusEvent(models.TextChoices):
    NEWLY_POOR = "newly_poor", _("Hộ nghèo phát sinh")
    NEWLY_NEAR_POOR = "newly_near_poor", _("Hộ cận nghèo phát sinh")
    BECAME_POOR = "became_poor", _("Từ cận nghèo thành nghèo")
    ESCAPED_POVERTY = "escaped_poverty", _("Thoát nghèo")
    ESCAPED_NEAR_POVERTY = "escaped_near_poverty", _("Thoát cận nghèo")
    RELAPSED_POOR = "relapsed_poor", _("Tái nghèo")
    RELAPSED_NEAR_POOR = "relapsed_near_poor", _("Tái cận nghèo")
    MOVED_IN = "moved_in", _("Chuyển đến")
    MOVED_OUT = "moved_out", _("Chuyển đi")
    DISSOLVED = "dissolved", _("Giải thể (nhập hộ, không còn người)")
    SPLIT = "split", _("Tách hộ")


class StatusChangeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StatusChangeQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class StatusChange(models.Model):
    """One change of a household's status (domain A5); the household's current status caches the last one."""

    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="status_changes"
    )
    from_status = models.CharField(_("từ"), max_length=10, choices=HouseholdStatus.choices)
    to_status = models.CharField(_("thành"), max_length=10, choices=HouseholdStatus.choices)
    event = models.CharField(_("sự kiện"), max_length=25, choices=StatusEvent.choices)
    effective_date = models.DateField(_("hiệu lực từ (ngày quyết định)"))
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("phiếu khảo sát"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True)
    reason = models.TextField(_("lý do"), blank=True, default="")

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thay đổi tình trạng hộ")
        verbose_name_plural = _("lịch sử tình trạng hộ")
        ordering = ["household", "effective_date", "id"]
        indexes = [models.Index(fields=["household", "effective_date", "id"], name="programs_statuschange_history")]

    def __str__(self) -> str:
        return f"{self.household}: {self.get_event_display()} ({self.effective_date:%d/%m/%Y})"


# --- the annual review as a workflow (domain A6; Part B §3, §6.1, §8.4) ------------------------------------


class ReviewCampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReviewCampaignQuerySet":
        """The campaigns of the communes in the user's area; admins all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_country_scope:
            return self
        if user.area is None:
            return self.none()
        return self.filter(area__path__startswith=user.area.path)


class ReviewCampaign(models.Model):
    """One commune's review: the periodic review of a year, or the monthly review of one month."""

    area = models.ForeignKey(Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại rà soát"), max_length=10, choices=ReviewKind.choices)
    month = models.PositiveSmallIntegerField(_("tháng (rà soát thường xuyên)"), default=0)
    standard = models.ForeignKey(
        PovertyStandard, verbose_name=_("chuẩn nghèo áp dụng"), on_delete=models.PROTECT, related_name="+"
    )
    steps = models.JSONField(_("hạn các bước"), default=dict, help_text=_("Bước → hạn (yyyy-mm-dd)."))
    posting_days = models.PositiveSmallIntegerField(_("số ngày làm việc niêm yết"), default=3)
    has_district_step = models.BooleanField(
        _("có bước xin ý kiến cấp huyện"), default=False, help_text=_("Chỉ các kỳ trước 01/07/2025.")
    )
    certificate_seq = models.PositiveIntegerField(_("số giấy chứng nhận đã cấp"), default=0, editable=False)
    opened_at = models.DateTimeField(_("mở lúc"), auto_now_add=True)
    reported_on = models.DateField(_("ngày báo cáo tỉnh"), null=True, blank=True, editable=False)

    objects = ReviewCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỳ rà soát của xã")
        verbose_name_plural = _("kỳ rà soát của xã")
        ordering = ["-year", "-month", "area__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "year", "kind", "month"], name="programs_reviewcampaign_one_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(kind=ReviewKind.PERIODIC, month=0)
                | Q(kind=ReviewKind.MONTHLY, month__gte=1, month__lte=12),
                name="programs_reviewcampaign_month_by_kind",
            ),
            models.CheckConstraint(condition=Q(posting_days__gte=1), name="programs_reviewcampaign_posting_days"),
        ]

    def __str__(self) -> str:
        cycle = f"{self.year}" if self.kind == ReviewKind.PERIODIC else f"tháng {self.month}/{self.year}"
        return f"{self.get_kind_display()} {cycle} — {self.area.name}"

    def step_dates(self) -> dict[str, "datetime.date"]:
        return {step: datetime.date.fromisoformat(day) for step, day in self.steps.items()}


class CaseOrigin(models.TextChoices):
    LISTED = "listed", _("Trong danh sách hộ nghèo, cận nghèo")
    REQUESTED = "requested", _("Hộ tự đề nghị")
    ALL_RESIDENTS = "all_residents", _("Rà soát toàn bộ hộ (theo kế hoạch của tỉnh)")


class RequestKind(models.TextChoices):
    ADD = "add", _("Đề nghị xét duyệt hộ nghèo, cận nghèo")
    EXIT = "exit", _("Đăng ký thoát nghèo, thoát cận nghèo")


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("Nộp trực tiếp")
    POST = "post", _("Qua bưu điện")
    ONLINE = "online", _("Trực tuyến (cổng dịch vụ công)")


class CaseStateChoices(models.TextChoices):
    LISTED = CaseState.LISTED, _("Chờ khảo sát")
    CLASSIFIED = CaseState.CLASSIFIED, _("Đã khảo sát, phân loại")
    AGREED = CaseState.AGREED, _("Họp thôn đã thống nhất")
    POSTED = CaseState.POSTED, _("Đang niêm yết")
    RECHECK = CaseState.RECHECK, _("Đang phúc tra khiếu nại")
    DISTRICT_CONSULTED = CaseState.DISTRICT_CONSULTED, _("Đã xin ý kiến cấp huyện")
    RECOGNISED = CaseState.RECOGNISED, _("Đã công nhận")
    REPORTED = CaseState.REPORTED, _("Đã báo cáo tỉnh")
    REJECTED = CaseState.REJECTED, _("Không công nhận")


class ReviewCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReviewCaseQuerySet":
        """A case belongs to its campaign's commune, even if the household has moved since."""
        return self.filter(campaign__in=ReviewCampaign.objects.visible_to(user))

    def open(self) -> "ReviewCaseQuerySet":
        return self.exclude(state__in=[s.value for s in CLOSED_STATES])


class ReviewCase(models.Model):
    """One household in one campaign, moving through the steps of the review (Part B §8.4)."""

    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("kỳ rà soát"), on_delete=models.PROTECT, related_name="cases"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="review_cases"
    )
    state = models.CharField(
        _("bước"), max_length=20, choices=CaseStateChoices.choices, default=CaseState.LISTED, editable=False
    )
    origin = models.CharField(_("nguồn"), max_length=15, choices=CaseOrigin.choices, default=CaseOrigin.LISTED)
    status_at_opening = models.CharField(
        _("tình trạng khi mở hồ sơ"), max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.NOT_POOR
    )
    request_kind = models.CharField(_("loại đề nghị"), max_length=5, choices=RequestKind.choices, blank=True)
    request_channel = models.CharField(_("hình thức nộp"), max_length=10, choices=RequestChannel.choices, blank=True)
    requested_on = models.DateField(_("ngày nộp đề nghị"), null=True, blank=True)
    request_note = models.TextField(_("nội dung đề nghị"), blank=True, default="")
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("phiếu khảo sát"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_category = models.CharField(_("đề xuất phân loại"), max_length=10, choices=Category.choices, blank=True)
    meeting_date = models.DateField(_("ngày họp thôn"), null=True, blank=True)
    meeting_attendees = models.PositiveIntegerField(_("số người dự họp"), null=True, blank=True)
    meeting_agreeing = models.PositiveIntegerField(_("số người đồng ý"), null=True, blank=True)
    meeting_note = models.TextField(_("ghi chú họp thôn"), blank=True, default="")
    posting_start = models.DateField(_("niêm yết từ"), null=True, blank=True)
    posting_end = models.DateField(_("niêm yết đến"), null=True, blank=True)
    district_opinion_on = models.DateField(_("ngày có ý kiến cấp huyện"), null=True, blank=True)
    district_opinion = models.TextField(_("ý kiến cấp huyện"), blank=True, default="")
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True, default="")
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người công nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recognised_status = models.CharField(
        _("tình trạng được công nhận"), max_length=10, choices=HouseholdStatus.choices, blank=True
    )
    status_change = models.ForeignKey(
        StatusChange,
        verbose_name=_("thay đổi tình trạng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate_number = models.CharField(_("số giấy chứng nhận"), max_length=40, blank=True, default="")
    rejection_reason = models.TextField(_("lý do không công nhận"), blank=True, default="")
    reported_on = models.DateField(_("ngày báo cáo tỉnh"), null=True, blank=True)
    due_step = models.CharField(_("bước phải làm"), max_length=15, blank=True, default="", editable=False)
    due_on = models.DateField(_("hạn"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    objects = ReviewCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ rà soát hộ")
        verbose_name_plural = _("hồ sơ rà soát hộ")
        ordering = ["campaign", "household__code", "id"]
        constraints = [
            # One case per household per campaign, open or closed: a second opening run creates nothing.
            models.UniqueConstraint(fields=["household", "campaign"], name="programs_reviewcase_one_per_campaign"),
            models.UniqueConstraint(
                fields=["campaign", "certificate_number"],
                condition=~Q(certificate_number=""),
                name="programs_reviewcase_certificate_unique",
            ),
            models.CheckConstraint(
                condition=Q(meeting_agreeing__isnull=True) | Q(meeting_agreeing__lte=F("meeting_attendees")),
                name="programs_reviewcase_agreeing_le_attendees",
            ),
            models.CheckConstraint(
                condition=Q(posting_end__isnull=True) | Q(posting_end__gte=F("posting_start")),
                name="programs_reviewcase_posting_range",
            ),
        ]
        indexes = [
            # reminders and escalation: open cases of a campaign by deadline (send_review_reminders, escalate_overdue)
            models.Index(
                fields=["due_on", "campaign", "due_step"],
                condition=Q(due_on__isnull=False),
                name="programs_reviewcase_due",
            ),
            models.Index(fields=["campaign", "state"], name="programs_reviewcase_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.household}"

    @property
    def reference(self) -> str:
        """The number the household quotes in a complaint: review year and case number."""
        return f"RS{self.campaign.year}-{self.pk:06d}" if self.pk else ""


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("Có cơ sở: khảo sát lại")
    DISMISSED = "dismissed", _("Không có cơ sở: giữ kết quả")


class ReviewComplaint(models.Model):
    """A complaint about a posted result; while open it holds the case's recognition."""

    case = models.ForeignKey(ReviewCase, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="complaints")
    received_on = models.DateField(_("ngày nhận"))
    complainant = models.CharField(_("người khiếu nại"), max_length=120)
    content = models.TextField(_("nội dung"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("kết quả phúc tra"), max_length=10, choices=ComplaintOutcome.choices, blank=True)
    resolution = models.TextField(_("kết luận"), blank=True, default="")
    resolved_on = models.DateField(_("ngày giải quyết"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("khiếu nại")
        verbose_name_plural = _("khiếu nại")
        ordering = ["case", "received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="", resolved_on__isnull=True) | (~Q(outcome="") & Q(resolved_on__isnull=False)),
                name="programs_reviewcomplaint_resolved_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complainant} ({self.received_on:%d/%m/%Y})"


class NotificationKind(models.TextChoices):
    STEP_DUE = "step_due", _("Sắp đến hạn")
    STEP_OVERDUE = "step_overdue", _("Quá hạn (báo cấp trên)")
    PRELIMINARY_REPORT = Deadline.PRELIMINARY_REPORT, _("Báo cáo sơ bộ (15/11)")
    OFFICIAL_REPORT = Deadline.OFFICIAL_REPORT, _("Báo cáo chính thức (20/12)")
    MONTHLY_REPORT = Deadline.MONTHLY_REPORT, _("Báo cáo hằng tháng (ngày 5)")
    SUPPORT_FOLLOW_UP = "support_follow_up", _("Theo dõi kết quả hỗ trợ")


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """Each user sees her own notifications only."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """One reminder or escalation for one user ("việc cần làm"); unique per (user, kind, target, due date),
    so a second run of the job that makes it sends nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("loại"), max_length=20, choices=NotificationKind.choices)
    target = models.CharField(
        _("đối tượng"), max_length=60, help_text=_("campaign:<id>:<bước>, case:<id> hoặc area:<id>.")
    )
    due_on = models.DateField(_("hạn"))
    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("kỳ rà soát"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("địa bàn"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(_("bước"), max_length=15, blank=True, default="")
    count = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True, default="")
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)
    email_error = models.CharField(_("lỗi gửi thư"), max_length=255, blank=True, default="")
    read_at = models.DateTimeField(_("đã xem lúc"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("việc cần làm")
        verbose_name_plural = _("việc cần làm")
        ordering = [F("read_at").asc(nulls_first=True), "due_on", "id"]  # unread first
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "target", "due_on"], name="programs_notification_once"),
        ]
        indexes = [
            # the to-do list on the admin home: a user's unread notifications by due date
            models.Index(
                fields=["user", "due_on"], condition=Q(read_at__isnull=True), name="programs_notification_unread"
            ),
            # the e-mail pass: notifications not yet e-mailed
            models.Index(fields=["id"], condition=Q(emailed_at__isnull=True), name="programs_notification_unsent"),
        ]

    def __str__(self) -> str:
        return self.subject


# --- statistics (issue 6): the year's figures per commune, pre-aggregated; targets ---------------------------


class CommuneYearFigures(models.Model):
    """The figures of one commune for one year (`programs.accounting.tally`): flat counts that add up to any
    area above it. Recomputed from the data by `programs.statistics.refresh_figures`; never edited."""

    commune = models.ForeignKey(Area, verbose_name=_("xã"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    households = models.PositiveIntegerField(_("số hộ"), default=0)
    poor = models.PositiveIntegerField(_("hộ nghèo"), default=0)
    near_poor = models.PositiveIntegerField(_("hộ cận nghèo"), default=0)
    counts = models.JSONField(_("số liệu chi tiết"), default=dict)
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("số liệu năm của xã")
        verbose_name_plural = _("số liệu năm của xã")
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="programs_figures_one_per_year")]
        indexes = [models.Index(fields=["year", "commune"], name="programs_figures_by_year")]

    def __str__(self) -> str:
        return f"{self.commune_id}/{self.year}"


class StaleFigures(models.Model):
    """A commune's figures from `year` on must be recomputed (a status decided, a survey recorded): the work
    queue of `refresh_stale_figures`, one row per commune, keeping the earliest year."""

    commune = models.OneToOneField(Area, verbose_name=_("xã"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("từ năm"))
    marked_at = models.DateTimeField(_("đánh dấu lúc"), auto_now=True)

    class Meta:
        verbose_name = _("số liệu cần tính lại")
        verbose_name_plural = _("số liệu cần tính lại")

    def __str__(self) -> str:
        return f"{self.commune_id} từ {self.year}"


class TargetMeasure(models.TextChoices):
    POOR = "poor", _("Tỷ lệ hộ nghèo")
    NEAR_POOR = "near_poor", _("Tỷ lệ hộ cận nghèo")
    MULTIDIMENSIONAL = "multidimensional", _("Tỷ lệ nghèo đa chiều (nghèo + cận nghèo)")
    MINORITY_POOR = "minority_poor", _("Tỷ lệ hộ nghèo dân tộc thiểu số")


class TargetKind(models.TextChoices):
    MAX_RATE = "max_rate", _("Tỷ lệ không quá (%)")
    REDUCTION = "reduction", _("Giảm ít nhất (điểm %) so với năm trước")


class PovertyTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PovertyTargetQuerySet":
        """Targets of the user's area, of the areas within it and of those above it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_country_scope:
            return self
        if user.area is None:
            return self.none()
        above = [pk for pk in (user.area.parent_id, user.area.province_id) if pk]
        return self.filter(Q(area__path__startswith=user.area.path) | Q(area_id__in=above))


class PovertyTarget(models.Model):
    """A target of an area for a year (Part B §5.1: poor-household rate −1 to −1.5 points a year; EM poor rate
    −3 points; a rate to reach by a year, e.g. below 2.5% by 2025)."""

    area = models.ForeignKey(Area, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    measure = models.CharField(_("chỉ tiêu"), max_length=20, choices=TargetMeasure.choices)
    kind = models.CharField(_("loại mục tiêu"), max_length=10, choices=TargetKind.choices)
    value = models.DecimalField(_("giá trị (%, điểm %)"), max_digits=5, decimal_places=2)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người ghi"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    objects = PovertyTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tiêu giảm nghèo")
        verbose_name_plural = _("mục tiêu giảm nghèo")
        ordering = ["year", "area__path", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "measure", "kind"], name="programs_target_one_per_measure"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=100), name="programs_target_value_range"),
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.year}: {self.get_measure_display()} {self.get_kind_display()} {self.value}"


# --- official reports and Excel imports (issue 6) ------------------------------------------------------------


class ReportKind(models.TextChoices):
    """The tables of the review's reporting templates (Part B §6.2)."""

    SUMMARY = "summary", _("Tổng hợp kết quả chính thức rà soát hộ nghèo, hộ cận nghèo")
    MOVEMENT = "movement", _("Tổng hợp diễn biến hộ nghèo, hộ cận nghèo")
    DEPRIVATION = "deprivation", _("Phân tích các chỉ số thiếu hụt dịch vụ xã hội cơ bản")
    TARGET_GROUP = "target_group", _("Hộ nghèo, hộ cận nghèo theo các nhóm đối tượng")
    ETHNICITY = "ethnicity", _("Hộ nghèo, hộ cận nghèo theo dân tộc")
    CAUSE = "cause", _("Hộ nghèo, hộ cận nghèo theo các nguyên nhân nghèo")
    CHILDREN = "children", _("Tổng hợp chỉ tiêu thiếu hụt của trẻ em")
    DETAILED_LIST = "detailed_list", _("Danh sách chi tiết hộ nghèo, hộ cận nghèo")
    ALL = "all", _("Tất cả các biểu (một tệp)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportJobQuerySet":
        """Each user sees the reports she asked for."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class ReportJob(models.Model):
    """An official report asked for an area and year, built by Celery (never in the request for a province),
    with its progress; the Excel file is kept on the row until it is downloaded or expires."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người yêu cầu"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(Area, verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("biểu báo cáo"), max_length=15, choices=ReportKind.choices)
    status = models.CharField(_("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("thông báo"), max_length=255, blank=True, default="")
    filename = models.CharField(_("tên tệp"), max_length=200, blank=True, default="")
    content = models.BinaryField(_("tệp Excel"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo chính thức")
        verbose_name_plural = _("báo cáo chính thức")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="programs_reportjob_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.area.name} {self.year}"


class ImportStatus(models.TextChoices):
    REFUSED = "refused", _("Có lỗi, không ghi")
    COMMITTED = "committed", _("Đã ghi")


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportBatchQuerySet":
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_country_scope:
            return self
        if user.area is None:
            return self.none()
        return self.filter(commune__path__startswith=user.area.path)


class ImportBatch(models.Model):
    """One upload of a commune's households and survey results from the Excel template: validated row by row
    first, then written in one transaction or not at all. The file's SHA-256 makes a second upload of the
    same file do nothing."""

    commune = models.ForeignKey(Area, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người tải lên"), on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("tên tệp"), max_length=200)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    status = models.CharField(_("kết quả"), max_length=10, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    created = models.JSONField(_("đã tạo"), default=dict, blank=True)
    errors = models.JSONField(_("lỗi theo dòng"), default=list, blank=True)
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhập Excel")
        verbose_name_plural = _("lần nhập Excel")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # a file is written once per commune; a refused upload may be tried again once corrected
            models.UniqueConstraint(
                fields=["commune", "sha256"],
                condition=Q(status="committed"),
                name="programs_importbatch_once_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
