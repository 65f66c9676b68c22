"""The program's API tells the truth in its schema (issue 19): every answer of its operations (standards,
assessments, status changes, review campaigns and cases, statistics, targets, reports, imports) validates against
the published OpenAPI schema, on data where nulls and blanks occur (a case waiting for its survey, a case
recognised, a complaint not yet resolved, a household's own request, a report not yet built), as a province user
and as a commune officer; query parameters are typed and bounded; the side effect of a survey on the household's
review case is in the answer and in the schema.

A client generated from the schema (openapi-python-client) fails on any mismatch found here: a null where the
schema says a string, an empty string outside an enum, a property it does not know.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from households.models import Household
from programs import tasks
from programs.imports import services as imports
from programs.models import ReviewCase
from programs.reporting import services as statistics
from programs.reporting.services import report_jobs
from programs.review import services as workflow
from tests.api_errors import field_errors
from tests.programs.review_helpers import (
    GOOD_HOUSE,
    NOTHING_DEPRIVED,
    TODAY,
    case_of,
    insure,
    make_poor,
    open_review,
    recognise,
    walk_to_posted,
)
from tests.response_schema import assert_matches_schema, body_problems, openapi, template_of
from tests.response_schema import operation as operation_at

pytestmark = pytest.mark.django_db

RICH = 5_000_000
# The paths of the program's API (the households and support APIs are checked by their own tests).
PREFIXES = (
    "/api/v1/standards/",
    "/api/v1/assessments/",
    "/api/v1/status-changes/",
    "/api/v1/review-campaigns/",
    "/api/v1/review-cases/",
    "/api/v1/stats/",
    "/api/v1/targets/",
    "/api/v1/reports/",
    "/api/v1/imports/",
    "/api/v1/classify/",
)


def operation(method: str, path: str) -> dict:
    return operation_at(path, method)


def check(response) -> tuple[str, str]:
    """The answer validated against its operation's schema (a file: its content type declared); returns the
    (method, path) of the operation checked."""
    method = response.request["REQUEST_METHOD"].lower()
    template = template_of(response.request["PATH_INFO"])
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    if content_type == "application/json":
        assert_matches_schema(response, method)
    else:
        assert content_type in operation(method, template)["responses"][str(response.status_code)]["content"]
    return method, template


def validate(body, schema: dict, where: str) -> None:
    found = body_problems(body, schema)
    assert not found, f"{where} does not match its schema:\n" + "\n".join(found)


def program_operations(method: str) -> set[str]:
    return {
        path for path, operations in openapi()["paths"].items() if path.startswith(PREFIXES) and method in operations
    }


@pytest.fixture
def story(make_household, commune_a, admin_user, officer_a, chair_a, province_staff):
    """Commune A's 2026 periodic review with a case at each kind of step, its figures, a target, reports (one
    built, one queued) and imports (one committed, one refused)."""

    def poor(head: str) -> Household:
        household = make_household(commune_a, head, ("Con",))
        insure(household)
        return make_poor(household, admin_user)

    waiting, recognised_household, complained_household, to_survey = (
        poor(name) for name in ("Nguyễn Văn Đức", "Lò Văn Pình", "Vàng Thị Dua", "Sùng A Lử")
    )
    not_listed = make_household(commune_a, "Hà Văn Tư")
    not_asked = make_household(commune_a, "Giàng Thị Mỷ")
    open_review(commune_a)
    recognised = recognise(chair_a, walk_to_posted(officer_a, recognised_household, income=RICH))
    posted = walk_to_posted(officer_a, complained_household, income=RICH)
    workflow.file_complaint(
        actor=officer_a,
        case_id=posted.pk,
        expected_version=posted.version,
        received_on=datetime.date(2026, 10, 27),
        complainant="Hàng xóm",
        content="Hộ có xe máy mới",
        today=TODAY,
    )
    requested = workflow.file_review_request(
        actor=officer_a,
        household_id=not_listed.pk,
        request_kind="add",
        channel="in_person",
        filed_on=datetime.date(2026, 10, 5),
        today=TODAY,
    )
    statistics.refresh_figures(years=[2025, 2026], communes=[commune_a.pk], today=TODAY)
    target = statistics.set_target(
        actor=province_staff, area_id=commune_a.pk, year=2026, measure="poor", kind="reduction", value=Decimal(1)
    )
    built = report_jobs.request_report(actor=province_staff, area_id=commune_a.pk, year=2026, kind="summary")
    report_jobs.build_report(built.pk)
    report_jobs.request_report(actor=province_staff, area_id=commune_a.pk, year=2025, kind="movement")
    report_jobs.build_report(
        report_jobs.request_report(actor=officer_a, area_id=commune_a.pk, year=2026, kind="deprivation").pk
    )
    content = imports.template(commune_a, officer_a, today=TODAY)
    imports.import_workbook(
        actor=officer_a, commune_id=commune_a.pk, file_bytes=content, filename="ho.xlsx", today=TODAY
    )
    imports.import_workbook(
        actor=officer_a, commune_id=commune_a.pk, file_bytes=b"PK not a workbook", filename="sai.xlsx", today=TODAY
    )
    return SimpleNamespace(
        commune=commune_a,
        waiting=case_of(waiting),
        recognised=recognised,
        complained=case_of(complained_household),
        requested=requested,
        to_survey=to_survey,
        not_asked=not_asked,
        target=target,
    )


def walk(client, story) -> tuple[set[str], dict[str, int]]:
    """GET every operation of the program's API, lists and the detail of each row listed, each answer validated
    against the schema; returns the operations validated and the status of those refused to this user."""
    checked: set[str] = set()
    refused: dict[str, int] = {}

    def get(url: str, params: dict | None = None):
        response = client.get(url, params or {})
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 403:
            refused[url] = response.status_code  # a resource this persona may not read
            return None
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        checked.add(check(response)[1])
        return response

    for resource in ("standards", "assessments", "status-changes", "review-campaigns", "review-cases", "targets",
                     "reports", "imports"):  # fmt: skip
        listing = get(f"/api/v1/{resource}/", {"page_size": 100})
        if listing is None:
            continue
        for row in listing.json()["results"]:
            get(f"/api/v1/{resource}/{row['id']}/")
            if resource == "reports" and row["download_url"]:
                get(f"/api/v1/reports/{row['id']}/download/")
    area_year = {"area": story.commune.pk, "year": 2026}
    get("/api/v1/review-campaigns/progress/", area_year)
    get("/api/v1/stats/figures/", area_year)
    get("/api/v1/stats/communes/", area_year)
    get("/api/v1/stats/series/", {"area": story.commune.pk, "start": 2024})
    get("/api/v1/stats/what-if/", {"standard": "VN-2022"})
    get("/api/v1/imports/template/", {"commune": story.commune.pk})
    return checked, refused


def test_every_get_of_the_program_api_answers_what_its_schema_says_to_a_province_user(api, story, province_staff):
    checked, refused = walk(api(province_staff), story)
    assert refused == {}
    assert checked == program_operations("get")


def test_every_get_a_commune_officer_may_make_answers_what_its_schema_says(api, story, officer_a):
    checked, refused = walk(api(officer_a), story)
    assert {
        "/api/v1/assessments/{id}/",
        "/api/v1/status-changes/{id}/",
        "/api/v1/review-campaigns/{id}/",
        "/api/v1/review-campaigns/progress/",
        "/api/v1/review-cases/{id}/",
        "/api/v1/imports/{id}/",
        "/api/v1/reports/{id}/",
    } <= checked
    # every other operation is one the officer may not read (its list refused), none skipped silently
    unread = program_operations("get") - checked
    assert all(any(path.startswith(url) for url in refused) for path in unread), (unread, refused)


def test_blank_choices_of_a_case_are_null_and_declared_nullable(api, story, officer_a):
    client = api(officer_a)
    waiting = check_get(client, f"/api/v1/review-cases/{story.waiting.pk}/")
    assert (waiting["request_kind"], waiting["request_channel"], waiting["proposed_category"]) == (None, None, None)
    assert waiting["recognised_status"] is None
    requested = check_get(client, f"/api/v1/review-cases/{story.requested.pk}/")
    assert (requested["request_kind"], requested["request_channel"]) == ("add", "in_person")
    recognised = check_get(client, f"/api/v1/review-cases/{story.recognised.pk}/")
    assert recognised["recognised_status"] == "not_poor"
    assert recognised["due_step"] == "report"
    complained = check_get(client, f"/api/v1/review-cases/{story.complained.pk}/")
    assert [c["outcome"] for c in complained["complaints"]] == [None]  # not resolved yet
    properties = openapi()["components"]["schemas"]["ReviewCase"]["properties"]
    for name in ("request_kind", "request_channel", "proposed_category", "recognised_status", "due_step"):
        assert properties[name].get("nullable") is True, name


def test_the_contract_check_catches_a_null_an_empty_choice_and_an_unknown_property(api, story, officer_a):
    """The validator itself: what a generated client would choke on fails the check."""
    body = check_get(api(officer_a), f"/api/v1/review-cases/{story.requested.pk}/")
    schema = operation("get", "/api/v1/review-cases/{id}/")["responses"]["200"]["content"]["application/json"]["schema"]
    validate(body, schema, "as answered")
    for change in ({"reference": None}, {"request_kind": ""}, {"surprise": 1}, {"household": {"id": 1}}):
        with pytest.raises(AssertionError, match="does not match its schema"):
            validate({**body, **change}, schema, f"with {change}")


def check_get(client, url: str, params: dict | None = None) -> dict:
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    check(response)
    return response.json()


# --- the answers of the main moves ---------------------------------------------------------------------------


def survey_body(household: Household) -> dict:
    return {
        "household": household.pk,
        "review_year": 2026,
        "survey_date": "2026-10-01",
        "income_per_capita": 500_000,
        "dwelling": GOOD_HOUSE,
        "members": [{"member": m.pk, "stunted": False, "underweight": False} for m in household.members.all()],
        "answers": NOTHING_DEPRIVED,
        "causes": ["land"],
    }


def test_a_survey_tells_which_case_it_moved_and_the_client_goes_on_with_its_version(api, story, officer_a):
    client = api(officer_a)
    case = case_of(story.to_survey)
    seen = case.version  # what the client read before the survey
    recorded = client.post("/api/v1/assessments/", survey_body(story.to_survey), format="json")
    assert recorded.status_code == 201, recorded.content
    check(recorded)
    moved = recorded.json()["review_case"]
    case.refresh_from_db()
    assert moved == {"id": case.pk, "reference": case.reference, "state": "classified", "version": case.version}

    assert moved["version"] > seen
    again = client.post(
        f"/api/v1/review-cases/{case.pk}/survey/", {"version": seen, "assessment": recorded.json()["id"]}, format="json"
    )
    assert again.status_code == 409  # the survey already moved the case on: the version read before is stale
    meeting = client.post(
        f"/api/v1/review-cases/{case.pk}/meeting/",
        {"version": moved["version"], "meeting_date": "2026-10-20", "attendees": 10, "agreeing": 9},
        format="json",
    )
    assert meeting.status_code == 200, meeting.content
    assert check(meeting) == ("post", "/api/v1/review-cases/{id}/meeting/")
    assert meeting.json()["state"] == "agreed"
    posted = client.post(
        f"/api/v1/review-cases/{case.pk}/post/",
        {"version": meeting.json()["version"], "posting_start": "2026-10-26"},
        format="json",
    )
    assert posted.status_code == 200, posted.content
    check(posted)


def test_a_survey_of_a_household_without_an_open_case_says_so_with_null(api, story, officer_a, make_household):
    outside = make_household(story.commune, "Lý Văn Sáng")
    recorded = api(officer_a).post("/api/v1/assessments/", survey_body(outside), format="json")
    assert recorded.status_code == 201, recorded.content
    check(recorded)
    assert recorded.json()["review_case"] is None


def test_the_survey_side_effect_is_written_in_both_operations():
    create = operation("post", "/api/v1/assessments/")
    assert "review_case" in openapi()["components"]["schemas"]["AssessmentCreated"]["properties"]
    assert "/survey/" in create["description"] and "classified" in create["description"]
    survey = operation("post", "/api/v1/review-cases/{id}/survey/")
    assert "/api/v1/assessments/" in survey["description"]


def test_the_chairs_recognition_and_a_households_request_answer_their_schema(api, story, chair_a, officer_a):
    complaint = ReviewCase.objects.get(pk=story.complained.pk).complaints.get()
    client = api(officer_a)
    resolved = client.post(
        f"/api/v1/review-cases/{story.complained.pk}/resolve-complaint/",
        {
            "version": ReviewCase.objects.get(pk=story.complained.pk).version,
            "complaint": complaint.pk,
            "outcome": "dismissed",
            "resolution": "Xe máy của con đi làm xa",
            "resolved_on": "2026-10-30",
        },
        format="json",
    )
    assert resolved.status_code == 200, resolved.content
    check(resolved)
    recognised = api(chair_a).post(
        f"/api/v1/review-cases/{story.complained.pk}/recognise/",
        {"version": resolved.json()["version"], "decision_number": "46/QĐ-UBND", "decision_date": "2026-11-03"},
        format="json",
    )
    assert recognised.status_code == 200, recognised.content
    check(recognised)
    assert recognised.json()["recognised_status"] == "not_poor"
    request = client.post(
        "/api/v1/review-cases/",
        {"household": story.not_asked.pk, "request_kind": "add", "channel": "online", "filed_on": "2026-10-06"},
        format="json",
    )
    assert request.status_code == 201, request.content
    check(request)
    assert (request.json()["request_kind"], request.json()["proposed_category"]) == ("add", None)


def test_classify_targets_refresh_and_reports_answer_their_schema(api, story, province_staff, monkeypatch):
    monkeypatch.setattr(tasks.refresh_figures, "delay", lambda *args: SimpleNamespace(id="t-1"))
    client = api(province_staff)
    classified = client.post(
        "/api/v1/classify/",
        {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1_000_000, "deprivations": ["water"]},
        format="json",
    )
    assert classified.status_code == 200, classified.content
    check(classified)
    target = client.post(
        "/api/v1/targets/",
        {"area": story.commune.pk, "year": 2027, "measure": "near_poor", "kind": "max_rate", "value": "9.5"},
        format="json",
    )
    assert target.status_code == 201, target.content
    check(target)
    refresh = client.post("/api/v1/stats/refresh/", {"area": story.commune.pk, "years": [2026]}, format="json")
    assert refresh.status_code == 202, refresh.content
    check(refresh)
    assert refresh.json() == {"task": "t-1", "communes": 1, "years": [2026]}
    report = client.post("/api/v1/reports/", {"area": story.commune.pk, "year": 2026, "kind": "cause"}, format="json")
    assert report.status_code == 202, report.content
    check(report)
    figures = check_get(client, "/api/v1/stats/figures/", {"area": story.commune.pk, "year": 2026})
    assert figures["figures"]["households"] == Household.objects.filter(commune=story.commune).count()


def test_the_statistics_are_typed_not_free_objects():
    paths = openapi()["paths"]
    for path in (
        "/api/v1/stats/figures/",
        "/api/v1/stats/communes/",
        "/api/v1/stats/series/",
        "/api/v1/stats/what-if/",
    ):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, path
    figures = openapi()["components"]["schemas"]["Figures"]
    assert {"movement", "exit_cohort", "targets", "groups", "change"} <= set(figures["properties"])
    assert figures["properties"]["poor_rate"]["nullable"] is True  # no household: no rate


def test_an_upload_answers_the_batch_its_schema_describes(api, story, officer_a):
    content = imports.template(story.commune, officer_a, today=TODAY)
    upload = SimpleUploadedFile("ho.xlsx", content, content_type=imports.XLSX)
    response = api(officer_a).post(
        "/api/v1/imports/", {"commune": story.commune.pk, "file": upload}, format="multipart"
    )
    assert response.status_code in (200, 201), response.content  # 200: the same file was imported by the story
    check(response)


def test_the_examples_of_the_program_api_match_their_schemas():
    """An example is what a client copies first: each request and response example validates against the schema
    of its body."""
    seen = 0
    for path in program_operations("get") | program_operations("post"):
        for method, op in openapi()["paths"][path].items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in body.get("examples", {}).items():
                validate(example["value"], body["schema"], f"{method.upper()} {path} request example {name}")
                seen += 1
            for status, answer in op["responses"].items():
                content = answer.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    validate(example["value"], content["schema"], f"{method.upper()} {path} {status} example {name}")
                    seen += 1
    assert seen >= 8


def test_the_classify_example_is_what_the_server_answers(api, officer_a):
    body = operation("post", "/api/v1/classify/")["requestBody"]["content"]["application/json"]["examples"]
    answers = operation("post", "/api/v1/classify/")["responses"]["200"]["content"]["application/json"]["examples"]
    [request], [expected] = body.values(), answers.values()
    response = api(officer_a).post("/api/v1/classify/", request["value"], format="json")
    assert response.status_code == 200, response.content
    answer, example = response.json(), expected["value"]
    assert {k: v for k, v in answer.items() if k != "reasons"} == {k: v for k, v in example.items() if k != "reasons"}


# --- typed, bounded parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/review-cases/", {"household": "552.0"}, "household"),
        ("/api/v1/review-cases/", {"year": "0.5"}, "year"),
        ("/api/v1/review-cases/", {"year": "1900"}, "year"),
        ("/api/v1/review-cases/", {"overdue": "maybe"}, "overdue"),
        ("/api/v1/review-cases/", {"campaign": "-1"}, "campaign"),
        ("/api/v1/review-campaigns/", {"month": "13"}, "month"),
        ("/api/v1/review-campaigns/", {"year": "1900"}, "year"),
        ("/api/v1/review-campaigns/", {"area": "1e3"}, "area"),
        ("/api/v1/assessments/", {"household": "552.0"}, "household"),
        ("/api/v1/assessments/", {"review_year": "0.5"}, "review_year"),
        ("/api/v1/assessments/", {"commune": "0"}, "commune"),
        ("/api/v1/status-changes/", {"year": "1900"}, "year"),
        ("/api/v1/status-changes/", {"household": "552.0"}, "household"),
        ("/api/v1/imports/", {"commune": "552.0"}, "commune"),
        ("/api/v1/reports/", {"year": "1900"}, "year"),
        ("/api/v1/targets/", {"year": "1900"}, "year"),
        ("/api/v1/targets/", {"area": "abc"}, "area"),
    ],
)
def test_a_parameter_out_of_its_type_or_bounds_is_a_400_naming_it(api, province_staff, url, params, field):
    response = api(province_staff).get(url, params)
    assert response.status_code == 400, response.content
    assert field in field_errors(response)


def test_the_parameters_are_declared_with_their_types_and_bounds():
    def parameter(path: str, name: str) -> dict:
        return next(p for p in operation("get", path)["parameters"] if p["name"] == name)["schema"]

    assert parameter("/api/v1/review-cases/", "overdue")["type"] == "boolean"
    for path, name in [
        ("/api/v1/review-cases/", "household"),
        ("/api/v1/review-cases/", "campaign"),
        ("/api/v1/review-cases/", "area"),
        ("/api/v1/review-campaigns/", "area"),
        ("/api/v1/assessments/", "household"),
        ("/api/v1/assessments/", "commune"),
        ("/api/v1/assessments/", "province"),
        ("/api/v1/status-changes/", "household"),
        ("/api/v1/imports/", "commune"),
        ("/api/v1/targets/", "area"),
    ]:
        assert parameter(path, name)["type"] == "integer" and parameter(path, name)["minimum"] == 1, (path, name)
    year = parameter("/api/v1/review-cases/", "year")
    assert (year["type"], year["minimum"], year["maximum"]) == ("integer", 2016, datetime.date.today().year + 1)
    month = parameter("/api/v1/review-campaigns/", "month")
    assert (month["type"], month["minimum"], month["maximum"]) == ("integer", 1, 12)
    assert "due_on" in parameter("/api/v1/review-cases/", "ordering")["pattern"]


@pytest.mark.parametrize(("value", "late"), [("true", True), ("false", False)])
def test_the_overdue_flag_is_a_boolean(api, officer_a, story, value, late):
    results = check_get(api(officer_a), "/api/v1/review-cases/", {"overdue": value, "page_size": 100})["results"]
    assert results and all(case["overdue"] is late for case in results)


# --- names of the schema -------------------------------------------------------------------------------------


def test_the_components_of_the_program_api_have_english_ascii_names():
    schema = openapi()
    text = str({path: schema["paths"][path] for path in program_operations("get") | program_operations("post")})
    used = set(re.findall(r"#/components/schemas/([^'\"]+)", text))
    for name in sorted(used):  # and what they refer to
        used |= set(re.findall(r"#/components/schemas/([^'\"]+)", str(schema["components"]["schemas"][name])))
    assert used and all(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name) for name in used), sorted(used)
    operation_ids = [
        op["operationId"] for path in program_operations("get") | program_operations("post")
        for op in schema["paths"][path].values()
    ]  # fmt: skip
    assert all(op_id.isascii() for op_id in operation_ids)


def test_the_main_operations_carry_examples():
    for method, path in [
        ("post", "/api/v1/assessments/"),
        ("post", "/api/v1/review-cases/{id}/meeting/"),
        ("post", "/api/v1/review-cases/{id}/post/"),
        ("post", "/api/v1/review-cases/{id}/recognise/"),
    ]:
        content = operation(method, path)["requestBody"]["content"]["application/json"]
        examples = content.get("examples", {})
        assert examples and all("version" in e["value"] or path == "/api/v1/assessments/" for e in examples.values())
    figures = operation("get", "/api/v1/stats/figures/")["responses"]["200"]["content"]["application/json"]
    assert figures.get("examples")
