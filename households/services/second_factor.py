"""The second factor of a sign-in (django-otp): a code from an authenticator app (TOTP) and a few one-time backup
codes. Who must give one is the rule `rules.needs_second_factor` with the settings SECOND_FACTOR_REQUIRED and
SECOND_FACTOR_ROLES; a user enrols her own device, confirms it with a code, and a program admin resets it when she
loses her phone. Each of the three writes leaves one audit entry; the secrets (the key, the backup codes) never
enter one.

Checking a code (`accept_code`, `verify_code`) is not audited (a sign-in is not a change) but is throttled by
django-otp: after n wrong codes in a row a device refuses every code for 2^(n-1) x OTP_TOTP_THROTTLE_FACTOR seconds
(OTP_STATIC_THROTTLE_FACTOR for the backup codes). The count of wrong codes is written in its own transaction:
call these outside a transaction that a refusal would roll back, or the count is lost.
"""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.errors import DomainError, NotFound
from households import rules
from households.models import User
from households.services.audit import log_action
from households.services.sign_in import revoke_every_token

_APP_DEVICE_NAME = "Ứng dụng xác thực"
_BACKUP_DEVICE_NAME = "Mã dự phòng"
BACKUP_CODES = 8  # one-time codes for the day the phone is not at hand; each works once
_APP_CODE = re.compile(r"[0-9]{6}")
_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class Enrolment:
    """A confirmed device, and the backup codes made with it: shown once to the user, never stored in clear
    elsewhere than in django-otp's table."""

    device: TOTPDevice
    backup_codes: tuple[str, ...]


def has_second_factor(user: User) -> bool:
    """Whether she has a confirmed authenticator app."""
    return bool(user.pk) and TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def second_factor_required(user: User) -> bool:
    """Whether a sign-in of this user must give a code before any page or API call: the settings require it of her
    role (or she is a superuser), or she enrolled of her own accord. An inactive or anonymous user: no."""
    if not (user.is_authenticated and user.is_active):
        return False
    return rules.needs_second_factor(
        user.role or None,
        superuser=user.is_superuser,
        required=settings.SECOND_FACTOR_REQUIRED,
        required_roles=settings.SECOND_FACTOR_ROLES,
        enrolled=has_second_factor(user),
    )


def pending_device(user: User) -> TOTPDevice | None:
    """Her device waiting for its first code (`start_enrolment` made it), if any."""
    device: TOTPDevice | None = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    return device


@transaction.atomic
def start_enrolment(*, actor: User) -> TOTPDevice:
    """The authenticator app a user is about to add to her own account: a new secret key, unconfirmed until she types
    a code the app shows (`confirm_enrolment`). The same device again while it waits, so the QR code she scanned
    stays valid. Refused when she has a confirmed one already (a lost phone: a program admin resets it)."""
    user = User.objects.select_for_update().get(pk=actor.pk)  # one pending device, even for two tabs at once
    if has_second_factor(user):
        raise DomainError(
            "already_enrolled",
            "Tài khoản đã có ứng dụng xác thực. Mất điện thoại: nhờ quản trị chương trình đặt lại xác thực hai bước.",
            None,
        )
    device = pending_device(user)
    if device is not None:
        return device
    device = TOTPDevice.objects.create(user=user, name=_APP_DEVICE_NAME, confirmed=False)
    log_action(
        actor=user,
        action="households.user.second_factor_enrolment_started",
        obj=user,
        changes={"second_factor": (None, "chờ xác nhận")},
    )
    return device


