"""The published OpenAPI schema as a judge of real answers: a response that does not match the schema of its
operation fails the test, as it would crash a client generated from the schema.

The schema is generated in-process (drf-spectacular), turned from OpenAPI 3.0 into JSON Schema (`nullable` becomes a
`null` type) and made strict: an object may carry only the properties it declares, so a field the server adds
without documenting it fails too.
"""

import copy
import functools
import json
import re
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator, FormatChecker

_NULL = {"type": "null"}


@functools.cache
def openapi() -> dict[str, Any]:
    """The schema as `/api/schema/` serves it, as plain JSON."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def _strict(node: Any) -> Any:
    """OpenAPI 3.0 to JSON Schema: `nullable` as a null type; objects closed to undeclared properties."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        elif "type" not in node:
            node = {"anyOf": [node, _NULL]}
    return node


@functools.cache
def _components() -> dict[str, Any]:
    return _strict(openapi()["components"])


def operation(path: str, method: str = "get") -> dict[str, Any]:
    return openapi()["paths"][path][method.lower()]


def template_of(url: str) -> str:
    """The schema's path for a URL: `/api/v1/households/12/` is `/api/v1/households/{id}/`."""
    path = url.split("?", 1)[0]
    for template in sorted(openapi()["paths"], key=lambda t: t.count("{")):  # `/progress/` before `/{id}/`
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the schema")


def problems(response: Any, method: str = "get") -> list[str]:
    """What in the answer contradicts its operation's schema (none: an empty list)."""
    url = response.request["PATH_INFO"]
    answers = operation(template_of(url), method)["responses"]
    code = str(response.status_code)
    if code not in answers:
        return [f"{method.upper()} {url}: {code} is not a documented answer ({', '.join(answers)})"]
    content = answers[code].get("content", {}).get("application/json")
    if content is None:
        return [] if not response.content else [f"{method.upper()} {url}: {code} has a body the schema does not type"]
    return [f"{method.upper()} {url} {code} at {found}" for found in body_problems(response.json(), content["schema"])]


def body_problems(body: Any, schema: dict[str, Any]) -> list[str]:
    """What in a body (an answer, an example) contradicts a schema of the OpenAPI document (none: an empty list)."""
    document = {**_strict(copy.deepcopy(schema)), "components": _components()}
    validator = Draft202012Validator(document, format_checker=FormatChecker())
    errors = validator.iter_errors(body)
    return [f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}" for error in errors]


def assert_matches_schema(response: Any, method: str = "get") -> None:
    found = problems(response, method)
    assert not found, "\n".join(found)


def operations_under(*prefixes: str) -> set[tuple[str, str]]:
    """The (method, path) of every operation of the schema under these paths."""
    return {
        (method, path)
        for path, item in openapi()["paths"].items()
        if path.startswith(prefixes)
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }


def schema_names(node: Any) -> set[str]:
    """The component names an operation refers to, and their own, transitively."""
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    pending.append(openapi()["components"]["schemas"][name])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found
