"""The official list of areas, villages, and the areas API."""

import io

import pytest
from django.core.management import call_command

from households.models import Area, AuditEntry
from tests.api_errors import field_errors

URL = "/api/v1/areas/"
SNAPSHOT_FIELDS = (
    "code",
    "name",
    "name_search",
    "level",
    "division_type",
    "parent_id",
    "province_id",
    "path",
    "area_type",
)


def snapshot():
    return sorted(Area.objects.filter(is_official=True).values_list(*SNAPSHOT_FIELDS))


@pytest.mark.django_db
def test_official_list_has_34_provinces_and_3321_communes():
    assert Area.objects.filter(level="province", is_official=True).count() == 34
    assert Area.objects.filter(level="commune", is_official=True).count() == 3321
    hanoi = Area.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội" and hanoi.parent is None and hanoi.path == "/01/"
    hoan_kiem = Area.objects.get(code="00070")
    assert hoan_kiem.parent == hanoi and hoan_kiem.province == hanoi
    assert hoan_kiem.level == "commune" and hoan_kiem.division_type == "phường"
    assert hoan_kiem.path == "/01/00070/"


@pytest.mark.django_db
def test_wards_are_urban_and_communes_and_special_zones_rural():
    types = dict(Area.objects.filter(level="commune").values_list("division_type", "area_type").distinct())
    assert types == {"phường": "urban", "xã": "rural", "đặc khu": "rural"}


@pytest.mark.django_db
def test_load_areas_twice_changes_nothing():
    before = snapshot()
    out = io.StringIO()
    call_command("load_areas", stdout=out)
    assert "tạo mới 0, cập nhật 0" in out.getvalue()
    assert snapshot() == before


@pytest.mark.django_db
def test_load_areas_repairs_a_changed_name_and_keeps_a_legacy_district(district, commune_a, commune_b):
    Area.objects.filter(pk=commune_b.pk).update(name="Tên sai")
    out = io.StringIO()
    call_command("load_areas", stdout=out)
    assert "cập nhật 1" in out.getvalue()
    assert Area.objects.get(pk=commune_b.pk).name != "Tên sai"
    commune_a.refresh_from_db()
    assert commune_a.parent == district  # the optional district level survives a reload
    assert commune_a.path == f"{district.path}{commune_a.code}/"


@pytest.mark.django_db
def test_villages_are_added_under_a_commune(api, officer_a, commune_a):
    response = api(officer_a).post(URL, {"parent": commune_a.pk, "name": "Bản Sín Chải"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == "village" and body["parent"] == commune_a.pk
    assert body["code"].startswith(commune_a.code + ".")
    village = Area.objects.get(pk=body["id"])
    assert village.path == f"{commune_a.path}{village.code}/"
    assert village.area_type == commune_a.area_type
    assert AuditEntry.objects.filter(
        action="households.area.created", object_id=str(village.pk), actor=officer_a
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "Bản X"}, "parent"),
        ({"parent": 999999999, "name": "Bản X"}, "parent"),
        ({"parent": "PROVINCE", "name": "Bản X"}, "parent"),
        ({"parent": "COMMUNE_B", "name": "Bản X"}, "parent"),
        ({"parent": "COMMUNE_A", "name": "  "}, "name"),
        ({"parent": "COMMUNE_A", "name": "thon na phat"}, "name"),
    ],
)
def test_bad_villages_are_refused(body, field, api, officer_a, commune_a, commune_b, province, village_a):
    lookup = {"PROVINCE": province.pk, "COMMUNE_A": commune_a.pk, "COMMUNE_B": commune_b.pk}
    body = {key: lookup.get(value, value) for key, value in body.items()}
    before = Area.objects.count()
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in field_errors(response)
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_chair_cannot_add_villages(api, chair_a, commune_a):
    assert api(chair_a).post(URL, {"parent": commune_a.pk, "name": "Bản Y"}, format="json").status_code == 403


@pytest.mark.django_db
def test_areas_api_filters(api, officer_a, province, commune_a):
    client = api(officer_a)
    provinces = client.get(URL, {"level": "province", "page_size": 100}).json()
    assert provinces["count"] == 34
    children = client.get(URL, {"parent": province.pk, "page_size": 500}).json()
    assert commune_a.pk not in {a["id"] for a in children["results"]}  # A lies in the legacy district
    assert (
        client.get(URL, {"province": province.pk, "level": "commune"}).json()["count"]
        == Area.objects.filter(province=province, level="commune").count()
    )
    assert [a["id"] for a in client.get(URL, {"code": commune_a.code}).json()["results"]] == [commune_a.pk]
    assert client.get(URL, {"level": "planet"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM"])
def test_area_search_without_diacritics(text, api, officer_a):
    names = [a["name"] for a in api(officer_a).get(URL, {"q": text}).json()["results"]]
    assert "Phường Hoàn Kiếm" in names


@pytest.mark.django_db
def test_villages_of_other_communes_are_not_listed(api, officer_b, village_a, village_b):
    ids = {a["id"] for a in api(officer_b).get(URL, {"level": "village"}).json()["results"]}
    assert ids == {village_b.pk}
    assert api(officer_b).get(f"{URL}{village_a.pk}/").status_code == 404


@pytest.mark.django_db
def test_outsider_cannot_read_areas(api, outsider):
    assert api(outsider).get(URL).status_code == 403
