"""The OpenAPI schema's conventions, written once for every operation (`DEFAULT_SCHEMA_CLASS`, and the hooks in
`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`), so that a client generated from it matches what the server does:

- Errors: every operation declares the error answers that apply to it, each with the `Error` component (the
  envelope of config.errors): 400 when it reads a body or query parameters, 401 and 403 unless it is public, 404
  on an object's address, on a list (a page past the end) and on a body (it may name a row the user cannot see),
  409 on POST, PUT, PATCH and DELETE (a stale `version`,
  an `Idempotency-Key` sent again with another body), 413 and 415 when it reads a body, 429 always. A refusal an
  operation already describes (`config.api.BAD_INPUT`...) keeps its description, with the `Error` schema.
- Tags: one per resource, the first segment after /api/v1/ (`households`, `review-cases`, `stats`, `auth`...),
  described in Vietnamese in `SPECTACULAR_SETTINGS["TAGS"]`.
- Path ids: an integer from 1 everywhere (a route's regex or the model's key gave a string with a pattern on some).
- Descriptions: every property and parameter has one, its help text, else its label (the model field's verbose
  name, which DRF and django-filter take as the label), else the model field's verbose name.
- Enums: every choice set is a named component (English name from the field, the Vietnamese labels listed in its
  description), the parameters' too: no inline enum left for a generator to name after a Vietnamese label.
"""

import functools
import re
from typing import Any

from django.apps import apps
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

API_PREFIX = re.compile(r"^/api/(v\d+/)?")
WRITING = {"POST", "PUT", "PATCH", "DELETE"}
ID_NAMES = re.compile(r"^(id|pk|\w+_id|\w+_pk)$")
ID_SCHEMA = {"type": "integer", "minimum": 1}

# The refusals, as each operation declares them when it has no description of its own.
ERROR_DESCRIPTIONS = {
    400: "Dữ liệu không hợp lệ: `fields` nêu từng trường hoặc tham số sai (code `invalid`), hoặc thao tác bị từ chối "
    "theo quy định (code của lỗi nghiệp vụ), hoặc nội dung JSON không đọc được (`parse_error`).",
    401: "Chưa đăng nhập (`not_authenticated`) hoặc token không hợp lệ, đã hết hạn (`authentication_failed`).",
    403: "Vai trò của bạn không có quyền thực hiện thao tác này (`permission_denied`).",
    404: "Không tìm thấy, hoặc ngoài địa bàn của bạn; với danh sách: trang không có (`not_found`).",
    409: "Xung đột (`stale_version` hoặc mã khác): bản ghi vừa được người khác cập nhật, hãy tải lại; hoặc "
    "Idempotency-Key đã dùng cho một nội dung khác.",
    413: "Nội dung yêu cầu quá lớn (`request_too_large`).",
    415: "Kiểu nội dung không được nhận (`unsupported_media_type`): hãy gửi application/json.",
    429: "Quá nhiều yêu cầu (`throttled`, hoặc `locked_out` khi đăng nhập sai nhiều lần): header Retry-After cho "
    "biết số giây phải chờ.",
}

# Names shared by many serializers that carry no label of their own.
COMMON_DESCRIPTIONS = {
    "id": "Mã số (id) của bản ghi.",
    "version": "Phiên bản của bản ghi: gửi lại khi cập nhật; khác với phiên bản hiện tại là 409.",
    "created_at": "Thời điểm tạo.",
    "updated_at": "Thời điểm cập nhật gần nhất.",
    "name": "Tên.",
    "code": "Mã.",
    "year": "Năm.",
    "years": "Các năm.",
    "area": "Địa bàn.",
    "commune": "Xã.",
    "total": "Tổng cộng.",
    "url": "Địa chỉ của bản ghi.",
    "download_url": "Địa chỉ tải tệp.",
    "expiry": "Hết hạn lúc.",
    "standard": "Chuẩn nghèo.",
}
OWN_APPS = {"households", "programs", "support"}
LOOKUPS = {"gte": "từ", "lte": "đến", "gt": "sau", "lt": "trước", "icontains": "có chứa", "in": "một trong"}


class ErrorSerializer(serializers.Serializer):
    """Lỗi của API, cùng một dạng cho mọi mã 4xx và 5xx (config.errors)."""

    code = serializers.CharField(help_text="Mã lỗi ổn định để chương trình phân nhánh: invalid, not_found, ...")
    message = serializers.CharField(help_text="Thông báo lỗi bằng tiếng Việt, cho người đọc.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Lỗi theo từng trường hoặc tham số: {tên: [thông báo]}; {} khi không do trường nào. Trường lồng "
        "nhau viết theo đường dẫn: members[0].national_id.",
    )


def error(description: str) -> OpenApiResponse:
    """An error answer of an operation, described: `responses={409: error("...")}`."""
    return OpenApiResponse(ErrorSerializer, description=description)


def resource_of(path: str) -> str:
    """The resource of an address: the first segment after /api/v1/ (`schema` for /api/schema/)."""
    rest = API_PREFIX.sub("", path)
    return rest.split("/", 1)[0] or "api"


