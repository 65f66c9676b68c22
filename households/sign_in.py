"""What django-axes calls (config/settings.py, the sign-in block): how failures count, what a locked-out caller
is told, and the audit of a new lock.

- `SignInHandler`: axes' database handler, with the account and the address each counted against its own limit
  (`LOGIN_FAILURE_LIMIT` for an account, from anywhere; `LOGIN_IP_FAILURE_LIMIT` for an address, over any
  accounts: a commune office signs in from one address); a success clears the account's count, not the address's.
- `lockout_of`: which of the two is locked, and until when (`lock_end`, a pure function).
- `lockout_response`: the admin's login form with the lock as its error, or a JSON 429 for the API; in
  Vietnamese, with the time the lock ends.
- `audit_lockout`: the receiver of axes' `user_locked_out` (connected in `HouseholdsConfig.ready`), which has
  `services.record_lockout` audit a lock once, when it is set.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from config.client_ip import client_ip
from config.errors import error_response
from households.services import sign_in as services

API_PREFIX = "/api/"


def lock_end(
    attempts: Iterable[tuple[datetime.datetime, int]], limit: int, cool_off: datetime.timedelta
) -> datetime.datetime | None:
    """When a lock ends: `attempts` are (time of the last failure, failures) of the records within the cool-off,
    which leave the window oldest first; the lock holds while the failures left reach `limit`. None: not locked.

    >>> t = datetime.datetime(2026, 12, 7, 8, 0)
    >>> lock_end([(t, 3), (t + datetime.timedelta(minutes=5), 2)], 5, datetime.timedelta(minutes=15))
    datetime.datetime(2026, 12, 7, 8, 15)
    >>> lock_end([(t, 4)], 5, datetime.timedelta(minutes=15)) is None
    True
    """
    total = 0
    for moment, failures in sorted(attempts, reverse=True):
        total += failures
        if total >= limit:
            return moment + cool_off
    return None


@dataclass(frozen=True)
class Lockout:
    account: bool  # the account named is locked (its own failures, from anywhere)
    address: bool  # the address is locked (failures over any accounts)
    until: datetime.datetime


def _end(attempts: QuerySet, limit: int) -> datetime.datetime | None:
    return lock_end(attempts.values_list("attempt_time", "failures_since_start"), limit, settings.AXES_COOLOFF_TIME)


def _recent(now: datetime.datetime) -> QuerySet:
    return AccessAttempt.objects.filter(attempt_time__gte=now - settings.AXES_COOLOFF_TIME)


def lockout_of(*, username: str | None, ip_address: str, now: datetime.datetime | None = None) -> Lockout | None:
    """The lock on signing in as `username` from `ip_address` now, or None."""
    recent = _recent(now or timezone.now())
    account = _end(recent.filter(username=username), settings.LOGIN_FAILURE_LIMIT) if username else None
    address = _end(recent.filter(ip_address=ip_address), settings.LOGIN_IP_FAILURE_LIMIT) if ip_address else None
    ends = [end for end in (account, address) if end is not None]
    if not ends:
        return None
    return Lockout(account=account is not None, address=address is not None, until=max(ends))


class SignInHandler(AxesDatabaseHandler):
    """axes' database handler, counting an account and an address each against its own limit. axes compares one
    number with `AXES_FAILURE_LIMIT` (the account's limit), so the address's failures are given in those units:
    the address reaches it exactly when its own failures reach `LOGIN_IP_FAILURE_LIMIT`."""

    def get_failures(self, request, credentials=None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        account = _failures(recent.filter(username=username)) if username else 0
        address = _failures(recent.filter(ip_address=request.axes_ip_address)) if request.axes_ip_address else 0
        return max(account, address * settings.LOGIN_FAILURE_LIMIT // settings.LOGIN_IP_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A success clears the account's failures only: one good password must not wipe an address's count of
        guesses at other accounts."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def _failures(attempts: QuerySet) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


def lockout_message(lock: Lockout) -> str:
    until = timezone.localtime(lock.until).strftime("%H:%M ngày %d/%m/%Y")
    if lock.account:
        what = "Tài khoản này tạm thời bị khóa đăng nhập vì nhập sai mật khẩu quá nhiều lần"
    else:
        what = "Địa chỉ mạng của bạn tạm thời bị khóa đăng nhập vì có quá nhiều lần đăng nhập sai"
    return f"{what}, đến {until}. Hãy thử lại sau thời điểm đó, hoặc nhờ quản trị chương trình mở khóa."


class LockedOutLoginForm(AdminAuthenticationForm):
    """The admin's login form answering with the lock, without trying the password again."""

    lock_message = ""

    def clean(self):
        raise forms.ValidationError(self.lock_message, code="locked_out")


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """axes' answer to a locked-out sign-in (`AXES_LOCKOUT_CALLABLE`): 429, in Vietnamese, saying what is locked
    and until when; the API's as JSON with `Retry-After`, the admin's as its login form with the message."""
    username = get_client_username(request, credentials)
    now = timezone.now()
    lock = lockout_of(username=username, ip_address=client_ip(request), now=now) or Lockout(
        account=True, address=False, until=now + settings.AXES_COOLOFF_TIME
    )
    message = lockout_message(lock)
    if request.path.startswith(API_PREFIX):
        until = timezone.localtime(lock.until).isoformat()  # as the API writes times: local, with the offset
        response = error_response(429, "locked_out", message, locked_until=until)  # the API's error envelope
        response["Retry-After"] = str(max(1, math.ceil((lock.until - now).total_seconds())))
        return response
    form_class = type("LockedOutLoginForm", (LockedOutLoginForm,), {"lock_message": message})
    form = form_class(request, data=request.POST)
    form.is_valid()
    context = {
        **admin.site.each_context(request),
        "title": "Đăng nhập",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "form": form,
        "username": "",
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME) or reverse("admin:index"),
    }
    return render(request, "admin/login.html", context, status=429)


def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """axes' `user_locked_out`: sent on the failure that sets a lock (audited) and on each sign-in refused while it
    holds (axes leaves `axes_failures_since_start` unset then: nothing new to record)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    lock = lockout_of(username=username, ip_address=ip_address)
    if lock is not None:
        services.record_lockout(
            username=username, ip_address=ip_address, until=lock.until, account=lock.account, address=lock.address
        )
