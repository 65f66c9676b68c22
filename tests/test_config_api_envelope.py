"""Every error under /api/ is one envelope, `{"code", "message", "fields"}`, in Vietnamese (config.errors), whatever
refuses the request: a serializer, the parser, a filter, the pagination, authentication, a right, the router, the
method, optimistic locking, the body's size or type, the throttle; and the schema declares them (config.schema)."""

import datetime
import json
import re

import pytest
from django.test import Client, RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from config.error_pages import server_error
from config.errors import NOT_FOUND_MESSAGE, SERVER_ERROR_MESSAGE
from households.api import HouseholdViewSet
from households.models import Household

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)


def assert_envelope(response, status: int, code: str) -> dict:
    """The answer is the envelope, with this status and code, a Vietnamese message and fields by name."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert isinstance(body["fields"], dict) and all(isinstance(m, list) for m in body["fields"].values()), body
    assert VIETNAMESE.search(body["message"]), body["message"]
    return body


def test_a_field_error_of_a_body_names_the_field(api, officer_a, commune_a):
    response = api(officer_a).post(HOUSEHOLDS, {"commune": commune_a.pk, "members": "x"})
    body = assert_envelope(response, 400, "invalid")
    assert "members" in body["fields"]
    assert not Household.objects.exists()


def test_nested_field_errors_are_keyed_by_their_path(api, officer_a, commune_a, kinh):
    member = {"full_name": "Nguyễn Văn A", "date_of_birth": "ngày mai", "sex": "male", "ethnicity": kinh.pk}
    response = api(officer_a).post(HOUSEHOLDS, {"commune": commune_a.pk, "members": [{**member, "relation": "head"}]})
    body = assert_envelope(response, 400, "invalid")
    assert "members[0].date_of_birth" in body["fields"], body["fields"]


def test_a_malformed_json_body_is_a_parse_error_in_vietnamese(api, officer_a):
    response = api(officer_a).generic("POST", HOUSEHOLDS, '{"commune": ', content_type="application/json")
    body = assert_envelope(response, 400, "parse_error")
    assert body["message"] == "Nội dung JSON không hợp lệ (dòng 1, cột 13)." and body["fields"] == {}
    assert "Expecting" not in response.content.decode()


def test_an_unknown_ordering_is_a_400_naming_ordering(api, officer_a):
    body = assert_envelope(api(officer_a).get(HOUSEHOLDS, {"ordering": "nonexistent"}), 400, "invalid")
    assert list(body["fields"]) == ["ordering"]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "2.5", "501"])
def test_a_page_size_out_of_bounds_is_a_400_naming_page_size(value, api, officer_a, household_a):
    body = assert_envelope(api(officer_a).get(HOUSEHOLDS, {"page_size": value}), 400, "invalid")
    assert body["fields"] == {"page_size": ["Phải là một số nguyên từ 1 đến 500."]}


def test_a_good_page_size_is_kept_in_the_next_link(api, officer_a, make_household, commune_a):
    make_household(commune=commune_a)
    make_household(commune=commune_a)
    page = api(officer_a).get(HOUSEHOLDS, {"page_size": 1}).json()
    assert page["page_size"] == 1 and "page_size=1" in page["next"] and page["count"] == 2


@pytest.mark.parametrize("page", ["2", "0", "x", "-1"])
def test_a_page_past_the_end_or_not_a_page_is_a_404_naming_page(page, api, officer_a, household_a):
    body = assert_envelope(api(officer_a).get(HOUSEHOLDS, {"page": page}), 404, "not_found")
    assert list(body["fields"]) == ["page"]


def test_the_first_page_of_an_empty_list_exists(api, officer_a):
    assert api(officer_a).get(HOUSEHOLDS, {"page": 1}).json()["results"] == []


def test_no_token_is_a_401(api):
    body = assert_envelope(api(None).get(HOUSEHOLDS), 401, "not_authenticated")
    assert "POST /api/v1/auth/login/" in body["message"]


def test_a_bad_token_is_a_401_with_its_scheme(officer_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    response = client.get(HOUSEHOLDS)
    assert_envelope(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_a_commune_officer_on_a_province_operation_is_a_403(api, officer_a):
    body = assert_envelope(api(officer_a).post("/api/v1/stats/refresh/", {}), 403, "permission_denied")
    assert body["fields"] == {}


def test_a_session_call_without_its_csrf_token_is_a_403_that_says_so(officer_a, commune_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    response = client.post(HOUSEHOLDS, json.dumps({"commune": commune_a.pk}), content_type="application/json")
    assert_envelope(response, 403, "csrf_failed")


def test_an_unknown_address_under_the_api_is_a_json_404_not_a_page(api, officer_a):
    for path in ("/api/v1/khong-co/", "/api/khong-co", "/api/v1/households/1/khong-co/"):
        body = assert_envelope(api(officer_a).get(path), 404, "not_found")
        assert body == {"code": "not_found", "message": NOT_FOUND_MESSAGE, "fields": {}}


def test_an_object_outside_the_scope_is_the_same_404(api, officer_b, household_a):
    assert_envelope(api(officer_b).get(f"{HOUSEHOLDS}{household_a.pk}/"), 404, "not_found")


def test_a_method_the_address_lacks_is_a_405_with_allow(api, admin_user):
    response = api(admin_user).delete("/api/v1/stats/what-if/?standard=VN-2027")
    body = assert_envelope(response, 405, "method_not_allowed")
    assert "DELETE" in body["message"] and "GET" in response["Allow"]


def test_a_stale_version_is_a_409(api, officer_a, district_staff, household_a):
    url = f"{HOUSEHOLDS}{household_a.pk}/"
    assert api(officer_a).patch(url, {"version": 1, "address": "A"}).status_code == 200
    body = assert_envelope(api(district_staff).patch(url, {"version": 1, "address": "B"}), 409, "stale_version")
    assert list(body["fields"]) == ["version"] and body["fields"]["version"] == [body["message"]]


def test_a_body_too_large_is_a_413(api, officer_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(officer_a).post(HOUSEHOLDS, {"address": "x" * 2000})
    assert_envelope(response, 413, "request_too_large")


def test_a_form_encoded_body_is_a_415_naming_json(officer_a, commune_a):
    client = APIClient()
    client.force_authenticate(officer_a)
    response = client.post(HOUSEHOLDS, {"commune": commune_a.pk}, format="multipart")
    body = assert_envelope(response, 415, "unsupported_media_type")
    assert "application/json" in body["message"]
    form = client.generic("POST", HOUSEHOLDS, "commune=1", content_type="application/x-www-form-urlencoded")
    assert_envelope(form, 415, "unsupported_media_type")
    assert not Household.objects.exists()


def test_too_many_requests_is_a_429_with_retry_after(api, officer_a, settings):
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "user": "1/min"}}
    client = api(officer_a)
    assert client.get("/api/v1/areas/").status_code == 200
    response = client.get("/api/v1/areas/")
    body = assert_envelope(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0 and body["message"].startswith("Quá nhiều yêu cầu; hãy thử lại sau")


def test_an_unexpected_error_in_a_view_is_a_500_envelope_and_logged(api, officer_a, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(HouseholdViewSet, "list", broken)
    body = assert_envelope(api(officer_a).get(HOUSEHOLDS), 500, "server_error")
    assert body == {"code": "server_error", "message": SERVER_ERROR_MESSAGE, "fields": {}}
    assert "hỏng" not in json.dumps(body) and "RuntimeError" in caplog.text


def test_a_server_error_outside_a_view_is_the_envelope_under_the_api_and_the_page_elsewhere():
    api_answer = server_error(RequestFactory().get("/api/v1/households/"))
    assert api_answer.status_code == 500 and json.loads(api_answer.content)["code"] == "server_error"
    page = server_error(RequestFactory().get("/admin/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


def test_the_admin_keeps_its_html_404(officer_a):
    client = Client()
    client.force_login(officer_a)
    response = client.get("/admin/khong-co/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- the schema declares them ----------------------------------------------------------------------------------

ERROR_REF = "#/components/schemas/Error"
WRITING = {"post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def error_ref(operation, code: str):
    return operation["responses"].get(code, {}).get("content", {}).get("application/json", {}).get("schema")


def test_every_operation_declares_its_errors_with_the_error_component(schema):
    for path, method, operation in operations(schema):
        public = not operation.get("security") or {} in operation["security"]
        where = f"{method.upper()} {path}"
        assert error_ref(operation, "429") == {"$ref": ERROR_REF}, where
        if not public:
            assert error_ref(operation, "401") == {"$ref": ERROR_REF}, where
            assert error_ref(operation, "403") == {"$ref": ERROR_REF}, where
        if "requestBody" in operation:
            assert "400" in operation["responses"] and error_ref(operation, "415") == {"$ref": ERROR_REF}, where
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in operation["responses"], where
        if method in WRITING:
            assert error_ref(operation, "409") == {"$ref": ERROR_REF}, where
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "fields"}


def test_only_the_upload_takes_another_body_than_json(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            expected = ["multipart/form-data"] if path == "/api/v1/imports/" else ["application/json"]
            assert list(operation["requestBody"]["content"]) == expected, f"{method} {path}"


def test_the_login_is_public_and_declares_no_401(schema):
    login = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert "401" not in login["responses"] and error_ref(login, "429") == {"$ref": ERROR_REF}


def test_every_path_id_is_an_integer_from_1(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"] == {"type": "integer", "minimum": 1}, f"{method} {path} {parameter}"


def test_pages_are_integers_bounded(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][HOUSEHOLDS]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 500}


def test_every_property_and_parameter_is_described(schema):
    for name, component in schema["components"]["schemas"].items():
        for prop, prop_schema in component.get("properties", {}).items():
            assert prop_schema.get("description"), f"{name}.{prop}"
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{method} {path} {parameter['name']}"
            assert "Which field to use" not in parameter["description"]


def test_component_names_are_ascii_and_enums_are_components_with_their_labels(schema):
    components = schema["components"]["schemas"]
    for name in components:
        assert re.fullmatch(r"[A-Za-z0-9_]+", name), name
    text = json.dumps(schema, ensure_ascii=False)
    assert '"title"' not in json.dumps(schema["paths"]) and '"title"' not in json.dumps(components)
    for path, method, operation in operations(schema):  # no enum left inline for a generator to name
        for parameter in operation.get("parameters", []):
            inner = parameter["schema"].get("items", parameter["schema"])
            assert "enum" not in inner, f"{method} {path} {parameter['name']}"
    for name, component in components.items():
        for prop, prop_schema in component.get("properties", {}).items():
            assert "enum" not in prop_schema and "enum" not in prop_schema.get("items", {}), f"{name}.{prop}"
    status = next(c for n, c in components.items() if "enum" in c and "poor" in c["enum"] and "near_poor" in c["enum"])
    assert "Hộ nghèo" in status["description"] and "Hộ cận nghèo" in status["description"]
    assert "TìNh" not in text


def test_operations_are_tagged_per_resource_with_vietnamese_descriptions(schema, settings):
    described = {tag["name"]: tag["description"] for tag in settings.SPECTACULAR_SETTINGS["TAGS"]}
    used = {tag for _, _, operation in operations(schema) for tag in operation["tags"]}
    assert used <= set(described), used - set(described)
    assert {"households", "review-cases", "stats", "auth"} <= used and "v1" not in used
    assert schema["paths"]["/api/v1/review-cases/"]["get"]["tags"] == ["review-cases"]
    assert schema["paths"]["/api/v1/stats/figures/"]["get"]["tags"] == ["stats"]
    assert all(VIETNAMESE.search(description) for description in described.values())


def test_a_body_naming_a_row_that_does_not_exist_says_so_with_its_own_code(api, officer_a, commune_a, kinh):
    member = {"full_name": "Lò Văn Pao", "date_of_birth": "1980-01-01", "sex": "male", "ethnicity": "99"}
    response = api(officer_a).post(HOUSEHOLDS, {"commune": 2**40, "members": [{**member, "relation": "head"}]})
    body = assert_envelope(response, 400, "unknown_reference")  # the shape is right; the rows named are not there
    assert set(body["fields"]) == {"commune", "members[0].ethnicity"}
    # a shape refused as well as a missing row: the input's own code
    response = api(officer_a).post(HOUSEHOLDS, {"commune": 2**40, "members": []})
    assert assert_envelope(response, 400, "invalid")["fields"].keys() == {"commune", "members"}
    assert not Household.objects.exists()


def test_the_schema_says_what_the_server_checks_of_a_text_and_a_list(schema):
    """A text may not hold NUL (every text field refuses it) and a household has at least one member: a client, or
    schemathesis, learns both from the schema rather than from a 400."""
    create = schema["components"]["schemas"]["HouseholdCreateRequest"]["properties"]
    assert create["members"]["minItems"] == 1
    assert create["address"]["pattern"] == r"^[^\x00]*$" and "oneOf" not in create["address"]  # "" is a text too
    assert create["members"]["items"] == {"$ref": "#/components/schemas/MemberRequest"}
    national_id = schema["components"]["schemas"]["MemberRequest"]["properties"]["national_id"]
    assert national_id["pattern"] == r"^\s*([0-9]{12})?\s*$"  # what validate_national_id checks
    [search] = [p for p in schema["paths"][HOUSEHOLDS]["get"]["parameters"] if p["name"] == "q"]
    assert search["schema"]["pattern"] == r"^[^\x00]*$"
    # an operation with a body declares 404: the body may name a row outside the user's area
    assert "404" in schema["paths"]["/api/v1/assessments/"]["post"]["responses"]


def test_a_form_with_too_many_fields_is_a_400_not_a_server_error(api, officer_a, commune_a):
    # Django refuses it (TooManyFieldsSent, a SuspiciousOperation) while DRF's multipart parser reads it
    fields = {f"f{index}": "x" for index in range(1100)} | {"commune": str(commune_a.pk)}
    response = api(officer_a).post("/api/v1/imports/", fields, format="multipart")
    assert_envelope(response, 400, "bad_request")


def test_a_multipart_body_without_its_boundary_is_refused_in_vietnamese(api, officer_a):
    response = api(officer_a).generic("POST", "/api/v1/imports/", b"--x\r\n", content_type="multipart/form-data")
    body = assert_envelope(response, 400, "parse_error")
    assert "Multipart" not in body["message"]


def test_the_browsable_apis_filter_form_may_send_its_empty_fields(officer_a, household_a):
    # the HTML form of the browsable API submits every field, empty ones as `name=`: not a 400 there
    client = Client()
    client.force_login(officer_a)
    page = client.get(HOUSEHOLDS, {"q": "", "commune": "", "is_female_headed": ""}, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert client.get(HOUSEHOLDS, {"commune": ""}, HTTP_ACCEPT="application/json").status_code == 400


def test_support_outcomes_of_a_year_to_come_are_refused_as_the_schema_says(api, province_staff, schema):
    [year] = [p for p in schema["paths"]["/api/v1/support-outcomes/"]["get"]["parameters"] if p["name"] == "year"]
    this_year = datetime.date.today().year
    assert year["schema"]["maximum"] == this_year
    response = api(province_staff).get(
        "/api/v1/support-outcomes/", {"area": province_staff.area.pk, "year": this_year + 1}
    )
    assert assert_envelope(response, 400, "invalid")["fields"].keys() == {"year"}


def test_no_operation_is_described_by_a_code_comment_in_english(schema):
    english = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if operation.get("description") and operation["description"].isascii()
    ]
    assert english == []


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/stats/figures/", "area"),
        ("/api/v1/stats/figures/", "year"),
        ("/api/v1/support-outcomes/", "area"),
        ("/api/v1/imports/template/", "commune"),
    ],
)
def test_a_whole_number_of_a_query_is_digits_only_there_too(api, province_staff, url, name):
    # the query parameters that a serializer reads (not a list filter): DRF's IntegerField read "552.0" as 552
    params = {"area": str(province_staff.area.pk), "year": "2025", "commune": "1"} | {name: "552.0"}
    response = api(province_staff).get(url, params)
    assert assert_envelope(response, 400, "invalid")["fields"] == {name: ["Phải là một số nguyên."]}
