"""gunicorn's settings for `bin/web` (`gunicorn -c config/gunicorn.py config.wsgi`), read from the same environment
as the application's.

WEB_CONCURRENCY processes of GUNICORN_THREADS threads each: 2 x 8 by default, the layout bench/ measures on the
2-core machine (the household list's p95 at 16 clients). A process per core and threads for the time spent waiting
on PostgreSQL; raise WEB_CONCURRENCY with the cores, and keep processes x threads x machines under PostgreSQL's
max_connections (each thread keeps one connection for DB_CONN_MAX_AGE seconds).
"""

import os

from config.env import env_bool, env_choice, env_int
from config.logs import logging_config

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")  # the TLS proxy in front forwards here
workers = env_int("WEB_CONCURRENCY", 2, minimum=1)
threads = env_int("GUNICORN_THREADS", 8, minimum=1)
# A request still running after this many seconds is killed with its worker: the long work (reports) is Celery's.
timeout = env_int("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = 30
# Each process answers this many requests, then is replaced (with jitter, not all at once): memory stays flat.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 5000, minimum=0)
max_requests_jitter = max_requests // 10
# No access log: the application writes one line per request itself (config/logs.py), with the request id and the
# account, and without the query string, which can hold a searched name. gunicorn's own lines go to standard error.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own lines (start, workers booted or killed) in the application's format: JSON lines in production.
_format = env_choice("LOG_FORMAT", "text" if env_bool("DEBUG", False) else "json", ("json", "text"))
logconfig_dict = logging_config(json=_format == "json", level=os.environ.get("LOG_LEVEL") or "INFO")
logconfig_dict["loggers"] |= {
    "gunicorn.error": {"handlers": ["console"], "propagate": False},  # in place of gunicorn's own text handler
    "gunicorn.access": {"level": "CRITICAL", "propagate": False},  # off (see accesslog): the application logs requests
}
