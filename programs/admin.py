"""Standards in the admin: read-only for officers, editable by program admins."""

from django.contrib import admin

from households import rules as access
from households.admin import RightsAdminMixin
from households.services import log_action
from programs.models import Indicator, PovertyStandard, StandardIndicator


class StandardIndicatorInline(admin.TabularInline):
    model = StandardIndicator
    extra = 0
    fields = ["position", "indicator"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_right(access.STANDARD_VIEW)

    def has_add_permission(self, request, obj=None):
        return request.user.has_right(access.STANDARD_MANAGE)

    def has_change_permission(self, request, obj=None):
        return request.user.has_right(access.STANDARD_MANAGE)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_right(access.STANDARD_MANAGE)


@admin.register(PovertyStandard)
class PovertyStandardAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = access.STANDARD_VIEW
    add_right = access.STANDARD_MANAGE
    change_right = access.STANDARD_MANAGE
    list_display = ["code", "name", "valid_from", "valid_to", "rural_poor_line", "urban_poor_line"]
    inlines = [StandardIndicatorInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        log_action(
            actor=request.user,
            action="programs.standard.changed" if change else "programs.standard.created",
            obj=obj,
            changes={name: (form.initial.get(name), form.cleaned_data.get(name)) for name in form.changed_data},
        )


@admin.register(Indicator)
class IndicatorAdmin(RightsAdminMixin, admin.ModelAdmin):
    view_right = access.STANDARD_VIEW
    change_right = access.STANDARD_MANAGE
    list_display = ["code", "name", "dimension"]
