"""Signing in: wrong passwords lock an account or an address for a while (django-axes), in Vietnamese, audited,
and a program admin lifts the lock; the API's sign-in issues expiring tokens (django-rest-knox) that their owner
or a program admin revokes; the API's throttles; one's own new password is audited."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from config.errors import DomainError
from households import services
from households.models import AuditEntry, User
from households.sign_in import lock_end
from tests.api_errors import field_errors
from tests.households.test_second_factor import enrolled

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
API_LOGIN = "/api/v1/auth/login/"
USERS = "/admin/households/user/"
ATTEMPTS = "/admin/axes/accessattempt/"
OFFICE = "10.1.2.3"


def admin_login(username: str, password: str, address: str = OFFICE, client: Client | None = None):
    client = client or Client()
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def api_login(username: str, password: str, address: str = OFFICE):
    return APIClient().post(API_LOGIN, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def lock(username: str, times: int = 5, address: str = OFFICE):
    for _ in range(times):
        response = admin_login(username, "sai-mat-khau", address)
    return response


def after_cool_off(settings) -> None:
    """Time travel: every failure recorded moves back by the cool-off (plus a second)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME - datetime.timedelta(1))


# --- the admin's sign-in -----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_in_vietnamese(officer_a):
    for _ in range(4):
        assert admin_login("canbo_a", "sai-mat-khau").status_code == 200  # the form's usual error
    locked = admin_login("canbo_a", "sai-mat-khau")
    assert locked.status_code == 429
    page = admin_login("canbo_a", "pw-canbo_a", address="10.9.9.9")  # the account, from anywhere
    text = page.content.decode()
    assert page.status_code == 429 and "_auth_user_id" not in page.wsgi_request.session
    assert "Tài khoản này tạm thời bị khóa đăng nhập" in text and "quản trị chương trình mở khóa" in text
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=15))
    assert until.strftime("ngày %d/%m/%Y") in text
    assert 'name="username"' in text  # the login form, with its error
    entry = AuditEntry.objects.get(action="households.user.locked_out")
    assert entry.object_id == str(officer_a.pk) and entry.actor is None
    assert entry.changes["ip_address"] == [None, OFFICE] and OFFICE in entry.reason


def test_wrong_passwords_over_many_accounts_from_one_address_lock_the_address(officer_a, settings):
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT):
        admin_login(f"doan-mo-{n}", "sai-mat-khau")
    refused = admin_login("canbo_a", "pw-canbo_a")
    assert refused.status_code == 429
    assert "Địa chỉ mạng của bạn tạm thời bị khóa đăng nhập" in refused.content.decode()
    assert admin_login("canbo_a", "pw-canbo_a", address="10.9.9.9").status_code == 302  # the account is not locked
    entry = AuditEntry.objects.get(action="households.sign_in.locked_out")
    assert entry.changes["ip_address"] == [None, OFFICE]


def test_a_lock_ends_after_the_cool_off(officer_a, settings):
    lock("canbo_a")
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 429
    after_cool_off(settings)
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 302


def test_a_success_clears_the_accounts_failures_but_not_the_addresss(officer_a):
    lock("doan-mo", times=3)  # guesses at another account from the same address
    lock("canbo_a", times=4)
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 302
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("doan-mo", 3)]
    lock("canbo_a", times=4)
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 302  # counted afresh: 4 is no lock


def test_x_forwarded_for_is_ignored_without_the_tls_proxy(officer_a):
    for n in range(5):
        admin_login("canbo_a", "sai-mat-khau", client=Client(headers={"x-forwarded-for": f"203.0.113.{n}"}))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


