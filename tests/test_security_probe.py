"""The security probe of issue 12 (bench/security_probe.py), run in-process through Django's test client on a world
seeded for it (bench/security_world.py: communes A and B of one province, X of another, data marked per area).

The whole probe runs once for the module, inside a transaction rolled back at the end: every API operation of the
schema × every persona (and a caller without a sign-in), every admin page and document with own and foreign ids,
the hostile bodies sampled (the deep and non-finite ones on every JSON endpoint), the forged upload, the decisions,
the brute force and the flood. Each test reads its part of the answers. The probe's own checks are shown to find
what they look for: a leak, a 500 and a write outside the charge planted on purpose.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from bench.security_plan import Probe, api_operations
from bench.security_probe import (
    MEMORY_LIMIT,
    PUBLIC,
    InProcess,
    Run,
    check_writes,
    probe_all,
    probe_throttle,
)
from bench.security_world import MATRIX, seed
from households.models import AuditEntry, Household, HouseholdQuerySet
from households.services import log_action

pytestmark = pytest.mark.django_db  # each test in its own transaction, within the module's (rolled back at its end)
PERSONAS = (*MATRIX, "anonymous")
IN_CHARGE = ("officer_a", "officer_b", "officer_x", "chair_a", "district_a", "province", "admin", "superuser")


@pytest.fixture(scope="module")
def probed(django_db_setup, django_db_blocker):
    """The probe's run (its results, measures and notes) and its world, both read inside the transaction."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    # The matrix is no flood: without rates the throttles let every request reach the checks it probes (the flood
    # is probed on its own, with rates, by test_a_flood_of_requests_is_throttled).
    unthrottled = override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": NO_RATES})
    with django_db_blocker.unblock(), fast, unthrottled, transaction.atomic():
        world = seed()
        run = probe_all(InProcess(), world, fraction=0, fuzzers=1, forged_megabytes=1, attempts=30, throttle_requests=0)
        yield run, {(op.method, op.route) for op in api_operations(run.schema)}
        transaction.set_rollback(True)


API_LOGIN = "/api/v1/auth/login/"
NO_RATES = {"anon": None, "user": None, "login": None}


def findings(results) -> str:
    return "\n".join(f"{r.outcome} {r.persona} {r.method} {r.path} {r.variant} {r.status} {r.why}" for r in results)


# --- the matrix --------------------------------------------------------------------------------------------------


def test_every_operation_of_the_schema_is_tried_by_every_persona(probed):
    run, operations = probed
    tried = {
        (r.method, r.route, r.persona)
        for r in run.results
        if r.category in ("api-read", "api-write", "anonymous") and r.route.startswith("/api/")
    }
    missing = {(m, route, p) for m, route in operations for p in PERSONAS} - tried
    assert len(operations) > 70
    assert not missing, sorted(missing)[:20]


def test_every_admin_page_is_tried_with_own_and_foreign_ids(probed):
    run, _ = probed
    admin = [r for r in run.results if r.category == "admin"]
    models = {r.route.split(":")[0] for r in admin if ":" in r.route}
    assert {"households.Household", "programs.ReviewCase", "support.Loan", "programs.StatusChange"} <= models
    for model in models:  # each admin by each persona, and its pages with another area's ids
        assert {r.persona for r in admin if r.route.startswith(model + ":")} >= set(MATRIX), model
    change_pages = [r for r in admin if r.route.endswith(": <path:object_id>/change/") and r.method == "GET"]
    assert any(r.variant.startswith("other:") for r in change_pages)
    assert any(r.variant == "own" for r in change_pages)
    assert any(r.route.startswith("autocomplete ") for r in admin)
    assert any("/posting-list/" in r.path for r in run.results if r.category == "pages")


def test_no_answer_is_a_500_a_leak_or_a_breach(probed):
    run, _ = probed
    failing = [r for r in run.results if r.outcome in ("500", "leak", "breach")]
    assert not failing, findings(failing[:30])