def confirm_enrolment(*, actor: User, code: str) -> Enrolment:
    """Her pending device becomes her second factor when `code` is the one its app shows now; the backup codes are
    made with it. A wrong code is refused (and counted by the throttle) and nothing else changes."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False).first()
        if device is None:
            raise DomainError("no_pending_device", "Chưa có ứng dụng xác thực nào chờ xác nhận: mở lại trang đăng ký.")
        allowed, throttle = device.verify_is_allowed()
        accepted = bool(allowed and device.verify_token(_plain(code)))
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            backup_codes = _new_backup_codes(user)
            log_action(
                actor=user,
                action="households.user.second_factor_confirmed",
                obj=user,
                changes={"second_factor": ("chờ xác nhận", "đã bật"), "backup_codes": (0, len(backup_codes))},
            )
            return Enrolment(device=device, backup_codes=backup_codes)
    # Outside the transaction: the wrong code's count is kept.
    raise _refusal([throttle] if not allowed else [], tried=allowed)


def _new_backup_codes(user: User) -> tuple[str, ...]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=_BACKUP_DEVICE_NAME, confirmed=True)
    codes = tuple(StaticToken.random_token() for _ in range(BACKUP_CODES))
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def accept_code(user: User, code: str) -> Device:
    """The confirmed device of hers that accepts `code`: six digits are checked against her authenticator app,
    anything else against her backup codes (a backup code works once). Refused (DomainError on `code`) when she has
    no device, when the code is wrong, or when the throttle refuses to check it yet, with the time to wait."""
    plain = _plain(code)
    model: type[Device] = TOTPDevice if _APP_CODE.fullmatch(plain) else StaticDevice
    if not has_second_factor(user):
        raise DomainError("no_device", "Tài khoản chưa đăng ký ứng dụng xác thực.", "code")
    throttled, tried = [], False
    with transaction.atomic():
        for device in model.objects.filter(user_id=user.pk, confirmed=True).select_for_update().order_by("pk"):
            allowed, throttle = device.verify_is_allowed()
            if not allowed:
                throttled.append(throttle)
                continue
            tried = True
            if device.verify_token(plain):
                return device
    raise _refusal(throttled, tried=tried)


def verify_code(user: User, code: str) -> bool:
    """Whether `code` is a valid second factor of hers now (`accept_code`, without the reason of a refusal); for a
    sign-in that does not keep a session, such as the API's login."""
    try:
        accept_code(user, code)
    except DomainError:
        return False
    return True


def _plain(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def _refusal(throttled: list[dict[str, object]], *, tried: bool) -> DomainError:
    if tried or not throttled:
        return DomainError("wrong_code", "Mã không đúng hoặc đã hết hạn. Nhập mã đang hiện trên ứng dụng.", "code")
    ends = [info.get("locked_until") for info in throttled]
    until = max((end for end in ends if isinstance(end, datetime.datetime)), default=timezone.now())
    return DomainError(
        "throttled",
        f"Đã nhập sai nhiều lần liên tiếp: chờ đến {timezone.localtime(until):%H:%M:%S} rồi thử lại "
        "(mỗi lần sai, thời gian chờ tăng gấp đôi).",
        "code",
    )


@transaction.atomic
def reset_second_factor(*, actor: User, user_id: int, reason: str = "") -> User:
    """Remove a user's authenticator app and backup codes (a lost phone): with SECOND_FACTOR_REQUIRED she enrols a
    new app at her next page (with her password again: a session alone, perhaps a thief's, does not bind a new app),
    and a session verified with the old one is asked again. Her API tokens, issued with a code of the old app, are
    revoked. Only those who manage users; nothing to remove is no change (no audit entry)."""
    if not actor.has_right(rules.USER_MANAGE):
        raise DomainError("no_right", "Tài khoản không có quyền quản lý người dùng.", "actor")
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound("Không tìm thấy tài khoản.")
    had_app = has_second_factor(user)
    backup_codes = StaticToken.objects.filter(device__user_id=user.pk).count()
    removed, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    removed += StaticDevice.objects.filter(user_id=user.pk).delete()[0]
    if removed:
        tokens = revoke_every_token(user)
        log_action(
            actor=actor,
            action="households.user.second_factor_reset",
            obj=user,
            changes={
                "second_factor": ("đã bật" if had_app else "chờ xác nhận", None),
                "backup_codes": (backup_codes, 0),
                **tokens,
            },
            reason=reason,
        )
    return user
