"""One domain error type and the DRF exception handler that turns errors into JSON.

Shape of a 400: `{"field": ["message", ...], ...}` with `non_field_errors` for errors of the whole
request, and `code` naming the first error's code, so clients can branch on it.
"""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"
_ITEM_PATH = re.compile(r"^(?P<list>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+)$")


class DomainError(Exception):
    """A use case refused: `code` is stable, `message` is for people, `field` names the input at fault."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict:
        """`{"field": [message]}`; a path such as `members[0].national_id` nests like DRF's own errors:
        `{"members": {"0": {"national_id": [message]}}}`."""
        match = _ITEM_PATH.match(self.field or "")
        if match:
            return {match["list"]: {match["index"]: {match["field"]: [self.message]}}}
        return {self.field or NON_FIELD: [self.message]}


class StaleVersion(DomainError):
    """The record changed since the user read it (optimistic locking)."""

    http_status = status.HTTP_409_CONFLICT

    def __init__(self, message: str, field: str = "version"):
        super().__init__("stale_version", message, field)


class NotFound(DomainError):
    http_status = status.HTTP_404_NOT_FOUND

    def __init__(self, message: str, field: str | None = None):
        super().__init__("not_found", message, field)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {**exc.as_dict(), "code": exc.code}
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            body = {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        else:
            body = {NON_FIELD: exc.messages}
        exc = DRFValidationError(body)
    if isinstance(exc, RequestDataTooBig):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, refused before it is read
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,}".replace(",", ".")
        body = {"detail": f"Nội dung yêu cầu quá lớn: tối đa {limit} byte."}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Throttled):  # DRF's own answer sets Retry-After; the message is ours, with the wait
        response = drf_exception_handler(exc, context)
        wait = f" sau {int(exc.wait)} giây" if exc.wait is not None else " sau"
        response.data = {"detail": f"Quá nhiều yêu cầu; hãy thử lại{wait}.", "code": "throttled"}
        return response
    if isinstance(exc, Http404):
        return Response({"detail": "Không tìm thấy."}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)
