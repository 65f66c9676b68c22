"""Official reports in the admin (domain Part B §6.2): ask for a report, follow its progress, download it.

"Báo cáo chính thức" lists the reports the user asked for (each user sees her own). The add form picks an area in
the user's scope, a year and a table (or all of them); saving it calls `report_jobs.request_report`, whose
refusal shows on the form, and Celery builds the file. The report's page refreshes itself every 3 seconds while
the job waits or runs, then offers the file; the download goes through `report_jobs.download_report`, which
audits it.
"""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin import ServiceAdminMixin, adopt
from config.errors import DomainError, NotFound
from households import rules as access
from households.admin import Key, Names, RightsAdminMixin, describe_audit, yes_no
from households.models import Area
from programs.models import CommuneYearFigures, JobStatus, ReportJob, ReportKind
from programs.reporting import reports as official_reports
from programs.reporting import services as statistics
from programs.reporting.dashboard import ScopedAreaField
from programs.reporting.services import report_jobs

REFRESH_SECONDS = 3

describe_audit(
    actions={
        "programs.report.requested": "yêu cầu lập báo cáo chính thức",
        "programs.report.downloaded": "tải báo cáo chính thức",
        "programs.target.set": "đặt mục tiêu giảm nghèo",
    },
    keys={
        ReportJob: {
            "area": Key("Địa bàn", names=Names(Area, "code", "name")),  # the log keeps the area's code
            "personal_data": Key("Có thông tin cá nhân", show=yes_no),
        },
    },
)


class ReportRequestForm(forms.ModelForm):
    """Area (province, district or commune in scope), year and table; the service decides, the form shows why not.
    `user` is set by the admin."""

    user = None

    class Meta:
        model = ReportJob
        fields = ["area", "year", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"] = ScopedAreaField(self.user)
        this_year = timezone.localdate().year
        latest = CommuneYearFigures.objects.order_by("-year").values_list("year", flat=True).first()
        self.fields["year"] = forms.TypedChoiceField(
            label=_("Năm"),
            coerce=int,
            choices=[(year, year) for year in range(this_year, statistics.FIRST_YEAR - 1, -1)],
            initial=latest or this_year,
            help_text=_("Tình trạng các hộ ngày 31/12 của năm."),
        )
        self.fields["kind"] = forms.ChoiceField(
            label=_("Biểu báo cáo"),
            choices=ReportKind.choices,
            initial=ReportKind.SUMMARY,
            help_text=_("Danh sách chi tiết có thông tin cá nhân; mỗi lần tải về được ghi nhật ký."),
        )


@admin.register(ReportJob)
class ReportJobAdmin(ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.STATS_VIEW
    add_right = access.STATS_VIEW  # and no change right: a report is asked for, never edited
    list_display = ["kind", "area", "year", "status", "progress_bar", "created_at", "download_link"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["area"]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = [
        "area",
        "year",
        "kind",
        "status",
        "progress_bar",
        "message",
        "download_link",
        "created_at",
        "started_at",
        "finished_at",
    ]
    readonly_fields = fields
    change_form_template = "admin/programs/reportjob/change_form.html"

    def get_queryset(self, request):
        # the one door: one's own reports; the file is read only when it is downloaded
        return ReportJob.objects.visible_to(request.user).select_related("area").defer("content")

    def get_fields(self, request, obj=None):
        return ["area", "year", "kind"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ReportRequestForm
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        job = report_jobs.request_report(
            actor=request.user, area_id=data["area"].pk, year=data["year"], kind=data["kind"]
        )
        adopt(obj, job)

    def save_related(self, request, form, formsets, change):
        """No related rows."""

    def log_addition(self, request, obj, message):
        """The service wrote the audit entry."""

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, "Đã gửi yêu cầu lập báo cáo; trang này tự cập nhật tiến độ.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:programs_reportjob_change", args=[obj.pk]))

    @admin.display(description=_("tiến độ"))
    def progress_bar(self, obj):
        return format_html(
            '<progress max="100" value="{}" style="width: 10em">{} %</progress> {} %',
            obj.progress,
            obj.progress,
            obj.progress,
        )

    @admin.display(description=_("tệp Excel"))
    def download_link(self, obj):
        if obj.status != JobStatus.DONE:
            return "—"
        url = reverse("admin:programs_reportjob_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename or "Tải về")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["refresh_seconds"] = REFRESH_SECONDS if obj.status in official_reports.ACTIVE else None
            context["personal_data"] = obj.kind in official_reports.PERSONAL
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<int:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="programs_reportjob_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id: int):
        if not self.has_view_permission(request):
            raise Http404
        back = reverse("admin:programs_reportjob_change", args=[object_id])
        try:
            job = report_jobs.download_report(actor=request.user, job_id=object_id)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(back)
        response = HttpResponse(bytes(job.content), content_type=official_reports.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        patch_cache_control(response, private=True, no_store=True)
        official_reports.log_download(request, job)
        return response
