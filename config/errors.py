"""One domain error type, and one shape for every error the API answers (4xx and 5xx under /api/):

    {"code": "<stable code>", "message": "<a Vietnamese sentence>", "fields": {"<field>": ["<message>", ...]}}

`code` is what a client branches on: a `DomainError`'s own code (`stale_version`, `not_found`, `invalid_move`...),
`invalid` for input refused by a serializer, a filter or the pagination (`unknown_reference` when it only names
rows that do not exist), and one per HTTP refusal
(`not_authenticated`, `authentication_failed`, `permission_denied`, `csrf_failed`, `not_found`,
`method_not_allowed`, `not_acceptable`, `request_too_large`, `unsupported_media_type`, `parse_error`, `throttled`,
`locked_out`, `server_error`). `message` says what went wrong for a person; `fields` names the inputs at fault,
`{}` when none is: a body field, a query parameter (`page_size`, `ordering`, `commune`...), or `non_field_errors`
for an error of the whole input (its message is then the envelope's `message` too).

Nested inputs are flattened to one level, one key per input at fault, written as the path a client would write:
`members[0].national_id` (an item of a list), `address.street` (a field of an object), `members[0]` (an error of a
whole item). An item of a list of plain values (`status=rich` in `?status=poor&status=rich`) is named by its list,
`status`: its message quotes the value. A `DomainError` names its
field with the same path, so both read alike.

`exception_handler` (DRF's `EXCEPTION_HANDLER`) answers what DRF views raise; `error_response` builds the same answer
for what answers outside DRF's views under /api/ (an unknown address, a server error, the sign-in lockout), through
`config.error_pages`. An unexpected exception in a view is logged and answered with a 500 envelope
(`server_error`); with DEBUG on it is raised instead, for Django's page with the traceback.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("django.security")

NON_FIELD = "non_field_errors"
INVALID_MESSAGE = "Dữ liệu không hợp lệ."
NOT_FOUND_MESSAGE = "Không tìm thấy, hoặc ngoài địa bàn của bạn."
NOT_AUTHENTICATED_MESSAGE = (
    "Chưa đăng nhập: hãy gửi kèm header Authorization: Token <token> (token nhận từ POST /api/v1/auth/login/)."
)
CSRF_MESSAGE = "Thiếu hoặc sai mã CSRF của phiên đăng nhập: hãy gửi header X-CSRFToken, hoặc dùng token."
BAD_REQUEST_MESSAGE = "Yêu cầu không hợp lệ (quá nhiều trường hoặc tệp, hoặc một header sai): không thực hiện."
SERVER_ERROR_MESSAGE = "Lỗi máy chủ: yêu cầu chưa được thực hiện. Hãy thử lại sau; nếu vẫn lỗi, hãy báo quản trị."


class DomainError(Exception):
    """A use case refused: `code` is stable, `message` is for people, `field` names the input at fault (a path such
    as `members[0].national_id` for an item of a list)."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def fields(self) -> dict[str, list[str]]:
        return {self.field: [self.message]} if self.field else {}


class StaleVersion(DomainError):
    """The record changed since the user read it (optimistic locking)."""

    http_status = status.HTTP_409_CONFLICT

    def __init__(self, message: str, field: str = "version"):
        super().__init__("stale_version", message, field)


class NotFound(DomainError):
    http_status = status.HTTP_404_NOT_FOUND

    def __init__(self, message: str, field: str | None = None):
        super().__init__("not_found", message, field)


# --- the envelope --------------------------------------------------------------------------------------------


def envelope(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def error_response(status_code: int, code: str, message: str, fields: dict | None = None, **extra: Any) -> JsonResponse:
    """The envelope as a plain Django response, for answers outside DRF's views; `extra` adds keys of the answer's
    own beside the three (the sign-in lockout's `locked_until`)."""
    body = envelope(code, message, fields) | extra
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def too_large_message() -> str:
    limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}".replace(",", ".")
    return f"Nội dung yêu cầu quá lớn: tối đa {limit} byte."


def _join(prefix: str, key: Any) -> str:
    key = str(key)
    if not prefix:
        return key
    return f"{prefix}[{key}]" if key.isdigit() else f"{prefix}.{key}"


def _scalar_items(detail: dict) -> bool:
    return all(
        str(key).isdigit() and isinstance(value, list) and all(not isinstance(m, dict | list) for m in value)
        for key, value in detail.items()
    )


def flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as `{path: [messages]}` (the module's docstring)."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict) and prefix and _scalar_items(detail):  # {index: [messages]} of a list of values
        found[prefix] = [str(message) for messages in detail.values() for message in messages]
    elif isinstance(detail, dict):
        for key, value in detail.items():
            path = (prefix or NON_FIELD) if key == NON_FIELD else _join(prefix, key)  # an item's own error: its path
            for inner, messages in flatten(value, path).items():
                found.setdefault(inner, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                found[prefix or NON_FIELD] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                for inner, messages in flatten(item, _join(prefix, index) if prefix else str(index)).items():
                    found.setdefault(inner, []).extend(messages)
    else:
        found[prefix or NON_FIELD] = [str(detail)]
    return found


def _detail_codes(detail: Any) -> set[str]:
    """The codes of DRF's error details (`ErrorDetail.code`) in a nested detail."""
    if isinstance(detail, dict):
        return {code for value in detail.values() for code in _detail_codes(value)}
    if isinstance(detail, list | tuple):
        return {code for item in detail for code in _detail_codes(item)}
    return {str(getattr(detail, "code", "") or "invalid")}


def validation_envelope(detail: Any) -> dict[str, Any]:
    """A refused input: `invalid`, the single message when there is one (or the whole input's), fields by path.
    When every error is an id naming no row (a related field's `does_not_exist`: "Không có xã/phường với id 0"),
    the code is `unknown_reference`: the input has the right shape, the row it names does not exist."""
    code = "unknown_reference" if _detail_codes(detail) == {"does_not_exist"} else "invalid"
    fields = flatten(detail)
    messages = [message for field_messages in fields.values() for message in field_messages]
    if fields.get(NON_FIELD):
        message = " ".join(fields[NON_FIELD])
    elif len(messages) == 1:
        message = messages[0]
    else:
        message = INVALID_MESSAGE
    return envelope(code, message, fields)


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {NON_FIELD: exc.messages}


def _own_or(exc: exceptions.APIException, default: str) -> str:
    """The message raised with the exception when it is one of ours: not DRF's default, and not one of the English
    messages DRF's parsers write ("Multipart form parse error - Invalid boundary…"); ours are Vietnamese."""
    detail = str(exc.detail)
    return default if detail == str(exc.default_detail) or detail.isascii() else detail


def _media_types(view: Any) -> str:
    parsers = getattr(view, "parser_classes", None) or []
    return ", ".join(parser.media_type for parser in parsers) or "application/json"


def _api_exception_envelope(exc: exceptions.APIException, context: dict) -> tuple[str, str]:
    """The code and the Vietnamese message of DRF's refusals."""
    request = context.get("request")
    view = context.get("view")
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated", NOT_AUTHENTICATED_MESSAGE
    if isinstance(exc, exceptions.AuthenticationFailed):
        return "authentication_failed", _own_or(exc, "Token không hợp lệ hoặc đã hết hạn: hãy đăng nhập lại.")
    if isinstance(exc, exceptions.PermissionDenied):
        if str(exc.detail).startswith("CSRF Failed"):
            return "csrf_failed", CSRF_MESSAGE
        return "permission_denied", _own_or(exc, "Bạn không có quyền thực hiện thao tác này.")
    if isinstance(exc, exceptions.NotFound):
        return "not_found", NOT_FOUND_MESSAGE
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = request.method if request is not None else ""
        return "method_not_allowed", f"Địa chỉ này không nhận phương thức {method}.".replace("  ", " ")
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable", "Không trả lời được theo định dạng yêu cầu (Accept): API chỉ trả lời application/json."
    if isinstance(exc, exceptions.UnsupportedMediaType):
        sent = (request.content_type if request is not None else "") or "không rõ"
        return "unsupported_media_type", f"Không nhận nội dung kiểu “{sent}”: hãy gửi {_media_types(view)}."
    if isinstance(exc, exceptions.ParseError):
        return "parse_error", _own_or(exc, "Nội dung yêu cầu không đọc được.")
    if isinstance(exc, exceptions.Throttled):
        wait = f" sau {int(exc.wait)} giây" if exc.wait is not None else " sau"
        return "throttled", f"Quá nhiều yêu cầu; hãy thử lại{wait}."
    code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
    return str(code), str(exc.detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(envelope(exc.code, exc.message, exc.fields()), status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    if isinstance(exc, RequestDataTooBig):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, refused before it is read
        body = envelope("request_too_large", too_large_message())
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        response = drf_exception_handler(exc, context)
        response.data = validation_envelope(exc.detail)
        return response
    if isinstance(exc, exceptions.APIException):
        response = drf_exception_handler(exc, context)  # its headers: WWW-Authenticate, Retry-After
        response.data = envelope(*_api_exception_envelope(exc, context))
        return response
    if isinstance(exc, SuspiciousOperation | BadRequest):  # too many fields or files in a form, a bad header…
        security_logger.warning("Refused under /api/: %s", exc)
        return Response(envelope("bad_request", BAD_REQUEST_MESSAGE), status=status.HTTP_400_BAD_REQUEST)
    if settings.DEBUG:
        return None  # raised: Django's page with the traceback
    view = context.get("view")
    logger.exception("Unexpected error in %s", type(view).__name__ if view else "an API view", exc_info=exc)
    set_rollback()
    return Response(envelope("server_error", SERVER_ERROR_MESSAGE), status=status.HTTP_500_INTERNAL_SERVER_ERROR)