def test_behind_the_proxy_the_address_it_appended_is_counted(officer_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(headers={"x-forwarded-for": "1.1.1.1, 198.51.100.7"})  # the client's words, then the proxy's
    admin_login("canbo_a", "sai-mat-khau", client=client, address="127.0.0.1")
    client = Client(headers={"x-forwarded-for": "not-an-address"})
    admin_login("canbo_a", "sai-mat-khau", client=client, address="127.0.0.1")
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1", "198.51.100.7"]


def test_a_program_admin_unlocks_an_account_from_the_accounts_list_and_it_is_audited(officer_a, admin_user):
    lock("canbo_a")
    response = signed_in(admin_user).post(
        USERS, {"action": "unlock_sign_in", "_selected_action": [officer_a.pk]}, follow=True
    )
    assert "Đã mở khóa đăng nhập: canbo_a." in response.content.decode()
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 302
    entry = AuditEntry.objects.get(action="households.user.unlocked")
    assert entry.actor == admin_user and entry.object_id == str(officer_a.pk)
    assert entry.changes == {"failed_attempts": [5, 0]}


def test_the_accounts_page_shows_its_lock_and_its_tokens(officer_a, admin_user):
    lock("canbo_a")
    token, _ = services.issue_api_token(actor=None, user_id=officer_a.pk)
    page = signed_in(admin_user).get(f"{USERS}{officer_a.pk}/change/").content.decode()
    assert "Đang bị khóa đăng nhập đến" in page and token.token_key[:8] in page


def test_a_commune_officer_cannot_unlock(officer_a, officer_b):
    lock("canbo_a")
    with pytest.raises(DomainError) as refused:
        services.unlock_sign_in(actor=officer_b, user_id=officer_a.pk)
    assert refused.value.code == "no_right"
    response = signed_in(officer_b).post(USERS, {"action": "unlock_sign_in", "_selected_action": [officer_a.pk]})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="canbo_a").exists()
    assert not AuditEntry.objects.filter(action="households.user.unlocked").exists()


def test_a_program_admin_unlocks_an_address(officer_a, admin_user, settings):
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT):
        admin_login(f"doan-mo-{n}", "sai-mat-khau")
    attempt = AccessAttempt.objects.first()
    client = signed_in(admin_user)
    client.post(ATTEMPTS, {"action": "unlock_addresses", "_selected_action": [attempt.pk]})
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 302
    entries = AuditEntry.objects.filter(action="households.sign_in.unlocked", actor=admin_user)
    assert entries.count() == settings.LOGIN_IP_FAILURE_LIMIT  # one per account tried, none of which exists


def test_the_records_of_failed_sign_ins_are_read_only_and_for_program_admins(officer_a, admin_user, province_staff):
    lock("canbo_a")
    attempt = AccessAttempt.objects.get()
    client = signed_in(admin_user)
    listing = client.get(ATTEMPTS)
    assert listing.status_code == 200 and "canbo_a" in listing.content.decode()
    assert "Số lần sai" in listing.content.decode()  # axes' labels in Vietnamese
    assert client.get(f"{ATTEMPTS}add/").status_code == 403
    change = client.post(f"{ATTEMPTS}{attempt.pk}/change/", {"failures_since_start": 0})
    assert change.status_code == 403 and AccessAttempt.objects.get().failures_since_start == 5
    assert client.get("/admin/axes/accesslog/").status_code == 200
    assert signed_in(province_staff).get(ATTEMPTS).status_code == 403


def test_lock_end_counts_the_newest_failures_first():
    t = datetime.datetime(2026, 12, 7, 8, 0)
    minutes = datetime.timedelta(minutes=1)
    cool_off = 15 * minutes
    assert lock_end([(t, 3), (t + 5 * minutes, 2)], 5, cool_off) == t + cool_off
    assert lock_end([(t, 9), (t + 5 * minutes, 5)], 5, cool_off) == t + 20 * minutes
    assert lock_end([(t, 4)], 5, cool_off) is None
    assert lock_end([], 5, cool_off) is None


# --- the API's sign-in and tokens ----------------------------------------------------------------------------


