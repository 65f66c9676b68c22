"""Provisioning officers, roles and rights, token authentication."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import DomainError
from households import rules, services
from households.models import AuditEntry, User


@pytest.mark.django_db
def test_create_officer_provisions_a_scoped_user(commune_a):
    out = io.StringIO()
    call_command(
        "create_officer",
        "lan",
        "--role",
        "commune_officer",
        "--area",
        commune_a.code,
        "--password",
        "s3cret-pw",
        stdout=out,
    )
    user = User.objects.get(username="lan")
    assert user.role == "commune_officer" and user.area == commune_a
    assert user.is_staff and user.check_password("s3cret-pw")
    assert commune_a.name in out.getvalue()
    assert AuditEntry.objects.filter(action="households.user.created", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_create_officer_without_password_is_token_only(province):
    call_command("create_officer", "robot", "--role", "province_staff", "--area", province.code, stdout=io.StringIO())
    assert not User.objects.get(username="robot").has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args,message",
    [
        (["--role", "commune_officer", "--area", "15"], "cấp commune"),
        (["--role", "province_staff", "--area", "COMMUNE"], "cấp province"),
        (["--role", "district_staff", "--area", "15"], "cấp district"),
        (["--role", "program_admin", "--area", "15"], "toàn quốc"),
        (["--role", "commune_officer"], "cấp commune"),
        (["--role", "commune_officer", "--area", "99999"], "Không có địa bàn"),
    ],
)
def test_create_officer_refuses_wrong_scopes(args, message, commune_a):
    args = [commune_a.code if a == "COMMUNE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("create_officer", "x", *args, stdout=io.StringIO())
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_create_officer_refuses_unknown_role_and_duplicates(commune_a, officer_a):
    with pytest.raises(CommandError):
        call_command("create_officer", "y", "--role", "mayor", "--area", commune_a.code)
    with pytest.raises(CommandError, match="đã tồn tại"):
        call_command("create_officer", officer_a.username, "--role", "commune_officer", "--area", commune_a.code)


@pytest.mark.django_db
def test_token_from_issue_api_token_authenticates_the_api(district_staff, household_a, household_b):
    out = io.StringIO()
    call_command("issue_api_token", district_staff.username, stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/households/")
    assert response.status_code == 200
    assert {h["id"] for h in response.json()["results"]} == {household_a.pk}
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/households/").status_code == 401


@pytest.mark.django_db
def test_inactive_users_lose_every_right(officer_a, household_a, api):
    officer_a.is_active = False
    officer_a.save()
    assert not officer_a.has_right(rules.HOUSEHOLD_VIEW)


def test_rights_are_named_per_action_and_granted_per_role():
    assert rules.has_right("commune_officer", rules.HOUSEHOLD_CREATE)
    assert rules.has_right("commune_officer", rules.VILLAGE_MANAGE)
    assert not rules.has_right("commune_officer", rules.USER_MANAGE)
    assert not rules.has_right("commune_chair", rules.HOUSEHOLD_CHANGE)
    assert rules.has_right("commune_chair", rules.HOUSEHOLD_VIEW)
    assert rules.has_right("district_staff", rules.HOUSEHOLD_CHANGE)
    assert not rules.has_right("district_staff", rules.VILLAGE_MANAGE)
    # The admin holds every right but the chair's decisions (separation of duties).
    decisions = {rules.REVIEW_DECIDE, rules.STATUS_RECOGNISE}
    assert all(rules.has_right("program_admin", right) for right in rules.ALL_RIGHTS - decisions)
    assert not any(rules.has_right("program_admin", right) for right in decisions)
    assert rules.has_right("commune_chair", rules.REVIEW_DECIDE)
    assert not rules.has_right("commune_officer", rules.REVIEW_DECIDE)
    assert not rules.has_right(None, rules.HOUSEHOLD_VIEW)
    assert not rules.has_right("mayor", rules.HOUSEHOLD_VIEW)
    for role in rules.Role:
        assert rules.ROLE_RIGHTS[role] <= rules.ALL_RIGHTS


# --- the officers' admin: accounts made and changed by the audited services ------------------------------------

USERS = "/admin/households/user/"


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def account_form(user: User, **changes) -> dict:
    """The change page of an account as the browser posts it."""
    data = {name: getattr(user, name) for name in ("username", "first_name", "last_name", "email", "role")}
    data |= {"area": user.area_id or "", "is_staff": "on"} | ({"is_active": "on"} if user.is_active else {})
    joined = timezone.localtime(user.date_joined)
    data |= {"date_joined_0": f"{joined:%d/%m/%Y}", "date_joined_1": f"{joined:%H:%M:%S}"}
    data |= {"last_login_0": "", "last_login_1": ""} if user.last_login is None else {}
    return data | changes


@pytest.mark.django_db
def test_a_program_admin_makes_an_account_through_the_service_and_it_is_audited(admin_user, commune_a):
    data = {"username": "thu", "password1": "Mat-khau-dai-123", "password2": "Mat-khau-dai-123"}
    response = admin_client(admin_user).post(USERS + "add/", data | {"role": "commune_officer", "area": commune_a.pk})
    assert response.status_code == 302
    user = User.objects.get(username="thu")
    assert (user.role, user.area, user.is_staff) == ("commune_officer", commune_a, True)
    assert user.check_password("Mat-khau-dai-123")
    entry = AuditEntry.objects.get(action="households.user.created", object_id=str(user.pk))
    assert entry.actor == admin_user and entry.changes == {
        "role": [None, "commune_officer"],
        "area": [None, commune_a.code],
    }


@pytest.mark.django_db
def test_a_program_admin_changes_an_account_through_the_service_and_it_is_audited(admin_user, officer_a, commune_b):
    old_area = officer_a.area_id
    data = account_form(officer_a, area=commune_b.pk, first_name="Lan")
    response = admin_client(admin_user).post(f"{USERS}{officer_a.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    officer_a.refresh_from_db()
    assert (officer_a.area, officer_a.first_name, officer_a.is_staff) == (commune_b, "Lan", True)
    entry = AuditEntry.objects.get(action="households.user.changed", object_id=str(officer_a.pk))
    assert entry.actor == admin_user
    assert (entry.changes["area"], entry.changes["first_name"]) == ([old_area, commune_b.pk], ["", "Lan"])
    assert "password" not in entry.changes


@pytest.mark.django_db
def test_a_wrong_scope_for_an_account_is_a_form_error_and_nothing_is_written(admin_user, officer_a, province):
    client = admin_client(admin_user)
    response = client.post(f"{USERS}{officer_a.pk}/change/", account_form(officer_a, area=province.pk))
    assert response.status_code == 200 and "area" in response.context["adminform"].form.errors
    added = client.post(
        USERS + "add/",
        {"username": "x", "password1": "Mat-khau-dai-123", "password2": "Mat-khau-dai-123", "role": "commune_officer"},
    )
    assert added.status_code == 200 and "area" in added.context["adminform"].form.errors
    officer_a.refresh_from_db()
    assert officer_a.area.level == "commune" and not User.objects.filter(username="x").exists()
    assert not AuditEntry.objects.filter(action="households.user.changed").exists()


@pytest.mark.django_db
def test_the_account_services_need_the_right_and_refuse_what_they_do_not_change(officer_a, officer_b, admin_user):
    with pytest.raises(DomainError, match="không có quyền"):
        services.change_officer(actor=officer_a, user_id=officer_b.pk, data={"is_active": False})
    with pytest.raises(DomainError, match="không có quyền"):
        services.create_officer(actor=officer_a, username="z", role="commune_officer", area=officer_a.area)
    with pytest.raises(DomainError) as password:
        services.change_officer(actor=admin_user, user_id=officer_b.pk, data={"password": "x"})
    assert password.value.field == "password"
    with pytest.raises(DomainError) as taken:
        services.change_officer(actor=admin_user, user_id=officer_b.pk, data={"username": officer_a.username})
    assert taken.value.field == "username"
    officer_b.refresh_from_db()
    assert officer_b.is_active and not AuditEntry.objects.filter(action="households.user.changed").exists()


@pytest.mark.django_db
def test_a_program_admin_sets_a_password_through_the_service_and_it_is_audited(admin_user, officer_a):
    page = f"{USERS}{officer_a.pk}/password/"
    data = {"password1": "Mat-khau-moi-456", "password2": "Mat-khau-moi-456", "usable_password": "true"}
    response = admin_client(admin_user).post(page, data)
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password("Mat-khau-moi-456")
    entry = AuditEntry.objects.get(action="households.user.password_set", object_id=str(officer_a.pk))
    assert entry.actor == admin_user and entry.changes == {"usable_password": [True, True]}
    assert "Mat-khau-moi-456" not in str(entry.changes)


@pytest.mark.django_db
def test_a_password_that_does_not_match_is_a_form_error_and_nothing_is_written(admin_user, officer_a):
    before = User.objects.get(pk=officer_a.pk).password
    data = {"password1": "Mat-khau-moi-456", "password2": "Mat-khau-khac-789", "usable_password": "true"}
    response = admin_client(admin_user).post(f"{USERS}{officer_a.pk}/password/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert User.objects.get(pk=officer_a.pk).password == before
    assert not AuditEntry.objects.filter(action="households.user.password_set").exists()


@pytest.mark.django_db
def test_setting_a_password_needs_the_right_to_manage_users(officer_a, officer_b):
    with pytest.raises(DomainError) as refused:
        services.set_officer_password(actor=officer_a, user_id=officer_b.pk, password="Mat-khau-moi-456")
    assert refused.value.code == "no_right"
