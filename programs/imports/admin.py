"""The Excel import of a commune's households and surveys in the admin: "Nhập từ Excel".

The list of the imports of the communes in scope; an upload page (a commune in scope and the filled file) that,
when the file is refused, shows the table of its errors row by row (sheet, row, column, what is wrong; nothing is
written); the "Tải mẫu Excel" download of a commune's template (audited). The work is `programs.imports`.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from config.admin import ID_DIGITS, add_domain_error
from config.errors import DomainError
from households import rules as access
from households.access import log_export
from households.admin import Key, RightsAdminMixin, describe_audit
from households.models import Area
from households.rules import Level
from programs.imports import services as imports
from programs.imports.layout import MAX_BYTES
from programs.models import ImportBatch, ImportStatus
from programs.reporting.dashboard import Autocomplete

TITLE = "Nhập từ Excel"

describe_audit(
    actions={
        "programs.import.template_downloaded": "tải mẫu Excel của xã (có thông tin cá nhân)",
        "programs.import.committed": "nhập hộ và phiếu khảo sát từ Excel",
    },
    keys={ImportBatch: {key: Key(label.capitalize()) for key, label in imports.CREATED_LABELS.items()}},
)


def may_import(user) -> bool:
    return user.has_right(access.HOUSEHOLD_CREATE) and user.has_right(access.ASSESSMENT_RECORD)


class CommuneField(forms.ModelChoiceField):
    """A commune within the user's area, chosen already when she has only one; another one is refused by name,
    never a 500."""

    def __init__(self, user, **kwargs):
        communes = Area.objects.filter(level=Level.COMMUNE).in_charge_of(user)
        only = [] if user.has_country_scope else list(communes.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            kwargs.setdefault("initial", only[0])
        # the country's 3,321 communes are searched, not listed
        widget = Autocomplete(ImportBatch._meta.get_field("commune"), admin.site) if user.has_country_scope else None
        super().__init__(queryset=communes.order_by("name"), label=_("Xã/phường"), widget=widget, **kwargs)
        self.user = user

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not ID_DIGITS.fullmatch(str(value)):  # ASCII digits only: "²".isdigit() is true and int("²") fails
            raise ValidationError("Xã/phường không hợp lệ.", code="invalid_choice")
        commune = self.queryset.filter(pk=int(value)).first()
        if commune is not None:
            return commune
        other = Area.objects.filter(pk=int(value), level=Level.COMMUNE).first()
        if other is not None:
            raise ValidationError(f"“{other.name}” nằm ngoài địa bàn bạn phụ trách.", code="out_of_scope")
        raise ValidationError("Phải chọn một xã/phường/đặc khu.", code="invalid_choice")


class TemplateForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"] = CommuneField(user)


class UploadForm(TemplateForm):
    file = forms.FileField(label=_("Tệp Excel đã điền (.xlsx)"), help_text=_("Theo mẫu của xã, tối đa 10 MB."))
    domain_error_fields = ("commune",)  # a refusal of the file's content is about the whole file

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields = {"commune": self.fields["commune"], "file": self.fields["file"]}


def _errors_table(errors: list[dict]) -> str:
    if not errors:
        return "—"
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((e["sheet"] or "—", e["row"] or "—", e["column"] or "—", e["message"]) for e in errors),
    )
    return format_html(
        '<table class="import-errors"><thead><tr><th>Trang</th><th>Dòng</th><th>Cột</th><th>Lỗi</th></tr>'
        "</thead><tbody>{}</tbody></table>",
        rows,
    )


@admin.register(ImportBatch)
class ImportBatchAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = access.HOUSEHOLD_VIEW  # the history; uploading needs the rights of the import (may_import)
    list_display = ["uploaded_at", "commune", "filename", "status", "rows", "result", "uploaded_by"]
    list_filter = ["status"]
    list_select_related = ["commune", "uploaded_by"]
    search_fields = ["filename"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = ["commune", "uploaded_by", "uploaded_at", "filename", "status", "rows", "result", "error_list"]
    readonly_fields = fields

    @admin.display(description=_("kết quả"))
    def result(self, obj: ImportBatch) -> str:
        return imports.summary(obj)

    @admin.display(description=_("lỗi theo dòng"))
    def error_list(self, obj: ImportBatch) -> str:
        return _errors_table(obj.errors)

    def get_queryset(self, request):
        return ImportBatch.objects.visible_to(request.user).select_related("commune", "uploaded_by")

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": TITLE, **(extra_context or {})}
        if may_import(request.user):
            extra_context["upload_url"] = reverse("admin:programs_importbatch_upload")
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(partial(upload_view, self)), name="programs_importbatch_upload"),
            path("template/", view(partial(template_view, self)), name="programs_importbatch_template"),
            *super().get_urls(),
        ]


def _initial(user) -> dict:
    return {"commune": user.area.pk} if user.area is not None and user.area.level == Level.COMMUNE else {}


def upload_view(model_admin: ImportBatchAdmin, request) -> TemplateResponse | HttpResponseRedirect:
    """The upload: committed (or already committed) goes to the batch; refused shows its errors here."""
    user = request.user
    if not may_import(user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None, request.FILES if posted else None, user=user, initial=_initial(user)
    )
    batch = None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = imports.import_workbook(
                actor=user,
                commune_id=form.cleaned_data["commune"].pk,
                file_bytes=upload.read(MAX_BYTES + 1),  # more is refused by its size: never read it all
                filename=upload.name,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if batch.status == ImportStatus.COMMITTED:
                if getattr(batch, "duplicate", False):
                    model_admin.message_user(request, imports.duplicate_message(batch), messages.WARNING)
                else:
                    model_admin.message_user(request, imports.summary(batch), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:programs_importbatch_change", args=[batch.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ImportBatch._meta,
        "title": "Tải lên tệp Excel",
        "form": form,
        "template_form": TemplateForm(initial=_initial(user), user=user, auto_id="template_%s"),
        "template_url": reverse("admin:programs_importbatch_template"),
        "changelist_url": reverse("admin:programs_importbatch_changelist"),
        "changelist_title": TITLE,
        "batch": batch,
        "errors_table": _errors_table(batch.errors) if batch is not None else "",
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/programs/importbatch/upload.html", context)


def template_view(model_admin: ImportBatchAdmin, request) -> HttpResponse | HttpResponseRedirect:
    """ "Tải mẫu Excel": the template of the commune asked for (GET ?commune=…), audited by `imports.template`."""
    user = request.user
    if not may_import(user):
        raise PermissionDenied
    form = TemplateForm(request.GET or None, user=user)
    if not form.is_valid():
        for problem in form.errors.get("commune", ["Phải chọn một xã/phường."]):
            model_admin.message_user(request, problem, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:programs_importbatch_upload"))
    commune = form.cleaned_data["commune"]
    try:
        content = imports.template(commune, user)
    except DomainError as exc:
        model_admin.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(reverse("admin:programs_importbatch_upload"))
    response = HttpResponse(content, content_type=imports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{imports.template_filename(commune)}"'
    log_export(request, resource=imports.TEMPLATE_RESOURCE, area=commune)
    return response
