"""Methods and rights on every endpoint of the API, read from the URL resolver (a new endpoint is covered without a
new test): a method the endpoint does not have is a 405 naming the ones it has (`Allow`) for a user who may use
the endpoint, and a 403 for anyone else, as before; a method it has is a 403 for every persona without its right
and is let through (no 403, no 405) for every persona with it, so who can do what is unchanged."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from config.permissions import HasRight
from tests.conftest import PERSONAS, forget_cache

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
_GROUP = re.compile(r"\(\?P<\w+>[^)]*\)|<(?:\w+:)?\w+>")  # a regex group or a path converter: an id


def _patterns(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_endpoints() -> dict[str, object]:
    """Every DRF view under /api/, by a URL with `1` for each id (the format-suffix copies left out)."""
    found = {}
    for route, callback in _patterns(get_resolver()):
        view_class = getattr(callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView) or "format>" in route:
            continue
        url = "/" + re.sub(r"[\^$\\]", "", _GROUP.sub("1", route))
        if url.startswith("/api/"):
            found[url] = callback
    return dict(sorted(found.items()))


ENDPOINTS = api_endpoints()


def supported(callback) -> set[str]:
    """The methods the endpoint answers, read from the view's routing, not from the permission under test."""
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a viewset: the methods its route maps to actions
        methods = set(actions)
    else:
        methods = {m for m in callback.cls.http_method_names if m != "head" and hasattr(callback.cls, m)}
    return methods | {"options"} | ({"head"} if "get" in methods else set())


def right_for(callback, method: str) -> str | None:
    rights = getattr(callback.cls, "required_rights", {})
    action = (getattr(callback, "actions", None) or {}).get(method, method)
    return rights.get(f"{action}:{method}", rights.get(action))


def test_the_walk_finds_every_kind_of_endpoint():
    assert {
        "/api/v1/households/",
        "/api/v1/households/1/",
        "/api/v1/households/1/members/",
        "/api/v1/review-cases/1/recognise/",
        "/api/v1/classify/",
        "/api/v1/stats/what-if/",
        "/api/v1/imports/",
        "/api/schema/",
    } <= set(ENDPOINTS)
    assert len(ENDPOINTS) > 40
    assert all(resolve(url).func is callback for url, callback in ENDPOINTS.items())


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_methods_and_rights_of_every_endpoint(url, api, persona, settings):
    settings.API_DOCS_PUBLIC = False
    callback = ENDPOINTS[url]
    allowed = supported(callback)
    checks_rights = HasRight in callback.cls.permission_classes
    open_to_anyone = AllowAny in callback.cls.permission_classes  # the API's sign-in
    rights = set(getattr(callback.cls, "required_rights", {}).values())
    problems = []
    for name in PERSONAS:
        forget_cache()  # each persona's requests counted afresh (the API's sign-in takes 10 a minute per address)
        user = persona(name)
        may_use = not checks_rights or any(user.has_right(right) for right in rights)
        client = api(user)
        for method in METHODS:
            response = getattr(client, method)(url, {}, format="json")
            if method not in allowed:
                expected = 405 if may_use else 403
                if response.status_code != expected:
                    problems.append(f"{name} {method.upper()}: {response.status_code}, not {expected}")
                elif expected == 405 and set(response["Allow"].split(", ")) != {m.upper() for m in allowed}:
                    problems.append(f"{name} {method.upper()}: Allow {response['Allow']}")
                continue
            right = right_for(callback, method) if checks_rights else None
            holds = not checks_rights or (right is not None and user.has_right(right))
            if holds == (response.status_code in (403, 405)):
                problems.append(f"{name} {method.upper()}: {response.status_code} (holds the right: {holds})")
        anonymous = getattr(api(None), "delete" if "delete" not in allowed else "put")(url)
        expected = 405 if open_to_anyone else 401
        if url.startswith("/api/v1/") and anonymous.status_code != expected:
            problems.append(f"anonymous: {anonymous.status_code}, not {expected}")
    assert problems == []


def test_a_delete_on_a_read_only_list_and_a_get_on_an_action(api, admin_user, outsider, officer_a, chair_a):
    """The two cases of the issue, by hand: a 405 with `Allow` for whoever may use the endpoint, a 403 otherwise;
    a method the endpoint has stays a 403 without its right."""
    response = api(officer_a).delete("/api/v1/standards/")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD, OPTIONS")
    assert api(outsider).delete("/api/v1/standards/").status_code == 403
    assert api(None).delete("/api/v1/standards/").status_code == 401
    response = api(admin_user).put("/api/v1/households/1/members/", {}, format="json")
    assert (response.status_code, response["Allow"]) == (405, "GET, POST, HEAD, OPTIONS")
    assert api(chair_a).post("/api/v1/households/", {}, format="json").status_code == 403  # no household.create
    assert api(chair_a).put("/api/v1/households/1/members/", {}, format="json").status_code == 405  # she may read them
