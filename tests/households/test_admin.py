"""The admin as commune officers use it: scoped lists, search, filters, autocomplete and forms."""

import re

import pytest
from django.test import Client

from households.models import Area, AuditEntry, Household, Member
from tests.conftest import PERSONAS

CHANGELIST = "/admin/households/household/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def management_data(response) -> dict:
    """The management forms of every inline formset on an admin page, as the browser would post them."""
    data = {}
    for name, value in re.findall(
        r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"', response.text
    ):
        data[name] = value
    return data


def member_row(index: int, name: str, relation: str, **extra) -> dict:
    prefix = f"members-{index}-"
    row = {
        "full_name": name,
        "date_of_birth": "17/05/1980",
        "sex": "male",
        "ethnicity": "01",
        "relation": relation,
        "schooling": "none",
        "education_level": "primary",
        "national_id": "",
        "health_insurance_number": "",
        "health_insurance_valid_until": "",
        "work_status": "",
        "occupation": "",
    }
    row.update(extra)
    return {prefix + key: value for key, value in row.items()}


def add_form(client, commune, members, **fields) -> dict:
    page = client.get(CHANGELIST + "add/")
    assert page.status_code == 200
    data = management_data(page)
    data["members-TOTAL_FORMS"] = str(len(members))
    data.update({"commune": str(commune.pk), "village": "", "address": "Thôn 1", "area_type": "", "reason": ""})
    data.update(fields)
    for index, (name, relation, extra) in enumerate(members):
        data.update(member_row(index, name, relation, **extra))
    return data


def change_form(client, household, **fields) -> dict:
    page = client.get(f"{CHANGELIST}{household.pk}/change/")
    assert page.status_code == 200
    data = management_data(page)
    data.update(
        {
            "commune": str(household.commune_id),
            "village": str(household.village_id or ""),
            "address": household.address,
            "area_type": household.area_type,
            "expected_version": str(household.version),
            "reason": "",
        }
    )
    for index, member in enumerate(household.members.order_by("id")):
        data.update(
            member_row(
                index,
                member.full_name,
                member.relation,
                date_of_birth=member.date_of_birth.strftime("%d/%m/%Y"),
                sex=member.sex,
                ethnicity=member.ethnicity_id,
                schooling=member.schooling,
                education_level=member.education_level,
                national_id=member.national_id or "",
            )
        )
        data[f"members-{index}-id"] = str(member.pk)
        data[f"members-{index}-household"] = str(household.pk)
    data["members-TOTAL_FORMS"] = str(household.members.count())
    data.update(fields)
    return data


# --- scope ---------------------------------------------------------------------------------------


