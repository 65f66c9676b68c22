"""Officer B sees nothing of commune A: through every model's `visible_to`, every list of the API, every read of the
API that takes an area (reports, statistics) and every changelist of the admin. The lists are read from the
registries (the models, the URL resolver, the OpenAPI schema, the admin site), so a new model, endpoint or admin is
covered without a new test.

"Of commune A" is read from the data, not from the scope under test: a row is commune A's when a chain of foreign
keys leads from it to an area within commune A (its commune, its household's, its case's campaign's, its
officer's...), unless every signed-in account may see it (official communes are public). Each walk also proves it
is not vacuous: the fixture holds rows of commune A for every scoped model, and an account in charge of A sees
them through the same door.
"""

import datetime
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIRequestFactory

from households.models import Area, Household, User
from tests.commune_rows import area_lookups, fill_commune
from tests.programs.review_helpers import TODAY, make_poor

pytestmark = pytest.mark.django_db
D = datetime.date
IN_CHARGE_OF_A = ("officer_a", "chair_a", "district_staff", "province_staff", "admin_user", "superuser")


@pytest.fixture
def commune_a_data(
    household_a, officer_a, chair_a, officer_b, district_staff, province_staff, admin_user, commune_a
) -> Household:
    """A row of every kind in commune A, made by the services where they exist: a household with members and a
    village, its status history, the 2026 review (campaign, case, survey, complaint) and its reminders, a target,
    a report, an Excel upload, a support delivered (with its follow-ups), a loan with a repayment, a budget, and
    a read of the household in the access log."""
    household = make_poor(household_a, admin_user)
    fill_commune(household, officer=officer_a, chair=chair_a, manager=province_staff)
    return household


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(username="sieuquantri", password="pw-sieuquantri")


# --- what belongs to commune A ---------------------------------------------------------------------------------


def scoped(model: type[Model]) -> bool:
    return callable(getattr(getattr(model, "objects", None), "visible_to", None))


def linked_to_a(model: type[Model], commune_a: Area) -> QuerySet:
    """The rows of `model` that lead to an area within commune A."""
    within = Area.objects.within(commune_a).values("pk")
    linked = Q(pk__in=[])
    for lookup in area_lookups(model):
        linked |= Q(**{f"{lookup}__in" if lookup else "pk__in": within})
    return model._default_manager.filter(linked)


def rows_of_a(model: type[Model], commune_a: Area, everyone: User) -> tuple[QuerySet, str]:
    """The rows of commune A that an account of another commune must not see (those that lead to an area within
    A, less those every signed-in account sees), and why there are none, if there are none."""
    linked = linked_to_a(model, commune_a)
    if not linked.exists():
        return linked, "the fixture has no row of commune A" if any(area_lookups(model)) else ""
    if not scoped(model):
        return linked, ""
    private = linked.exclude(pk__in=model.objects.visible_to(everyone).values("pk"))
    return private, "" if private.exists() else "every signed-in account sees the rows of commune A"


def label(model: type[Model]) -> str:
    return model._meta.label


def deactivated(user: User) -> User:
    User.objects.filter(pk=user.pk).update(is_active=False)
    return User.objects.get(pk=user.pk)


# --- (a) every model with visible_to ---------------------------------------------------------------------------

SCOPED_MODELS = sorted((m for m in apps.get_models() if scoped(m)), key=label)


def test_the_walk_finds_the_scoped_models():
    assert {label(m) for m in SCOPED_MODELS} >= {
        "households.Area",
        "households.Household",
        "households.AuditEntry",
        "programs.Assessment",
        "programs.ReviewCase",
        "programs.Notification",
        "support.SupportRecord",
        "support.BudgetAllocation",
    }


