"""The officer's notifications in the admin ("việc cần làm": reminders, escalations; domain Part B §6.1)."""

from django.contrib import admin, messages
from django.db.models import F
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programs.models import (
    Notification,
)
from programs.review.services import calendar
from programs.templatetags.review_tags import (
    notification_url,
    step_label,
)


class ReadFilter(admin.SimpleListFilter):
    title = _("đã xem")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("no", _("Chưa xem")), ("yes", _("Đã xem"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Each user's own reminders and escalations, read-only; opening one leads to the cases it is about."""

    list_display = ["due_on", "kind", "subject_link", "count", "is_read"]
    list_display_links = ["due_on"]
    list_filter = [ReadFilter, "kind"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    ordering = [F("read_at").asc(nulls_first=True), "due_on", "id"]  # unread first, soonest first
    actions = ["mark_read"]
    fields = ["kind", "subject_link", "body", "due_on", "count", "campaign", "step_name", "created_at", "read_at"]
    readonly_fields = fields

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or obj.user_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def get_queryset(self, request):
        return Notification.objects.visible_to(request.user)

    @admin.display(description=_("tiêu đề"))
    def subject_link(self, obj):
        return format_html('<a href="{}">{}</a>', notification_url(obj), obj.subject)

    @admin.display(description=_("bước"))
    def step_name(self, obj):
        return step_label(obj.step) if obj.step else "—"

    @admin.display(description=_("đã xem"), boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.read_at is not None

    @admin.action(description=_("Đánh dấu đã xem"))
    def mark_read(self, request, queryset):
        marked = calendar.mark_read(actor=request.user, notification_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Đã đánh dấu {marked} việc là đã xem.", messages.SUCCESS)
