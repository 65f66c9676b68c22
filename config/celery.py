"""The Celery app and the beat schedule of the review calendar (domain A6, Part B §6.1)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("giamngheo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.beat_schedule = {
    # The periodic review opens on 1 September for every commune (1 September - 14 December).
    "open-periodic-review": {
        "task": "programs.tasks.open_periodic_review",
        "schedule": crontab(minute=0, hour=1, day_of_month=1, month_of_year=9),
    },
    # Every morning: steps due within a week and the reporting calendar (15/11, 20/12, the 5th).
    "send-review-reminders": {"task": "programs.tasks.send_review_reminders", "schedule": crontab(minute=0, hour=6)},
    # Every morning: overdue steps go to the district where one exists, else the province.
    "escalate-overdue": {"task": "programs.tasks.escalate_overdue", "schedule": crontab(minute=30, hour=6)},
    # The figures: stale communes every five minutes, every commune at night.
    "refresh-stale-figures": {"task": "programs.tasks.refresh_stale_figures", "schedule": crontab(minute="*/5")},
    "refresh-figures": {"task": "programs.tasks.refresh_figures", "schedule": crontab(minute=0, hour=2)},
    # Every morning: support follow-ups (livestock alive, house inspected, trainee employed…) due within 2 weeks.
    "send-follow-up-reminders": {
        "task": "support.tasks.send_follow_up_reminders",
        "schedule": crontab(minute=45, hour=6),
    },
    # Every night: the access log of personal data keeps ACCESS_LOG_RETENTION_DAYS (manage.py prune_access_log).
    "prune-access-log": {"task": "households.tasks.prune_access_log", "schedule": crontab(minute=15, hour=3)},
}