def test_no_model_shows_officer_b_a_row_of_commune_a(commune_a_data, commune_a, persona, officer_b, outsider):
    problems = []
    for model in SCOPED_MODELS:
        of_a, missing = rows_of_a(model, commune_a, outsider)
        if not of_a.exists():
            problems.append(f"{label(model)}: {missing or 'no area'}")
            continue
        if not any(model.objects.visible_to(persona(who)).filter(pk__in=of_a).exists() for who in IN_CHARGE_OF_A):
            problems.append(f"{label(model)}: nobody in charge of commune A sees its rows")
        leaked = model.objects.visible_to(officer_b).filter(pk__in=of_a)
        if leaked.exists():
            problems.append(f"{label(model)}: officer B sees {list(leaked.values_list('pk', flat=True))}")
    assert not problems, "\n".join(problems)


def test_no_model_shows_anything_to_an_inactive_account_or_nobody(commune_a_data, officer_a, admin_user, superuser):
    accounts = [AnonymousUser(), None, deactivated(officer_a), deactivated(admin_user), deactivated(superuser)]
    seen = [(label(m), str(u)) for m in SCOPED_MODELS for u in accounts if m.objects.visible_to(u).exists()]
    assert seen == []


# --- (b) every list of the API ---------------------------------------------------------------------------------


def url_patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            yield route, pattern


def api_lists() -> list[tuple[str, object]]:
    """The list routes of the viewsets under /api/v1/ (no path argument, GET -> list), as (url, view)."""
    found = {}
    for route, pattern in url_patterns():
        actions = getattr(pattern.callback, "actions", None) or {}
        if actions.get("get") != "list" or "(?P<" in route or "<" in route:
            continue
        url = "/" + re.sub(r"[\^$]", "", route).replace("\\", "")
        if url.startswith("/api/v1/"):
            found[url] = pattern.callback
    return sorted(found.items())


API_LISTS = api_lists()


def view_queryset(callback, url: str, user: User) -> QuerySet | None:
    """The viewset's own queryset for the user (its get_queryset, before any filter); None without one."""
    view = callback.cls(**callback.initkwargs)
    view.action_map, view.action, view.args, view.kwargs, view.format_kwarg = callback.actions, "list", (), {}, None
    view.request = view.initialize_request(APIRequestFactory().get(url))
    view.request.user = user
    try:
        return view.get_queryset()
    except AssertionError:  # a list computed by the view (a report), with no queryset of rows
        return None


def test_the_walk_finds_the_api_lists():
    urls = {url for url, _ in API_LISTS}
    assert {"/api/v1/households/", "/api/v1/review-cases/", "/api/v1/loans/", "/api/v1/imports/"} <= urls
    assert all(resolve(url).func is callback for url, callback in API_LISTS)


def test_no_api_list_shows_officer_b_a_row_of_commune_a(commune_a_data, commune_a, api, persona, officer_b, outsider):
    problems, covered = [], []
    for url, callback in API_LISTS:
        queryset = view_queryset(callback, url, officer_b)
        if queryset is None:
            continue
        of_a, missing = rows_of_a(queryset.model, commune_a, outsider)
        if missing:
            problems.append(f"{url}: {label(queryset.model)}: {missing}")
        if not of_a.exists():
            continue  # national reference data, with no area (standards, intervention types)
        covered.append(url)
        if queryset.filter(pk__in=of_a).exists():
            problems.append(f"{url}: the queryset of officer B holds rows of commune A")
        response = api(officer_b).get(url)
        if response.status_code == 200:
            listed = {row["id"] for row in response.json()["results"]}
            if listed & set(of_a.values_list("pk", flat=True)):
                problems.append(f"{url}: officer B is listed rows of commune A")
        elif response.status_code != 403:
            problems.append(f"{url}: {response.status_code} for officer B")
        if not any(
            api(persona(who)).get(url).status_code == 200
            and view_queryset(callback, url, persona(who)).filter(pk__in=of_a).exists()
            for who in IN_CHARGE_OF_A
        ):
            problems.append(f"{url}: nobody in charge of commune A is listed its rows")
    assert not problems, "\n".join(problems)
    assert len(covered) >= 10, covered


