"""The second factor (django-otp): who must give a code (the rule and the settings), enrolment of an authenticator
app, the code asked after the password before any admin page and any API call made with the session, django-otp's
throttling of wrong codes, backup codes, and the reset by a program admin (audited)."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from config.errors import DomainError
from households import rules, services, system_checks
from households.models import AuditEntry
from tests.api_errors import field_errors
from tests.test_config_csp import check_page

ENROL = "/admin/second-factor/enrol/"
VERIFY = "/admin/second-factor/"
USERS = "/admin/households/user/"


@pytest.fixture
def required(settings):
    settings.SECOND_FACTOR_REQUIRED = True
    settings.SECOND_FACTOR_ROLES = ["program_admin", "province_staff"]
    return settings


def code_of(device: TOTPDevice) -> str:
    """The code the app shows now, from the device's key."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits the app does not show now, nor a step before or after (django-otp's tolerance)."""
    device.refresh_from_db()
    valid = {f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + d):06d}" for d in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=True)


def signed_in(user) -> Client:
    """A session after the password, before any code."""
    client = Client()
    client.force_login(user)
    return client


def verified(user) -> Client:
    """A session that gave its code, through the verification page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrolled(user)
    client = signed_in(user)
    response = client.post(VERIFY, {"code": code_of(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


# --- the rule ---------------------------------------------------------------------------------------------------

ROLES = ("program_admin", "province_staff")


@pytest.mark.parametrize(
    "role,superuser,required,enrolled,expected",
    [
        ("program_admin", False, True, False, True),
        ("province_staff", False, True, False, True),
        ("district_staff", False, True, False, False),
        ("commune_officer", False, True, False, False),
        ("commune_chair", False, True, False, False),
        (None, True, True, False, True),  # a superuser holds every right
        (None, False, True, False, False),
        ("program_admin", False, False, False, False),  # the setting off: nobody by role
        (None, True, False, False, False),
        ("commune_officer", False, False, True, True),  # enrolled of her own accord: asked whatever the settings
        ("commune_officer", False, True, True, True),
    ],
)
def test_who_must_give_a_second_factor(role, superuser, required, enrolled, expected):
    assert (
        rules.needs_second_factor(role, superuser=superuser, required=required, required_roles=ROLES, enrolled=enrolled)
        is expected
    )


def test_the_roles_are_whatever_the_setting_lists():
    kwargs = {"superuser": False, "required": True, "enrolled": False}
    assert rules.needs_second_factor("commune_chair", required_roles=["commune_chair"], **kwargs)
    assert not rules.needs_second_factor("program_admin", required_roles=["commune_chair"], **kwargs)


def test_unknown_role_names_are_named():
    assert rules.unknown_roles(["program_admin", "province_staf", "admin"]) == ["province_staf", "admin"]
    assert rules.unknown_roles(ROLES) == []


# --- the service ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_the_service_answers_the_rule_with_the_settings_and_the_devices(admin_user, province_staff, officer_a):
    assert services.second_factor_required(admin_user) and services.second_factor_required(province_staff)
    assert not services.second_factor_required(officer_a)
    enrolled(officer_a)
    assert services.second_factor_required(officer_a)


def test_with_the_setting_off_nobody_is_required_by_role(admin_user, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert not services.second_factor_required(admin_user)


def test_verify_code_accepts_the_apps_code_once_and_refuses_others(province_staff):
    device = enrolled(province_staff)
    assert not services.verify_code(province_staff, wrong_code(device))
    device.throttling_failure_count = 0  # the wrong code above is counted: forget it for the right one
    device.save()
    code = code_of(device)
    assert services.verify_code(province_staff, code)
    assert not services.verify_code(province_staff, code)  # a code is not accepted twice


def test_verify_code_honours_django_otps_throttling(province_staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600  # the wait after a wrong code: an hour
    device = enrolled(province_staff)
    assert not services.verify_code(province_staff, "abc")
    assert not services.verify_code(province_staff, "12345")
    wrong = wrong_code(device)
    assert not services.verify_code(province_staff, wrong)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the wrong app code was counted, and kept
    assert not services.verify_code(province_staff, code_of(device))  # even the right code, while throttled
    with pytest.raises(DomainError, match="Đã nhập sai nhiều lần liên tiếp: chờ đến"):
        services.accept_code(province_staff, code_of(device))


def test_a_user_without_a_device_has_no_valid_code(officer_a):
    assert not services.verify_code(officer_a, "123456")
    with pytest.raises(DomainError, match="chưa đăng ký"):
        services.accept_code(officer_a, "123456")


def test_a_second_enrolment_is_refused_while_an_app_is_confirmed(officer_a):
    enrolled(officer_a)
    with pytest.raises(DomainError, match="đã có ứng dụng xác thực"):
        services.start_enrolment(actor=officer_a)


# --- the admin --------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_a_required_user_signs_in_with_her_password_then_is_sent_to_enrol(admin_user):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "quantri", "password": "pw-quantri"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.get("/admin/households/household/")
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=/admin/households/household/"


@pytest.mark.usefixtures("required")
def test_enrolment_shows_the_qr_code_and_the_key_and_a_code_confirms_it(admin_user):
    client = signed_in(admin_user)
    response = client.get(f"{ENROL}?next=/admin/households/household/")
    page = check_page(response)  # the QR code is an image from data:, the page passes the CSP
    text = response.content.decode()
    assert "Đăng ký ứng dụng xác thực" in text and "phải dùng xác thực hai bước" in text
    assert 'src="data:image/svg+xml' in text and page.refused == []
    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', text)[1]
    assert secret.replace(" ", "") in device.config_url  # the key the QR code carries, to type by hand
    assert response["Cache-Control"].count("no-store")
    assert client.get(ENROL).content.decode().count(secret) == 1  # the same device while it waits

    response = client.post(
        ENROL, {"password": "pw-quantri", "code": code_of(device), "next": "/admin/households/household/"}
    )
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = set(StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True))
    assert len(codes) == services.BACKUP_CODES and all(code in response.content.decode() for code in codes)
    assert client.get("/admin/households/household/").status_code == 200  # the session gave its code
    actions = AuditEntry.objects.filter(object_id=str(admin_user.pk)).values_list("action", flat=True)
    assert {"households.user.second_factor_enrolment_started", "households.user.second_factor_confirmed"} <= set(
        actions
    )
    assert not any(device.key in str(entry.changes) for entry in AuditEntry.objects.all())


@pytest.mark.usefixtures("required")
def test_a_wrong_code_at_enrolment_is_a_form_error_and_nothing_is_confirmed(province_staff, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    client = signed_in(province_staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=province_staff)
    wrong = wrong_code(device)
    response = client.post(ENROL, {"password": "pw-canbo_tinh", "code": wrong})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    response = client.post(ENROL, {"password": "pw-canbo_tinh", "code": code_of(device)})  # right, but within the wait
    assert "Đã nhập sai nhiều lần liên tiếp" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=province_staff).exists()
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("required")
def test_an_enrolled_user_gives_her_code_and_the_session_stays_verified(province_staff):
    device = enrolled(province_staff)
    client = signed_in(province_staff)
    response = client.get("/admin/households/household/")
    assert response["Location"] == f"{VERIFY}?next=/admin/households/household/"
    page = client.get(response["Location"])
    check_page(page)
    assert "Xác thực hai bước" in page.content.decode()
    response = client.post(VERIFY, {"code": code_of(device), "next": "/admin/households/household/"})
    assert response.status_code == 302 and response["Location"] == "/admin/households/household/"
    for path in ("/admin/", "/admin/households/household/", "/admin/households/area/"):
        assert client.get(path).status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing more to give


@pytest.mark.usefixtures("required")
def test_a_wrong_code_is_refused_with_a_form_error(province_staff):
    device = enrolled(province_staff)
    client = signed_in(province_staff)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert client.get("/admin/").status_code == 302


@pytest.mark.usefixtures("required")
def test_a_backup_code_works_once(province_staff):
    enrolled(province_staff)
    backup = StaticDevice.objects.create(user=province_staff, name="Mã dự phòng", confirmed=True)
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6723")
    client = signed_in(province_staff)
    response = client.post(VERIFY, {"code": "ABCD 2345", "next": "/admin/"}, follow=True)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert "còn 1 mã" in response.content.decode()
    assert not services.verify_code(province_staff, "abcd2345")


@pytest.mark.usefixtures("required")
def test_an_officer_who_is_not_required_is_not_asked(officer_a, district_staff):
    assert signed_in(officer_a).get("/admin/households/household/").status_code == 200
    assert signed_in(district_staff).get("/admin/").status_code == 200


def test_an_officer_may_enrol_of_her_own_accord_and_is_then_asked(officer_a, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    client = signed_in(officer_a)
    assert 'href="/admin/second-factor/enrol/"' in client.get("/admin/").content.decode()  # among her links
    response = client.get(ENROL)
    assert "phải dùng" not in response.content.decode() and "Bật xác thực hai bước" in response.content.decode()
    device = TOTPDevice.objects.get(user=officer_a)
    client.post(ENROL, {"password": "pw-canbo_a", "code": code_of(device)})
    assert "Đã bật từ" in client.get(ENROL).content.decode()
    assert signed_in(officer_a).get("/admin/")["Location"] == f"{VERIFY}?next=/admin/"


@pytest.mark.usefixtures("required")
def test_signing_out_and_the_language_stay_open_while_the_code_is_due(admin_user):
    client = signed_in(admin_user)
    assert client.post("/i18n/setlang/", {"language": "vi", "next": ENROL}).status_code == 302
    assert client.get("/admin/jsi18n/").status_code == 200
    response = client.post("/admin/logout/")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.usefixtures("required")
def test_the_next_address_stays_on_this_site(province_staff):
    device = enrolled(province_staff)
    response = signed_in(province_staff).post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


@pytest.mark.usefixtures("required")
def test_other_pages_of_the_site_wait_for_the_code_too(admin_user, province):
    response = signed_in(admin_user).get(f"/admin/households/area/{province.pk}/change/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)


def test_django_otps_device_pages_are_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice) and not admin.site.is_registered(StaticDevice)


# --- the API ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_session_api_calls_are_refused_until_the_code_is_given(province_staff, household_a):
    client = signed_in(province_staff)
    response = client.get("/api/v1/households/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "phải xác thực hai bước" in response.json()["message"]
    client = verified(province_staff)
    assert client.get("/api/v1/households/").status_code == 200


@pytest.mark.usefixtures("required")
def test_a_token_is_not_asked_for_the_code(province_staff, household_a):
    _, key = AuthToken.objects.create(user=province_staff)
    client = signed_in(province_staff)  # an unverified session beside the token changes nothing
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


@pytest.mark.usefixtures("required")
def test_an_officer_who_is_not_required_uses_the_api_with_her_session(officer_a, household_a):
    assert signed_in(officer_a).get("/api/v1/households/").status_code == 200


# --- the API's sign-in ------------------------------------------------------------------------------------------


def api_login(user, **extra):
    body = {"username": user.username, "password": "pw-" + user.username, **extra}
    return APIClient().post("/api/v1/auth/login/", body, format="json")


@pytest.mark.usefixtures("required")
def test_the_api_login_of_a_required_user_asks_for_her_code_and_refuses_a_wrong_one(province_staff):
    device = enrolled(province_staff)
    missing = api_login(province_staff)
    assert missing.status_code == 400 and "gửi kèm mã" in field_errors(missing)["otp"][0]
    wrong = api_login(province_staff, otp=wrong_code(device))
    assert wrong.status_code == 400 and "Mã không đúng" in field_errors(wrong)["otp"][0]
    assert not AuthToken.objects.filter(user=province_staff).exists()
    throttled = api_login(province_staff, otp=code_of(device))  # django-otp makes her wait after a wrong code
    assert throttled.status_code == 400 and "chờ đến" in field_errors(throttled)["otp"][0]
    device.refresh_from_db()
    device.throttle_reset()  # the wait is over
    good = api_login(province_staff, otp=code_of(device))
    assert good.status_code == 200
    households = APIClient().get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {good.json()['token']}")
    assert households.status_code == 200


@pytest.mark.usefixtures("required")
def test_the_api_login_of_a_required_user_without_an_app_says_to_enrol_first(province_staff):
    response = api_login(province_staff, otp="123456")
    assert response.status_code == 400 and "chưa đăng ký ứng dụng xác thực" in field_errors(response)["otp"][0]
    assert not AuthToken.objects.filter(user=province_staff).exists()


@pytest.mark.usefixtures("required")
def test_the_api_login_of_an_officer_who_is_not_required_needs_no_code(officer_a):
    assert api_login(officer_a).status_code == 200


# --- the reset --------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("required")
def test_a_program_admin_resets_a_lost_phone_and_it_is_audited(admin_user, province_staff):
    staff_session = verified(province_staff)
    StaticDevice.objects.create(user=province_staff, name="Mã dự phòng", confirmed=True).token_set.create(token="x1")
    admin_session = verified(admin_user)
    page = admin_session.get(f"{USERS}{province_staff.pk}/change/").content.decode()
    assert "Đã bật từ" in page and "còn 1 mã dự phòng" in page
    assert TOTPDevice.objects.get(user=province_staff).key not in page  # no secret on the page

    response = admin_session.post(
        USERS, {"action": "reset_second_factor_action", "_selected_action": [province_staff.pk]}, follow=True
    )
    assert "Đã đặt lại xác thực hai bước của 1 tài khoản" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=province_staff).exists()
    assert not StaticDevice.objects.filter(user=province_staff).exists()
    entry = AuditEntry.objects.get(action="households.user.second_factor_reset", object_id=str(province_staff.pk))
    assert entry.actor == admin_user and entry.changes["backup_codes"] == [1, 0]
    # her session verified with the lost phone is asked again: she enrols a new app
    assert staff_session.get("/admin/")["Location"] == f"{ENROL}?next=/admin/"


@pytest.mark.usefixtures("required")
def test_after_a_reset_the_session_alone_does_not_bind_a_new_app(admin_user, province_staff):
    stolen = verified(province_staff)  # a session left signed in on the lost phone
    token = services.issue_api_token(actor=None, user_id=province_staff.pk)[1]
    services.reset_second_factor(actor=admin_user, user_id=province_staff.pk)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/areas/").status_code == 401
    assert stolen.get("/admin/")["Location"] == f"{ENROL}?next=/admin/"
    stolen.get(ENROL)
    device = TOTPDevice.objects.get(user=province_staff)
    without = stolen.post(ENROL, {"code": code_of(device)})
    assert without.status_code == 200 and "password" in without.context["form"].errors
    for _ in range(4):
        wrong = stolen.post(ENROL, {"password": "doan-thu", "code": code_of(device)})
        assert wrong.context["form"].errors["password"] == ["Mật khẩu không đúng."]
    assert stolen.post(ENROL, {"password": "doan-thu", "code": code_of(device)}).status_code == 429  # locked
    locked = stolen.post(ENROL, {"password": "pw-canbo_tinh", "code": code_of(device)})
    assert "Tài khoản này tạm thời bị khóa đăng nhập" in locked.context["form"].errors["password"][0]
    device.refresh_from_db()
    assert not device.confirmed and stolen.get("/admin/").status_code == 302


def test_a_commune_officer_cannot_reset(officer_a, province_staff):
    enrolled(province_staff)
    response = signed_in(officer_a).post(
        USERS, {"action": "reset_second_factor_action", "_selected_action": [province_staff.pk]}
    )
    assert response.status_code == 403
    with pytest.raises(DomainError, match="không có quyền quản lý người dùng"):
        services.reset_second_factor(actor=officer_a, user_id=province_staff.pk)
    assert TOTPDevice.objects.filter(user=province_staff, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action="households.user.second_factor_reset").exists()


def test_the_officers_list_filters_by_second_factor(admin_user, officer_a, officer_b, settings):
    settings.SECOND_FACTOR_REQUIRED = False
    enrolled(officer_a)
    page = signed_in(admin_user).get(f"{USERS}?second_factor=on").content.decode()
    assert "canbo_a" in page and "canbo_b" not in page


# --- the settings' checks ---------------------------------------------------------------------------------------


def test_check_deploy_warns_while_the_second_factor_is_not_required(settings):
    settings.SECOND_FACTOR_REQUIRED = False
    assert [w.id for w in system_checks.check_second_factor_required(None)] == ["households.W001"]
    settings.SECOND_FACTOR_REQUIRED = True
    assert system_checks.check_second_factor_required(None) == []


def test_an_unknown_role_in_the_setting_is_an_error(settings):
    settings.SECOND_FACTOR_ROLES = ["program_admin", "province_staf"]
    errors = system_checks.check_second_factor_roles(None)
    assert [e.id for e in errors] == ["households.E001"] and "province_staf" in errors[0].msg


@pytest.mark.usefixtures("required")
def test_the_api_docs_a_page_for_people_send_to_the_code_first(province_staff):
    enrolled(province_staff)
    response = signed_in(province_staff).get("/api/docs/")
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next=/api/docs/"
    assert verified(province_staff).get("/api/docs/").status_code == 200
