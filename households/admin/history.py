"""One object's history as people read it: its audit entries (for a household, its members' too), oldest first, as a
table of when, who, what was done and changed, and why; shown on the pages of other apps' objects and on every
object's history page (`households.admin.base.RightsAdminMixin.history_view`)."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from households.admin.changes import Described, describe_entries
from households.models import AuditEntry, Household


def changes_html(described: Described | None) -> str:
    """An entry's changes, one line each ("Trường — trước → sau")."""
    if described is None or not described.lines:
        return "—"
    return format_html(
        '<ul class="change-lines" style="margin: 0; padding-left: 1.2em">{}</ul>',
        format_html_join("", "<li>{}</li>", ((str(line),) for line in described.lines)),
    )


def audit_entries_of(obj):
    """The audit entries about one object, oldest first: for a household, those of the household and its members."""
    entries = AuditEntry.objects.select_related("actor").order_by("at", "id")
    if isinstance(obj, Household):
        return entries.filter(household=obj)
    return entries.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk))


def audit_history_table(obj, entries=None) -> str:
    """The audit entries of one object (`entries`, else all of them), oldest first, as a small table (when, who, what
    was done and changed, why) for its admin page."""
    entries = list(audit_entries_of(obj) if entries is None else entries)
    described = describe_entries(entries)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
                e.actor.username if e.actor else "hệ thống",
                described[e.pk].action,
                changes_html(described[e.pk]),
                e.reason or "—",
            )
            for e in entries
        ),
    )
    if not entries:
        return "—"
    return format_html(
        "<table><thead><tr><th>Thời điểm</th><th>Người thực hiện</th><th>Thao tác</th><th>Thay đổi</th>"
        "<th>Lý do</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )
