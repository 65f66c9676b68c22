"""What the security probe sends (bench/security_probe.py): every request of the matrix, read from the registries.

- The API from its OpenAPI schema: every path × method × persona, with the persona's own ids and other areas' ids in
  the path and in the filters (`commune=`, `household=`…), and on write methods a plausible body built from the
  request schema with own and foreign ids in it; then hostile bodies (deep nesting, 1e309 and NaN, huge strings and
  arrays, wrong types, unknown fields, negative and overflowing money, a body over the limit).
- The admin from the admin site's registry: every ModelAdmin's changelist (plain and searched for another area's
  names), add page, object pages (change, history, delete and its own, such as a case's moves) with own and
  foreign ids, its actions on foreign rows, a form posted with foreign ids, and the autocomplete of each field.
- The other pages from the URL resolver: the review's documents, the health check, the docs, the language switch.

A request names at most one object outside the persona's charge in its path (`Probe.foreign`): a 2xx on it is a
leak (a read) or a breach (a write), whatever the body says.
"""

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.db.models import ForeignKey, Model
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from bench.security_world import AREAS, MARK, Persona, World
from households.models import Area, Household
from programs.review.rules import Move as ReviewMove
from support.rules import RecordMove

HUGE_ID = "99999999999999999999"  # past PostgreSQL's bigint
SKIPPED_QUERY = {"page", "page_size", "ordering", "format"}
FILLED = {"year": "2026", "standard": "VN-2027", "indicator": "housing_quality", "start": "2024", "end": "2026"}
MONEY = re.compile(r"amount|principal|interest|income|cofinancing|value|quantity|point|attendees|agreeing")
AREA_PARAMS = {"area", "commune", "district", "province", "parent", "village", "commune_code", "province_code"}
# The values of the admin's text path parameters, by the admin's model: the moves of a case and of a support.
STR_PARAMS = {
    "programs.ReviewCase": {"move": tuple(ReviewMove)},
    "support.SupportRecord": {"move": tuple(RecordMove)},
}


_CACHE: dict[tuple, Any] = {}


def cached(key: tuple, compute: Callable[[], Any]) -> Any:
    """A value computed once per plan (the plan asks the same of the database for every persona)."""
    if key not in _CACHE:
        _CACHE[key] = compute()
    return _CACHE[key]


def reset_caches() -> None:
    """Forget what the last plan read (a new run may follow a new seed)."""
    _CACHE.clear()


@dataclass(frozen=True)
class Probe:
    category: str  # api-read, api-write, api-hostile, admin, pages
    persona: str
    method: str
    path: str
    route: str  # the template: what coverage and the report count by
    variant: str = "own"
    query: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    content_type: str = ""
    accept: str = ""
    foreign: str = ""  # "households.Household 12 of B": an object outside the persona's charge named in the path
    model: str = ""  # the label of an API view's model: the ids in its answer are checked too

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query) if self.query else "")

    def text(self) -> str:
        """All the request says (for the values it carries itself, which an answer may echo)."""
        return self.url + " " + (self.body or b"")[:20_000].decode("utf-8", "replace")  # no hostile body is marked


# --- models behind names ---------------------------------------------------------------------------------------


def model_named(name: str) -> type[Model] | None:
    """The model a parameter or field names: `household` → Household, `case_id` → ReviewCase, `follow_up_id` →
    SupportFollowUp; areas by any of their levels."""
    if name in AREA_PARAMS:
        return Area
    key = name.removesuffix("_id").replace("_", "")
    models = apps.get_models()
    exact = [m for m in models if m._meta.model_name == key]
    ending = [m for m in models if m._meta.model_name.endswith(key)]
    found = exact or ending
    return found[0] if len(found) == 1 else None


def view_model(path: str, user) -> type[Model] | None:
    """The model of the view behind an API path (its queryset for a user with the country scope)."""
    return cached(("view_model", path), lambda: _view_model(path, user))


def _view_model(path: str, user) -> type[Model] | None:
    try:
        match = resolve(path)
    except Exception:  # noqa: BLE001 - a path the resolver does not know has no model
        return None
    cls = getattr(match.func, "cls", None)
    if cls is None:
        return None
    if getattr(cls, "queryset", None) is not None:
        return cls.queryset.model
    view = cls(**getattr(match.func, "initkwargs", {}))
    view.args, view.kwargs, view.format_kwarg = (), match.kwargs, None
    view.action = (getattr(match.func, "actions", None) or {}).get("get", "list")
    view.request = Request(APIRequestFactory().get(path))
    view.request.user = user
    try:
        return view.get_queryset().model
    except Exception:  # noqa: BLE001 - a view computing its answer (a report) has no queryset
        return None


def area_value(world: World, name: str, area: str) -> str | None:
    """What an area filter takes for an area: its id, or its code, at the level the filter names."""
    commune = world.areas[area]
    if name == "village":
        ids = [pk for pk in world.ids(Area, area) if pk != commune.pk]
        return str(ids[0]) if ids else None
    if name in ("province", "province_code"):
        province = cached(("area", commune.province_id), lambda: Area.objects.get(pk=commune.province_id))
        return province.code if name.endswith("_code") else str(province.pk)
    if name == "district":
        parent = cached(("area", commune.parent_id), lambda: Area.objects.get(pk=commune.parent_id))
        return str(parent.pk) if parent.level == "district" else None
    return commune.code if name.endswith("_code") else str(commune.pk)


def object_id(world: World, model: type[Model] | None, area: str) -> str | None:
    """An id of a row of the area (an area's own: its village; its commune is public)."""
    if model is None:
        return None
    ids = world.ids(model, area)
    return str(ids[0]) if ids else None


def id_choices(world: World, persona: Persona, model: type[Model] | None) -> list[tuple[str, str, str]]:
    """(variant, id, area) for a path id: the persona's own area's (A for the country scope), each other area's,
    and an id past bigint. Area "" is no area (the huge id)."""
    own = [a for a in AREAS if a in persona.scope][:1]
    others = [a for a in AREAS if a not in own]
    choices = [("own", a) for a in own] + [(f"own:{a}" if a in persona.scope else f"other:{a}", a) for a in others]
    found = [(variant, value, area) for variant, area in choices if (value := object_id(world, model, area))]
    if persona.scope == frozenset(AREAS):
        found = found[:1]  # the country scope has no other area
    return [*found, ("huge-id", HUGE_ID, "")]


def foreign_label(model: type[Model] | None, value: str, area: str, persona: Persona) -> str:
    if not area or area in persona.scope or model is None:
        return ""
    return f"{model._meta.label} {value} of {area}"


# --- bodies from the schema ----------------------------------------------------------------------------------------


DEEP_ARRAYS = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECTS = b'{"a": ' * 10_000 + b"1" + b"}" * 10_000
OVERSIZE = b'{"x": "' + b"x" * (3 * 1024 * 1024) + b'"}'  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


