"""The Celery app: the named queues and which task goes to which (task_routes), the beat schedule of the review
calendar (domain A6, Part B §6.1), and the one log line per task (config/logs.py)."""

import logging.config
import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("giamngheo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The queues, each served by its own workers (bin/worker QUEUES), so that a 12-second province report never holds
# up the morning's reminders, nor a fan-out of the review's cases the reports. A task not named here goes to
# `default` (CELERY_TASK_DEFAULT_QUEUE); tests/test_celery_routes.py fails on a task of ours that is not named.
QUEUES = ("reminders", "reports", "imports", "default")
app.conf.task_routes = {
    # reminders: notifications and their e-mail, due every morning; small, and late when they wait.
    "programs.tasks.send_review_reminders": {"queue": "reminders"},
    "programs.tasks.escalate_overdue": {"queue": "reminders"},
    "support.tasks.send_follow_up_reminders": {"queue": "reminders"},
    # reports: the official reports (seconds to minutes each) and the per-commune figures they are made of.
    "programs.tasks.build_report": {"queue": "reports"},
    "programs.tasks.refresh_figures": {"queue": "reports"},
    "programs.tasks.refresh_stale_figures": {"queue": "reports"},
    # imports: bulk writes of household records, in chunks of communes: the opening of the review, a case per
    # household. (The Excel import of a commune runs in its request: 5,000 households in seconds.)
    "programs.tasks.open_periodic_review": {"queue": "imports"},
    "programs.tasks.open_review_cases": {"queue": "imports"},
    # default: housekeeping.
    "households.tasks.prune_access_log": {"queue": "default"},
}


def _every_morning(hour: int, minute: int) -> crontab | float:
    """A reminder task's time: each morning, or every BEAT_REMINDERS_EVERY_SECONDS seconds when that is set (CI and
    a demo of the running stack use it to see beat send the reminders within seconds; the tasks are idempotent, so a
    shorter period sends nothing twice)."""
    every = os.environ.get("BEAT_REMINDERS_EVERY_SECONDS", "").strip()
    return float(every) if every else crontab(minute=minute, hour=hour)


app.conf.beat_schedule = {
    # The periodic review opens on 1 September for every commune (1 September - 14 December).
    "open-periodic-review": {
        "task": "programs.tasks.open_periodic_review",
        "schedule": crontab(minute=0, hour=1, day_of_month=1, month_of_year=9),
    },
    # Every morning: steps due within a week and the reporting calendar (15/11, 20/12, the 5th).
    "send-review-reminders": {"task": "programs.tasks.send_review_reminders", "schedule": _every_morning(6, 0)},
    # Every morning: overdue steps go to the district where one exists, else the province.
    "escalate-overdue": {"task": "programs.tasks.escalate_overdue", "schedule": _every_morning(6, 30)},
    # The figures: stale communes every five minutes, every commune at night.
    "refresh-stale-figures": {"task": "programs.tasks.refresh_stale_figures", "schedule": crontab(minute="*/5")},
    "refresh-figures": {"task": "programs.tasks.refresh_figures", "schedule": crontab(minute=0, hour=2)},
    # Every morning: support follow-ups (livestock alive, house inspected, trainee employed…) due within 2 weeks.
    "send-follow-up-reminders": {
        "task": "support.tasks.send_follow_up_reminders",
        "schedule": _every_morning(6, 45),
    },
    # Every night: the access log of personal data keeps ACCESS_LOG_RETENTION_DAYS (manage.py prune_access_log).
    "prune-access-log": {"task": "households.tasks.prune_access_log", "schedule": crontab(minute=15, hour=3)},
}


@signals.setup_logging.connect
def use_django_logging(**kwargs: object) -> None:
    """Workers and beat log through Django's LOGGING (JSON lines in production), not Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _connect_task_log() -> None:
    from config import logs

    signals.task_prerun.connect(logs.task_started, weak=False)
    signals.task_postrun.connect(logs.task_finished, weak=False)


_connect_task_log()
