"""The areas (read; a commune's villages added through `services.create_village`) and the 54 ethnic groups."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from config.admin import ServiceAdminMixin, adopt
from households import rules, services
from households.admin.base import RightsAdminMixin
from households.models import Area, Ethnicity
from households.rules import Level


class VillageForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["parent", "name", "code", "division_type"]
        labels = {"parent": _("Xã/phường"), "code": _("Mã (để trống để hệ thống cấp)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["division_type"].required = False


@admin.register(Area)
class AreaAdmin(ServiceAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    """Areas are read; a commune's villages are added here, through `services.create_village` (which checks the
    commune, the name and the code: a refusal is an error on that field)."""

    view_right = rules.AREA_VIEW
    add_right = rules.VILLAGE_MANAGE
    list_display = ["code", "name", "level", "division_type", "area_type", "parent"]
    list_filter = ["level", "area_type"]
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["code"]
    list_select_related = ["parent"]
    show_full_result_count = False
    readonly_fields = ["code", "name", "level", "division_type", "parent", "province", "area_type", "is_official"]
    ordering = ["path"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_charge_of(request.user)

    def get_search_results(self, request, queryset, search_term):
        folded = rules.fold_text(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(name_search__contains=folded) | queryset.filter(code=search_term.strip()), False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = VillageForm
            kwargs["fields"] = VillageForm.Meta.fields
        form_class = super().get_form(request, obj, change, **kwargs)
        form_class.user = request.user
        return form_class

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = self.get_queryset(request).filter(level=Level.COMMUNE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        village = services.create_village(
            actor=request.user,
            commune=form.cleaned_data["parent"],
            name=form.cleaned_data["name"],
            code=form.cleaned_data.get("code") or "",
            division_type=form.cleaned_data.get("division_type") or "",
        )
        adopt(obj, village)


@admin.register(Ethnicity)
class EthnicityAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.AREA_VIEW
    list_display = ["code", "name"]
    search_fields = ["name", "name_en", "code"]

    def get_search_results(self, request, queryset, search_term):
        folded = rules.fold_text(search_term)
        if not folded:
            return queryset, False
        codes = [e.code for e in queryset if folded in rules.fold_text(e.name) or folded == e.code]  # 54 rows
        return queryset.filter(code__in=codes), False