def area_reads() -> list[tuple[str, str, bool, dict[str, str]]]:
    """Every GET of /api/v1/ without a path id that takes an area (`area` or `commune`) in its query, read from the
    OpenAPI schema: the reports and statistics a view computes, and the lists filtered by an area. With the query
    parameters each requires (a year, a standard)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    filled = {"year": str(TODAY.year - 1), "standard": "VN-2027", "indicator": "housing_quality"}
    reads = []
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path or not path.startswith("/api/v1/"):
            continue
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        key = "area" if "area" in query else "commune" if "commune" in query else None
        if key is None:
            continue
        required = {name: filled[name] for name, p in query.items() if p.get("required") and name != key}
        by_code = query[key].get("schema", {}).get("type") == "string"  # the what-if names an area by its code
        reads.append((path, key, by_code, required))
    return sorted(reads)


AREA_READS = area_reads()


def test_the_walk_finds_the_reads_by_area():
    paths = {path for path, *_ in AREA_READS}
    assert {"/api/v1/stats/figures/", "/api/v1/support-targeting/", "/api/v1/review-campaigns/progress/"} <= paths


def test_no_read_by_area_gives_officer_b_commune_a(commune_a_data, commune_a, api, persona, officer_b):
    """Asked for commune A, officer B gets a refusal, or a list with nothing in it; province staff, in charge of A,
    get an answer (so the refusal is about the area, not the query)."""
    problems = []
    for path, key, by_code, required in AREA_READS:
        query = {key: commune_a.code if by_code else str(commune_a.pk), **required}
        response = api(officer_b).get(path, query)
        body = response.json() if response["Content-Type"].startswith("application/json") else None
        listed = body.get("results") if isinstance(body, dict) else None
        if response.status_code == 200 and listed != []:
            problems.append(f"{path}: officer B got an answer for commune A")
        elif response.status_code not in (200, 400, 403, 404):
            problems.append(f"{path}: {response.status_code} for officer B")
        answer = api(persona("province_staff")).get(path, query)
        if answer.status_code != 200:
            problems.append(f"{path}: {answer.status_code} for province staff ({answer.content[:200]!r})")
    assert not problems, "\n".join(problems)


# --- (c) every changelist of the admin -------------------------------------------------------------------------

ADMINS = sorted(admin.site._registry.items(), key=lambda item: label(item[0]))


def changelist(user: User, model: type[Model]) -> tuple[int, QuerySet | None]:
    """The status of the changelist for the user, and every row it lists (all pages, after its filters)."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    if response.status_code != 200:
        return response.status_code, None
    return 200, response.context["cl"].queryset


def test_the_walk_finds_the_admins():
    assert {label(m) for m, _ in ADMINS} >= {"households.Household", "programs.ReviewCase", "support.Loan"}


def test_no_changelist_shows_officer_b_a_row_of_commune_a(commune_a_data, commune_a, persona, officer_b, outsider):
    problems, covered = [], []
    for model, _ in ADMINS:
        of_a, missing = rows_of_a(model, commune_a, outsider)
        if missing:
            problems.append(f"{label(model)}: {missing}")
        if not of_a.exists():
            continue  # national reference data, with no area (ethnic groups, standards, intervention types)
        covered.append(label(model))
        status, rows = changelist(officer_b, model)
        if status == 200 and rows.filter(pk__in=of_a).exists():
            problems.append(f"{label(model)}: officer B's changelist lists rows of commune A")
        elif status not in (200, 403):
            problems.append(f"{label(model)}: {status} for officer B")
        if not any(
            (seen := changelist(persona(who), model))[0] == 200 and seen[1].filter(pk__in=of_a).exists()
            for who in IN_CHARGE_OF_A
        ):
            problems.append(f"{label(model)}: nobody in charge of commune A sees its rows in the changelist")
    assert not problems, "\n".join(problems)
    assert len(covered) >= 12, covered
