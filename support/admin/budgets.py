"""Budget envelopes in the admin: the lines of an area, project, source and year, set through
`services.set_budget` (which keeps a line adding up), and the overview of budget against delivery."""

from functools import partial

from django.contrib import admin
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.admin import adopt
from config.formats import money
from households import rules as access
from households.admin import RightsAdminMixin
from households.rules import fold_text
from support import services
from support.admin.forms import BudgetForm
from support.admin.views import BudgetAreaFilter, BudgetYearFilter, ServiceWritesMixin, budget_view, id_param
from support.models import BudgetAllocation


@admin.register(BudgetAllocation)
class BudgetAllocationAdmin(ServiceWritesMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = access.SUPPORT_VIEW
    add_right = access.SUPPORT_BUDGET
    change_right = access.SUPPORT_BUDGET
    form = BudgetForm
    line_fields = ["area", "year", "project", "funding_source"]
    add_fields = [*line_fields, "amount", "decision"]
    change_list_template = "admin/support/change_list.html"
    list_display = ["area", "year", "project", "funding_source", "amount_vnd", "decision", "recorded_by", "updated_at"]
    list_filter = [BudgetYearFilter, "project", "funding_source", BudgetAreaFilter]
    list_select_related = ["area", "recorded_by"]
    search_fields = ["area__name"]  # see get_search_results: without diacritics
    search_help_text = _("Tìm theo tên địa bàn, có dấu hay không dấu.")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False

    @admin.display(description=_("số tiền"), ordering="amount")
    def amount_vnd(self, obj):
        return money(obj.amount)

    def get_queryset(self, request):
        return BudgetAllocation.objects.visible_to(request.user).select_related("area", "recorded_by")

    def get_search_results(self, request, queryset, search_term):
        folded = fold_text(search_term)
        if not folded:
            return queryset, False
        return queryset.filter(area__name_search__contains=folded), False

    def has_change_permission(self, request, obj=None):
        """A line of one's own area or below: the envelope above a commune is read, not set, there."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or request.user.is_in_charge_of(obj.area)

    def editable(self, request, obj) -> bool:
        return obj is None or self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.fields_for_add(request)})]
        shown = (
            ["amount", "decision", "expected_version"] if self.editable(request, obj) else ["amount_vnd", "decision"]
        )
        return [(None, {"fields": [*self.line_fields, *shown, "recorded_by", "updated_at", "version"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*self.line_fields, "amount_vnd", "recorded_by", "updated_at", "version"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        adopt(obj, services.set_budget(actor=request.user, **form.arguments()))

    def get_changeform_initial_data(self, request):
        initial = {"year": timezone.localdate().year, **id_param(request, "area")}
        if "area" not in initial and request.user.area is not None:
            initial["area"] = request.user.area.pk
        return initial

    def get_urls(self):
        overview = self.admin_site.admin_view(partial(budget_view, self))
        return [path("overview/", overview, name="support_budget_overview"), *super().get_urls()]