def _model_field_label(model: Any, name: str) -> str | None:
    if model is None or not name or name == "*":
        return None
    current = model
    field = None
    for part in name.replace("__", ".").split("."):
        try:
            field = current._meta.get_field(part)
        except Exception:  # noqa: BLE001 - not a model field (a property, an annotation)
            return None
        current = getattr(field, "related_model", None) or current
    verbose = getattr(field, "verbose_name", None)
    return str(verbose) if verbose else None


def _serializer_model(field: serializers.Field) -> Any:
    parent = getattr(field, "parent", None)
    if isinstance(parent, serializers.ListSerializer):
        parent = parent.parent
    meta = getattr(parent, "Meta", None)
    return getattr(meta, "model", None)


def field_description(field: serializers.Field, view_model: Any = None) -> str | None:
    """A serializer field's description: its help text, its label when it is one (not the name capitalised), the
    model field's verbose name (of the serializer's model, else the view's), a common name's, the verbose name the
    project's models give that field name; None when none says anything."""
    if field.help_text:
        return str(field.help_text)
    name = field.field_name or ""
    if field.label and not openapi.is_trivial_string_variation(str(field.label), name):
        return str(field.label)
    if name.endswith("_label"):  # the Vietnamese name of a choice beside its code
        of = _named(name.removesuffix("_label"), _serializer_model(field), view_model)
        return f"{of} (tên hiển thị)." if of else "Tên hiển thị."
    source = field.source if field.source and field.source != "*" else name
    label = _named(source, _serializer_model(field), view_model)
    if label is None:
        child = field.child if isinstance(field, serializers.ListSerializer) else field
        child_model = getattr(getattr(child, "Meta", None), "model", None)
        label = str(child_model._meta.verbose_name_plural) if child_model else None
    return label[:1].upper() + label[1:] if label else None


def _named(name: str, *models: Any) -> str | None:
    for model in models:
        label = _model_field_label(model, name)
        if label and not openapi.is_trivial_string_variation(label, name):
            return label
    return COMMON_DESCRIPTIONS.get(name) or _labels_by_name().get(name)