def test_api_login_issues_a_token_that_works_and_expires(district_staff, household_a, monkeypatch, settings):
    response = api_login("canbo_huyen", "pw-canbo_huyen")
    assert response.status_code == 200
    body = response.json()
    token = body["token"]
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS))).total_seconds() < 60
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/households/").status_code == 200
    entry = AuditEntry.objects.get(action="households.user.token_issued")
    assert entry.actor == district_staff and OFFICE in entry.reason
    assert entry.changes["token"] == [None, body["token_prefix"]] and token not in str(entry.changes) + entry.reason
    district_staff.refresh_from_db()
    assert district_staff.last_login is not None
    later = timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    refused = client.get("/api/v1/households/")
    assert refused.status_code == 401
    assert refused.json() == {"code": "authentication_failed", "message": "Token không hợp lệ.", "fields": {}}


def test_api_login_refuses_a_wrong_password_in_vietnamese(officer_a):
    response = api_login("canbo_a", "sai-mat-khau")
    assert response.status_code == 400
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert response.json() == {"code": "invalid_login", "message": message, "fields": {}}
    assert api_login("canbo_a", "").status_code == 400  # a blank password: a field error
    assert not AuthToken.objects.exists()


def test_api_login_failures_count_toward_the_lockout(officer_a):
    for _ in range(4):
        assert api_login("canbo_a", "sai-mat-khau").status_code == 400
    locked = api_login("canbo_a", "sai-mat-khau")
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    assert "Tài khoản này tạm thời bị khóa đăng nhập" in locked.json()["message"] and locked.json()["fields"] == {}
    assert 14 * 60 <= int(locked["Retry-After"]) <= 15 * 60
    until = datetime.datetime.fromisoformat(locked.json()["locked_until"])
    assert 14 * 60 <= (until - timezone.now()).total_seconds() <= 15 * 60
    assert api_login("canbo_a", "pw-canbo_a").status_code == 429
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 429  # the admin's door too
    assert not AuthToken.objects.exists()


def test_logout_revokes_the_token_sent_and_logout_all_every_token(officer_a):
    first, second, third = (api_login("canbo_a", "pw-canbo_a").json()["token"] for _ in range(3))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    listed = client.get("/api/v1/auth/tokens/").json()
    assert len(listed) == 3 and [t["current"] for t in listed].count(True) == 1
    assert client.post("/api/v1/auth/logout/").json() == {"revoked": 1}
    assert client.get("/api/v1/areas/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert client.get("/api/v1/areas/").status_code == 200
    assert client.post("/api/v1/auth/logout-all/").json() == {"revoked": 2}
    for token in (second, third):
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/areas/").status_code == 401
    actions = AuditEntry.objects.filter(action="households.user.tokens_revoked", actor=officer_a)
    assert actions.count() == 2


def test_a_program_admin_revokes_an_accounts_tokens_from_the_accounts_list(officer_a, admin_user):
    token = api_login("canbo_a", "pw-canbo_a").json()["token"]
    signed_in(admin_user).post(USERS, {"action": "revoke_api_tokens", "_selected_action": [officer_a.pk]})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/areas/").status_code == 401
    entry = AuditEntry.objects.get(action="households.user.tokens_revoked")
    assert entry.actor == admin_user and entry.object_id == str(officer_a.pk)


def test_only_the_account_or_a_program_admin_revokes_its_tokens(officer_a, officer_b):
    services.issue_api_token(actor=None, user_id=officer_a.pk)
    with pytest.raises(DomainError) as refused:
        services.revoke_api_tokens(actor=officer_b, user_id=officer_a.pk)
    assert refused.value.code == "no_right" and AuthToken.objects.filter(user=officer_a).count() == 1


def test_an_account_holds_a_limited_number_of_live_tokens(officer_a, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 2
    assert api_login("canbo_a", "pw-canbo_a").status_code == 200
    assert api_login("canbo_a", "pw-canbo_a").status_code == 200
    refused = api_login("canbo_a", "pw-canbo_a")
    assert refused.status_code == 400 and refused.json()["code"] == "token_limit"
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))  # both expired: dropped
    assert api_login("canbo_a", "pw-canbo_a").status_code == 200