class Bodies:
    """Plausible and hostile JSON bodies for an operation, from its request schema."""

    def __init__(self, schema: dict):
        self.components = schema.get("components", {}).get("schemas", {})

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.components[node["$ref"].rsplit("/", 1)[1]]
        if "allOf" in node and len(node["allOf"]) == 1:
            return {**self.resolve(node["allOf"][0]), **{k: v for k, v in node.items() if k != "allOf"}}
        return node

    def value(self, node: dict, name: str, ids: dict[str, str], depth: int = 0) -> Any:
        """A value of the schema `node` for the field `name`, with ids of one area for the fields naming rows."""
        node = self.resolve(node)
        kind = node.get("type")
        if "enum" in node:
            values = [v for v in node["enum"] if v not in ("", None)]
            return values[0] if values else ""
        if kind == "object" or "properties" in node:
            if depth > 3:
                return {}
            return {key: self.value(sub, key, ids, depth + 1) for key, sub in node.get("properties", {}).items()}
        if kind == "array":
            return [self.value(node.get("items", {}), name, ids, depth + 1)] if depth <= 3 else []
        if kind == "integer":
            if name in ids:
                return int(ids[name])
            if "year" in name:
                return 2026
            if "version" in name:
                return 1
            return 1_000_000 if MONEY.search(name) else 1
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        if node.get("format") == "date":
            return "2026-11-25"
        if node.get("format") == "date-time":
            return "2026-11-25T08:00:00+07:00"
        return "01" if name == "ethnicity" else "thăm dò"

    def request_schema(self, operation: dict) -> dict | None:
        found = operation.get("requestBody", {}).get("content", {}).get("application/json")
        return self.resolve(found["schema"]) if found else None

    def plausible(self, operation: dict, ids: dict[str, str]) -> Any:
        schema = self.request_schema(operation)
        return None if schema is None else self.value(schema, "", ids)

    def hostile_bodies(self, operation: dict, ids: dict[str, str], foreign_ids: dict[str, str]) -> list:
        """`hostile`, built once for each operation and ids (the bodies are large: the personas share them)."""
        key = ("hostile", id(operation), tuple(sorted(ids.items())), tuple(sorted(foreign_ids.items())))
        return cached(key, lambda: list(self.hostile(operation, ids, foreign_ids)))

    def field_names(self, node: dict, depth: int = 0) -> Iterator[str]:
        node = self.resolve(node)
        for key, sub in node.get("properties", {}).items():
            yield key
            if depth < 3:
                sub = self.resolve(sub)
                yield from self.field_names(sub.get("items", sub), depth + 1)

    def hostile(self, operation: dict, ids: dict[str, str], foreign_ids: dict[str, str]) -> Iterator[tuple[str, bytes]]:
        """(kind, body) of every hostile body for a JSON operation."""
        good = self.plausible(operation, ids)
        if good is None:
            return
        yield "deep-arrays", DEEP_ARRAYS
        yield "deep-objects", DEEP_OBJECTS
        numbered = _walk(good, _numbers("__NUMBER__"))
        if isinstance(numbered, dict) and "__NUMBER__" not in json.dumps(numbered):
            numbered["probe"] = "__NUMBER__"  # a body without a number gets one: the parser reads it all
        yield "1e309", _dumps(numbered).replace(b'"__NUMBER__"', b"1e309")
        yield "nan", _dumps(numbered).replace(b'"__NUMBER__"', b"NaN")
        yield "huge-strings", _dumps(_walk(good, lambda v, k: "Đ" * 50_000 if isinstance(v, str) else v))
        yield "huge-array", _dumps(_grow(good, 5_000)) if _has_array(good) else b"[" + b"0," * 300_000 + b"0]"
        yield "oversize", OVERSIZE
        yield "wrong-types", _dumps(_walk(good, _wrong_type))
        yield "top-level-list", b'[{"id": 1}]'
        extra = {"id": 1, "pk": 1, "is_superuser": True, "status": "poor", "recorded_by": 1, "actor": 1}
        yield "unknown-fields", _dumps({**good, **extra} if isinstance(good, dict) else good)
        yield "negative-money", _dumps(_walk(good, _money(-1)))
        yield "overflow-money", _dumps(_walk(good, _money(10**30)))
        if foreign_ids:
            yield "foreign-ids", _dumps(self.plausible(operation, foreign_ids))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _walk(value: Any, leaf: Callable[[Any, str], Any], key: str = "") -> Any:
    """`value` with each leaf replaced by `leaf(the leaf, the key it sits under)`."""
    if isinstance(value, dict):
        return {k: _walk(v, leaf, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, leaf, key) for v in value]
    return leaf(value, key)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(token: str) -> Callable[[Any, str], Any]:
    return lambda v, k: token if _is_number(v) else v


def _money(amount: int) -> Callable[[Any, str], Any]:
    return lambda v, k: amount if _is_number(v) and MONEY.search(k) else v


