"""The admin home's "Thao tác gần đây của tôi": what the user did, from the audit log (the services do not write
Django's LogEntry, so the stock box said "Chưa có" whatever an officer did)."""

from django.test import Client
from django.urls import reverse

from households import services
from tests.conftest import member_data


def home(user) -> str:
    client = Client()
    client.force_login(user)
    page = client.get(reverse("admin:index"))
    assert page.status_code == 200
    return page.text


def test_the_home_page_lists_what_the_officer_did_with_links(officer_a, officer_b, commune_a, kinh):
    assert "Bạn chưa có thao tác nào được ghi nhật ký." in home(officer_a)
    household = services.create_household(
        actor=officer_a, data={"commune": commune_a}, members=[member_data("Lò Văn Pao", kinh)]
    )
    text = home(officer_a)
    assert "Thao tác gần đây của tôi" in text and "Recent actions" not in text and "Chưa có" not in text
    url = reverse("admin:households_household_change", args=[household.pk])
    assert f'<a href="{url}">{household}</a>' in text
    assert "Đăng ký hộ · Hộ gia đình ·" in text  # the action as the change log names it, the kind, the time
    assert "Thêm thành viên · Thành viên" in text
    # another officer sees only her own actions
    assert household.code not in home(officer_b)
