"""Provisioning officers, roles and rights, token authentication."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from households import rules
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
def test_token_from_drf_create_token_authenticates_the_api(district_staff, household_a, household_b):
    call_command("drf_create_token", district_staff.username, stdout=io.StringIO())
    token = Token.objects.get(user=district_staff)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
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
