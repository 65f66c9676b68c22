"""The pieces every app's admin is built from: permissions from the role's named rights and querysets from the
user's scope (`RightsAdminMixin`, `RightsInlineMixin`), and area choices without the "add/change" icons
(`plain_choices`)."""

from django.http import Http404


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


def plain_choices(form_class, names) -> None:
    """No "add/change/view the related record" icons beside these fields: officers pick, they don't edit areas there."""
    for name in names:
        widget = form_class.base_fields[name].widget if name in form_class.base_fields else None
        if widget is not None and hasattr(widget, "can_add_related"):
            widget.can_add_related = widget.can_change_related = widget.can_view_related = False
            widget.can_delete_related = False
