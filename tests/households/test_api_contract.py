"""The registry's API keeps the contract it publishes: every answer of areas, households, members, the sign-in and
the access log matches its operation's schema (nulls, blanks and every field included), as a province user and as a
commune officer; query parameters are typed and bounded; enums are named components in English."""

import datetime

import pytest

from households.models import Member
from programs.standards import services as program_services
from tests.api_errors import field_errors
from tests.response_schema import assert_matches_schema, openapi, operation, operations_under, schema_names

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/"
MODULE_PATHS = (f"{API}areas/", f"{API}households/", f"{API}auth/", f"{API}access-log/")


@pytest.fixture
def registry(make_household, commune_a, village_a, admin_user, hmong):
    """Households with their nulls and blanks: one without a village, a member without a national id, school or
    work, one household that left the lists (a date) and one that never did (null)."""
    lone = make_household(commune_a, "Giàng A Páo")  # no village, no address
    listed = make_household(commune_a, "Lò Văn Minh", ("Lò Thị Xuân",), village=village_a, address="Bản 3")
    Member.objects.filter(household=listed, relation="head").update(
        national_id="001080012345", education_level="upper_secondary", work_status="self_employed"
    )
    for day, to_status in ((D(2022, 6, 1), "poor"), (D(2025, 1, 15), "not_poor")):
        program_services.record_status_change(
            actor=admin_user, household_id=listed.pk, to_status=to_status, effective_date=day, decision_number="7/QĐ"
        )
    return lone, listed


