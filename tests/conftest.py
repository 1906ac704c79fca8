"""Fixtures: one database per run built by the migrations, each test rolled back.

The database is SQLite in a temporary folder, or PostgreSQL when
RSVP_TEST_DATABASE_URL is set (CI sets it). Tests that need real commits
(a live server, concurrent requests) use ``live_db``, which empties every
table afterwards instead of rolling back.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from werkzeug.serving import make_server

from rsvp import ROOT, create_app
from rsvp.extensions import db
from rsvp.registrations import opened

# No timing thresholds: Hypothesis's own (a 200 ms deadline per example, a "too slow" health
# check) fail on a busy machine for reasons a user never sees.
settings.register_profile("rsvp", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("rsvp")

POSTGRES_URL = os.environ.get("RSVP_TEST_DATABASE_URL", "")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The journeys on the served kinds (tests/served/conftest.py: served_app) run last.

    Each kind's servers start once for all of its tests (pytest groups them by kind, as it does
    for any parametrised fixture of the whole run) and stop when the next kind starts, the last at
    the end of the run: their email worker must not meet another test's rows on the database in
    the meantime. A stable sort, after pytest's own grouping.
    """
    items.sort(key=_on_a_served_kind)


def _on_a_served_kind(item: pytest.Item) -> bool:
    module = getattr(item, "module", None)  # a module of its own served_app launches its own
    return "served_app" in getattr(item, "fixturenames", ()) and not hasattr(module, "served_app")


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """Compile each translations/*/messages.po that has no up-to-date .mo (git holds only the .po).

    `make test` does this already; running pytest directly after a pull must not test stale text.
    """
    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with open(po_path, "rb") as po:
                catalog = read_po(po, locale=po_path.parent.parent.name)
            with open(mo_path, "wb") as mo:
                write_mo(mo, catalog)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    app = create_app({
        "ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    })
    with app.app_context():
        upgrade()  # the schema only ever comes from the migrations
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[sa.orm.scoped_session]:
    """Every statement of the test inside one outer transaction, rolled back at the end.

    Commits in the code under test release savepoints only.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "postgresql":
            # The counts' trigger runs at commit (migration c6e2f8a1d4b7), and this transaction
            # never commits: here it runs at each write, so a test reads what it wrote counted.
            connection.exec_driver_sql("SET CONSTRAINTS ALL IMMEDIATE")
        db.session.remove()
        db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            opened.forget()  # what it kept opened was rolled back
            db.session.remove()
            db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, db_session: sa.orm.scoped_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_client(app: Flask, db_session: sa.orm.scoped_session) -> Iterator[FlaskClient]:
    """A client of an app that checks CSRF tokens, as production does."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(autouse=True)
def _no_csrf_by_default(app: Flask) -> None:
    # Most view tests post forms directly; csrf_client and the browser tests check CSRF.
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(autouse=True)
def _fresh_login_per_request(app: Flask) -> Iterator[None]:
    """Each request loads its logged-in organiser afresh, as in production.

    A test's requests share the test's app context and so its ``g``, where
    Flask-Login keeps the user it loaded: without this, one client's login
    would show through to the next request of another.
    """
    def forget(sender: Flask, **extra: object) -> None:
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # and its language afresh: Flask-Babel keeps the choice in g too

    request_started.connect(forget, app)
    try:
        yield
    finally:
        request_started.disconnect(forget, app)


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def live_db(app: Flask) -> Iterator[None]:
    """Real commits, visible to other threads; every table is emptied afterwards."""
    with app.app_context():
        _empty_tables()
        try:
            yield
        finally:
            db.session.remove()
            _empty_tables()


@pytest.fixture
def live_server(app: Flask, live_db: None) -> Iterator[str]:
    """The app served on 127.0.0.1 by a real HTTP server in a thread; yields its base URL."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One Chromium for the whole run (Playwright's sync API allows one at a time), for tests/browser
    and tests/served alike."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Chromium not found on PATH: apt-get install chromium (CI installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
