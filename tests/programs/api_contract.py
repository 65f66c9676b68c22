"""The OpenAPI contract checked against real answers: the schema the server publishes (drf-spectacular, as
/api/schema/ serves it) and a JSON Schema validator (`jsonschema`, every `$ref` resolved in the schema itself).

    check(response)   the answer validated against the schema of its operation and status; a status the
                      operation does not declare, a property the schema does not list, a null where it is not
                      nullable, a value outside its enum: the test fails, naming the operation and the place

OpenAPI 3.0 is not JSON Schema: `nullable: true` becomes "or null" and objects with listed properties are closed
(`additionalProperties: false` unless the schema says otherwise), so that an answer carrying more than the schema
says fails as well as one carrying less.
"""

import functools
import json
import re
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

JSON = "application/json"


@functools.cache
def openapi() -> dict[str, Any]:
    """The schema as the server publishes it (rendered to JSON and read back: plain values, no lazy strings)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


def _strict(node: Any) -> Any:
    """An OpenAPI 3.0 schema (part) as JSON Schema: nullable spelled out, listed properties closed."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {
        key: (value if key in ("example", "examples", "default", "enum") else _strict(value))
        for key, value in node.items()
    }
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def _components() -> dict[str, Any]:
    return _strict(openapi()["components"])


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """The paths of the schema as patterns, the literal ones first (`/progress/` before `/{id}/`)."""
    paths = sorted(openapi()["paths"], key=lambda path: (path.count("{"), path))
    return [(re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$"), path) for path in paths]


def template_of(path: str) -> str:
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    raise AssertionError(f"{path} is in no path of the schema")


def operation(method: str, template: str) -> dict[str, Any]:
    return openapi()["paths"][template][method.lower()]


def response_schema(method: str, template: str, status: int, content_type: str = JSON) -> dict[str, Any] | None:
    """The declared schema of an answer (None when the status is declared without a body); fails when the
    operation does not declare the status or the content type."""
    responses = operation(method, template)["responses"]
    declared = responses.get(str(status))
    assert declared is not None, f"{method.upper()} {template} answers {status}, declared: {sorted(responses)}"
    content = declared.get("content")
    if content is None:
        return None
    assert content_type in content, f"{method.upper()} {template} {status}: {content_type} not in {sorted(content)}"
    return content[content_type].get("schema")


def validate(body: Any, schema: dict[str, Any], where: str) -> None:
    document = {**_strict(schema), "components": _components()}
    validator = jsonschema.Draft202012Validator(document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    if errors:
        lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}" for e in errors[:10]]
        raise AssertionError(f"{where} does not match its schema:\n  " + "\n  ".join(lines))


def check(response: Any) -> tuple[str, str]:
    """Validate a test client's response against the schema; returns (method, path template) checked."""
    method = response.request["REQUEST_METHOD"].lower()
    template = template_of(response.request["PATH_INFO"])
    where = f"{method.upper()} {template} ({response.status_code})"
    content_type = response.headers.get("Content-Type", "").split(";")[0]
    schema = response_schema(method, template, response.status_code, content_type)
    if content_type == JSON:
        assert schema is not None, f"{where} answers a JSON body its schema does not describe"
        validate(response.json(), schema, where)
    return method, template
