"""The baselines the HTTP benchmarks compare against: the least a Flask app can do.

GET /hello returns a string; POST /insert inserts one row with Flask-SQLAlchemy
and commits. Same database, same gunicorn settings as the app under test.
Served by gunicorn as ``bare_app:create()`` from the bench folder.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Row(db.Model):  # type: ignore[name-defined]
    __tablename__ = "bare_rows"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False)


def create() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BARE_DATABASE_URL"]
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            @sa.event.listens_for(db.engine, "connect")
            def _wal(connection, _record):  # type: ignore[no-untyped-def]
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA busy_timeout=5000")

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    @app.post("/insert")
    def insert() -> tuple[str, int]:
        db.session.add(Row(email=request.form.get("email", "")))
        db.session.commit()
        return "", 303

    return app
