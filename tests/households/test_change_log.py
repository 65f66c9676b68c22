"""The change log as an officer reads it (STYLE 33): each action as a Vietnamese phrase, each change as
"Trường — trước → sau" with the field's label, the choices' labels, dates dd/mm/yyyy, yes/no, and rows by their names
(the village's name, not its id), never the codes or the JSON the log keeps."""

import datetime
import re
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from households import services
from households.admin import CHANGE_LOG, ChangeLine, describe_entries
from households.models import Area, AuditEntry, Household, Member
from tests.conftest import member_data

pytestmark = pytest.mark.django_db
HOUSEHOLDS = "/admin/households/household/"
AUDIT = "/admin/households/auditentry/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(page) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())


def lines_of(entry: AuditEntry) -> list[str]:
    return [str(line) for line in describe_entries([entry])[entry.pk].lines]


def entry(action: str, **changes) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


MACHINE = ('{"', '": [', "null", "households.", "programs.", "support.")


def test_a_registration_reads_with_names_labels_and_dates(officer_a, commune_a, village_a, kinh):
    household = services.create_household(
        actor=officer_a,
        data={"commune": commune_a, "village": village_a, "address": "Tổ 3", "is_ethnic_minority": True},
        members=[member_data("Lò Văn Páo", kinh, national_id="015080001234")],
        reason="Hộ mới tách",
    )
    registered = lines_of(entry("households.household.created"))
    assert f"Xã/phường — {commune_a.name}" in registered
    assert "Thôn/tổ dân phố — Thôn Nà Phát" in registered  # the village's name, not its id
    assert "Khu vực — Thành thị" in registered or "Khu vực — Nông thôn" in registered
    assert "Hộ dân tộc thiểu số — Có" in registered
    member = lines_of(entry("households.member.created"))
    assert {"Họ và tên — Lò Văn Páo", "Ngày sinh — 17/05/1980", "Giới tính — Nam", "Dân tộc — Kinh"} <= set(member)
    assert "Quan hệ với chủ hộ — Chủ hộ" in member
    assert not any(str(village_a.pk) in line or "male" in line or "head" in line for line in registered + member)
    assert CHANGE_LOG.action_label("households.member.created") == "thêm thành viên"
    assert household.code


def test_a_change_reads_before_and_after_and_a_removal_what_was_removed(officer_a, household_a, commune_a):
    other = services.create_village(actor=officer_a, commune=commune_a, name="Bản Mường")
    household = services.update_household(
        actor=officer_a, household_id=household_a.pk, expected_version=household_a.version, data={"village": other}
    )
    assert lines_of(entry("households.household.changed")) == ["Thôn/tổ dân phố — Thôn Nà Phát → Bản Mường"]
    child = household.members.get(relation="child")
    services.change_members(
        actor=officer_a,
        household_id=household.pk,
        changes=services.MemberChanges(
            update={child.pk: {"full_name": "Nguyễn Thị Hoa Mai", "date_of_birth": datetime.date(2010, 2, 3)}}
        ),
    )
    assert lines_of(entry("households.member.changed")) == [
        "Họ và tên — Nguyễn Thị Hoa → Nguyễn Thị Hoa Mai",
        "Ngày sinh — 01/01/2010 → 03/02/2010",
    ]
    household.refresh_from_db()
    services.change_members(
        actor=officer_a, household_id=household.pk, changes=services.MemberChanges(delete=[child.pk])
    )
    removed = lines_of(entry("households.member.removed"))
    assert "Họ và tên — Nguyễn Thị Hoa Mai" in removed and "Quan hệ với chủ hộ — Con" in removed
    assert not any("→" in line for line in removed)  # what the member was, not a column of "(trống)"
    assert all("Phiên bản" not in line for line in removed)


def test_a_change_line_reads_field_before_after():
    assert str(ChangeLine("Số tiền", "1.000.000 đ", "1.200.000 đ")) == "Số tiền — 1.000.000 đ → 1.200.000 đ"
    assert str(ChangeLine("Giới tính", None, "Nữ")) == "Giới tính — Nữ"


def test_an_unchanged_value_and_a_key_of_the_machine_are_left_out(officer_a, household_a):
    logged = AuditEntry.objects.create(
        action="households.household.changed",
        content_type=ContentType.objects.get_for_model(Household),
        object_id=str(household_a.pk),
        object_repr=str(household_a),
        household=household_a,
        changes={"version": [1, 2], "address": ["Tổ 1", "Tổ 1"], "no_labour_capacity": [False, True]},
    )
    assert lines_of(logged) == ["Hộ không có khả năng lao động — Không → Có"]


def test_the_names_of_a_page_are_looked_up_once_per_model(officer_a, commune_a, kinh, django_assert_num_queries):
    villages = [services.create_village(actor=officer_a, commune=commune_a, name=f"Thôn {n}") for n in range(6)]
    for village in villages:
        services.create_household(
            actor=officer_a,
            data={"commune": commune_a, "village": village},
            members=[member_data(f"Chủ hộ {village.name}", kinh)],
        )
    entries = list(AuditEntry.objects.filter(action__in=["households.household.created", "households.member.created"]))
    assert len(entries) >= 12
    for model in (Area, Member, Household):
        ContentType.objects.get_for_model(model)  # the content types are cached, as on a served page
    with django_assert_num_queries(2):  # the areas (communes and villages together), the ethnic groups
        described = describe_entries(entries)
    shown = {str(line) for d in described.values() for line in d.lines}
    assert {f"Thôn/tổ dân phố — {v.name}" for v in villages} <= shown


def test_the_household_page_shows_its_change_log_as_sentences(officer_a, household_a):
    page = client_for(officer_a).get(f"{HOUSEHOLDS}{household_a.pk}/change/")
    assert page.status_code == 200
    text = text_of(page)
    assert "NHẬT KÝ THAY ĐỔI" in text.upper()
    assert "đăng ký hộ" in text and "thêm thành viên" in text
    assert "Thôn/tổ dân phố — Thôn Nà Phát" in text and "Quan hệ với chủ hộ — Chủ hộ" in text
    log = text[text.upper().index("NHẬT KÝ THAY ĐỔI") :]
    assert not [token for token in MACHINE if token in log]


def test_the_audit_pages_name_actions_and_changes_in_vietnamese(officer_a, household_a):
    client = client_for(officer_a)
    listing = client.get(AUDIT)
    assert listing.status_code == 200
    text = text_of(listing)
    assert "đăng ký hộ" in text and "thêm thành viên" in text
    assert "households.household.created" not in text  # (the filter's links carry the codes, unseen)
    filtered = client.get(AUDIT, {"action": "households.member.created"}).content.decode()
    results = re.search(r'id="result_list".*?</table>', filtered, re.S)[0]
    assert "thêm thành viên" in results and "đăng ký hộ" not in results
    member_entry = AuditEntry.objects.filter(household=household_a, action="households.member.created").first()
    detail = client.get(f"{AUDIT}{member_entry.pk}/change/")
    assert detail.status_code == 200
    text = text_of(detail)
    assert "Giới tính — Nam" in text and "Dân tộc — Kinh" in text and "Thành viên" in text
    assert not [token for token in MACHINE if token in detail.content.decode().split('id="content-main"')[-1]]
