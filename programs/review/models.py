"""The annual and monthly review as a workflow: campaigns, cases, complaints and notifications (domain A6;
Part B §3, §6.1, §8.4)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from households.models import Area, Household, HouseholdStatus, ScopedQuerySet
from programs.review.rules import CLOSED_STATES, CaseState, Deadline
from programs.standards.models import Assessment, Category, PovertyStandard, ReviewKind, StatusChange


class ReviewCampaignQuerySet(ScopedQuerySet):
    """The campaigns of the communes in the user's area; admins all."""

    scope_path = "area__path"


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


class ReviewCaseQuerySet(ScopedQuerySet):
    """A case belongs to its campaign's commune, even if the household has moved since."""

    scope_through = "campaign"

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


class NotificationQuerySet(ScopedQuerySet):
    """Each user sees her own notifications only."""

    scope_owner = "user"


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
