"""End to end under a real Celery worker consuming from Redis: the periodic review opens through the fan-out
tasks, reminders and escalations arrive once, and a task that crashes is retried by Celery without
duplicating anything.

The worker runs in a thread of this process (celery.contrib.testing), with its own database connection, so
the test commits its data (a transactional test; pytest-django runs these after the others).
"""

import datetime
import os
import time
import uuid

import pytest
from django.core import mail
from django.db import DatabaseError

from config.celery import app
from households.models import User
from programs import tasks
from programs.models import Notification, ReviewCampaign, ReviewCase
from programs.review.services import calendar as reminders
from tests.programs.review_helpers import make_poor


@pytest.fixture
def redis_worker():
    """A worker thread on a fresh queue of the test Redis, every task routed to it (not to the named queues of
    config/celery.py, which the production workers serve); the app goes back to eager mode afterwards."""
    from celery.contrib.testing.worker import start_worker

    saved = {
        key: app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "task_default_queue",
            "task_routes",
            "broker_connection_retry_on_startup",
        )
    }
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        task_default_queue=f"test-{uuid.uuid4().hex}",
        task_routes={},
        broker_connection_retry_on_startup=False,
    )
    forget_connections(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        app.conf.update(saved)
        forget_connections(app)


def forget_connections(app):
    """Drop what the app built from its old settings: eager tests before this one made a disabled result
    backend, and the broker pool and queues follow the broker URL and default queue."""
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.__dict__.pop("amqp", None)


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_opens_the_review_reminds_and_escalates_once(
    committed_areas, redis_worker, make_household, commune_a, admin_user, officer_a, district_staff, monkeypatch
):
    User.objects.filter(pk=officer_a.pk).update(email="canbo@xa.vn")
    for index in range(4):
        make_poor(make_household(commune_a, f"Hộ nghèo {index}"), admin_user)
    monkeypatch.setattr(reminders, "COMMUNE_CHUNK", 1000)  # a few chunk tasks for the whole country

    result = tasks.open_periodic_review.delay(2026)
    assert result.get(timeout=120)["chunks"] == 4
    communes = len(reminders.commune_ids())
    assert ReviewCampaign.objects.filter(year=2026).count() == communes
    assert wait_for(lambda: ReviewCase.objects.filter(campaign__year=2026).count() == 4), "chunk tasks did not finish"

    # The first attempt crashes after writing its notifications; Celery retries it and mails each one once.
    real = reminders.deliver_notifications
    attempts = {"n": 0}

    def crash_once(**kwargs):
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise DatabaseError("simulated crash")
        return real(**kwargs)

    monkeypatch.setattr(reminders, "deliver_notifications", crash_once)
    monkeypatch.setattr(tasks.send_review_reminders, "retry_backoff", False)
    monkeypatch.setattr(tasks.send_review_reminders, "default_retry_delay", 0)
    tasks.send_review_reminders.delay(7, "2026-10-09")
    assert wait_for(lambda: len(mail.outbox) >= 1), "the retried task did not mail"
    time.sleep(1)
    assert attempts["n"] == 2
    [note] = Notification.objects.filter(user=officer_a, kind="step_due")
    assert (note.count, note.due_on) == (4, datetime.date(2026, 10, 15))
    assert [m.to for m in mail.outbox] == [["canbo@xa.vn"]]

    # A second run sends nothing.
    assert tasks.send_review_reminders.delay(7, "2026-10-09").get(timeout=60) == {
        "steps": 0,
        "reports": 0,
        "emailed": 0,
    }
    assert len(mail.outbox) == 1

    # Overdue: escalated to the legacy district over commune A, once.
    assert tasks.escalate_overdue.delay("2026-10-16").get(timeout=60)["escalated"] == 1
    assert tasks.escalate_overdue.delay("2026-10-17").get(timeout=60)["escalated"] == 0
    assert Notification.objects.filter(user=district_staff, kind="step_overdue").count() == 1
