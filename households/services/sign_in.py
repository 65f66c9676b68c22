"""The writers of signing in: the lockouts django-axes decides (recorded here), their lifting by a program admin,
the API's expiring tokens (django-rest-knox: issued by the API's sign-in or the command line, revoked by their
owner or a program admin) and one's own new password. Each audited on the account, never with a password or a
token: a token is named by its first characters (`token_prefix`)."""

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from knox.models import AuthToken

from config.errors import DomainError, NotFound
from households import rules
from households.models import User
from households.services.audit import log_action

TOKEN_PREFIX_LENGTH = 8  # of the 64 characters of a token: enough to tell them apart, useless to an attacker


def token_prefix(token: AuthToken) -> str:
    return str(token.token_key[:TOKEN_PREFIX_LENGTH])


def _account(user_id: int) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    return user


def _check_manager(actor: User) -> None:
    if not actor.has_right(rules.USER_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý người dùng.", "actor")


def _moment(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M ngày %d/%m/%Y")


@transaction.atomic
def record_lockout(
    *, username: str | None, ip_address: str, until: datetime.datetime, account: bool, address: bool
) -> None:
    """Audit a lock django-axes has just set (it writes its own records): on the account named, when it exists,
    else on the failed attempts' record of the address. `account`: the account is locked (its own failures);
    `address`: the address is (failures over any accounts)."""
    what = " và ".join(part for part, locked in (("tài khoản", account), (f"địa chỉ {ip_address}", address)) if locked)
    reason = f"Khóa đăng nhập ({what}) do nhập sai mật khẩu nhiều lần, từ địa chỉ {ip_address}, đến {_moment(until)}."
    changes = {"ip_address": (None, ip_address), "locked_until": (None, until.isoformat())}
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        log_action(actor=None, action="households.user.locked_out", obj=user, changes=changes, reason=reason)
        return
    attempt = AccessAttempt.objects.filter(ip_address=ip_address).order_by("-attempt_time", "-pk").first()
    if attempt is not None:
        log_action(actor=None, action="households.sign_in.locked_out", obj=attempt, changes=changes, reason=reason)


@transaction.atomic
def unlock_sign_in(*, actor: User, user_id: int, reason: str = "") -> int:
    """Lift the lock of an account: its failed attempts are forgotten (from every address). Needs the right to
    manage users; audited with who lifted it. Returns the failures forgotten (0: nothing was locked or counted,
    nothing is written)."""
    _check_manager(actor)
    user = _account(user_id)
    attempts = AccessAttempt.objects.filter(username=user.username)
    failures = int(sum(attempts.values_list("failures_since_start", flat=True)))
    if not failures:
        return 0
    attempts.delete()
    log_action(
        actor=actor,
        action="households.user.unlocked",
        obj=user,
        changes={"failed_attempts": (failures, 0)},
        reason=reason or "Mở khóa đăng nhập.",
    )
    return failures


@transaction.atomic
def unlock_address(*, actor: User, ip_address: str, reason: str = "") -> int:
    """Lift the lock of an address (failures over any accounts, e.g. an office behind one address): its failed
    attempts are forgotten. Needs the right to manage users; audited on each account named in them, else on the
    address's record. Returns the failures forgotten."""
    _check_manager(actor)
    attempts = list(AccessAttempt.objects.select_for_update().filter(ip_address=ip_address).order_by("pk"))
    failures = int(sum(a.failures_since_start for a in attempts))
    if not failures:
        return 0
    why = reason or f"Mở khóa đăng nhập từ địa chỉ {ip_address}."
    users = {u.username: u for u in User.objects.filter(username__in={a.username for a in attempts if a.username})}
    for attempt in attempts:
        user = users.get(attempt.username or "")
        changes = {"ip_address": (ip_address, None), "failed_attempts": (attempt.failures_since_start, 0)}
        obj = user if user is not None else attempt
        action = "households.user.unlocked" if user is not None else "households.sign_in.unlocked"
        log_action(actor=actor, action=action, obj=obj, changes=changes, reason=why)
    AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return failures


def revoke_every_token(user: User) -> dict[str, tuple[list[str], list[str]]]:
    """Inside a writer's transaction, when an account's credentials change (a new password, a reset second factor, a
    closed account): every API token of the account is revoked, the tokens issued with the old credentials would
    outlive them. The audit changes of the revocation, to merge into the writer's own entry (`tokens`: the
    prefixes revoked; empty when there were none)."""
    tokens = AuthToken.objects.filter(user_id=user.pk)
    prefixes = sorted(token_prefix(t) for t in tokens)
    if not prefixes:
        return {}
    tokens.delete()
    return {"tokens": (prefixes, [])}


def live_tokens(user: User) -> QuerySet[AuthToken]:
    """The account's tokens still good now."""
    tokens: QuerySet[AuthToken] = AuthToken.objects.filter(user=user, expiry__gt=timezone.now())
    return tokens


@transaction.atomic
def issue_api_token(
    *, actor: User | None, user_id: int, hours: int | None = None, ip_address: str = ""
) -> tuple[AuthToken, str]:
    """A new API token for an account, good for `hours` (default `API_TOKEN_TTL_HOURS`). `actor`: the account
    itself (the API's sign-in, `ip_address` from where) or None (the command line, for a machine account). An
    inactive account gets none; an account holding `API_TOKEN_LIMIT_PER_USER` live tokens gets none until it
    revokes some (its expired ones are dropped first). Returns the token's record and the token, which is shown
    once and stored only as a hash; the audit names it by its prefix and expiry."""
    user = _account(user_id)
    if actor is not None and actor.pk != user.pk:
        raise DomainError("no_right", "Chỉ chính tài khoản (hoặc dòng lệnh) mới nhận token của mình.", "actor")
    if not user.is_active:
        raise DomainError("inactive", "Tài khoản đã bị khóa, không cấp token.", "username")
    if hours is not None and not 1 <= hours <= 24 * 366:
        raise DomainError("invalid", "Thời hạn token phải từ 1 giờ đến 366 ngày.", "hours")
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if live_tokens(user).count() >= limit:
        raise DomainError(
            "token_limit",
            f"Tài khoản đã có {limit} token còn hạn (tối đa {limit}): hãy thu hồi bớt (đăng xuất) rồi thử lại.",
        )
    ttl = datetime.timedelta(hours=hours or settings.API_TOKEN_TTL_HOURS)
    token, key = AuthToken.objects.create(user=user, expiry=ttl)
    where = f"đăng nhập API từ địa chỉ {ip_address}" if actor is not None else "cấp từ dòng lệnh"
    log_action(
        actor=actor,
        action="households.user.token_issued",
        obj=user,
        changes={"token": (None, token_prefix(token)), "expiry": (None, token.expiry.isoformat())},
        reason=f"Cấp token API ({where}), hiệu lực đến {_moment(token.expiry)}.",
    )
    return token, key


@transaction.atomic
def revoke_api_tokens(*, actor: User, user_id: int, token: AuthToken | None = None, reason: str = "") -> int:
    """Revoke one token of an account (`token`: its own sign-out) or all of them. The account itself, or one with
    the right to manage users. Audited with the prefixes revoked; returns how many (0: none, nothing written)."""
    if actor.pk != user_id:
        _check_manager(actor)
    user = _account(user_id)
    tokens = AuthToken.objects.filter(user=user)
    if token is not None:
        tokens = tokens.filter(digest=token.digest)
    prefixes = sorted(token_prefix(t) for t in tokens)
    if not prefixes:
        return 0
    tokens.delete()
    default = "Đăng xuất API." if token is not None else "Thu hồi mọi token API của tài khoản."
    log_action(
        actor=actor,
        action="households.user.tokens_revoked",
        obj=user,
        changes={"tokens": (prefixes, [])},
        reason=reason or default,
    )
    return len(prefixes)


@transaction.atomic
def change_own_password(*, actor: User, password: str) -> User:
    """One's own new password (the admin's "đổi mật khẩu", whose form has checked the old one and the new one); the
    account's API tokens are revoked with the old one. Audited: who and when, the prefixes of the tokens revoked,
    never the password."""
    user = _account(actor.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    changes = revoke_every_token(user)
    log_action(
        actor=actor, action="households.user.password_changed", obj=user, changes=changes, reason="Tự đổi mật khẩu."
    )
    return user
