"""The admin home's "Thao tác gần đây của tôi": the user's own last audit entries, as the change log reads them.

The services write the audit log (households.models.AuditEntry), not Django's LogEntry, so the admin's stock box of
recent actions stayed empty ("Chưa có") whatever an officer did. One query for the entries, one per model they
point at for the names (`describe_entries`); a link only where the admin has a page of that kind the user may view.
"""

from django import template
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from households.admin.changes import describe_entries
from households.models import AuditEntry

register = template.Library()

SHOWN = 10


def _link(request, entry: AuditEntry) -> str:
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    model_admin = admin.site._registry.get(model) if model is not None else None
    if model_admin is None or not model_admin.has_view_permission(request):
        return ""
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[entry.object_id])
    except NoReverseMatch:
        return ""


@register.inclusion_tag("admin/households/my_recent_actions.html", takes_context=True)
def my_recent_actions(context) -> dict:
    request = context["request"]
    entries = list(AuditEntry.objects.filter(actor=request.user).order_by("-at", "-id")[:SHOWN])
    described = describe_entries(entries)
    return {
        "actions": [
            {
                "label": described[entry.pk].action,
                "object": entry.object_repr,
                "kind": _kind(entry),
                "at": timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M"),
                "url": _link(request, entry),
            }
            for entry in entries
        ]
    }


def _kind(entry: AuditEntry) -> str:
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    return str(model._meta.verbose_name).capitalize() if model is not None else ""
