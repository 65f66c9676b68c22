"""The households API as district and province staff (and officers) use it."""

import ast
import datetime
from pathlib import Path

import django_filters
import pytest
from django.db.models import Value
from rest_framework import serializers

from households import api as households_api
from households import services
from households.models import Area, AuditEntry, Household, Member
from tests.api_errors import field_errors, fields_named
from tests.conftest import PERSONAS

URL = "/api/v1/households/"


def member_json(name="Nguyễn Văn Đức", relation="head", **extra):
    data = {"full_name": name, "date_of_birth": "1980-05-17", "sex": "male", "ethnicity": "01", "relation": relation}
    data.update(extra)
    return data


def create_payload(commune, members=None, **extra):
    payload = {"commune": commune.pk, "members": members or [member_json()], "address": "Số 5, thôn Nà Phát"}
    payload.update(extra)
    return payload


# --- scope matrix ---------------------------------------------------------------------------------

# persona -> (sees household A, sees household B, may write)
SCOPE = {
    "officer_a": (True, False, True),
    "officer_b": (False, True, True),
    "chair_a": (True, False, False),
    "district_staff": (True, False, True),
    "province_staff": (True, True, True),
    "admin_user": (True, True, True),
    "outsider": (None, None, False),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
def test_list_shows_only_households_in_scope(name, persona, api, household_a, household_b):
    user = persona(name)
    response = api(user).get(URL)
    sees_a, sees_b, _ = SCOPE[name]
    if sees_a is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert (household_a.pk in ids) is sees_a
    assert (household_b.pk in ids) is sees_b


@pytest.mark.django_db
@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", "{hh}/", None),
        ("patch", "{hh}/", {"address": "Địa chỉ mới", "version": 1}),
        ("put", "{hh}/", "WHOLE_RECORD"),
        ("get", "{hh}/members/", None),
        (
            "post",
            "{hh}/members/",
            member_json("Nguyễn Thị Mai", "child", sex="female", date_of_birth="2012-03-04", version=1),
        ),
        ("get", "{hh}/members/{member}/", None),
        ("patch", "{hh}/members/{member}/", {"occupation": "Làm ruộng", "version": 1}),
        ("delete", "{hh}/members/{member}/?version=1", None),
    ],
)
def test_detail_endpoints_follow_scope_and_rights(name, method, path, body, persona, api, household_a):
    user = persona(name)
    child = household_a.members.exclude(relation="head").get()
    url = URL + path.format(hh=household_a.pk, member=child.pk)
    if body == "WHOLE_RECORD":
        body = {name: getattr(household_a, name) for name in services.HOUSEHOLD_FIELDS}
        body.update(commune=household_a.commune_id, village=household_a.village_id, address="Mới", version=1)
    response = getattr(api(user), method)(url, body, format="json")
    sees_a, _, may_write = SCOPE[name]
    writes = method != "get"
    if sees_a is None:
        assert response.status_code == 403
    elif not sees_a:
        assert response.status_code == 404
    elif writes and not may_write:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 201, 204), response.content


@pytest.mark.django_db
def test_out_of_scope_household_is_404_even_for_writers(api, officer_b, household_a):
    for method, body in [("get", None), ("patch", {"version": 1, "address": "x"})]:
        response = getattr(api(officer_b), method)(f"{URL}{household_a.pk}/", body, format="json")
        assert response.status_code == 404
    assert Household.objects.get(pk=household_a.pk).address != "x"


@pytest.mark.django_db
def test_search_and_filters_never_leak_other_communes(api, officer_b, household_a, commune_a, village_a):
    client = api(officer_b)
    for params in [
        {"q": "nguyen van duc"},
        {"q": household_a.code},
        {"commune": commune_a.pk},
        {"commune_code": commune_a.code},
        {"village": village_a.pk},
        {"district": household_a.district_id},
    ]:
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert response.json()["count"] == 0, params


@pytest.mark.django_db
def test_the_browsable_api_shows_the_members_of_a_household(api, officer_a, household_a):
    """In a browser (text/html) the member pages render with the member's own forms, not the household's."""
    client = api(officer_a)
    member = household_a.members.order_by("id").first()
    for path in (f"{URL}{household_a.pk}/members/", f"{URL}{household_a.pk}/members/{member.pk}/"):
        page = client.get(path, HTTP_ACCEPT="text/html")
        assert page.status_code == 200, path
        assert member.full_name in page.content.decode()


