"""Standards and their indicators, assessments (B1/B2 surveys with their classification) and the status history
(domain A1-A5)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from households.models import Household, HouseholdStatus, ScopedQuerySet


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
        return self.name


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

    def __str__(self) -> str:
        return f"{self.position}. {self.indicator}"


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Rà soát định kỳ")
    MONTHLY = "monthly", _("Rà soát thường xuyên (hằng tháng)")


class Category(models.TextChoices):
    POOR = "poor", _("Hộ nghèo")
    NEAR_POOR = "near_poor", _("Hộ cận nghèo")
    AVERAGE = "average", _("Hộ có mức sống trung bình")
    NOT_POOR = "not_poor", _("Hộ không nghèo")


class AssessmentQuerySet(ScopedQuerySet):
    scope_through = "household"

    def current(self) -> "AssessmentQuerySet":
        return self.filter(is_current=True)


class Assessment(models.Model):
    """One survey of one household in one review (B1 income or Point A, B2 facts), with its result.

    Never overwritten: a new survey in the same review supersedes the earlier one, which stays.
    """

    # No index of its own: the index `programs_assessment_latest` starts with the household and serves every lookup
    # by household (and the foreign key's checks); a second one would only cost every write (reclassify, seed).
    household = models.ForeignKey(
        Household, verbose_name=_("hộ"), on_delete=models.PROTECT, related_name="assessments", db_index=False
    )
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


class StatusChangeQuerySet(ScopedQuerySet):
    scope_through = "household"


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
        return f"{self.household}: {self.change_text()} ({self.effective_date:%d/%m/%Y})"

    def change_text(self) -> str:
        """What the decision changed: its event ("Tái nghèo"), and the statuses when it has none."""
        statuses = f"{self.get_from_status_display()} → {self.get_to_status_display()}".lower()
        return f"{self.get_event_display()} ({statuses})" if self.event else capfirst(statuses)
