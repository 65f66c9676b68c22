"""The audit log: its own page (read-only, in the user's scope) and the small history table other apps' pages
show for one object (`audit_history_table`)."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from households import rules, selectors
from households.access import AccessLogAdminMixin
from households.admin.base import RightsAdminMixin
from households.models import AuditEntry


def audit_history_table(obj, *, prefix: str, labels: dict[str, str]) -> str:
    """The audit entries of one object, oldest first, as a small table (when, who, what, why) for its admin page;
    an action is shown by its label in `labels` once `prefix` is removed, else as written."""
    entries = (
        AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                e.actor.username if e.actor else "hệ thống",
                labels.get(action := e.action.removeprefix(prefix), action),
                e.reason,
            )
            for e in entries
        ),
    )
    return format_html("<table>{}</table>", rows) if rows else "—"


@admin.register(AuditEntry)
class AuditEntryAdmin(AccessLogAdminMixin, RightsAdminMixin, admin.ModelAdmin):
    view_right = rules.AUDIT_VIEW
    list_display = ["at", "actor", "action", "object_repr", "household", "reason"]
    list_filter = ["action"]
    show_facets = admin.ShowFacets.NEVER
    list_select_related = ["actor", "household"]
    search_fields = ["object_repr", "household__code"]
    show_full_result_count = False
    readonly_fields = [
        "at",
        "actor",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "household",
        "changes",
        "reason",
    ]

    def get_queryset(self, request):
        return selectors.audit_for(request.user)