def test_the_leak_check_sees_each_personas_own_data(probed):
    """Not vacuous: everyone in charge of an area is shown its households' values (codes, names, national IDs)
    by the API and by the admin, in the answers the leak check reads."""
    run, _ = probed
    for persona in IN_CHARGE:
        for category in ("api-read", "admin"):
            seen = sum(r.seen for r in run.results if r.persona == persona and r.category == category)
            assert seen > 0, (persona, category)
    assert not any(r.seen for r in run.results if r.persona in ("outsider", "anonymous"))


def test_a_caller_without_a_sign_in_gets_no_data(probed):
    run, _ = probed
    anonymous = [r for r in run.results if r.category == "anonymous"]
    assert len({r.route for r in anonymous}) > 100
    answered = {r.path for r in anonymous if 200 <= r.status < 300}
    assert all(path.startswith(PUBLIC) for path in answered), answered
    api = [r for r in anonymous if r.route.startswith("/api/v1/") and r.route != API_LOGIN]
    assert {r.status for r in api} <= {401, 404}
    # the API's sign-in is open to anyone: wrong names and bodies are refused, and the address ends up locked
    assert {r.status for r in anonymous if r.route == API_LOGIN} <= {400, 405, 413, 415, 429}
    admin_pages = [r for r in anonymous if r.path.startswith("/admin/") and not r.path.startswith(PUBLIC)]
    assert admin_pages and all(r.outcome == "refused" for r in admin_pages), findings(admin_pages)


# --- the hostile bodies ----------------------------------------------------------------------------------------


def test_deep_and_non_finite_json_is_a_400_on_every_json_endpoint(probed):
    """Every write of the API that takes JSON, sent by a persona who gets past its permission check, answers a body
    nested 100,000 deep and one with 1e309 with a 400; and every kind of hostile body was sent somewhere."""
    run, _ = probed
    hostile = [r for r in run.results if r.category == "api-hostile"]
    for kind in ("deep-arrays", "1e309"):
        answers = {(r.method, r.route): r.status for r in hostile if r.variant == kind}
        assert len(answers) >= 30, kind
        assert set(answers.values()) == {400}, {k: v for k, v in answers.items() if v != 400}
    kinds = {r.variant for r in hostile}
    assert {"nan", "huge-strings", "huge-array", "oversize", "wrong-types", "negative-money", "foreign-ids"} <= kinds
    assert {r.status for r in hostile if r.variant == "oversize"} == {413}


# --- the specific probes ---------------------------------------------------------------------------------------


def test_a_forged_xlsx_is_refused_by_both_doors_within_bounded_memory(probed):
    run, _ = probed
    uploads = [r for r in run.results if r.category == "forged-zip"]
    assert [(r.path, r.status, r.outcome) for r in uploads] == [
        ("/api/v1/imports/", 400, "refused"),
        ("/admin/programs/importbatch/upload/", 200, "ok"),  # the form again, with the reason
    ]
    for door in ("api", "admin"):
        growth = run.measures[f"forged_zip_{door}_peak_growth_mb"]
        assert growth is None or growth * 2**20 < MEMORY_LIMIT


def test_no_one_but_the_chair_of_the_commune_decides_a_status(probed):
    run, _ = probed
    decisions = {(r.persona, r.path, r.variant): r.status for r in run.results if r.category == "decisions"}
    for persona in ("superuser", "admin"):
        assert decisions[persona, "/api/v1/status-changes/", "decide for A"] == 403
        assert decisions[persona, "/admin/programs/statuschange/add/", "decide for A"] == 403
        recognise = {status for (who, path, _), status in decisions.items() if who == persona and "recognise" in path}
        assert recognise == {403}
    chair_for_b = {status for (who, _, variant), status in decisions.items() if who == "chair_a" and "B" in variant}
    assert chair_for_b <= {200, 400, 403, 404} and 404 in chair_for_b  # 200: the admin's form again, with errors
    assert decisions["chair_a", "/api/v1/status-changes/", "control: the chair of A decides for A"] == 201
    decided = [r for r in run.results if r.category == "writes" and r.variant == "decision"]
    assert decided and all(r.outcome == "ok" for r in decided)  # the control, and any the matrix made