def _wrong_type(value: Any, key: str) -> Any:
    if isinstance(value, bool):
        return "có"
    if _is_number(value):
        return {"$gt": ""}
    if isinstance(value, str):
        return [value, {"a": 1}]
    return 1


def _has_array(value: Any) -> bool:
    if isinstance(value, list):
        return True
    return isinstance(value, dict) and any(_has_array(v) for v in value.values())


def _grow(value: Any, times: int) -> Any:
    if isinstance(value, list):
        return (value or [0]) * times
    if isinstance(value, dict):
        return {k: _grow(v, times) for k, v in value.items()}
    return value


# --- the API -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str
    route: str
    spec: dict

    @property
    def query_params(self) -> dict[str, dict]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == "query"}

    @property
    def json_body(self) -> bool:
        return "application/json" in self.spec.get("requestBody", {}).get("content", {})


def api_operations(schema: dict) -> list[Operation]:
    return [
        Operation(method.upper(), route, spec)
        for route, operations in sorted(schema["paths"].items())
        for method, spec in operations.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def path_models(route: str, admin_user) -> dict[str, type[Model] | None]:
    """The model of each path parameter: `id` is the view's, `member_id` a Member..."""
    sample_path = re.sub(r"{\w+}", "1", route)
    return cached(
        ("path_models", route),
        lambda: {
            name: view_model(sample_path, admin_user) if name in ("id", "pk") else model_named(name)
            for name in re.findall(r"{(\w+)}", route)
        },
    )


def path_variants(world: World, persona: Persona, route: str, models: dict) -> list[tuple[str, str, str]]:
    """(variant, path, foreign) of a route for a persona: own ids, each other area's, an id past bigint. A second id
    (a household's member) is taken within the first."""
    names = list(models)
    if not names:
        return [("own", route, "")]
    first = names[0]
    found = []
    for variant, value, area in id_choices(world, persona, models[first]):
        path = route.replace("{" + first + "}", value)
        for name in names[1:]:
            path = path.replace("{" + name + "}", _child_id(models[name], models[first], value) or HUGE_ID)
        found.append((variant, path, foreign_label(models[first], value, area, persona)))
    return found


def _child_id(child: type[Model] | None, parent: type[Model] | None, parent_id: str) -> str | None:
    """The first row of `child` under the row `parent_id` of `parent` (a household's member, a record's follow-up)."""
    return cached(("child", child, parent, parent_id), lambda: _first_child(child, parent, parent_id))


def _first_child(child: type[Model] | None, parent: type[Model] | None, parent_id: str) -> str | None:
    if child is None or parent is None or parent_id == HUGE_ID:
        return None
    links = [f.name for f in child._meta.get_fields() if isinstance(f, ForeignKey) and f.related_model is parent]
    if not links:
        return None
    pk = child._default_manager.filter(**{links[0]: parent_id}).order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


def body_ids(world: World, area: str, spec: dict, bodies: Bodies) -> dict[str, str]:
    """The ids of an area for every field of an operation's body that names a row (household, commune, case...)."""
    return cached(("body_ids", area, id(spec)), lambda: _body_ids(world, area, spec, bodies))


def _body_ids(world: World, area: str, spec: dict, bodies: Bodies) -> dict[str, str]:
    found = {}
    for name in set(bodies.field_names(bodies.request_schema(spec) or {})):
        model = model_named(name)
        value = area_value(world, name, area) if model is Area else object_id(world, model, area)
        if value is not None and value.isdigit():
            found[name] = value
    return found


def api_probes(world: World, persona: Persona, schema: dict, admin_user) -> Iterator[Probe]:
    """Every operation of the schema for a persona, with own and foreign ids in the path, the filters and the body."""
    bodies = Bodies(schema)
    own_area = next((a for a in AREAS if a in persona.scope), "A")
    for op in api_operations(schema):
        models = path_models(op.route, admin_user)
        # the ids of a list's or an object's answer are its view's rows (an action may answer other rows)
        plain = re.fullmatch(r"/api/v1/[\w-]+/({id}/)?", op.route)
        label = view_model(re.sub(r"{\w+}", "1", op.route), admin_user) if plain else None
        base = Probe("api-read" if op.method == "GET" else "api-write", persona.name, op.method, "", op.route)
        base = replace(base, model=label._meta.label if label else "")
        required = tuple((name, FILLED.get(name, "1")) for name, p in op.query_params.items() if p.get("required"))
        for variant, path, foreign in path_variants(world, persona, op.route, models):
            probe = replace(base, path=path, variant=variant, foreign=foreign, query=required)
            if op.method == "GET":
                yield probe
                if variant == "own":
                    yield replace(probe, variant="browsable", accept="text/html")  # DRF's HTML forms list choices
                    yield from _filter_probes(world, persona, probe, op)
                continue
            good = bodies.plausible(op.spec, body_ids(world, own_area, op.spec, bodies))
            content_type = "application/json" if good is not None else ""
            yield replace(probe, body=_dumps(good) if good is not None else b"", content_type=content_type)
            if variant != "own" or good is None:
                continue
            for area in AREAS:
                if area not in persona.scope and (foreign_ids := body_ids(world, area, op.spec, bodies)):
                    body = _dumps(bodies.plausible(op.spec, foreign_ids))
                    yield replace(probe, variant=f"body-ids:{area}", body=body, content_type="application/json")


def _filter_probes(world: World, persona: Persona, probe: Probe, op: Operation) -> Iterator[Probe]:
    """A list asked for other areas' rows by each filter that names a row or an area, searched for their marked
    names, and given a value past bigint (or a long string of quotes) in each filter."""
    for name, param in op.query_params.items():
        if name in SKIPPED_QUERY:
            continue
        model = model_named(name)
        by_code = param.get("schema", {}).get("type") == "string"
        for area in (a for a in AREAS if a not in persona.scope):
            if model is Area:
                value = area_value(world, name, area)
                if value is not None and by_code and not name.endswith("_code"):
                    value = world.areas[area].code
            elif model is not None:
                value = object_id(world, model, area)
            elif name == "q":
                value = f"{MARK}-{area}-"  # every marked name of the area
            else:
                continue
            if value is not None:
                query = tuple((k, v) for k, v in probe.query if k != name) + ((name, value),)
                yield replace(probe, variant=f"filter:{name}={area}", query=query)
        numeric = param.get("schema", {}).get("type") in ("integer", "number") or model is not None
        junk = HUGE_ID if numeric else "'\"<>%00" * 100  # a request line stays within gunicorn's 4 KB
        query = tuple((k, v) for k, v in probe.query if k != name) + ((name, junk),)
        yield replace(probe, variant=f"filter:{name}=junk", query=query)


def hostile_probes(schema: dict, world: World, persona: Persona, admin_user) -> Iterator[Probe]:
    """The hostile bodies of every JSON write operation, sent by a persona to her own objects; first of each, the
    plausible body (whether she gets past the permission check)."""
    bodies = Bodies(schema)
    own_area = next((a for a in AREAS if a in persona.scope), "A")
    foreign_area = next((a for a in AREAS if a not in persona.scope), "")
    for op in api_operations(schema):
        if op.method == "GET" or not op.json_body:
            continue
        path = path_variants(world, persona, op.route, path_models(op.route, admin_user))[0][1]
        ids = body_ids(world, own_area, op.spec, bodies)
        foreign_ids = body_ids(world, foreign_area, op.spec, bodies) if foreign_area else {}
        probe = Probe("api-hostile", persona.name, op.method, path, op.route, content_type="application/json")
        yield replace(probe, variant="plausible", body=_dumps(bodies.plausible(op.spec, ids)))
        for kind, body in bodies.hostile_bodies(op.spec, ids, foreign_ids):
            yield replace(probe, variant=kind, body=body)
        yield replace(probe, variant="text-plain", body=b"{}", content_type="text/plain")


# --- the admin and the other pages -------------------------------------------------------------------------------


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _fill(world: World, persona: Persona, route: str, model: type[Model] | None) -> list[tuple[str, str, str]]:
    """(variant, path, foreign) of a Django route: ids for its int and path converters, values for its str ones."""
    params = [name for _, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)]
    texts = STR_PARAMS.get(model._meta.label, {}) if model else {}
    ids = [name for name in params if name not in texts]
    found = [("own", route, "")]
    if ids:
        owner = model if ids[0] in ("object_id", "id") else model_named(ids[0])
        found = []
        for variant, value, area in id_choices(world, persona, owner):
            path = re.sub(rf"<(?:\w+:)?{ids[0]}>", value, route, count=1)
            for name in ids[1:]:
                path = re.sub(rf"<(?:\w+:)?{name}>", _child_id(model_named(name), owner, value) or HUGE_ID, path)
            found.append((variant, path, foreign_label(owner, value, area, persona)))
    for name, values in texts.items():
        found = [
            (f"{variant}:{value}", re.sub(rf"<(?:\w+:)?{name}>", str(value), path), foreign)
            for variant, path, foreign in found
            for value in values
        ]
    return found


def admin_probes(world: World, persona: Persona) -> Iterator[Probe]:
    """Every page of every registered ModelAdmin (its own URLs included), with own and foreign ids; its actions
    on foreign rows and its forms posted with foreign ids; and the autocomplete of each of its fields."""
    form = "application/x-www-form-urlencoded"
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        label = model._meta.label
        for pattern in model_admin.get_urls():
            route, kind = prefix + str(pattern.pattern), str(pattern.pattern)
            if "(?P<" in route or route.endswith("<path:url>"):
                continue
            template = f"{label}: {kind}"
            for variant, path, foreign in _fill(world, persona, route, model):
                yield Probe("admin", persona.name, "GET", path, template, variant, foreign=foreign)
                if kind.endswith("/delete/") and foreign:
                    yield Probe(
                        "admin",
                        persona.name,
                        "POST",
                        path,
                        template,
                        variant,
                        body=b"post=yes",
                        content_type=form,
                        foreign=foreign,
                    )
                elif kind.endswith("/change/") or "/move/" in kind:
                    yield _form_post(world, persona, model, path, template, variant, foreign)
            if kind == "":
                yield from _changelist_probes(world, persona, model, model_admin, route, template)
            if kind == "add/":
                yield _form_post(world, persona, model, route, template, "add", "")
        for field in model_admin.autocomplete_fields:
            for area in AREAS:  # the persona's own areas too: the page answers them (not vacuous)
                query = (
                    ("app_label", model._meta.app_label),
                    ("model_name", model._meta.model_name),
                    ("field_name", field),
                    ("term", f"{MARK}-{area}-"),
                )
                route = f"autocomplete {label}.{field}"
                yield Probe("admin", persona.name, "GET", "/admin/autocomplete/", route, f"term:{area}", query=query)
    for path in ("/admin/", "/admin/households/", "/admin/programs/", "/admin/support/", "/admin/jsi18n/"):
        yield Probe("admin", persona.name, "GET", path, path)


