"""`Idempotency-Key`: a creating call of the API sent again (a retry after a lost answer) is answered once.

Every POST under `/api/v1/` (the sign-in's `/api/v1/auth/` aside, see below) may carry an `Idempotency-Key` header,
1 to 255 visible ASCII characters (a new UUID per operation is the usual choice). For one account and one key:

- the first request runs, and its answer (status, body, `Content-Type`, `Location`) is kept
  `IDEMPOTENCY_TTL_HOURS` (24 by default);
- the same request again (the same method, path, query, content type and body bytes, a multipart body's random
  boundary aside) gets that answer again with `Idempotent-Replayed: true`, and the operation does not run again;
- another request with the key: 409 `idempotency_key_reused`; the key while its first request still runs:
  409 `idempotency_in_progress` (with `Retry-After`);
- a malformed key (empty, too long, a space, non-ASCII): 400 `invalid_idempotency_key` naming the header.

A request without the header is untouched. Keys belong to an account: another account's same key is another key.

What is kept: answers under 500, except 401, 403 and 429, which refuse a request before its operation runs and
change with time, not with the request (a signed-in session, a right granted, a rate's window): a retry is asked
again. A 400 or 404 of the operation is its answer and is replayed (the same refusal), as is a 409 `stale_version`
(a retry must read again and send a new key). A 5xx is not kept: the operation failed, a retry with the key runs it.
An answer above `MAX_STORED_BYTES` (1 MB; no answer of a creating call comes near) is sent but not kept, and a body
above `DATA_UPLOAD_MAX_MEMORY_SIZE` (only the Excel upload, which is idempotent by its file's fingerprint anyway) is
not fingerprinted, so it runs as without the key: both bound the memory the records take.

Storage: Django's cache (`CACHES`), that is Redis in production (`CACHE_URL` or `REDIS_URL`, shared by every worker,
as the throttles' counts), chosen over a table because a record is only worth something within its TTL: Redis
expires it by itself (no pruning job, no table growing by one row per call), and `cache.add` (Redis `SET NX`) is
the atomic lock that makes one of two concurrent requests run and the other get 409. What it does not promise: a
Redis restart without persistence forgets the records of the last hours, and a retry then runs again, exactly as a
call without the key would; run Redis with `appendonly yes` for the records to survive a restart. The embedded
default (no Redis) keeps them in the process's memory (LocMem: one process, up to its 300 entries).

Who is asking: DRF authenticates inside the view, after every middleware; so this middleware runs the view's own
authentication classes on the request before the view (in `process_view`, which knows the view): the same token,
the same session with its CSRF check and second factor, the same forced user in tests. A request they refuse is
left to the view, which refuses it as usual, and so is a caller without an account: the sign-in is not covered (its
answer is a new token, a secret this cache must not hold; a repeated sign-in only issues another token).
"""

import hashlib
import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import parse_header_parameters
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from config.errors import error_response

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
PREFIX = "/api/v1/"
NOT_COVERED = ("/api/v1/auth/",)  # the sign-in and its tokens: answers with secrets (see above)
KEY_PATTERN = r"^[!-~]{1,255}$"  # visible ASCII: HTTP trims the spaces around a header's value
_VALID_KEY = re.compile(KEY_PATTERN)
MAX_STORED_BYTES = 1024 * 1024
NOT_STORED = frozenset({401, 403, 429})
LOCK_SECONDS = 300  # longer than a request may run (the server's worker timeout); a crashed worker's lock expires
KEPT_HEADERS = ("Content-Type", "Location")
_STATE = "_idempotency"  # attribute of Django's request: (cache key, fingerprint) while this request holds the lock

INVALID_KEY_MESSAGE = (
    f"{HEADER} phải gồm từ 1 đến 255 ký tự ASCII nhìn thấy được (chữ, số, dấu; không dấu cách, không chữ có dấu), "
    "ví dụ một UUID."
)
REUSED_MESSAGE = (
    f"{HEADER} này đã được dùng cho một yêu cầu khác (khác địa chỉ hoặc nội dung): mỗi thao tác mới cần một khóa mới."
)
IN_PROGRESS_MESSAGE = f"Yêu cầu đầu tiên với {HEADER} này đang được xử lý: hãy gửi lại sau giây lát."


def covers(path: str) -> bool:
    """Whether a POST to `path` (without the site's prefix) honours the header."""
    return path.startswith(PREFIX) and not path.startswith(NOT_COVERED)


def ttl_seconds() -> int:
    return settings.IDEMPOTENCY_TTL_HOURS * 3600


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same one: method, path, query, content type and body bytes. A multipart body
    counts without its boundary, which a client draws at random for each request, a retry included."""
    content_type = request.META.get("CONTENT_TYPE", "")
    body = request.body
    media_type, parameters = parse_header_parameters(content_type)
    boundary = parameters.get("boundary", "")
    if media_type == "multipart/form-data" and boundary:
        content_type = media_type
        body = body.replace(boundary.encode("latin-1", "replace"), b"")
    digest = hashlib.sha256()
    for part in (request.method or "", request.path_info, request.META.get("QUERY_STRING", ""), content_type):
        digest.update(part.encode("latin-1", "replace") + b"\0")
    digest.update(body)
    return digest.hexdigest()


def cache_key(user_id: Any, key: str) -> str:
    return f"idempotency:{user_id}:{hashlib.sha256(key.encode('ascii')).hexdigest()}"


def _body_too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads such a body as empty
    return limit is not None and length > limit


def _caller(request: HttpRequest, view_func: Any) -> Any:
    """The signed-in user as the view's own authentication will see it, or None (none, refused, not a DRF view)."""
    view_class = getattr(view_func, "cls", None)
    if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
        return None
    api_request = Request(
        request,
        parsers=[parser() for parser in view_class.parser_classes],  # the session's CSRF check may read a form
        authenticators=[authenticator() for authenticator in view_class.authentication_classes],
    )
    django_user = request.__dict__.get("user")
    try:
        user = api_request.user
    except APIException:  # a bad token, a failed CSRF check, a pending second factor: the view answers it
        return None
    finally:
        if django_user is not None:  # DRF sets it on Django's request too: leave it as the view would find it
            request.user = django_user
    return user if user is not None and user.is_authenticated else None


