from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission


def supports(view, method: str) -> bool:
    """Whether the view answers `method` at this URL (a viewset: the methods its route maps to actions)."""
    return method in view.http_method_names and hasattr(view, method)


class HasRight(BasePermission):
    """Checks the right named for the view's action in `view.required_rights` (rights per role, rules.py).

    An action missing from the table is refused, so a new endpoint is closed until it names its right. A method the
    endpoint does not have at all is a 405 (with `Allow`) for a user who holds one of its rights, and the same 403
    as a missing right for anyone else: the check runs before DRF's own method check, so it answers both.
    """

    message = "Vai trò của bạn không có quyền thực hiện thao tác này."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        rights = getattr(view, "required_rights", {})
        method = request.method.lower()
        if not supports(view, method):
            if any(user.has_right(right) for right in set(rights.values())):
                raise MethodNotAllowed(request.method)
            return False
        action = getattr(view, "action", None) or method
        right = rights.get(f"{action}:{method}", rights.get(action))
        if right is None:
            return False
        return user.has_right(right)
