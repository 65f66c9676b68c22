"""Support in the admin: the intervention types (read by everyone at work, set by program admins, audited)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from households import rules as access
from households.admin import RightsAdminMixin
from households.services import log_action
from programs.rules import INDICATOR_NAMES
from support.models import InterventionType

STATUS_CHOICES = [("poor", _("Hộ nghèo")), ("near_poor", _("Hộ cận nghèo")), ("not_poor", _("Hộ không nghèo"))]


class InterventionTypeForm(forms.ModelForm):
    eligible_statuses = forms.MultipleChoiceField(
        label=_("tình trạng được hỗ trợ"), choices=STATUS_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    addresses = forms.MultipleChoiceField(
        label=_("chỉ số thiếu hụt được giải quyết"),
        choices=[(code, f"{name} ({code})") for code, name in INDICATOR_NAMES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = InterventionType
        fields = [
            "code",
            "name",
            "project",
            "kind",
            "addresses",
            "default_amount",
            "unit",
            "annual_rate_bp",
            "eligible_statuses",
            "newly_escaped",
            "newly_escaped_months",
            "poor_district_only",
            "limit",
            "legal_source",
            "active",
        ]

    def clean(self):
        data = super().clean()
        if not data.get("eligible_statuses") and not data.get("newly_escaped"):
            raise forms.ValidationError("Phải chọn ít nhất một tình trạng được hỗ trợ, hoặc hộ mới thoát nghèo.")
        return data


@admin.register(InterventionType)
class InterventionTypeAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_MANAGE
    change_right = access.SUPPORT_MANAGE
    form = InterventionTypeForm
    list_display = ["code", "name", "project", "kind", "default_amount", "annual_rate_bp", "limit", "active"]
    list_filter = ["project", "kind", "active"]
    search_fields = ["code", "name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_action(
            actor=request.user,
            action="support.intervention_type.changed" if change else "support.intervention_type.created",
            obj=obj,
            changes={name: (form.initial.get(name), form.cleaned_data.get(name)) for name in form.changed_data},
        )
