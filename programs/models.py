"""WHAT THE PROGRAM DECIDES: poverty standards and their indicators (domain A1, A3)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


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
