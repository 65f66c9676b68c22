"""GET /healthz: reports the database and the broker, 200 when both answer, 503 otherwise."""

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


@require_GET
def healthz(request):
    report = {"database": _database(), "broker": _broker()}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "fail"
    return JsonResponse(report, status=200 if healthy else 503)
