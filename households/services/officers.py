"""The writers of the officers' accounts: one role scoped to one area each, made and changed by those with the
right to manage users (or by the command line), audited old -> new."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from config.errors import DomainError, NotFound
from households import rules
from households.models import Area, User
from households.services.audit import diff_fields, log_action
from households.services.sign_in import revoke_every_token

OFFICER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "area",
    "is_active",
    "last_login",
    "date_joined",
)


def _check_officer(role: str, area: Area | None, *, role_required: bool) -> None:
    """The role exists (or is blank, where allowed) and goes with the level of the area."""
    if role not in User.Roles.values and (role_required or role):
        raise DomainError("unknown_role", f"Vai trò “{role}” không tồn tại ({', '.join(User.Roles.values)}).", "role")
    problem = rules.scope_level_problem(role, area.level if area else None) if role else None
    if problem:
        raise DomainError("wrong_scope", problem, "area")


@transaction.atomic
def create_officer(
    *,
    actor: User | None,
    username: str,
    role: str,
    area: Area | None,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
) -> User:
    """Provision a user with one role scoped to one area. Everyone with a role may sign in to the admin. `actor`
    None: the command line (`create_officer`, the demo); a person needs the right to manage users."""
    if actor is not None and not actor.has_right(rules.USER_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý người dùng.", "actor")
    _check_officer(role, area, role_required=True)
    if User.objects.filter(username=username).exists():
        raise DomainError("duplicate", f"Tên đăng nhập “{username}” đã tồn tại.", "username")
    user = User(username=username, role=role, area=area, is_staff=True, email=email)
    if full_name:
        user.first_name = full_name
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    log_action(
        actor=actor,
        action="households.user.created",
        obj=user,
        changes={"role": (None, role), "area": (None, area.code if area else None)},
    )
    return user


@transaction.atomic
def change_officer(*, actor: User, user_id: int, data: Mapping[str, Any], reason: str = "") -> User:
    """Change an account (`OFFICER_FIELDS`: names, role and area, checked together, whether it may sign in); its
    password is not one of them. Every account here signs in to the admin (`is_staff`). Closing it (`is_active`
    False) revokes its API tokens. Audited, old -> new, with the prefixes of the tokens revoked."""
    if not actor.has_right(rules.USER_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý người dùng.", "actor")
    unknown = sorted(set(data) - set(OFFICER_FIELDS))
    if unknown:
        raise DomainError("unknown_field", f"Không sửa được “{unknown[0]}” của tài khoản.", unknown[0])
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    values = {**data, "is_staff": True}
    _check_officer(values.get("role", user.role), values.get("area", user.area), role_required=False)
    username = values.get("username", user.username)
    if username != user.username and User.objects.filter(username=username).exclude(pk=user.pk).exists():
        raise DomainError("duplicate", f"Tên đăng nhập “{username}” đã tồn tại.", "username")
    changes = diff_fields(user, values)
    if not changes:
        return user
    for name, (_, new) in changes.items():
        setattr(user, name, new)
    user.save(update_fields=list(changes))
    if not user.is_active:
        changes |= revoke_every_token(user)
    log_action(actor=actor, action="households.user.changed", obj=user, changes=changes, reason=reason)
    return user


@transaction.atomic
def set_officer_password(*, actor: User, user_id: int, password: str | None) -> User:
    """A new password for an account, or none (`None`: the account no longer signs in with a password, only with
    its API token); the account's API tokens are revoked with the old password. Audited without the password
    itself: who set it, for whom, when, whether one is usable, and the prefixes of the tokens revoked."""
    if not actor.has_right(rules.USER_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý người dùng.", "actor")
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    had_one = user.has_usable_password()
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    log_action(
        actor=actor,
        action="households.user.password_set",
        obj=user,
        changes={"usable_password": (had_one, password is not None), **revoke_every_token(user)},
    )
    return user
