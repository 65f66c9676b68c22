"""Logs an operator can use (config/logs.py): one JSON line per request with its id, account, method, path, status
and duration; one per Celery task with its name, id, duration, outcome and queue; the services' events with their
counts; and never a household member's name or a query string, which can hold one."""

import io
import json
import logging

import pytest
from django.conf import settings

from config import logs
from households.models import User
from programs import tasks
from programs.review.services import calendar as reminders

pytestmark = pytest.mark.django_db

HEAD = "Nguyễn Văn Đức"  # household_a's head (tests/conftest.py)


@pytest.fixture
def log_lines():
    """What the loggers of giamngheo write, through the production formatter (JSON) and the context filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    logger = logging.getLogger("giamngheo")
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    lines.text = stream.getvalue  # type: ignore[attr-defined]
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(saved)


def test_production_logs_are_json_lines_by_default():
    # The suite runs as production does, with DEBUG off.
    assert settings.DEBUG is False and settings.LOG_FORMAT == "json"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.MIDDLEWARE[0] == "config.logs.RequestLogMiddleware"


def test_a_request_is_logged_once_with_its_id_account_path_status_and_duration(api, officer_a, household_a, log_lines):
    response = api(officer_a).get(
        "/api/v1/households/", {"q": "nguyen van duc", "page_size": 5}, HTTP_X_REQUEST_ID="req-0123456789abcdef"
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    [line] = [line for line in log_lines() if line["logger"] == "giamngheo.request"]
    assert {"time", "level", "request_id", "user_id", "method", "path", "status", "duration_ms"} <= line.keys()
    assert line["request_id"] == "req-0123456789abcdef"
    assert (line["level"], line["method"], line["path"], line["status"]) == ("INFO", "GET", "/api/v1/households/", 200)
    assert line["user_id"] == officer_a.pk and isinstance(line["duration_ms"], float)
    text = log_lines.text()
    assert HEAD not in text and "nguyen" not in text.lower()  # the query string (a searched name) stays out
    assert officer_a.username not in text  # the account by its id only


def test_a_request_without_an_id_or_with_a_forged_one_gets_a_new_one(api, log_lines):
    plain = api(None).get("/healthz")
    forged = api(None).get("/healthz", HTTP_X_REQUEST_ID='"Nguyễn Văn Đức" <script>')
    ids = [plain["X-Request-ID"], forged["X-Request-ID"]]
    assert all(len(rid) == 32 for rid in ids) and ids[0] != ids[1]
    lines = [line for line in log_lines() if line["logger"] == "giamngheo.request"]
    assert [line["request_id"] for line in lines] == ids
    assert [line["user_id"] for line in lines] == [None, None]
    assert HEAD not in log_lines.text()


def test_an_error_is_logged_at_warning_with_its_status(api, officer_a, household_b, log_lines):
    response = api(officer_a).get(f"/api/v1/households/{household_b.pk}/")  # another commune's: a 404
    assert response.status_code == 404
    [line] = [line for line in log_lines() if line["logger"] == "giamngheo.request"]
    assert (line["level"], line["status"], line["path"]) == ("WARNING", 404, f"/api/v1/households/{household_b.pk}/")


def test_a_task_is_logged_with_its_name_id_duration_outcome_and_its_events(
    household_a, officer_a, admin_user, log_lines
):
    from tests.programs.review_helpers import make_poor

    User.objects.filter(pk=officer_a.pk).update(email="canbo@xa.vn")
    make_poor(household_a, admin_user)
    reminders.open_periodic_review(year=2026, area_codes=[household_a.commune.code])
    result = tasks.send_review_reminders.apply(kwargs={"today": "2026-10-09"})  # eager, as the embedded default runs it
    assert result.successful()
    lines = log_lines()
    [task] = [line for line in lines if line["logger"] == "giamngheo.task"]
    assert {"time", "level", "task", "task_id", "duration_ms", "outcome"} <= task.keys()
    assert (task["task"], task["task_id"], task["outcome"]) == (
        "programs.tasks.send_review_reminders",
        result.id,
        "success",
    )
    assert task["result"] == {"steps": 1, "reports": 0, "emailed": 1}
    events = {line["event"]: line for line in lines if "event" in line}
    assert events["reminders.sent"]["steps"] == 1 and events["reminders.sent"]["task_id"] == result.id
    assert events["mail.sent"]["emailed"] == 1
    assert events["review.opened"]["campaigns"] == 1 and events["review.cases_opened"]["cases"] == 1
    text = log_lines.text()
    assert HEAD not in text and "canbo@xa.vn" not in text


def test_a_failed_task_is_logged_as_a_failure(log_lines, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(reminders, "send_review_reminders", broken)
    with pytest.raises(RuntimeError):  # eager tasks raise in the caller (CELERY_TASK_EAGER_PROPAGATES)
        tasks.send_review_reminders.apply()
    [task] = [line for line in log_lines() if line["logger"] == "giamngheo.task"]
    assert (task["outcome"], task["level"]) == ("failure", "ERROR")


def test_the_text_format_is_readable_for_development():
    formatter = logs.TextFormatter()
    record = logging.LogRecord("giamngheo.request", logging.INFO, __file__, 1, "GET %s 200", ("/admin/",), None)
    record.request_id, record.task_id = "0123456789abcdef", None
    assert formatter.format(record).endswith("INFO giamngheo.request [01234567]: GET /admin/ 200")