def _in_progress() -> JsonResponse:
    refusal = error_response(409, "idempotency_in_progress", IN_PROGRESS_MESSAGE)
    refusal["Retry-After"] = "1"
    return refusal


def _replay(record: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(record["content"], status=record["status"])
    for name, value in record["headers"].items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


class IdempotencyMiddleware:
    """After the sign-in middleware (and the second factor's, whose mark the API's session authentication reads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            self._release(request)
            raise
        state = getattr(request, _STATE, None)
        if state is not None:
            self._keep(state, response)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not covers(request.path_info):
            return None
        if not _VALID_KEY.fullmatch(key):  # not `match`: `$` would let a final newline through
            return error_response(400, "invalid_idempotency_key", INVALID_KEY_MESSAGE, {HEADER: [INVALID_KEY_MESSAGE]})
        if _body_too_large(request):
            return None
        request_fingerprint = fingerprint(request)  # before the authentication, which may parse the body
        user = _caller(request, view_func)
        if user is None:
            return None
        stored_key = cache_key(user.pk, key)
        running = {"fingerprint": request_fingerprint, "status": None}
        for _attempt in range(2):  # a record that expires between `add` and `get` is claimed on the second turn
            if cache.add(stored_key, running, timeout=LOCK_SECONDS):
                setattr(request, _STATE, (stored_key, request_fingerprint))
                return None
            record = cache.get(stored_key)
            if record is None:
                continue
            if record["fingerprint"] != request_fingerprint:
                return error_response(409, "idempotency_key_reused", REUSED_MESSAGE, {HEADER: [REUSED_MESSAGE]})
            if record["status"] is None:
                return _in_progress()
            return _replay(record)
        return _in_progress()

    def _keep(self, state: tuple[str, str], response: HttpResponse) -> None:
        stored_key, request_fingerprint = state
        status = response.status_code
        if status >= 500 or status in NOT_STORED or response.streaming or len(response.content) > MAX_STORED_BYTES:
            cache.delete(stored_key)  # a retry with the key runs the operation
            return
        record = {
            "fingerprint": request_fingerprint,
            "status": status,
            "content": response.content,
            "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
        }
        cache.set(stored_key, record, timeout=ttl_seconds())

    def _release(self, request: HttpRequest) -> None:
        state = getattr(request, _STATE, None)
        if state is not None:
            cache.delete(state[0])


# --- the schema ----------------------------------------------------------------------------------------------

PARAMETER_DESCRIPTION = (
    "Khóa chống ghi trùng (không bắt buộc): 1 đến 255 ký tự ASCII nhìn thấy được, nên là một UUID mới cho mỗi thao "
    "tác. Gửi lại đúng yêu cầu này với cùng khóa (ví dụ sau khi mất kết nối, chưa nhận được trả lời) trong "
    "IDEMPOTENCY_TTL_HOURS giờ (mặc định 24) thì nhận lại kết quả của lần đầu, kèm header Idempotent-Replayed: true, "
    "và thao tác không chạy lại. Cùng khóa với yêu cầu khác: 409 idempotency_key_reused; trong khi lần đầu còn đang "
    "chạy: 409 idempotency_in_progress. Khóa riêng theo tài khoản. Trả lời 5xx, 401, 403, 429 không được lưu: "
    "gửi lại thì thao tác chạy lại. Khóa sai dạng: 400 invalid_idempotency_key. Nội dung lớn hơn "
    "DATA_UPLOAD_MAX_MEMORY_SIZE (mặc định 2,5 MB: chỉ có thể là tệp Excel tải lên, vốn không ghi hai lần cùng một "
    "tệp) thì khóa không có tác dụng."
)
CONFLICT_DESCRIPTION = (
    "Idempotency-Key đã dùng cho một yêu cầu khác (idempotency_key_reused) hoặc yêu cầu đầu tiên với khóa này "
    "đang chạy (idempotency_in_progress)"
)
BAD_KEY_DESCRIPTION = "Idempotency-Key sai dạng (invalid_idempotency_key)"
REPLAYED_DESCRIPTION = "Có và bằng true khi đây là kết quả đã lưu của lần gửi đầu với cùng Idempotency-Key"


def _mention(responses: dict[str, Any], status: str, text: str) -> None:
    """`text` added to the description of the answer `status`, declared with it when it was not."""
    response = responses.setdefault(status, {"description": ""})
    description = response.get("description", "")
    response["description"] = f"{description}; hoặc {text}" if description else text


def add_idempotency_header(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the optional `Idempotency-Key` header on every POST it covers, its 400
    and 409 answers, and the `Idempotent-Replayed` header on its successes."""
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not covers(path):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
            parameters.append(
                {
                    "in": "header",
                    "name": HEADER,
                    "required": False,
                    "description": PARAMETER_DESCRIPTION,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
                }
            )
        responses = operation.setdefault("responses", {})
        _mention(responses, "400", BAD_KEY_DESCRIPTION)
        _mention(responses, "409", CONFLICT_DESCRIPTION)
        for status, response in responses.items():
            if status.startswith("2"):
                replayed = {"description": REPLAYED_DESCRIPTION, "schema": {"type": "string", "enum": ["true"]}}
                response.setdefault("headers", {})[REPLAYED] = replayed
    return result