def test_a_deactivated_account_gets_no_token_and_its_tokens_stop_working(officer_a, admin_user):
    token = api_login("canbo_a", "pw-canbo_a").json()["token"]
    services.change_officer(actor=admin_user, user_id=officer_a.pk, data={"is_active": False})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/areas/").status_code == 401
    assert api_login("canbo_a", "pw-canbo_a").status_code == 400


def change_own_password(user: User, admin_user: User) -> None:
    data = {"old_password": "pw-canbo_a", "new_password1": "Mat-khau-moi-456", "new_password2": "Mat-khau-moi-456"}
    assert signed_in(user).post("/admin/password_change/", data)["Location"] == "/admin/password_change/done/"


def set_password(user: User, admin_user: User) -> None:
    services.set_officer_password(actor=admin_user, user_id=user.pk, password="Mat-khau-moi-456")


def reset_second_factor(user: User, admin_user: User) -> None:
    enrolled(user)  # of her own accord
    services.reset_second_factor(actor=admin_user, user_id=user.pk)


def deactivate(user: User, admin_user: User) -> None:
    services.change_officer(actor=admin_user, user_id=user.pk, data={"is_active": False})


@pytest.mark.parametrize(
    "change,action",
    [
        (change_own_password, "households.user.password_changed"),
        (set_password, "households.user.password_set"),
        (reset_second_factor, "households.user.second_factor_reset"),
        (deactivate, "households.user.changed"),
    ],
)
def test_a_change_of_credentials_revokes_the_accounts_api_tokens_in_its_audit_entry(
    officer_a, admin_user, change, action
):
    issued = [services.issue_api_token(actor=None, user_id=officer_a.pk) for _ in range(2)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issued[0][1]}")
    assert client.get("/api/v1/areas/").status_code == 200
    change(officer_a, admin_user)
    assert client.get("/api/v1/areas/").status_code == 401
    assert not AuthToken.objects.filter(user=officer_a).exists()
    entry = AuditEntry.objects.get(action=action, object_id=str(officer_a.pk))
    assert entry.changes["tokens"] == [sorted(services.token_prefix(token) for token, _ in issued), []]
    assert not any(key in str(entry.changes) + entry.reason for _, key in issued)


def test_a_token_from_the_api_sign_in_stops_working_when_the_password_is_set(officer_a, admin_user):
    token = api_login("canbo_a", "pw-canbo_a").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/areas/").status_code == 200
    set_password(officer_a, admin_user)
    assert client.get("/api/v1/areas/").status_code == 401
    assert api_login("canbo_a", "Mat-khau-moi-456").status_code == 200


def test_a_change_without_tokens_names_none(officer_a, admin_user):
    set_password(officer_a, admin_user)
    assert "tokens" not in AuditEntry.objects.get(action="households.user.password_set").changes


def test_a_nul_in_the_api_sign_in_is_refused_in_vietnamese(officer_a):
    response = api_login("canbo_a\x00", "pw-canbo_a")
    assert response.status_code == 400
    assert field_errors(response)["username"] == ["Không được dùng ký tự NUL (mã 0)."]


def test_a_nul_in_the_user_agent_of_a_sign_in_is_dropped_before_it_is_stored(officer_a):
    response = Client().post(
        LOGIN, {"username": "canbo_a", "password": "sai"}, REMOTE_ADDR=OFFICE, HTTP_USER_AGENT="Mozilla\x00/5.0"
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert AccessAttempt.objects.get(username="canbo_a").user_agent == "Mozilla/5.0"


def test_issue_api_token_prints_a_token_for_a_machine_account_and_audits_it(province, settings):
    call_command(
        "create_officer", "may_tinh", "--role", "province_staff", "--area", province.code, stdout=io.StringIO()
    )
    out = io.StringIO()
    call_command("issue_api_token", "may_tinh", "--hours", "48", stdout=out, stderr=io.StringIO())
    token = AuthToken.objects.get(user__username="may_tinh")
    assert abs((token.expiry - timezone.now()) - datetime.timedelta(hours=48)).total_seconds() < 60
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert client.get("/api/v1/areas/").status_code == 200
    entry = AuditEntry.objects.get(action="households.user.token_issued")
    assert entry.actor is None and "dòng lệnh" in entry.reason
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("issue_api_token", "khong_co", stdout=io.StringIO())
    with pytest.raises(CommandError, match="366 ngày"):
        call_command("issue_api_token", "may_tinh", "--hours", "0", stdout=io.StringIO())


# --- throttles -------------------------------------------------------------------------------------------


def rates(settings, **changes: str) -> None:
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], **changes}}


