"""Signing in, in the admin: on an account's page its lock and its API tokens, and the actions of the accounts' list
that lift a lock or revoke the tokens (`SignInAdminMixin`, for `UserAdmin`); django-axes' records of failed
sign-ins and of sign-ins, read-only, for program admins; one's own new password, audited. django-rest-knox's
token page is not offered: a token is issued by the API's sign-in or the command line, revoked from here."""

from axes.models import AccessAttempt, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from config.client_ip import client_ip
from households import rules, services
from households.admin.base import RightsAdminMixin, code_column
from households.services.sign_in import live_tokens, token_prefix
from households.sign_in import lockout_message, lockout_of

if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


class SignInAdminMixin:
    """The sign-in part of an account's page and the accounts' actions; the services check the right again."""

    actions = ["unlock_sign_in", "revoke_api_tokens"]

    @admin.display(description=_("Đăng nhập và token API"))
    def sign_in_state(self, obj) -> str:
        if obj is None or obj.pk is None:
            return "—"
        lock = lockout_of(username=obj.username, ip_address="")
        state = (
            format_html("<strong>Đang bị khóa đăng nhập đến {}</strong>", _moment(lock.until))
            if lock is not None
            else "Không bị khóa đăng nhập"
        )
        tokens = format_html_join(
            ", ",
            "<code>{}</code> (cấp {}, hết hạn {})",
            ((token_prefix(t), _moment(t.created), _moment(t.expiry)) for t in live_tokens(obj).order_by("created")),
        )
        return format_html("{}.<br>Token API còn hạn: {}", state, tokens or "không có")

    @admin.action(description=_("Mở khóa đăng nhập cho các tài khoản đã chọn"))
    def unlock_sign_in(self, request, queryset):
        unlocked = [
            user.username
            for user in queryset.order_by("pk")
            if services.unlock_sign_in(actor=request.user, user_id=user.pk)
        ]
        if unlocked:
            messages.success(request, f"Đã mở khóa đăng nhập: {', '.join(unlocked)}.")
        else:
            messages.info(request, "Không tài khoản nào đang bị khóa hay có lần đăng nhập sai.")

    @admin.action(description=_("Thu hồi mọi token API của các tài khoản đã chọn"))
    def revoke_api_tokens(self, request, queryset):
        revoked = {
            user.username: count
            for user in queryset.order_by("pk")
            if (count := services.revoke_api_tokens(actor=request.user, user_id=user.pk))
        }
        if revoked:
            listed = ", ".join(f"{name} ({count})" for name, count in revoked.items())
            messages.success(request, f"Đã thu hồi token API: {listed}.")
        else:
            messages.info(request, "Các tài khoản đã chọn không có token API nào.")


# The address signed in at and the browser's own name, as code: what a technician reads, not words of the page.
_PATH = code_column(_("đường dẫn"), "path_info")
_BROWSER = code_column(_("trình duyệt"), "user_agent")


class ReadOnlyRecordsAdmin(RightsAdminMixin, admin.ModelAdmin):
    """django-axes' records: for those who manage users, read as they are."""

    view_right = rules.USER_MANAGE
    # One line each says all there is: no page per line, whose title would be axes' own English ("Access Log for …").
    list_display_links = None
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyRecordsAdmin):
    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", _PATH, _BROWSER]
    fields = ["attempt_time", "username", "ip_address", "failures_since_start", "path_info", "user_agent"]
    readonly_fields = fields
    actions = ["unlock_addresses"]

    @admin.action(description=_("Mở khóa các địa chỉ IP đã chọn (mọi tài khoản từ đó)"))
    def unlock_addresses(self, request, queryset):
        addresses = sorted({a.ip_address for a in queryset if a.ip_address})
        for address in addresses:
            services.unlock_address(actor=request.user, ip_address=address)
        messages.success(request, f"Đã mở khóa đăng nhập từ: {', '.join(addresses) or 'không địa chỉ nào'}.")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyRecordsAdmin):
    audit_history = False  # a log's own rows have no history
    list_display = ["attempt_time", "username", "ip_address", "logout_time", _PATH, _BROWSER]
    fields = ["attempt_time", "username", "ip_address", "logout_time", "path_info", "user_agent"]
    readonly_fields = fields


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """Django's form of one's own new password (the old one checked, the new one validated), written by
    `services.change_own_password` (audited). The old password is a sign-in as any other, for django-axes: refused
    while the account or the address is locked, and a wrong one counted toward the lock (a stolen session must not
    guess the password without limit)."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        lock = lockout_of(username=self.user.get_username(), ip_address=client_ip(self.request))
        if lock is not None:
            raise forms.ValidationError(lockout_message(lock), code="locked_out")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            credentials = {"username": self.user.get_username()}
            user_login_failed.send(sender=__name__, credentials=credentials, request=self.request)
            raise

    def save(self, commit=True):
        self.user = services.change_own_password(actor=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class AuditedPasswordChangeView(PasswordChangeView):
    form_class = AuditedPasswordChangeForm
    success_url = reverse_lazy("admin:password_change_done")
    template_name = "registration/password_change_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


def password_change(request):
    """The admin's "Đổi mật khẩu" (`/admin/password_change/`, ahead of the admin's own in config/urls.py)."""
    view = AuditedPasswordChangeView.as_view(extra_context=admin.site.each_context(request))
    request.current_app = admin.site.name
    return view(request)
