"""The audit log: its own page (read-only, in the user's scope) and the household page's change log, as people read
them (`households.admin.changes`): the action as a Vietnamese phrase, the changes as "Trường — trước → sau". One
object's history table is `households.admin.history`."""

from axes.models import AccessAttempt
from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from households import rules, selectors
from households.access import AccessLogAdminMixin
from households.admin.base import RightsAdminMixin
from households.admin.changes import CHANGE_LOG, Key, Names, describe_audit, describe_entries, moment, yes_no
from households.admin.history import changes_html
from households.models import AccessRecord, Area, AuditEntry, Household, User

# The keys of the sign-in's entries (households.services.sign_in, second_factor), on an account or on django-axes'
# record of an address (a lockout of a name that is no account).
_SIGN_IN_KEYS = {
    "ip_address": Key("Địa chỉ IP"),
    "locked_until": Key("Khóa đến", show=moment),
    "failed_attempts": Key("Số lần nhập sai"),
    "token": Key("Token API (vài ký tự đầu)"),
    "expiry": Key("Hết hạn lúc", show=moment),
    "tokens": Key("Token API (vài ký tự đầu)"),
    "second_factor": Key("Xác thực hai bước"),
    "backup_codes": Key("Số mã dự phòng"),
}

describe_audit(
    actions={
        "households.area.created": "thêm thôn/tổ dân phố",
        "households.household.created": "đăng ký hộ",
        "households.household.changed": "sửa thông tin hộ",
        "households.member.created": "thêm thành viên",
        "households.member.changed": "sửa thông tin thành viên",
        "households.member.removed": "xóa thành viên khỏi hộ",
        "households.user.created": "tạo tài khoản",
        "households.user.changed": "sửa tài khoản",
        "households.user.password_set": "đặt mật khẩu",
        "households.demo.seeded": "tạo dữ liệu demo: hộ và thành viên",
        "households.user.locked_out": "khóa đăng nhập tài khoản (nhập sai mật khẩu nhiều lần)",
        "households.sign_in.locked_out": "khóa đăng nhập (nhập sai mật khẩu nhiều lần)",
        "households.user.unlocked": "mở khóa đăng nhập tài khoản",
        "households.sign_in.unlocked": "mở khóa đăng nhập địa chỉ IP",
        "households.user.password_changed": "tự đổi mật khẩu",
        "households.user.token_issued": "cấp token API",
        "households.user.tokens_revoked": "thu hồi token API",
        "households.user.second_factor_enrolment_started": "bắt đầu đăng ký xác thực hai bước",
        "households.user.second_factor_confirmed": "bật xác thực hai bước",
        "households.user.second_factor_reset": "đặt lại xác thực hai bước",
        "households.access_log.pruned": "xóa nhật ký truy cập dữ liệu cá nhân quá thời hạn lưu",
    },
    action_keys={"households.user.created": {"area": Key("Địa bàn phụ trách", names=Names(Area, "code", "name"))}},
    keys={
        Household: {"version": Key("Phiên bản", hidden=True)},
        User: {"usable_password": Key("Đăng nhập bằng mật khẩu", show=yes_no), **_SIGN_IN_KEYS},
        AccessAttempt: _SIGN_IN_KEYS,
        Area: {"households": Key("Số hộ"), "members": Key("Số thành viên")},
        AccessRecord: {
            "cutoff": Key("Xóa các bản ghi trước", show=moment),
            "retention_days": Key("Thời hạn lưu (ngày)"),
            "deleted": Key("Số bản ghi đã xóa"),
        },
    },
)


class DescribedMixin:
    """Display columns of audit entries: the action's label, and the changes as lines, described beforehand for all
    the entries of the page (`DescribedFormSet`) so that the names they mention take one query per model."""

    @admin.display(description=_("thao tác"))
    def action_label(self, obj):
        return CHANGE_LOG.action_label(obj.action)

    @admin.display(description=_("thay đổi"))
    def change_lines(self, obj):
        described = getattr(obj, "_described", None)
        return changes_html(described if described is not None else describe_entries([obj])[obj.pk])


class DescribedFormSet(forms.BaseInlineFormSet):
    """The change log of a page: its entries described together when the formset reads them."""

    def get_queryset(self):
        if not hasattr(self, "_described_queryset"):
            entries = list(super().get_queryset())
            described = describe_entries(entries)
            for entry in entries:
                entry._described = described[entry.pk]
            self._described_queryset = entries
        return self._described_queryset


class ActionFilter(admin.SimpleListFilter):
    """The log by action, named as people read them (not the codes)."""

    title = _("thao tác")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted(CHANGE_LOG.actions.items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(AccessLogAdminMixin, DescribedMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.AUDIT_VIEW
    audit_history = False  # a log's own rows have no history
    list_display = ["at", "actor", "action_label", "object_repr", "household", "reason"]
    list_filter = [ActionFilter]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["actor", "household"]
    search_fields = ["object_repr", "household__code"]
    show_full_result_count = False
    fields = ["at", "actor", "action_label", "object_kind", "object_repr", "household", "change_lines", "reason"]
    readonly_fields = fields

    @admin.display(description=_("loại đối tượng"))
    def object_kind(self, obj):
        model = ContentType.objects.get_for_id(obj.content_type_id).model_class()
        return str(model._meta.verbose_name).capitalize() if model is not None else "—"

    def get_queryset(self, request):
        return selectors.audit_for(request.user)
