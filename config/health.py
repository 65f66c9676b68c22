"""GET /healthz: checks the database and the broker, 200 when both answer, 503 otherwise.

Anyone (a load balancer, a monitor) gets only `{"status": "ok"}` or `{"status": "fail"}`; the report of each part,
with its error text, is for a signed-in program admin or superuser, who runs the system (it names the database and
the broker and can quote a host or a path).
"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, never raises
        return {"ok": False, "vendor": connection.vendor, "error": str(exc)[:200]}


def _broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager", "detail": "no broker configured: tasks run in-process"}
    from config.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "mode": "broker"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "broker", "error": str(exc)[:200]}


def _may_read_the_report(user) -> bool:
    # The role's name, not households.rules: config does not import the apps (STYLE 1).
    operator = user.is_superuser or getattr(user, "role", None) == "program_admin"
    return bool(user.is_authenticated and user.is_active and operator)


@require_GET
def healthz(request):
    parts = {"database": _database(), "broker": _broker()}
    healthy = all(part["ok"] for part in parts.values())
    status = "ok" if healthy else "fail"
    body = {**parts, "status": status} if _may_read_the_report(request.user) else {"status": status}
    return JsonResponse(body, status=200 if healthy else 503)