def _changelist_probes(world, persona, model, model_admin, route: str, template: str) -> Iterator[Probe]:
    """The changelist searched for other areas' marked names and codes, and its actions on their rows."""
    for area in (a for a in AREAS if a not in persona.scope):
        households = Household.objects.filter(commune=world.areas[area])
        code = cached(("code", area), lambda rows=households: rows.values_list("code", flat=True).first())
        for term in (f"{MARK}-{area}-", code):
            if term and model_admin.search_fields:
                yield Probe("admin", persona.name, "GET", route, template, f"search:{area}", query=(("q", term),))
        ids = [str(pk) for pk in world.ids(model, area)]
        for action in [*(model_admin.actions or ()), "delete_selected"] if ids else ():
            name = action if isinstance(action, str) else action.__name__
            body = [("action", name), ("index", "0"), ("post", "yes"), ("_submit", "1")]
            body += [("_selected_action", pk) for pk in ids]
            # the changelist answers 200 or 302 whatever happens: the audit log and the markers say what it did
            yield Probe(
                "admin",
                persona.name,
                "POST",
                route,
                template,
                f"action:{name}:{area}",
                body=urlencode(body).encode(),
                content_type="application/x-www-form-urlencoded",
            )


def _form_post(world, persona, model, path: str, template: str, variant: str, foreign: str) -> Probe:
    """The page's form posted with the ids of another area in every field that names a row, and junk elsewhere."""
    area = next((a for a in AREAS if a not in persona.scope), "B")
    data: list[tuple[str, str]] = []
    for field in model._meta.concrete_fields:
        if field.primary_key or not field.editable:
            continue
        related = field.related_model
        if related is Area:
            data.append((field.name, str(world.areas[area].pk)))
        elif related is not None:
            data.append((field.name, object_id(world, related, area) or HUGE_ID))
        else:
            data.append((field.name, "-1" if field.get_internal_type().endswith("IntegerField") else "x" * 300))
    data += [("version", "1"), ("household", object_id(world, Household, area) or HUGE_ID), ("_save", "1")]
    return Probe(
        "admin",
        persona.name,
        "POST",
        path,
        template,
        f"{variant}:form-ids:{area}",
        foreign=foreign,
        body=urlencode(data).encode(),
        content_type="application/x-www-form-urlencoded",
    )