@functools.cache
def _labels_by_name() -> dict[str, str]:
    """The verbose name of each field name of the project's models, where the models agree on one."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in OWN_APPS:
            continue
        for model_field in model._meta.get_fields():
            verbose = getattr(model_field, "verbose_name", None)
            if verbose and not openapi.is_trivial_string_variation(str(verbose), model_field.name):
                found.setdefault(model_field.name, set()).add(str(verbose))
    return {name: labels.pop() for name, labels in found.items() if len(labels) == 1}


NO_NUL = r"^[^\x00]*$"


def _admits_blank(schema: dict[str, Any]) -> bool:
    """Whether a text schema admits "" by itself (no minimum length; a pattern that matches "")."""
    pattern = schema.get("pattern")
    return (
        schema.get("type") == "string"
        and not schema.get("minLength")
        and "format" not in schema
        and "enum" not in schema
        and (pattern is None or re.search(pattern, "") is not None)
    )


def no_nul(node: Any) -> None:
    """Every free text of the schema says that it may not hold the NUL character: every text field refuses it
    (PostgreSQL cannot store it; Django's and DRF's validator), so a client, or a fuzzer, learns it from the schema.
    A text that may be blank was `oneOf` the text and an empty one (`maxLength: 0`); where the text's own pattern
    admits "" already, "" was valid under both alternatives, which `oneOf` forbids: it becomes the text alone."""
    if isinstance(node, list):
        for item in node:
            no_nul(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and not ({"pattern", "enum", "format", "$ref"} & node.keys()):
        if node.get("maxLength") != 0:
            node["pattern"] = NO_NUL
    for value in node.values():
        no_nul(value)
    alternatives = node.get("oneOf")
    if isinstance(alternatives, list) and len(alternatives) == 2:
        blank = [a for a in alternatives if a.get("type") == "string" and a.get("maxLength") == 0]
        text = [a for a in alternatives if a not in blank]
        if len(blank) == 1 and len(text) == 1 and _admits_blank(text[0]):
            del node["oneOf"]
            node.update(text[0])


class AutoSchema(openapi.AutoSchema):
    def get_tags(self) -> list[str]:
        return [resource_of(self.path)]

    def get_description(self) -> str:  # type: ignore[override]
        """The operation's own description; not a view's docstring, which is English, for the code's readers (it
        told integrators "Shared plumbing: the right per action…"): the summary says what the operation does."""
        description = super().get_description() or ""
        return "" if description.isascii() else description

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        meta = super()._get_serializer_field_meta(field, direction)
        if "description" not in meta and isinstance(field, serializers.Field):
            description = field_description(field, openapi.get_view_model(self.view, emit_warnings=False))
            description = description or str(field.label or field.field_name or "")
            if description:
                meta["description"] = description
        return meta

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # a list that may not be empty says so (drf-spectacular leaves `allow_empty=False` out)
        if isinstance(field, serializers.ListSerializer | serializers.ListField) and schema.get("type") == "array":
            least = max(int(getattr(field, "min_length", None) or 0), 0 if field.allow_empty else 1)
            if least:
                schema.setdefault("minItems", least)
        return schema

    def _describe_path_id(self, parameter: dict[str, Any]) -> None:
        if not ID_NAMES.match(parameter["name"]):
            return
        parameter["schema"] = dict(ID_SCHEMA)
        model = openapi.get_view_model(self.view, emit_warnings=False)
        if parameter["name"] in ("id", "pk") and model is not None:
            parameter["description"] = f"Mã số (id) của {model._meta.verbose_name}."
        elif not parameter.get("description"):
            of = _labels_by_name().get(parameter["name"].rsplit("_", 1)[0]) or "bản ghi"
            parameter["description"] = f"Mã số (id) của {of.lower()}."

    def _filter_description(self, name: str) -> str | None:
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = getattr(filterset_class, "base_filters", {}) if filterset_class else {}
        found = filters.get(name)
        if found is None:
            return None
        if found.extra.get("help_text"):
            return str(found.extra["help_text"])
        if found._label is not None:
            return str(found._label)
        model = getattr(getattr(filterset_class, "_meta", None), "model", None)
        label = _model_field_label(model, found.field_name)
        if not label:
            return None
        lookup = LOOKUPS.get(found.lookup_expr)
        return f"{label[:1].upper()}{label[1:]}{f' ({lookup})' if lookup else ''}."

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query":
                self._describe_parameter(parameter)
            elif parameter.get("in") == "path":
                self._describe_path_id(parameter)
        self._declare_errors(operation)
        return operation

    def _describe_parameter(self, parameter: dict[str, Any]) -> None:
        description = parameter.get("description") or ""
        if not description or description.startswith("* `"):
            own = self._filter_description(parameter["name"]) or COMMON_DESCRIPTIONS.get(parameter["name"])
            own = own or parameter["name"]
            parameter["description"] = f"{own}\n\n{description}" if description else own

    def _declare_errors(self, operation: dict[str, Any]) -> None:
        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        content = {"application/json": {"schema": error_ref}}
        security = operation.get("security")
        public = not security or {} in security
        has_body = "requestBody" in operation
        has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        has_path_id = any(p.get("in") == "path" for p in operation.get("parameters", []))
        is_page = any(p.get("in") == "query" and p["name"] == "page" for p in operation.get("parameters", []))
        codes = {429}
        if has_body or has_query:
            codes.add(400)
        if not public:
            codes |= {401, 403}
        if has_path_id or is_page or (has_body and not public):  # a body may name a row the user cannot see
            codes.add(404)
        if self.method in WRITING:
            codes.add(409)
        if has_body:
            codes |= {413, 415}
        responses = operation["responses"]
        for code in sorted(codes):
            responses.setdefault(str(code), {"description": ERROR_DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code[:1] in "45" and "content" not in response:
                response["content"] = content
        operation["responses"] = dict(sorted(responses.items()))


# --- postprocessing hooks -----------------------------------------------------------------------------------


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def _free_name(schemas: dict[str, Any], parameter: str, resource: str) -> str:
    """`StatusFilterEnum`, else `HouseholdsStatusFilterEnum` (another choice set under that name), else numbered."""
    for name in (f"{parameter}FilterEnum", f"{resource}{parameter}FilterEnum"):
        if name not in schemas:
            return name
    number = 2
    while f"{resource}{parameter}Filter{number}Enum" in schemas:
        number += 1
    return f"{resource}{parameter}Filter{number}Enum"


def name_parameter_enums(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Every enum of a query parameter as a named component: the property's component with the same values when
    there is one, else a new one named after the parameter (`StatusFilterEnum`), its labels in its description."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    by_values = {tuple(schema["enum"]): name for name, schema in schemas.items() if "enum" in schema}
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                holder = parameter.get("schema", {})
                if holder.get("type") == "array":
                    holder = holder.get("items", {})
                values = holder.get("enum")
                if not values:
                    continue
                values = tuple(v for v in values if v not in ("", None))
                name = by_values.get(values)
                if name is None:
                    name = _free_name(schemas, _camel(parameter["name"]), _camel(resource_of(path)))
                    description = parameter.get("description", "")
                    listing = description.partition("\n\n*")[2]
                    schemas[name] = {"type": holder.get("type", "string"), "enum": list(values)}
                    if listing:
                        schemas[name]["description"] = f"*{listing}"
                    by_values[values] = name
                for key in ("enum", "type"):
                    holder.pop(key, None)
                holder["$ref"] = f"#/components/schemas/{name}"
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    _drop_titles(result["components"])
    _drop_titles(result.get("paths", {}))
    no_nul(result["components"])
    no_nul(result.get("paths", {}))
    return result


def _drop_titles(node: Any) -> None:
    """No `title` anywhere: a generator names a class after it (a Vietnamese label made `TìNhTrẠNg` classes);
    the label is in the description already."""
    if isinstance(node, dict):
        title = node.get("title")
        if isinstance(title, str):
            del node["title"]
        for value in node.values():
            _drop_titles(value)
    elif isinstance(node, list):
        for value in node:
            _drop_titles(value)