def gets(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert_matches_schema(response)


def urls_of(households, areas, *, access_log: bool) -> list[str]:
    urls = [f"{API}areas/", f"{API}areas/?level=village", f"{API}households/", f"{API}households/?page_size=1"]
    urls += [f"{API}areas/{area.pk}/" for area in areas]
    for household in households:
        member = household.members.order_by("id").first()
        urls += [f"{API}households/{household.pk}/", f"{API}households/{household.pk}/members/"]
        urls += [f"{API}households/{household.pk}/members/{member.pk}/"]
    if access_log:
        urls += [f"{API}access-log/", f"{API}access-log/?household={households[0].code}"]
    return urls


def test_every_answer_of_the_registry_matches_the_schema_for_the_province(
    api, province_staff, registry, province, district, commune_a, village_a
):
    client = api(province_staff)
    gets(client, urls_of(registry, [province, district, commune_a, village_a], access_log=True))
    record = client.get(f"{API}access-log/").json()["results"][0]
    gets(client, [f"{API}access-log/{record['id']}/"])


def test_every_answer_of_the_registry_matches_the_schema_for_a_commune_officer(
    api, officer_a, registry, commune_a, village_a
):
    gets(api(officer_a), urls_of(registry, [commune_a, village_a], access_log=False))


def test_a_household_that_never_left_the_lists_says_null_and_the_schema_allows_it(api, province_staff, registry):
    lone, listed = registry
    rows = {row["id"]: row for row in api(province_staff).get(f"{API}households/").json()["results"]}
    assert rows[lone.pk]["left_lists_on"] is None
    assert rows[listed.pk]["left_lists_on"] == "2025-01-15"
    detail = api(province_staff).get(f"{API}households/{listed.pk}/").json()
    assert {"ever_poor", "left_lists_on", "newly_escaped_until", "years_in_poverty"} <= set(detail)
    properties = openapi()["components"]["schemas"]["HouseholdDetail"]["properties"]
    assert {"ever_poor", "left_lists_on", "newly_escaped_until", "years_in_poverty"} <= set(properties)


def test_a_district_without_an_area_type_says_null_not_a_blank(api, province_staff, district):
    body = api(province_staff).get(f"{API}areas/{district.pk}/").json()
    assert body["area_type"] is None


def test_a_member_without_school_or_work_says_null(api, officer_a, registry):
    lone, _ = registry
    Member.objects.filter(household=lone).update(education_level="", work_status="", national_id=None)
    member = api(officer_a).get(f"{API}households/{lone.pk}/members/").json()[0]
    assert member["work_status"] is None and member["education_level"] is None and member["national_id"] is None


# --- writes: the answers of the main operations --------------------------------------------------------------


def member_json(name, relation="head", **extra):
    return {"full_name": name, "date_of_birth": "1985-03-02", "sex": "female", "ethnicity": "01", "relation": relation}


def test_the_answers_of_the_registrys_writes_match_the_schema(api, officer_a, commune_a, village_a):
    client = api(officer_a)
    body = {"commune": commune_a.pk, "members": [member_json("Hoàng Thị Mai")], "reason": "Đăng ký mới"}
    created = client.post(f"{API}households/", body, format="json")
    assert created.status_code == 201, created.content
    assert_matches_schema(created, "post")
    household = created.json()
    changed = client.patch(
        f"{API}households/{household['id']}/", {"village": village_a.pk, "version": household["version"]}, "json"
    )
    assert changed.status_code == 200, changed.content
    assert_matches_schema(changed, "patch")
    added = client.post(
        f"{API}households/{household['id']}/members/",
        {**member_json("Hoàng Văn Tú", "child"), "version": changed.json()["version"]},
        format="json",
    )
    assert added.status_code == 201, added.content
    assert_matches_schema(added, "post")
    village = client.post(f"{API}areas/", {"parent": commune_a.pk, "name": "Thôn Mới"}, format="json")
    assert village.status_code == 201, village.content
    assert_matches_schema(village, "post")


def test_the_sign_in_and_its_tokens_match_the_schema(api, officer_a):
    client = api(None)
    login = client.post(f"{API}auth/login/", {"username": "canbo_a", "password": "pw-canbo_a"}, format="json")
    assert login.status_code == 200, login.content
    assert_matches_schema(login, "post")
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    tokens = client.get(f"{API}auth/tokens/")
    assert tokens.status_code == 200 and tokens.json()[0]["current"] is True
    assert_matches_schema(tokens)
    logout = client.post(f"{API}auth/logout/")
    assert logout.status_code == 200 and logout.json() == {"revoked": 1}
    assert_matches_schema(logout, "post")


# --- every operation is covered by the walk above ----------------------------------------------------------------


def test_the_walk_above_covers_every_read_of_the_registry():
    reads = {path for method, path in operations_under(*MODULE_PATHS) if method == "get"}
    walked = {f"{API}areas/", f"{API}areas/{{id}}/", f"{API}households/", f"{API}households/{{id}}/"}
    walked |= {f"{API}households/{{id}}/members/", f"{API}households/{{id}}/members/{{member_id}}/"}
    walked |= {f"{API}access-log/", f"{API}access-log/{{id}}/", f"{API}auth/tokens/"}
    assert reads == walked


# --- typed, bounded parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["552.0", "0", "-1", "abc", "1e3", "99999999999999999999"])
@pytest.mark.parametrize(
    "url, name",
    [
        ("households/", "commune"),
        ("households/", "province"),
        ("households/", "district"),
        ("households/", "village"),
        ("areas/", "parent"),
        ("areas/", "province"),
        ("access-log/", "actor"),
    ],
)
def test_an_id_filter_that_is_not_a_whole_number_from_1_is_a_400_naming_it(value, url, name, api, province_staff):
    response = api(province_staff).get(f"{API}{url}", {name: value})
    assert response.status_code == 400, response.content
    assert name in field_errors(response)


@pytest.mark.parametrize("value", ["yes", "1", "True", "", "truee"])
@pytest.mark.parametrize("name", ["is_ethnic_minority", "is_female_headed", "no_labour_capacity"])
def test_a_flag_other_than_true_or_false_is_a_400_naming_it(value, name, api, province_staff):
    response = api(province_staff).get(f"{API}households/", {name: value})
    # empty too (config.filters.FilterBackend): the schema says a boolean, and "" is none
    assert response.status_code == 400, response.content
    assert name in field_errors(response)


def test_a_valid_id_and_flag_still_filter(api, province_staff, registry, commune_a, commune_b, make_household):
    other = make_household(commune_b, "Trần Văn Bình", is_ethnic_minority=True)
    client = api(province_staff)

    def ids(**query):
        return {row["id"] for row in client.get(f"{API}households/", query).json()["results"]}

    assert ids(commune=commune_a.pk) == {h.pk for h in registry}
    assert ids(commune=commune_b.pk) == {other.pk}
    assert ids(is_ethnic_minority="true") == {other.pk}
    assert other.pk not in ids(is_ethnic_minority="false")


def test_the_filters_are_typed_in_the_schema():
    parameters = {p["name"]: p for p in operation(f"{API}households/")["parameters"]}
    for name in ("commune", "province", "district", "village"):
        assert parameters[name]["schema"]["type"] == "integer" and parameters[name]["schema"]["minimum"] == 1
        assert parameters[name].get("description"), name
    for name in ("is_ethnic_minority", "is_female_headed", "has_revolutionary_contributor"):
        assert parameters[name]["schema"] == {"type": "boolean"}
    assert "id" in parameters["ordering"]["schema"]["pattern"]
    areas = {p["name"]: p for p in operation(f"{API}areas/")["parameters"]}
    assert areas["parent"]["schema"]["type"] == "integer" and areas["parent"]["schema"]["minimum"] == 1
    access = {p["name"]: p for p in operation(f"{API}access-log/")["parameters"]}
    assert access["actor"]["schema"]["type"] == "integer"


# --- names a generated client can use ---------------------------------------------------------------------------


def test_the_registrys_operations_use_named_components_with_english_names():
    names = set()
    for method, path in operations_under(*MODULE_PATHS):
        names |= schema_names(operation(path, method))
    assert names, "no component found"
    assert all(name.isascii() and name.isidentifier() for name in names), sorted(names)
    for name in ("AreaTypeEnum", "HouseholdStatusEnum", "SexEnum", "RelationEnum", "EducationLevelEnum"):
        assert name in names, name


def test_no_parameter_or_inline_schema_of_the_registry_carries_a_vietnamese_title():
    """A client generator names an inline enum or object after its title: it must be ASCII."""
    for method, path in operations_under(*MODULE_PATHS):
        titles = []
        pending = [operation(path, method)]
        while pending:
            item = pending.pop()
            if isinstance(item, dict):
                if isinstance(item.get("title"), str) and ("enum" in item or "properties" in item):
                    titles.append(item["title"])
                pending.extend(item.values())
            elif isinstance(item, list):
                pending.extend(item)
        assert all(title.isascii() for title in titles), (method, path, titles)


def test_the_household_operations_carry_examples_and_say_what_they_write():
    created = operation(f"{API}households/", "post")
    assert created["requestBody"]["content"]["application/json"].get("examples")
    assert "nhật ký" in created["description"]
    assert operation(f"{API}households/{{id}}/")["responses"]["200"]["content"]["application/json"].get("examples")
    assert operation(f"{API}households/{{id}}/members/", "post")["requestBody"]["content"]["application/json"].get(
        "examples"
    )
    assert operation(f"{API}auth/login/", "post")["requestBody"]["content"]["application/json"].get("examples")
