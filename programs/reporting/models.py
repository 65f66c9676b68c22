"""The year's figures per commune (pre-aggregated), poverty targets and official report jobs (domain Part B
§6.2)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.formats import decimal
from households.models import Area, ScopedQuerySet


class CommuneYearFigures(models.Model):
    """The figures of one commune for one year (`programs.reporting.rules.tally`): flat counts that add up to any
    area above it. Recomputed from the data by `programs.reporting.services.refresh_figures`; never edited."""

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


class PovertyTargetQuerySet(ScopedQuerySet):
    """Targets of the user's area, of the areas within it and of those above it."""

    scope_path = "area__path"
    scope_above = True


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
        """'Lào Cai 2026: tỷ lệ hộ nghèo không quá 12,5%', or '… giảm ít nhất 1,5 điểm % so với năm trước'."""
        value = decimal(self.value)
        goal = (
            f"không quá {value}%"
            if self.kind == TargetKind.MAX_RATE
            else f"giảm ít nhất {value} điểm % so với năm trước"
        )
        return f"{self.area.name} {self.year}: {self.get_measure_display().lower()} {goal}"


# --- official reports and Excel imports ----------------------------------------------------------------------


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


class ReportJobQuerySet(ScopedQuerySet):
    """Each user sees the reports she asked for."""

    scope_owner = "requested_by"


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