# persona -> (sees A, sees B); None = cannot use the admin at all
ADMIN_SCOPE = {
    "officer_a": (True, False),
    "officer_b": (False, True),
    "chair_a": (True, False),
    "district_staff": (True, False),
    "province_staff": (True, True),
    "admin_user": (True, True),
    "outsider": None,
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_changelist_and_change_pages_follow_scope(name, persona, household_a, household_b):
    client = client_for(persona(name))
    expected = ADMIN_SCOPE[name]
    changelist = client.get(CHANGELIST)
    if expected is None:
        assert changelist.status_code == 302 and "/admin/login/" in changelist["Location"]
        return
    sees_a, sees_b = expected
    assert changelist.status_code == 200
    assert (household_a.code in changelist.text) is sees_a
    assert (household_b.code in changelist.text) is sees_b
    for household, sees in [(household_a, sees_a), (household_b, sees_b)]:
        page = client.get(f"{CHANGELIST}{household.pk}/change/")
        assert page.status_code == (200 if sees else 404)
        history = client.get(f"{CHANGELIST}{household.pk}/history/")
        assert history.status_code == (200 if sees else 404)


@pytest.mark.django_db
def test_admin_search_without_diacritics_stays_in_scope(household_a, officer_a, officer_b):
    found = client_for(officer_a).get(CHANGELIST, {"q": "nguyen van duc"})
    assert household_a.code in found.text
    hidden = client_for(officer_b).get(CHANGELIST, {"q": "nguyen van duc"})
    assert household_a.code not in hidden.text


@pytest.mark.django_db
def test_filters_offer_only_villages_and_communes_in_scope(officer_a, province_staff, household_a, household_b):
    page = client_for(officer_a).get(CHANGELIST)
    assert "Thôn Nà Phát" in page.text
    assert "Thôn Khe Lếch" not in page.text
    assert household_b.commune.name not in page.text
    # A village id from another commune, typed into the URL, filters nothing in.
    sneaky = client_for(officer_a).get(CHANGELIST, {"village": household_b.village_id})
    assert household_b.code not in sneaky.text
    province_page = client_for(province_staff).get(CHANGELIST)
    assert household_a.commune.name in province_page.text and household_b.commune.name in province_page.text


@pytest.mark.django_db
def test_list_does_not_count_the_whole_table(officer_a, household_a):
    page = client_for(officer_a).get(CHANGELIST, {"q": "duc"})
    assert page.context["cl"].show_full_result_count is False


@pytest.mark.django_db
@pytest.mark.parametrize("field_name,term", [("commune", ""), ("village", "")])
def test_autocomplete_only_offers_areas_in_scope(
    field_name, term, officer_a, commune_a, commune_b, village_a, village_b
):
    response = client_for(officer_a).get(
        "/admin/autocomplete/",
        {"app_label": "households", "model_name": "household", "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    expected = {commune_a.pk} if field_name == "commune" else {village_a.pk}
    assert ids == expected


@pytest.mark.django_db
def test_autocomplete_search_folds_diacritics(officer_a, commune_a):
    term = commune_a.name.split(" ", 1)[1].lower()
    from households.rules import fold_text

    response = client_for(officer_a).get(
        "/admin/autocomplete/",
        {"app_label": "households", "model_name": "household", "field_name": "commune", "term": fold_text(term)},
    )
    assert [int(r["id"]) for r in response.json()["results"]] == [commune_a.pk]


@pytest.mark.django_db
def test_audit_log_is_scoped_and_read_only(officer_a, household_a, household_b):
    client = client_for(officer_a)
    page = client.get("/admin/households/auditentry/")
    assert page.status_code == 200
    assert household_a.code in page.text and household_b.code not in page.text
    entry_b = AuditEntry.objects.filter(household=household_b).first()
    assert client.get(f"/admin/households/auditentry/{entry_b.pk}/change/").status_code == 404
    entry_a = AuditEntry.objects.filter(household=household_a).first()
    detail = client.get(f"/admin/households/auditentry/{entry_a.pk}/change/")
    assert detail.status_code == 200
    assert 'name="reason"' not in detail.text  # read-only: no inputs
    assert client.post(f"/admin/households/auditentry/{entry_a.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_admin_speaks_vietnamese(officer_a, household_a):
    page = client_for(officer_a).get(f"{CHANGELIST}{household_a.pk}/change/")
    assert "Hộ gia đình" in page.text or "hộ gia đình" in page.text
    assert "Lưu lại" in page.text  # Django's own labels in Vietnamese
    assert "Thành viên trong hộ" in page.text or "thành viên trong hộ" in page.text


# --- writing through the admin -------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_registers_a_household_in_one_form(officer_a, commune_a):
    client = client_for(officer_a)
    data = add_form(
        client,
        commune_a,
        [
            ("Nguyễn Văn Đức", "head", {"national_id": "015080001111"}),
            ("Hoàng Thị Lan", "spouse", {"sex": "female"}),
        ],
        reason="Hộ mới tách",
    )
    response = client.post(CHANGELIST + "add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    household = Household.objects.get(commune=commune_a)
    assert household.head.full_name == "Nguyễn Văn Đức"
    assert household.members.count() == 2
    assert household.area_type == commune_a.area_type
    created = AuditEntry.objects.get(household=household, action="households.household.created")
    assert created.actor == officer_a and created.reason == "Hộ mới tách"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "members,message",
    [
        ([("A", "head", {}), ("B", "head", {})], "đúng một chủ hộ"),
        ([("A", "spouse", {})], "đúng một chủ hộ"),
        ([("A", "head", {"national_id": "12345"})], "12 chữ số"),
        ([("A", "head", {"national_id": "015080002222"}), ("B", "child", {"national_id": "015080002222"})], "hai lần"),
        ([("A", "head", {"date_of_birth": "01/01/2099"})], "sau ngày hôm nay"),
        ([("A", "head", {"ethnicity": "99"})], "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_household_forms_show_errors_and_write_nothing(members, message, officer_a, commune_a):
    client = client_for(officer_a)
    response = client.post(CHANGELIST + "add/", add_form(client, commune_a, members))
    assert response.status_code == 200
    errors = str(response.context["errors"]) + str(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    errors += "".join(str(f.errors) for f in response.context["inline_admin_formsets"][0].formset.forms)
    assert message in errors
    assert not Household.objects.filter(commune=commune_a).exists()


@pytest.mark.django_db
def test_commune_outside_scope_cannot_be_chosen(officer_a, commune_b):
    client = client_for(officer_a)
    response = client.post(CHANGELIST + "add/", add_form(client, commune_b, [("A", "head", {})]))
    assert response.status_code == 200
    assert "commune" in response.context["adminform"].form.errors
    assert not Household.objects.filter(commune=commune_b).exists()


@pytest.mark.django_db
def test_change_with_a_stale_version_is_refused(officer_a, district_staff, household_a):
    officer_view = change_form(client_for(officer_a), household_a, address="Địa chỉ của cán bộ xã")
    district_view = change_form(client_for(district_staff), household_a, address="Địa chỉ của cán bộ huyện")
    assert client_for(district_staff).post(f"{CHANGELIST}{household_a.pk}/change/", district_view).status_code == 302
    stale = client_for(officer_a).post(f"{CHANGELIST}{household_a.pk}/change/", officer_view)
    assert stale.status_code == 200
    assert "vừa được người khác sửa" in stale.text
    assert Household.objects.get(pk=household_a.pk).address == "Địa chỉ của cán bộ huyện"


@pytest.mark.django_db
def test_head_can_be_swapped_in_one_save(officer_a, household_a):
    client = client_for(officer_a)
    data = change_form(client, household_a, reason="Đổi chủ hộ")
    data["members-0-relation"] = "parent"
    data["members-1-relation"] = "head"
    response = client.post(f"{CHANGELIST}{household_a.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    household_a.refresh_from_db()
    assert household_a.head.full_name == "Nguyễn Thị Hoa"
    changed = AuditEntry.objects.filter(household=household_a, action="households.member.changed")
    assert {tuple(e.changes["relation"]) for e in changed} == {("head", "parent"), ("child", "head")}


@pytest.mark.django_db
def test_member_removed_in_the_admin_is_audited(officer_a, household_a):
    client = client_for(officer_a)
    child = household_a.members.get(relation="child")
    data = change_form(client, household_a, reason="Chuyển hộ khẩu")
    data["members-1-DELETE"] = "on"
    response = client.post(f"{CHANGELIST}{household_a.pk}/change/", data)
    assert response.status_code == 302
    assert not Member.objects.filter(pk=child.pk).exists()
    removed = AuditEntry.objects.get(action="households.member.removed", object_id=str(child.pk))
    assert removed.actor == officer_a and removed.reason == "Chuyển hộ khẩu"
    assert removed.changes["full_name"] == ["Nguyễn Thị Hoa", None]


@pytest.mark.django_db
def test_chair_reads_but_does_not_register(chair_a, household_a):
    client = client_for(chair_a)
    assert client.get(f"{CHANGELIST}{household_a.pk}/change/").status_code == 200
    assert client.get(CHANGELIST + "add/").status_code == 403


@pytest.mark.django_db
def test_officer_adds_a_village_to_her_commune_only(officer_a, commune_a, commune_b):
    client = client_for(officer_a)
    ok = client.post("/admin/households/area/add/", {"parent": commune_a.pk, "name": "Thôn Cốc Lếu", "code": ""})
    assert ok.status_code == 302
    village = Area.objects.get(parent=commune_a, name="Thôn Cốc Lếu")
    assert village.level == "village" and village.path.startswith(commune_a.path)
    refused = client.post("/admin/households/area/add/", {"parent": commune_b.pk, "name": "Thôn Lạ", "code": ""})
    assert refused.status_code == 200
    assert not Area.objects.filter(name="Thôn Lạ").exists()
    duplicate = client.post("/admin/households/area/add/", {"parent": commune_a.pk, "name": "thon coc leu", "code": ""})
    assert not Area.objects.filter(name="thon coc leu").exists()
    assert duplicate.status_code in (200, 302)


@pytest.mark.django_db
def test_users_are_managed_by_program_admins_only(officer_a, admin_user):
    assert client_for(officer_a).get("/admin/households/user/").status_code == 403
    assert client_for(admin_user).get("/admin/households/user/").status_code == 200


@pytest.mark.django_db
def test_ethnicity_autocomplete_folds_diacritics(officer_a):
    response = client_for(officer_a).get(
        "/admin/autocomplete/",
        {"app_label": "households", "model_name": "member", "field_name": "ethnicity", "term": "mong"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Mông"]


@pytest.mark.django_db
def test_dates_are_shown_as_dd_mm_yyyy(officer_a, household_a):
    page = client_for(officer_a).get(f"{CHANGELIST}{household_a.pk}/change/")
    assert 'value="17/05/1980"' in page.text


@pytest.mark.django_db
def test_villages_of_other_communes_are_hidden_in_the_area_admin(officer_b, village_a, village_b):
    client = client_for(officer_b)
    listing = client.get("/admin/households/area/")
    assert village_b.name in listing.text and village_a.name not in listing.text
    assert client.get(f"/admin/households/area/{village_a.pk}/change/").status_code == 404
    assert client.get(f"/admin/households/area/{village_b.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_add_form_starts_with_the_officers_commune(officer_a, commune_a):
    page = client_for(officer_a).get(CHANGELIST + "add/")
    assert page.context["adminform"].form.initial["commune"] == commune_a.pk
    assert "add_id_commune" not in page.text  # no "add an area" shortcut beside the commune


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"village": "abc"}, {"commune": "abc"}, {"village": "-1"}])
def test_odd_filter_values_never_fail(params, province_staff, officer_a, household_a, household_b):
    for user in (province_staff, officer_a):
        page = client_for(user).get(CHANGELIST, params)
        assert page.status_code in (200, 302)  # Django's "invalid filter" redirect at worst, never a 500
        assert household_b.code not in page.text or user == province_staff
