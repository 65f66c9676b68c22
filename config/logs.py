"""Logs an operator can use (issue 15): one line per request, one per Celery task, and the services' events, as JSON
lines in production (LOG_FORMAT=json, the default with DEBUG off) or readable text in development.

Every line carries the time, the level, the logger and, when there is one, the id of the request (X-Request-ID, taken
from the proxy or made here, and sent back in the response) or of the Celery task it was written in, so that an
operator can gather everything one request or one task did. Lines name people by their account's id only: never a
username, a name or an ID number. The request line has the path without its query string, which can hold a searched
name; the services' events carry counts and ids.

The JSON is python-json-logger's formatter: a plain `logging.Formatter`, so Django's LOGGING, Celery's loggers and
every existing `logger.info(...)` call go through it unchanged (structlog would have asked for its own logger API and
a bridge to the standard library's for Django's and Celery's own lines).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any

from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

if TYPE_CHECKING:  # settings import this module for LOGGING: nothing here may load django.http before them
    from django.http import HttpRequest, HttpResponse

current_request: ContextVar[str | None] = ContextVar("current_request", default=None)
current_task: ContextVar[str | None] = ContextVar("current_task", default=None)

request_logger = logging.getLogger("giamngheo.request")
task_logger = logging.getLogger("giamngheo.task")

# An X-Request-ID from the proxy is kept when it is a plain token (a UUID, nginx's $request_id); anything else (too
# long, spaces, quotes, a name) is replaced by an id made here, so the header cannot carry text into the logs.
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class ContextFilter(logging.Filter):
    """Adds the current request's and task's ids to every record (None outside of one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request.get()
        if getattr(record, "task_id", None) is None:
            record.task_id = current_task.get()
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, the request's or task's id, and the
    fields the call passed in `extra` (method, path, status, duration_ms, counts...). Ids that are None are left
    out."""

    def __init__(self) -> None:
        super().__init__(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        for key in ("request_id", "task_id"):
            if log_data.get(key) is None:
                log_data.pop(key, None)
        # Django's own lines (django.request, django.security) pass the request object along; its text is the full
        # path with the query string, which can hold a searched name. The request line has the path without it.
        log_data.pop("request", None)
        return log_data


class TextFormatter(logging.Formatter):
    """Development: `12:03:04 INFO giamngheo.request [3f2a…] GET /admin/ 200 41 ms user=5`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        ids = [value for value in (getattr(record, "request_id", None), getattr(record, "task_id", None)) if value]
        record.context = f" [{ids[0][:8]}]" if ids else ""
        return super().format(record)


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """Django's LOGGING: everything to standard error through one handler, JSON or text. Django's own request
    warnings (4xx) are left to the request line, which already says the status; 5xx keep their traceback."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.ContextFilter"}},
        "formatters": {
            "json": {"()": "config.logs.JsonFormatter"},
            "text": {"()": "config.logs.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json else "text",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # One line per request is ours (RequestLogMiddleware): Django's "Not Found: /path" and runserver's
            # "GET /path?q=… 200" (with the query string) would be a second, and the latter can hold a name.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            # One line per task is ours (task signals below): Celery's "Task … succeeded in …: <result>" would be a
            # second. Its failures (ERROR, with the traceback) still come through.
            "celery.app.trace": {"level": "WARNING"},
        },
    }


def _user_id(request: HttpRequest) -> int | None:
    """The account's id, if the request was authenticated; a session user not looked up by the request itself is
    not looked up for the log (it would cost queries the request did not make)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """First of the middleware: one line per request, with its id, when it is answered (or fails)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = current_request.set(rid)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = rid
            return response
        finally:
            duration = round((time.monotonic() - started) * 1000, 1)
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            user = _user_id(request)
            request_logger.log(
                level,
                "%s %s %s %s ms user=%s",
                request.method,
                request.path,
                status,
                duration,
                user,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration,
                    "user_id": user,
                },
            )
            current_request.reset(token)


# --- Celery tasks -----------------------------------------------------------------------------------------------

# When each running task started, and the token that puts the task id back when it ends, by task id (a worker of
# the threads pool runs several at once).
_running: dict[str, tuple[float, Token[str | None]]] = {}


def _plain(value: Any) -> Any:
    """A task's result as a log field when it is counts or ids (every task of ours returns those), else nothing."""
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dict) and all(isinstance(v, bool | int | float | str) or v is None for v in value.values()):
        return value
    return None


def task_started(task_id: str | None = None, **kwargs: Any) -> None:
    """Celery's task_prerun: the clock starts and the lines the task writes carry its id."""
    if task_id:
        _running[task_id] = (time.monotonic(), current_task.set(task_id))


def task_finished(
    task_id: str | None = None, task: Any = None, retval: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    """Celery's task_postrun, after every task (success, failure or retry): its name, id, duration, outcome, queue
    and result counts."""
    if not task_id:
        return
    started, token = _running.pop(task_id, (None, None))
    duration = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    # No state: an eager task that raised into its caller (CELERY_TASK_EAGER_PROPAGATES), its exception on its way.
    outcome = (state or ("failure" if sys.exc_info()[0] is not None else "unknown")).lower()
    name = getattr(task, "name", "?")
    request = getattr(task, "request", None)
    delivery = getattr(request, "delivery_info", None) or {}
    fields: dict[str, Any] = {
        "task": name,
        "task_id": task_id,
        "duration_ms": duration,
        "outcome": outcome,
        "queue": delivery.get("routing_key"),
        "retries": getattr(request, "retries", 0),
    }
    if outcome == "success":
        fields["result"] = _plain(retval)
    level = logging.INFO if outcome == "success" else logging.WARNING if outcome == "retry" else logging.ERROR
    task_logger.log(level, "task %s %s %s ms", name, outcome, duration, extra=fields)
    if token is not None:
        try:
            current_task.reset(token)
        except ValueError:  # set in another context: nothing to put back in this one
            current_task.set(None)
