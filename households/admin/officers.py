"""The officers' accounts: one role scoped to one area each, written by the services (audited). Django's groups
are not offered: the roles and their rights are ours."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.admin import ServiceAdminMixin, adopt
from households import rules, services
from households.admin.base import RightsAdminMixin
from households.admin.second_factor import SecondFactorFilter, reset_second_factor_action, second_factor_status
from households.admin.sign_in import SignInAdminMixin
from households.models import User

admin.site.unregister(Group)


class ScopeCheckMixin:
    def clean(self):
        cleaned = super().clean()
        role, area = cleaned.get("role"), cleaned.get("area")
        if role:
            problem = rules.scope_level_problem(role, area.level if area else None)
            if problem:
                self.add_error("area", problem)
        return cleaned


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    """Whether the account has a password, not the algorithm, salt and hash Django's widget lists."""

    template_name = "households/password_state.html"


class OfficerChangeForm(ScopeCheckMixin, UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordStateWidget()
        if "is_staff" in self.fields:
            self.fields["is_staff"].help_text = _("Mọi tài khoản của hệ thống đều vào được trang quản trị.")


class OfficerCreationForm(ScopeCheckMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "role", "area"]


@admin.register(User)
class UserAdmin(SignInAdminMixin, ServiceAdminMixin, RightsAdminMixin, DjangoUserAdmin):
    """Officers' accounts, made by `services.create_officer` and changed by `services.change_officer` (audited);
    Django's user forms check the inputs (passwords against the account, unique names)."""

    validate_model = True
    form = OfficerChangeForm
    add_form = OfficerCreationForm
    view_right = rules.USER_MANAGE
    add_right = rules.USER_MANAGE
    change_right = rules.USER_MANAGE
    list_display = ["username", "first_name", "role", "area", "is_active", "last_login"]
    list_filter = ["role", "is_active", SecondFactorFilter]
    actions = [*SignInAdminMixin.actions, reset_second_factor_action]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Thông tin"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Vai trò và địa bàn"), {"fields": ["role", "area", "is_active", "is_staff"]}),
        (_("Thời điểm"), {"fields": ["last_login", "date_joined"]}),
        (_("Đăng nhập"), {"fields": ["sign_in_state"]}),
        (_("Xác thực hai bước"), {"fields": [second_factor_status]}),
    ]
    readonly_fields = ["sign_in_state", second_factor_status]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "role", "area"]})]

    def user_change_password(self, request, id, form_url=""):
        """Django's page to set an account's password, whose valid form is written by `services.set_officer_password`
        (audited) rather than by the form; anything else (the page, a wrong input, a missing account) is Django's."""
        if request.method == "POST":
            user = self.get_object(request, unquote(id))
            if user is not None and self.has_change_permission(request, user):
                form = self.change_password_form(user, request.POST)
                usable = form.is_valid() and form.cleaned_data["set_usable_password"]
                if form.is_valid() and (usable or "unset-password" in request.POST):
                    password = form.cleaned_data["password1"] if usable else None
                    user = services.set_officer_password(actor=request.user, user_id=user.pk, password=password)
                    update_session_auth_hash(request, user)
                    messages.success(request, _("Đã đặt mật khẩu.") if usable else _("Đã bỏ đăng nhập bằng mật khẩu."))
                    return HttpResponseRedirect(reverse("admin:households_user_change", args=(user.pk,)))
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            officer = services.change_officer(
                actor=request.user,
                user_id=obj.pk,
                data={name: data[name] for name in form.changed_data if name in services.OFFICER_FIELDS},
            )
        else:
            officer = services.create_officer(
                actor=request.user,
                username=data["username"],
                role=data["role"],
                area=data.get("area"),
                password=data.get("password1") or None,
            )
        adopt(obj, officer)