@pytest.mark.django_db
def test_unauthenticated_requests_are_refused(api, household_a):
    assert api(None).get(URL).status_code in (401, 403)
    assert api(None).get(f"{URL}{household_a.pk}/").status_code in (401, 403)


# --- creation ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_officer_registers_a_household_with_members(api, officer_a, commune_a, village_a):
    members = [
        member_json("Nguyễn Văn Đức", national_id="015080001234"),
        member_json("Lò Thị Mai", "spouse", sex="female", ethnicity="03", date_of_birth="1983-02-01"),
        member_json("Nguyễn Văn An", "child", date_of_birth="2012-09-09", schooling="primary"),
    ]
    response = api(officer_a).post(
        URL, create_payload(commune_a, members, village=village_a.pk, is_ethnic_minority=True), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["code"].startswith(commune_a.code + "-")
    assert household.commune == commune_a and household.village == village_a
    assert household.province.code == "15"
    assert household.district is not None  # commune A lies in the legacy district
    assert household.area_type == commune_a.area_type
    assert household.head.full_name == "Nguyễn Văn Đức"
    assert household.version == 1
    assert [m["full_name"] for m in body["members"]] == ["Nguyễn Văn Đức", "Lò Thị Mai", "Nguyễn Văn An"]
    assert body["head_name"] == "Nguyễn Văn Đức"
    assert body["status"] == "not_poor"
    entries = AuditEntry.objects.filter(household=household)
    assert entries.filter(action="households.household.created", actor=officer_a).count() == 1
    assert entries.filter(action="households.member.created").count() == 3


@pytest.mark.django_db
def test_codes_are_issued_in_sequence_per_commune(api, officer_a, commune_a):
    client = api(officer_a)
    first = client.post(URL, create_payload(commune_a), format="json").json()["code"]
    second = client.post(URL, create_payload(commune_a, [member_json("Lê Văn Tám")]), format="json").json()["code"]
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


BAD_CREATES = [
    ("national_id letters", {"members": [member_json(national_id="01508000123A")]}, "members"),
    ("national_id 11 digits", {"members": [member_json(national_id="01508000123")]}, "members"),
    ("two heads", {"members": [member_json(), member_json("Lê Văn Hai")]}, "members"),
    ("no head", {"members": [member_json(relation="child")]}, "members"),
    ("no members", {"members": []}, "members"),
    ("unknown ethnicity", {"members": [member_json(ethnicity="99")]}, "members"),
    ("future birth", {"members": [member_json(date_of_birth="2099-01-01")]}, "members"),
    ("bad sex", {"members": [member_json(sex="x")]}, "members"),
    ("bad relation", {"members": [member_json(relation="boss")]}, "members"),
    ("bad date", {"members": [member_json(date_of_birth="17/05/1980")]}, "members"),
    ("unknown commune", {"commune": 999999999}, "commune"),
    ("missing commune", {"commune": None}, "commune"),
    ("bad area type", {"area_type": "suburban"}, "area_type"),
    (
        "same national id twice",
        {"members": [member_json(national_id="015080009999"), member_json("B", "child", national_id="015080009999")]},
        "members",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("label,change,field", BAD_CREATES, ids=[b[0] for b in BAD_CREATES])
def test_bad_input_on_create_is_a_400_naming_the_field(label, change, field, api, officer_a, commune_a):
    before = Household.objects.count(), Member.objects.count()
    payload = create_payload(commune_a)
    payload.update(change)
    response = api(officer_a).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in fields_named(response), response.json()
    assert (Household.objects.count(), Member.objects.count()) == before


@pytest.mark.django_db
def test_field_errors_are_in_vietnamese_and_point_at_the_member(api, officer_a, commune_a):
    payload = create_payload(commune_a, [member_json(national_id="123")])
    errors = field_errors(api(officer_a).post(URL, payload, format="json"))
    assert errors["members[0].national_id"] == ["Số CCCD phải gồm đúng 12 chữ số."]
    payload = create_payload(commune_a, [member_json(ethnicity="99")])
    errors = field_errors(api(officer_a).post(URL, payload, format="json"))
    assert "54 dân tộc" in errors["members[0].ethnicity"][0]


@pytest.mark.django_db
def test_duplicate_national_id_across_households_is_refused(api, officer_a, commune_a, household_b):
    Member.objects.filter(household=household_b, relation="head").update(national_id="015080007777")
    response = api(officer_a).post(
        URL, create_payload(commune_a, [member_json(national_id="015080007777")]), format="json"
    )
    assert response.status_code == 400
    assert "đã được dùng" in field_errors(response)["members[0].national_id"][0]


@pytest.mark.django_db
def test_commune_outside_scope_is_refused(api, officer_a, commune_b, other_commune, district_staff):
    for user, commune in [(officer_a, commune_b), (district_staff, commune_b), (officer_a, other_commune)]:
        response = api(user).post(URL, create_payload(commune), format="json")
        assert response.status_code == 400
        assert "ngoài địa bàn" in field_errors(response)["commune"][0]
    assert not Household.objects.filter(commune__in=[commune_b, other_commune]).exists()


@pytest.mark.django_db
def test_village_of_another_commune_is_refused(api, officer_a, commune_a, village_b, province_staff):
    response = api(province_staff).post(URL, create_payload(commune_a, village=village_b.pk), format="json")
    assert response.status_code == 400
    assert "village" in field_errors(response)


# --- update and optimistic locking --------------------------------------------------------------


@pytest.mark.django_db
def test_update_records_old_and_new_values_and_reason(api, officer_a, household_a):
    response = api(officer_a).patch(
        f"{URL}{household_a.pk}/",
        {"version": 1, "address": "Bản Mới", "no_labour_capacity": True, "reason": "Hộ chuyển chỗ ở"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    entry = AuditEntry.objects.filter(household=household_a, action="households.household.changed").get()
    assert entry.actor == officer_a
    assert entry.reason == "Hộ chuyển chỗ ở"
    assert entry.changes["address"] == [household_a.address, "Bản Mới"]
    assert entry.changes["no_labour_capacity"] == [False, True]


@pytest.mark.django_db
def test_stale_version_is_a_409_and_nothing_is_overwritten(api, officer_a, district_staff, household_a):
    first = api(officer_a).patch(f"{URL}{household_a.pk}/", {"version": 1, "address": "A"}, format="json")
    assert first.status_code == 200
    second = api(district_staff).patch(f"{URL}{household_a.pk}/", {"version": 1, "address": "B"}, format="json")
    assert second.status_code == 409
    assert "version" in field_errors(second)
    assert Household.objects.get(pk=household_a.pk).address == "A"


@pytest.mark.django_db
def test_put_needs_the_whole_record(api, officer_a, household_a):
    response = api(officer_a).put(f"{URL}{household_a.pk}/", {"version": 1, "address": "A"}, format="json")
    assert response.status_code == 400
    assert "commune" in field_errors(response) and "is_female_headed" in field_errors(response)


@pytest.mark.django_db
def test_moving_to_another_commune_takes_its_area_type(api, province_staff, household_a, commune_b, make_household):
    rural = Area.objects.filter(province=household_a.province, level="commune", area_type="rural").first()
    assert household_a.area_type != rural.area_type
    response = api(province_staff).patch(f"{URL}{household_a.pk}/", {"version": 1, "commune": rural.pk}, format="json")
    assert response.status_code == 200, response.content
    household = Household.objects.get(pk=household_a.pk)
    assert household.area_type == "rural" and household.district_id is None and household.village_id is None
    entry = AuditEntry.objects.get(household=household, action="households.household.changed")
    assert entry.changes["area_type"] == ["urban", "rural"] and entry.changes["district"][1] is None


@pytest.mark.django_db
def test_duplicate_national_id_of_another_commune_does_not_say_where(api, officer_a, commune_a, household_b):
    Member.objects.filter(household=household_b, relation="head").update(national_id="015080006666")
    response = api(officer_a).post(
        URL, create_payload(commune_a, [member_json(national_id="015080006666")]), format="json"
    )
    message = field_errors(response)["members[0].national_id"][0]
    assert "đã được dùng" in message and household_b.code not in message and "địa bàn khác" in message


@pytest.mark.django_db
def test_a_village_outside_scope_is_not_named(api, officer_a, commune_a, village_b):
    response = api(officer_a).post(URL, create_payload(commune_a, village=village_b.pk), format="json")
    assert response.status_code == 400
    assert village_b.name not in field_errors(response)["village"][0]


@pytest.mark.django_db
def test_long_names_in_any_script_are_stored(api, officer_a, commune_a):
    name = "한" * 120
    response = api(officer_a).post(URL, create_payload(commune_a, [member_json(name)]), format="json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_update_without_version_is_a_400(api, officer_a, household_a):
    response = api(officer_a).patch(f"{URL}{household_a.pk}/", {"address": "A"}, format="json")
    assert response.status_code == 400
    assert "version" in field_errors(response)


@pytest.mark.django_db
def test_status_is_read_only_through_the_api(api, officer_a, household_a):
    response = api(officer_a).patch(f"{URL}{household_a.pk}/", {"version": 1, "status": "poor"}, format="json")
    assert response.status_code == 200
    assert Household.objects.get(pk=household_a.pk).status == "not_poor"


@pytest.mark.django_db
def test_moving_to_a_commune_outside_scope_is_refused(api, officer_a, household_a, commune_b):
    response = api(officer_a).patch(f"{URL}{household_a.pk}/", {"version": 1, "commune": commune_b.pk}, format="json")
    assert response.status_code == 400
    assert "commune" in field_errors(response)
    assert Household.objects.get(pk=household_a.pk).commune_id == household_a.commune_id


# --- members -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_change_remove_member(api, officer_a, household_a):
    client = api(officer_a)
    added = client.post(
        f"{URL}{household_a.pk}/members/",
        member_json("Nguyễn Thị Mai", "child", sex="female", date_of_birth="2015-01-02", reason="Sinh con", version=1),
        format="json",
    )
    assert added.status_code == 201, added.content
    member_id = added.json()["id"]
    assert added.json()["household_version"] == 2
    changed = client.patch(
        f"{URL}{household_a.pk}/members/{member_id}/",
        {"schooling": "primary", "reason": "Vào lớp 1", "version": 2},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["schooling"] == "primary"
    assert changed.json()["household_version"] == 3
    removed = client.delete(
        f"{URL}{household_a.pk}/members/{member_id}/", {"reason": "Chuyển đi", "version": 3}, format="json"
    )
    assert removed.status_code == 204
    assert not Member.objects.filter(pk=member_id).exists()
    actions = list(
        AuditEntry.objects.filter(household=household_a, object_id=str(member_id))
        .order_by("id")
        .values_list("action", "reason")
    )
    assert actions == [
        ("households.member.created", "Sinh con"),
        ("households.member.changed", "Vào lớp 1"),
        ("households.member.removed", "Chuyển đi"),
    ]
    household_a.refresh_from_db()
    assert household_a.version == 4  # each change of the composition is a new version
    assert "nguyen thi mai" not in household_a.search_text


@pytest.mark.django_db
def test_member_edits_need_the_current_version(api, officer_a, district_staff, household_a):
    child = household_a.members.get(relation="child")
    url = f"{URL}{household_a.pk}/members/{child.pk}/"
    assert api(district_staff).patch(url, {"occupation": "A", "version": 1}, format="json").status_code == 200
    stale = api(officer_a).patch(url, {"occupation": "B", "version": 1}, format="json")
    assert stale.status_code == 409
    assert api(officer_a).patch(url, {"occupation": "B"}, format="json").status_code == 400
    assert api(officer_a).delete(url).status_code == 400
    assert api(officer_a).delete(url + "?version=1").status_code == 409
    assert Member.objects.get(pk=child.pk).occupation == "A"


@pytest.mark.django_db
def test_an_edit_that_changes_nothing_keeps_the_version(api, officer_a, household_a):
    child = household_a.members.get(relation="child")
    url = f"{URL}{household_a.pk}/members/{child.pk}/"
    response = api(officer_a).patch(url, {"full_name": child.full_name, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["household_version"] == 1


@pytest.mark.django_db
def test_member_changes_keep_exactly_one_head(api, officer_a, household_a):
    client = api(officer_a)
    head = household_a.members.get(relation="head")
    second_head = client.post(f"{URL}{household_a.pk}/members/", member_json("Lê Văn Hai", version=1), format="json")
    assert second_head.status_code == 400
    demote = client.patch(
        f"{URL}{household_a.pk}/members/{head.pk}/", {"relation": "spouse", "version": 1}, format="json"
    )
    assert demote.status_code == 400
    remove_head = client.delete(f"{URL}{household_a.pk}/members/{head.pk}/?version=1")
    assert remove_head.status_code == 400
    assert "chủ hộ" in field_errors(remove_head)["members"][0]
    assert household_a.members.filter(relation="head").count() == 1


@pytest.mark.django_db
def test_promoting_a_member_to_head_demotes_the_old_head(api, officer_a, household_a):
    head = household_a.members.get(relation="head")
    child = household_a.members.get(relation="child")
    response = api(officer_a).patch(
        f"{URL}{household_a.pk}/members/{child.pk}/",
        {"relation": "head", "previous_head_relation": "parent", "version": 1, "reason": "Bố già yếu"},
        format="json",
    )
    assert response.status_code == 200, response.content
    household_a.refresh_from_db()
    assert household_a.head_id == child.pk
    assert Member.objects.get(pk=head.pk).relation == "parent"
    changed = AuditEntry.objects.filter(household=household_a, action="households.member.changed")
    assert {tuple(e.changes["relation"]) for e in changed} == {("head", "parent"), ("child", "head")}


@pytest.mark.django_db
def test_member_bad_input(api, officer_a, household_a, household_b):
    client = api(officer_a)
    url = f"{URL}{household_a.pk}/members/"
    b_head = household_b.members.get(relation="head")
    Member.objects.filter(pk=b_head.pk).update(national_id="015080005555")
    cases = [
        (member_json("X", "child", national_id="12345"), "national_id"),
        (member_json("X", "child", national_id="015080005555"), "national_id"),
        (member_json("X", "child", ethnicity="00"), "ethnicity"),
        (member_json("", "child"), "full_name"),
        (
            member_json("X", "child", date_of_birth=(datetime.date.today() + datetime.timedelta(days=1)).isoformat()),
            "date_of_birth",
        ),
    ]
    for body, field in cases:
        response = client.post(url, {**body, "version": 1}, format="json")
        assert response.status_code == 400, body
        assert field in field_errors(response), (body, response.json())
    assert household_a.members.count() == 2


@pytest.mark.django_db
def test_member_of_another_household_is_404(api, officer_a, household_a, make_household, commune_a):
    other = make_household(commune_a, "Phạm Văn Khoa")
    other_member = other.members.get()
    response = api(officer_a).get(f"{URL}{household_a.pk}/members/{other_member.pk}/")
    assert response.status_code == 404


# --- search, filters, ordering, pagination ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["nguyen van duc", "Nguyễn Văn Đức", "NGUYEN VAN DUC", "van duc", "đức", "  nguyen   van duc "]
)
def test_search_without_diacritics(text, api, officer_a, household_a, make_household, commune_a):
    make_household(commune_a, "Nguyễn Văn Dũng")
    response = api(officer_a).get(URL, {"q": text})
    assert [item["id"] for item in response.json()["results"]] == [household_a.pk]


@pytest.mark.django_db
def test_search_finds_other_members_and_codes(api, province_staff, household_a):
    client = api(province_staff)
    assert [h["id"] for h in client.get(URL, {"q": "thi hoa"}).json()["results"]] == [household_a.pk]
    assert [h["id"] for h in client.get(URL, {"q": household_a.code}).json()["results"]] == [household_a.pk]
    commune_part = household_a.code.split("-")[0]
    assert household_a.pk in [h["id"] for h in client.get(URL, {"q": commune_part}).json()["results"]]


@pytest.mark.django_db
def test_filters_by_commune_village_status_and_flags(
    api, province_staff, household_a, household_b, commune_a, village_b
):
    Household.objects.filter(pk=household_b.pk).update(is_ethnic_minority=True)
    client = api(province_staff)

    def ids(params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids({"commune": commune_a.pk}) == {household_a.pk}
    assert ids({"village": village_b.pk}) == {household_b.pk}
    assert ids({"province_code": "15"}) == {household_a.pk, household_b.pk}
    assert ids({"is_ethnic_minority": "true"}) == {household_b.pk}
    assert ids({"status": "not_poor"}) == {household_a.pk, household_b.pk}
    assert ids({"status": "poor"}) == set()
    assert client.get(URL, {"status": "rich"}).status_code == 400


@pytest.mark.django_db
def test_pagination_and_ordering(api, admin_user, make_household, commune_a):
    made = [make_household(commune_a, f"Hộ Số {i}") for i in range(5)]
    client = api(admin_user)
    page = client.get(URL, {"commune": commune_a.pk, "page_size": 2, "ordering": "-code"}).json()
    assert page["count"] == 5 and page["page"] == 1 and page["page_size"] == 2
    assert [item["code"] for item in page["results"]] == sorted((h.code for h in made), reverse=True)[:2]
    huge = client.get(URL, {"page_size": 100000})  # above API_MAX_PAGE_SIZE: refused, not silently capped
    assert (huge.status_code, field_errors(huge)) == (400, {"page_size": ["Phải là một số nguyên từ 1 đến 500."]})
    assert client.get(URL, {"page_size": 500}).json()["page_size"] == 500
    assert client.get(URL, {"page": 99}).status_code == 404


@pytest.mark.django_db
def test_schema_and_docs_are_served(api, officer_a):
    client = api(officer_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/households/{id}/members/" in schema.content
    assert client.get("/api/docs/").status_code == 200


# --- what the apps above add to the household endpoints ----------------------------------------------------


class TagFields(serializers.Serializer):
    tag = serializers.SerializerMethodField()
    note = serializers.CharField(source="tag_note", read_only=True)

    def get_tag(self, obj) -> str:
        return f"#{obj.code}"


class TagFilters(django_filters.FilterSet):
    village_known = django_filters.BooleanFilter(field_name="village", lookup_expr="isnull", exclude=True)


def with_note(queryset):
    return queryset.annotate(tag_note=Value("ghi chú"))


TAG = households_api.HouseholdExtension(name="Tag", fields=TagFields, filters=TagFilters, queryset=with_note)


def test_households_alone_use_their_own_classes():
    composed = households_api._compose(())
    assert (composed.serializer, composed.detail_serializer, composed.filterset) == (
        households_api.HouseholdSerializer,
        households_api.HouseholdDetailSerializer,
        households_api.HouseholdFilter,
    )


def test_an_extension_adds_its_fields_after_the_registrys_and_its_filters_to_the_list():
    composed = households_api._compose((TAG,))
    assert composed.serializer.__name__ == "HouseholdTagSerializer"
    assert composed.serializer.Meta.fields == [*households_api.HouseholdSerializer.Meta.fields, "tag", "note"]
    assert composed.detail_serializer.Meta.fields == [
        *households_api.HouseholdDetailSerializer.Meta.fields,
        "tag",
        "note",
    ]
    assert list(composed.filterset.base_filters) == [*households_api.HouseholdFilter.base_filters, "village_known"]
    assert households_api._compose((TAG,)) is composed  # built once


@pytest.mark.django_db
def test_the_endpoints_show_and_filter_by_what_an_extension_adds(
    api, officer_a, household_a, make_household, commune_a, monkeypatch
):
    monkeypatch.setattr(households_api, "_extensions", [])
    households_api.extend_household_api(TAG)
    households_api.extend_household_api(TAG)  # ready() may run twice: added once
    assert households_api._extensions == [TAG]
    unplaced = make_household(commune_a, "Lò Văn Páo")
    client = api(officer_a)
    listed = client.get(URL).json()["results"]
    assert {(h["id"], h["tag"], h["note"]) for h in listed} == {
        (household_a.pk, f"#{household_a.code}", "ghi chú"),
        (unplaced.pk, f"#{unplaced.code}", "ghi chú"),
    }
    assert "ever_poor" not in listed[0]  # only what is registered
    assert [h["id"] for h in client.get(URL, {"village_known": "false"}).json()["results"]] == [unplaced.pk]
    detail = client.get(f"{URL}{household_a.pk}/").json()
    assert (detail["tag"], detail["note"], len(detail["members"])) == (f"#{household_a.code}", "ghi chú", 2)
    changed = client.patch(f"{URL}{household_a.pk}/", {"version": 1, "address": "Số 7"}, format="json").json()
    assert (changed["address"], changed["tag"], changed["note"]) == ("Số 7", f"#{household_a.code}", "ghi chú")


def test_the_household_api_imports_no_app_above_households():
    tree = ast.parse(Path(households_api.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name.split(".")[0] in ("programs", "support")}
