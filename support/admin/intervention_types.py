"""The types of support in the admin: the program administrator's reference data, written by
`services.create_intervention_type` / `change_intervention_type` (audited); a type's code and kind are fixed once
it exists."""

from django import forms
from django.contrib import admin
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from config.admin import ServiceAdminMixin, adopt
from config.formats import money
from households import rules as access
from households.admin import RightsAdminMixin, code_column
from programs.models import Indicator
from programs.rules import INDICATOR_NAMES
from support import services
from support.admin.forms import rate_text
from support.models import InterventionType
from support.rules import STATUS_LABELS

STATUS_CHOICES = [("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")), ("not_poor", _("Hộ không nghèo"))]


class InterventionTypeForm(forms.ModelForm):
    eligible_statuses = forms.MultipleChoiceField(
        label=_("tình trạng được hỗ trợ"), choices=STATUS_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    annual_rate_bp = forms.IntegerField(
        label=_("lãi suất năm (phần vạn)"),
        required=False,
        min_value=0,
        max_value=10_000,
        help_text=_("Tín dụng: 660 = 6,60%/năm; tối đa 10.000 (100%)."),
    )
    addresses = forms.MultipleChoiceField(
        label=_("chỉ số thiếu hụt được giải quyết"),
        choices=[(code, capfirst(name)) for code, name in INDICATOR_NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    reason = forms.CharField(
        label=_("Lý do thay đổi (ghi nhật ký)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Ví dụ: văn bản mới quy định mức hỗ trợ."),
    )

    class Meta:
        model = InterventionType
        fields = list(services.INTERVENTION_TYPE_FIELDS)  # what the service sets, in the order of the page

    def clean(self):
        data = super().clean()
        if not data.get("eligible_statuses") and not data.get("newly_escaped"):
            raise forms.ValidationError("Phải chọn ít nhất một tình trạng được hỗ trợ, hoặc hộ mới thoát nghèo.")
        return data


CODE = code_column(_("mã"))  # a type's code (the API's key of it), as code


@admin.register(InterventionType)
class InterventionTypeAdmin(ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """The types of support, written by `services.create_intervention_type` / `change_intervention_type` (audited)."""

    validate_model = True
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_MANAGE
    change_right = access.SUPPORT_MANAGE
    form = InterventionTypeForm
    list_display = ["name", CODE, "project_short", "kind", "default_amount_vnd", "rate", "limit", "active"]
    list_filter = ["project", "kind", "active"]
    search_fields = ["code", "name"]

    # what a reader (who may not change a type) sees instead of the fields' raw values
    READ_AS = {
        "code": CODE,
        "addresses": "addressed",
        "default_amount": "default_amount_vnd",
        "annual_rate_bp": "rate",
        "eligible_statuses": "statuses",
    }

    @admin.display(description=_("chỉ số thiếu hụt được giải quyết"))
    def addressed(self, obj):
        names = dict(Indicator.objects.filter(code__in=obj.addresses).values_list("code", "name"))
        return ", ".join(capfirst(names.get(code, code)) for code in obj.addresses) or "—"

    @admin.display(description=_("dự án"), ordering="project")
    def project_short(self, obj):
        return str(obj.get_project_display()).split(":")[0]  # "Dự án 3"; its full name is in the filter

    @admin.display(description=_("mức hỗ trợ mặc định"), ordering="default_amount")
    def default_amount_vnd(self, obj):
        return money(obj.default_amount)

    @admin.display(description=_("lãi suất năm"))
    def rate(self, obj):
        return "—" if obj.annual_rate_bp is None else f"{rate_text(obj.annual_rate_bp)}/năm"

    @admin.display(description=_("tình trạng được hỗ trợ"))
    def statuses(self, obj):
        return ", ".join(capfirst(STATUS_LABELS.get(s, s)) for s in obj.eligible_statuses) or "—"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return [CODE if name == "code" and obj is not None else name for name in fields]
        return [self.READ_AS.get(name, name) for name in fields if name != "reason"]

    def get_readonly_fields(self, request, obj=None):
        """A type's code (the key of the API, of the records and of the loans' default types) and its kind (a credit
        type's records are loans; the kinds that are "the same support") are fixed once it exists: a new policy is a
        new type, the old one is set inactive."""
        return [CODE, "kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.INTERVENTION_TYPE_FIELDS if name in form.fields}
        reason = form.cleaned_data.get("reason", "")
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.change_intervention_type(actor=request.user, type_id=obj.pk, data=changed, reason=reason)
        else:
            saved = services.create_intervention_type(actor=request.user, data=data, reason=reason)
        adopt(obj, saved)