def test_the_api_login_is_throttled_per_address(officer_a, settings):
    for n in range(10):  # API_THROTTLE_LOGIN: 10/min by default; other accounts, so no lock is reached
        assert api_login(f"doan-mo-{n}", "sai-mat-khau").status_code == 400
    refused = api_login("canbo_a", "pw-canbo_a")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert refused.json()["message"].startswith("Quá nhiều yêu cầu; hãy thử lại sau")
    assert int(refused["Retry-After"]) > 0
    assert api_login("canbo_a", "pw-canbo_a", address="10.9.9.9").status_code == 200


def test_callers_without_an_account_are_throttled(officer_a, settings):
    rates(settings, anon="2/min")
    assert api_login("canbo_a", "sai-mat-khau").status_code == 400
    assert api_login("canbo_a", "sai-mat-khau").status_code == 400
    assert api_login("canbo_a", "pw-canbo_a").status_code == 429


def test_signed_in_callers_are_throttled_per_account(officer_a, officer_b, settings, api):
    rates(settings, user="3/min")
    client = api(officer_a)
    assert [client.get("/api/v1/areas/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/areas/")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert api(officer_b).get("/api/v1/areas/").status_code == 200


# --- one's own password --------------------------------------------------------------------------------------


def test_changing_ones_own_password_is_audited_without_the_password(officer_a):
    client = signed_in(officer_a)
    data = {"old_password": "pw-canbo_a", "new_password1": "Mat-khau-moi-456", "new_password2": "Mat-khau-moi-456"}
    response = client.post("/admin/password_change/", data)
    assert response.status_code == 302 and response["Location"] == "/admin/password_change/done/"
    officer_a.refresh_from_db()
    assert officer_a.check_password("Mat-khau-moi-456")
    assert client.get("/admin/").status_code == 200  # still signed in
    entry = AuditEntry.objects.get(action="households.user.password_changed")
    assert entry.actor == officer_a and entry.object_id == str(officer_a.pk)
    assert "Mat-khau-moi-456" not in str(entry.changes) + entry.reason


def test_a_wrong_old_password_changes_nothing(officer_a):
    data = {"old_password": "sai", "new_password1": "Mat-khau-moi-456", "new_password2": "Mat-khau-moi-456"}
    response = signed_in(officer_a).post("/admin/password_change/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not AuditEntry.objects.filter(action="households.user.password_changed").exists()


def test_wrong_old_passwords_count_toward_the_lockout(officer_a):
    client = signed_in(officer_a)
    wrong = {"old_password": "sai", "new_password1": "Mat-khau-moi-456", "new_password2": "Mat-khau-moi-456"}
    for _ in range(4):
        response = client.post("/admin/password_change/", wrong, REMOTE_ADDR=OFFICE)
        assert response.status_code == 200 and "old_password" in response.context["form"].errors
    assert client.post("/admin/password_change/", wrong, REMOTE_ADDR=OFFICE).status_code == 429  # the 5th locks
    right = wrong | {"old_password": "pw-canbo_a"}
    refused = client.post("/admin/password_change/", right, REMOTE_ADDR="10.9.9.9")  # from anywhere
    assert refused.status_code == 200
    assert "Tài khoản này tạm thời bị khóa đăng nhập" in refused.context["form"].errors["old_password"][0]
    officer_a.refresh_from_db()
    assert officer_a.check_password("pw-canbo_a")
    assert AuditEntry.objects.filter(action="households.user.locked_out", object_id=str(officer_a.pk)).count() == 1
    assert admin_login("canbo_a", "pw-canbo_a").status_code == 429  # the sign-in is locked too
