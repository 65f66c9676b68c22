"""The pieces every app's admin is built from: permissions from the role's named rights and querysets from the
user's scope (`RightsAdminMixin`, `RightsInlineMixin`), the object's history from its audit entries, related records
linked only for those who may open their page (`unlink_refused`), and area choices without the "add/change" icons
(`plain_choices`)."""

import functools
from collections.abc import Sequence

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from households import rules
from households.admin.history import audit_entries_of, audit_history_table

_HISTORY_LIMIT = 200  # the latest entries an object's history page shows


@functools.cache
def _unlinked(model, name: str):
    """A related record shown by its name, without the link to its page Django's read-only field draws."""
    field = model._meta.get_field(name)

    def shown(obj):
        related = getattr(obj, name, None)
        return "—" if related is None else str(related)

    shown.short_description = field.verbose_name
    shown.__name__ = name  # the row keeps its CSS class (field-<name>)
    return shown


def unlink_refused(request, admin_site, model, fieldsets: list, readonly: Sequence) -> tuple[list, list]:
    """`fieldsets` and the read-only fields `readonly` with each related record the user may not open (its page
    refuses her: a 403) shown by its name instead of a link: no link shown that the user's rights refuse."""

    def refused(name) -> bool:
        if not isinstance(name, str):
            return False
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            return False
        try:
            related_admin = admin_site.get_model_admin(field.related_model)
        except NotRegistered:
            return False  # no page: Django shows the name
        return not related_admin.has_view_permission(request)

    names = {name for name in readonly if refused(name)}
    if not names:
        return fieldsets, list(readonly)

    def swap(item):
        if isinstance(item, (list, tuple)):
            return type(item)(swap(name) for name in item)
        return _unlinked(model, item) if item in names else item

    fieldsets = [(title, {**options, "fields": swap(options["fields"])}) for title, options in fieldsets]
    return fieldsets, [swap(name) for name in readonly]


class RightsAdminMixin:
    """Admin permissions from the role's named rights, querysets from the user's scope."""

    view_right: str = ""
    add_right: str | None = None
    change_right: str | None = None

    def _has(self, request, right: str | None) -> bool:
        return bool(right) and request.user.is_active and request.user.has_right(right)

    def has_module_permission(self, request):
        return self._has(request, self.view_right)

    def has_view_permission(self, request, obj=None):
        return self._has(request, self.view_right)

    def has_add_permission(self, request, *args):
        return self._has(request, self.add_right)

    def has_change_permission(self, request, obj=None):
        return self._has(request, self.change_right)

    def has_delete_permission(self, request, obj=None):
        return False  # audited records are not deleted

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # out of scope looks exactly like absent, never a hint that it exists

    # -- the object's history: its audit entries (the services write them), not Django's own log of admin saves

    audit_history = True  # False on the pages of the logs themselves (an audit entry has no history of its own)

    def _may_read_history(self, request, obj) -> bool:
        return self.audit_history and self._has(request, rules.AUDIT_VIEW) and self.has_view_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if adminform is not None:
            adminform.fieldsets, adminform.readonly_fields = unlink_refused(
                request, self.admin_site, self.model, adminform.fieldsets, adminform.readonly_fields
            )
        for inline in context.get("inline_admin_formsets", []):
            shown = inline.readonly_fields
            if not inline.has_change_permission:  # every field of a row it may not change is shown read-only
                shown = [*shown, *flatten_fieldsets(inline.fieldsets)]
            inline.fieldsets, readonly = unlink_refused(
                request, self.admin_site, inline.formset.model, inline.fieldsets, shown
            )
            inline.readonly_fields = readonly[: len(inline.readonly_fields)]
        if obj is not None and self._may_read_history(request, obj):
            opts = self.model._meta
            context["audit_history_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self._may_read_history(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        latest = list(audit_entries_of(obj).order_by("-at", "-id")[:_HISTORY_LIMIT])[::-1]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Lịch sử thay đổi: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "object_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "history_table": audit_history_table(obj, latest),
            "limited": len(latest) == _HISTORY_LIMIT,
            "limit": _HISTORY_LIMIT,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/audit_history.html", context)


class RightsInlineMixin:
    """Inline permissions from named rights: `view_right` to see the rows, `edit_right` (or none) to edit them."""

    view_right: str = ""
    edit_right: str | None = None

    def has_view_permission(self, request, obj=None):
        return request.user.has_right(self.view_right)

    def has_add_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)

    def has_change_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)

    def has_delete_permission(self, request, obj=None):
        return bool(self.edit_right) and request.user.has_right(self.edit_right)


def code_column(description, field: str = "code"):
    """A list column showing an identifier (a type's or an indicator's code, which the API and the Excel files use)
    as code, apart from the words of the page."""

    @admin.display(description=description, ordering=field)
    def code(obj):
        return format_html("<code>{}</code>", getattr(obj, field))

    return code


def plain_choices(form_class, names) -> None:
    """No "add/change/view the related record" icons beside these fields: officers pick, they don't edit areas there."""
    for name in names:
        widget = form_class.base_fields[name].widget if name in form_class.base_fields else None
        if widget is not None and hasattr(widget, "can_add_related"):
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
            widget.can_delete_related = False
