"""The second factor in the admin: the step after the password (Django's login, untouched) for those who must give
a code (`services.second_factor_required`), the pages to enrol an authenticator app and to give its code, and what
a program admin sees and does on the officers' page (the status, the reset for a lost phone).

`SecondFactorMiddleware` (after django-otp's `OTPMiddleware`, which tells whether the session gave its code) sends a
signed-in user whose code is due to the code's page, or to enrolment when she has no app yet, and back to where she
was going once it is given. While it is due only signing in and out, the language, the admin's translations and
these pages open; the API's views are left to `config.second_factor.SessionAuthentication`, which refuses the
session with a 403 that says why (a token goes through), except the API docs, a page for people, sent to the code.
django-otp's own pages of devices are not registered: they would show the secrets.
"""

from base64 import b32encode

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.views import APIView

from config.admin import add_domain_error
from config.client_ip import client_ip
from config.errors import DomainError
from config.second_factor import PENDING
from households import services
from households.sign_in import lockout_message, lockout_of

# django-otp's own pages of devices (in English; a device's key on the add page): the state of an account's second
# factor is on the officers' page instead. Its apps come before `households` in INSTALLED_APPS, so they are registered.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)

# Pages open while the code is due: signing in (as someone else) and out, the language, the admin's translations.
OPEN_WHILE_DUE = frozenset({"admin:login", "admin:logout", "admin:jsi18n", "set_language"})


def is_due(user) -> bool:
    """Whether the signed-in user must still give her code in this session."""
    if not user.is_authenticated:
        return False
    verified = getattr(user, "is_verified", None)  # installed by django-otp's OTPMiddleware
    return not (verified and verified()) and services.second_factor_required(user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        due = is_due(request.user)
        setattr(request, PENDING, due)
        name = request.resolver_match.view_name if request.resolver_match else ""
        if not due or name in OPEN_WHILE_DUE or name.startswith("second_factor_"):
            return None
        if _answers_machines(view_func):
            return None  # the API's session authentication refuses it, with a message (a token goes through)
        page = "second_factor_verify" if services.has_second_factor(request.user) else "second_factor_enrol"
        return redirect_to_login(request.get_full_path(), reverse(page))


def _answers_machines(view_func) -> bool:
    """A view of the API (DRF) that answers in a format for programs, not only a page for people (the API docs)."""
    view_class = getattr(view_func, "cls", None)
    if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
        return False
    return any(renderer.media_type != "text/html" for renderer in view_class.renderer_classes)


def _next_url(request) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return url if safe else reverse("admin:index")


def _page(request, template: str, context: dict):
    base = admin.site.each_context(request)
    return render(
        request,
        template,
        {**base, "is_nav_sidebar_enabled": False, "next": _next_url(request), **context},
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "size": 12}),
    )


class EnrolForm(CodeForm):
    """The first code of a new app, with the account's password: after a reset (a lost phone, perhaps stolen with a
    signed-in browser) the session alone does not bind a new app."""

    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        """Checked as a sign-in (`authenticate`): django-axes counts a wrong one, and refuses while locked."""
        user = self.request.user
        lock = lockout_of(username=user.get_username(), ip_address=client_ip(self.request))
        if lock is not None:
            raise forms.ValidationError(lockout_message(lock), code="locked_out")
        password = self.cleaned_data["password"]
        found = authenticate(self.request, username=user.get_username(), password=password)
        if found is None or found.pk != user.pk:
            raise forms.ValidationError(_("Mật khẩu không đúng."), code="wrong_password")
        return password


def _signed_in_or_login(request):
    if request.user.is_authenticated and request.user.is_active:
        return None
    return redirect_to_login(request.get_full_path(), reverse("admin:login"))


@never_cache
def verify_view(request):
    """The code of her authenticator app (or a backup code) for this session."""
    if refused := _signed_in_or_login(request):
        return refused
    user = request.user
    if not services.has_second_factor(user):
        return redirect_to_login(_next_url(request), reverse("second_factor_enrol"))
    if not is_due(user):
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.accept_code(user, form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session.cycle_key()  # a new session id for the verified session
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = StaticToken.objects.filter(device=device).count()
                messages.warning(request, _("Đã dùng một mã dự phòng; còn %(left)s mã.") % {"left": left})
            return HttpResponseRedirect(_next_url(request))
    return _page(request, "households/second_factor/verify.html", {"title": _("Xác thực hai bước"), "form": form})


@never_cache
def enrol_view(request):
    """Enrol an authenticator app: the QR code and the key of a new device, confirmed by a code it shows and the
    account's password."""
    if refused := _signed_in_or_login(request):
        return refused
    user = request.user
    title = _("Đăng ký ứng dụng xác thực")
    if services.has_second_factor(user):
        if is_due(user):
            return redirect_to_login(_next_url(request), reverse("second_factor_verify"))
        return _page(request, "households/second_factor/enrol.html", {"title": title, "status": _status(user)})
    form = EnrolForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.confirm_enrolment(actor=user, code=form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session.cycle_key()
            otp_login(request, enrolment.device)
            context = {"title": title, "backup_codes": enrolment.backup_codes}
            return _page(request, "households/second_factor/enrol.html", context)
    device = services.start_enrolment(actor=user)
    context = {
        "title": title,
        "form": form,
        "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": _grouped(device),
        "required": services.second_factor_required(user),
    }
    return _page(request, "households/second_factor/enrol.html", context)


def _grouped(device: TOTPDevice) -> str:
    """The key as an app asks for it when it is typed (base32), in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _status(user) -> str:
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()
    if device is None:
        pending = TOTPDevice.objects.filter(user_id=user.pk).exists()
        return str(_("Chờ xác nhận mã đầu tiên") if pending else _("Chưa bật"))
    left = StaticToken.objects.filter(device__user_id=user.pk).count()
    since = date_format(timezone.localtime(device.created_at), "d/m/Y") if device.created_at else "—"
    return str(_("Đã bật từ %(since)s; còn %(left)s mã dự phòng") % {"since": since, "left": left})


# --- on the officers' page -----------------------------------------------------------------------------------


@admin.display(description=_("Xác thực hai bước"))
def second_factor_status(user) -> str:
    """The state of an account's second factor, for its page."""
    return _status(user) if user.pk else "—"


class SecondFactorFilter(admin.SimpleListFilter):
    title = _("xác thực hai bước")
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [("on", _("Đã bật")), ("off", _("Chưa bật"))]

    def queryset(self, request, queryset):
        confirmed = Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        if self.value() == "on":
            return queryset.filter(confirmed)
        if self.value() == "off":
            return queryset.exclude(confirmed)
        return queryset


@admin.action(description=_("Đặt lại xác thực hai bước (mất điện thoại)"), permissions=["change"])
def reset_second_factor_action(modeladmin, request, queryset):
    """Removes the chosen accounts' authenticator apps and backup codes (`services.reset_second_factor`, audited):
    all or none."""
    try:
        with transaction.atomic():
            for user in queryset.order_by("pk"):
                services.reset_second_factor(actor=request.user, user_id=user.pk, reason="Đặt lại từ trang quản trị")
    except DomainError as error:
        messages.error(request, error.message)
        return
    count = queryset.count()
    messages.success(
        request,
        _("Đã đặt lại xác thực hai bước của %(count)s tài khoản: lần đăng nhập tới, họ đăng ký lại ứng dụng.")
        % {"count": count},
    )