def page_probes(world: World, persona: Persona) -> Iterator[Probe]:
    """The pages outside the admin and the API's routers: the review's documents, health, docs, language."""
    for route in _patterns(get_resolver()):
        # the schema is the docs probe's (a second of work for each request, and no data)
        if route.startswith(("admin/", "api/v1/", "^api/v1/", "api/schema/")) or "(?P<" in route:
            continue
        for variant, path, foreign in _fill(world, persona, "/" + route, None):
            yield Probe("pages", persona.name, "GET", path, "/" + route, variant, foreign=foreign)
    yield Probe(
        "pages",
        persona.name,
        "POST",
        "/i18n/setlang/",
        "/i18n/setlang/",
        "language",
        body=b"language=en",
        content_type="application/x-www-form-urlencoded",
    )


def multipart(fields: dict[str, Any]) -> tuple[bytes, str]:
    return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT


# --- a sample, for the test suite --------------------------------------------------------------------------------

ALWAYS_HOSTILE = ("deep-arrays", "1e309")  # sent to every JSON endpoint even in a sample


def coverage(probe: Probe) -> list[tuple]:
    """What a sample must cover at least once: every API and other page's route × method × persona; every admin
    route × method with an own and a foreign id, and every admin × persona; every JSON write and every kind of
    hostile body, and the deep and non-finite bodies on every JSON write."""
    if probe.category == "admin":
        return [
            ("admin", probe.route, probe.method, bool(probe.foreign)),
            ("admin", probe.route.split(":")[0], probe.persona),
        ]
    if probe.category == "api-hostile":
        always = [(probe.route, probe.method, probe.variant)] if probe.variant in ALWAYS_HOSTILE else []
        return [("api-hostile", probe.route, probe.method), ("api-hostile", probe.variant), *always]
    return [(probe.category, probe.route, probe.method, probe.persona)]


def sample(probes: list[Probe], fraction: float = 0.0, seed: int = 12) -> list[Probe]:
    """The probes that cover something not yet covered (`coverage`), taken in an order shuffled the same way each
    run, and a fraction of the rest; in the planned order."""
    shuffled = list(probes)
    random.Random(seed).shuffle(shuffled)
    seen: set[tuple] = set()
    kept, rest = [], []
    for probe in shuffled:
        keys = coverage(probe)
        (rest if seen.issuperset(keys) else kept).append(probe)
        seen.update(keys)
    step = round(1 / fraction) if fraction > 0 else 0
    chosen = set(map(id, kept + (rest[::step] if step else [])))
    return [probe for probe in probes if id(probe) in chosen]
