"""The uploads of a commune's Excel workbook (the Excel round-trip)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Area, ScopedQuerySet


class ImportStatus(models.TextChoices):
    REFUSED = "refused", _("Có lỗi, không ghi")
    COMMITTED = "committed", _("Đã ghi")


class ImportBatchQuerySet(ScopedQuerySet):
    scope_path = "commune__path"


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

    duplicate = False  # not a column: `services.import_workbook` sets it on the earlier batch of a file seen before

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
