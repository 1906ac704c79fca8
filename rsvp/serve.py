"""Serving in production: gunicorn with settings that suit this app, and structured logs.

``rsvp serve`` runs gunicorn in-process (gunicorn.app.base.BaseApplication),
so the app, its config and its log redaction are the same as everywhere else.
Workers default to 2 × CPUs + 1 (capped at 8: SQLite serialises writers, and
PostgreSQL connections are not free); requests time out after 30 s; the
access log carries no query string and, like every log record, no address
or link token (rsvp.privacy.logs).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

#: Access log: time, method, path without query string, status, size, duration (µs).
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(D)s'


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors (RSVP_LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage(), "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(fmt: str, process: str) -> None:
    """Plain lines by default; JSON lines when ``fmt`` is "json"."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {process} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn serving an app built by create_app in each worker."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_fork", self._fresh_connections)

    def _fresh_connections(self, server: Any, worker: Any) -> None:
        """A forked worker must not share the master's database connections."""
        from rsvp.extensions import db

        with self.application.app_context():
            db.engine.dispose(close=False)

    def load(self) -> Flask:
        return self.application


def options(bind: str, workers: int, timeout: int, log_format: str) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "bind": bind, "workers": workers, "worker_class": "sync", "timeout": timeout,
        "graceful_timeout": timeout, "keepalive": 5,
        # Restart workers now and then, so a slow leak can never grow for weeks.
        "max_requests": 10_000, "max_requests_jitter": 1_000,
        "accesslog": "-", "errorlog": "-", "access_log_format": ACCESS_LOG_FORMAT,
        # Forwarded headers are the app's to read (RSVP_PROXIES, werkzeug's ProxyFix), from exactly
        # as many proxies as are configured; gunicorn itself trusts none.
        "forwarded_allow_ips": "",
    }
    if log_format == "json":
        settings["logconfig_dict"] = {
            "version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "rsvp.serve.JsonFormatter"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
            "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO",
                                           "propagate": False},
                        "gunicorn.access": {"handlers": ["console"], "level": "INFO",
                                            "propagate": False}},
            "root": {"handlers": ["console"], "level": "INFO"},
        }
    return settings
