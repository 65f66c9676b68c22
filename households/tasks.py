"""Celery tasks of the registry: thin, a service call, counts out; each has a management command twin."""

from celery import shared_task
from django.db import DatabaseError

from households import services

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_jitter": True, "max_retries": 5}


@shared_task(**RETRY)
def prune_access_log() -> int:
    """Nightly: delete the access records past ACCESS_LOG_RETENTION_DAYS (twin: `manage.py prune_access_log`)."""
    return services.prune_access_log().deleted
