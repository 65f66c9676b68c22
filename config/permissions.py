from rest_framework.permissions import BasePermission


class HasRight(BasePermission):
    """Checks the right named for the view's action in `view.required_rights` (rights per role, rules.py).

    An action missing from the table is refused, so a new endpoint is closed until it names its right.
    """

    message = "Vai trò của bạn không có quyền thực hiện thao tác này."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        rights = getattr(view, "required_rights", {})
        action = getattr(view, "action", None) or request.method.lower()
        right = rights.get(f"{action}:{request.method.lower()}", rights.get(action))
        if right is None:
            return False
        return user.has_right(right)