def test_the_schema_the_docs_and_the_health_check_say_nothing_to_strangers(probed):
    run, _ = probed
    answers = {(r.persona, r.path.split("?")[0]): r for r in run.results if r.category == "docs-health"}
    assert answers["anonymous", "/api/schema/"].status == 401
    assert answers["anonymous", "/api/docs/"].status == 302
    assert answers["admin", "/api/schema/"].status == 200
    health = [r for (persona, path), r in answers.items() if path == "/healthz"]
    assert len(health) == 4 and all(r.status == 200 and r.outcome == "ok" for r in health)


def test_thirty_wrong_passwords_lock_the_account(probed):
    run, _ = probed
    assert run.measures["brute_force_/admin/login/"]["opened"] is False
    assert not [r for r in run.results if r.category == "brute-force" and r.outcome == "weakness"]


def test_a_flood_of_requests_is_throttled(probed, settings):
    probed_run, _ = probed
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "30/min", "user": "50/min", "login": "10/min"},
    }
    run = Run(InProcess(), probed_run.world, ["officer_a", "anonymous"])
    probe_throttle(run, probed_run.schema, 60)
    assert not [r for r in run.notes + [f.why for f in run.results] if "no 429" in r]
    assert run.measures["throttle_officer_a_/api/v1/areas/"] == {200: 50, 429: 1}
    assert run.measures["throttle_anonymous_/api/v1/auth/login/"].get(429) == 1


# --- the probe finds what it looks for -------------------------------------------------------------------------


@pytest.fixture
def world(probed):
    """The probe's world, for a test that changes it (its transaction is rolled back after it)."""
    return probed[0].world


def test_the_probe_finds_a_planted_leak_in_the_api_and_the_admin(world, monkeypatch):
    monkeypatch.setattr(HouseholdQuerySet, "_visible_rows", lambda self, user: self)  # every household to everyone
    run = Run(InProcess(), world, ["officer_a"])
    household_b = Household.objects.filter(commune=world.areas["B"]).order_by("pk").first()
    for path in ("/api/v1/households/", f"/api/v1/households/{household_b.pk}/", "/admin/households/household/"):
        run.send(Probe("api-read", "officer_a", "GET", path, path))
    assert [(r.outcome, r.why.split(":")[0]) for r in run.results] == [
        ("leak", "values of B, X outside the charge"),
        ("leak", "values of B outside the charge"),
        ("leak", "values of B, X outside the charge"),
    ]
    clean = Run(InProcess(), world, ["officer_b"]).send(Probe("api-read", "officer_b", "GET", "/api/v1/", "/api/v1/"))
    assert clean[1].outcome == "ok"


def test_the_probe_finds_a_planted_500(world, monkeypatch):
    from households.api import HouseholdViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(HouseholdViewSet, "list", broken)
    _, result = Run(InProcess(), world, ["officer_a"]).send(
        Probe("api-read", "officer_a", "GET", "/api/v1/households/", "/api/v1/households/")
    )
    # The API answers its error envelope and logs the exception (config.errors): the probe quotes the answer.
    assert (result.status, result.outcome) == (500, "500") and '"code":"server_error"' in result.why


def test_the_probe_finds_a_write_outside_the_charge(world):
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    household_b = Household.objects.filter(commune=world.areas["B"]).order_by("pk").first()
    log_action(actor=world.personas["officer_a"].user, action="test.planted", obj=household_b, household=household_b)
    run = Run(InProcess(), world, ["officer_a"])
    check_writes(run, since, 10**9)
    assert [(r.persona, r.outcome) for r in run.results] == [("officer_a", "breach")]
    assert run.results[0].why == f"wrote on household {household_b.pk}, outside the charge"
