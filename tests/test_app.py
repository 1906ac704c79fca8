"""The app factory, configuration and the schema's agreement with the models."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import url_for

from rsvp import create_app, sealing
from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.mail.outbox import queue_email
from rsvp.sealing import new_key
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser
from tests.registrations.test_views import VALID


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.delenv("RSVP_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="RSVP_SECRET_KEY"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_to_start_without_its_public_address(monkeypatch):
    """Else every emailed link, and the Message-IDs' domain, would name 127.0.0.1."""
    monkeypatch.setenv("RSVP_SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("RSVP_PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="RSVP_PUBLIC_BASE_URL"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_settings_come_from_prefixed_environment(monkeypatch):
    monkeypatch.setenv("RSVP_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("RSVP_PUBLIC_BASE_URL", "https://events.example.org")
    monkeypatch.setenv("RSVP_MAIL_PORT", "2525")
    monkeypatch.setenv("RSVP_DATA_KEYS", new_key())
    app = create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refuses_to_start_without_data_keys(monkeypatch):
    """Else personal data would be sealed with no key, or not at all."""
    monkeypatch.setenv("RSVP_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("RSVP_PUBLIC_BASE_URL", "https://events.example.org")
    monkeypatch.delenv("RSVP_DATA_KEYS", raising=False)
    with pytest.raises(RuntimeError, match="RSVP_DATA_KEYS is not set"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("RSVP_DATA_KEYS", "c2hvcnQ=")
    with pytest.raises(RuntimeError, match="RSVP_DATA_KEYS: a data key is 32 bytes"):
        create_app({"ENV": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="RSVP_ENV"):
        create_app({"ENV": "staging"})


def test_models_and_migrations_agree(app, db_session):
    """The migrations build exactly the schema the models describe."""
    context = MigrationContext.configure(db_session.connection(),
                                         opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []


def test_healthz_reports_database_and_email_delay(client, db_session):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "email": "ok",
                                   "oldest_due_email_seconds": 0}
    queue_email("registration-links", to="a@example.org", dedupe_key="k", items=[], title="t")
    db_session.execute(sa.update(OutboxMessage).values(
        next_attempt_at=now_utc() - timedelta(minutes=15)))
    report = client.get("/healthz").get_json()
    assert report["email"] == "delayed" and report["oldest_due_email_seconds"] >= 900


def test_database_gone_mid_request_gets_a_clear_retryable_answer(client, db_session, monkeypatch):
    event = make_event()

    def unavailable(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("rsvp.registrations.services.register_row", unavailable)
    response = client.post(f"/events/{event.slug}/register", data=VALID)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "Nothing you sent was saved" in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_each_security_header_once(client, base_url):
    """Each header once, whatever the page already carried: two Content-Security-Policy headers
    would each be enforced, two X-Frame-Options ignored by some browsers."""
    response = client.get("/", base_url=base_url)
    names = [name.lower() for name, _ in response.headers.to_wsgi_list()]
    for name in ("content-security-policy", "permissions-policy", "x-content-type-options",
                 "referrer-policy", "x-frame-options"):
        assert names.count(name) == 1, name
    assert response.headers["X-Frame-Options"] == "DENY"
    assert names.count("strict-transport-security") == (base_url.startswith("https"))


def test_a_number_in_a_link_too_big_for_any_row_is_not_found(app, client, db_session):
    """<int:...> in every rule stops at what an integer column holds: beyond, a 404, not an error page."""
    event = make_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.OWNER)
    log_in(client, organiser.email)
    numbered = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule and "GET" in rule.methods]
    assert numbered  # the emails pages, at least
    for rule in numbered:
        for number in (2**31, 2**63, 10**23):
            values = {name: number if f"<int:{name}>" in rule.rule else event.public_id
                      for name in rule.arguments}
            with app.test_request_context():
                path = url_for(rule.endpoint, **values)
            assert client.get(path).status_code == 404, path


def test_every_email_the_worker_writes_has_its_renderer_from_create_app(app):
    """queue_later(render=NAME) or later(render=NAME) anywhere in rsvp/ names a renderer
    create_app registered."""
    import ast

    from rsvp import ROOT

    named = set()
    for path in (ROOT / "rsvp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("queue_later", "later"):
                render = next(k.value for k in node.keywords if k.arg == "render")
                if isinstance(render, ast.Name) and render.id == "render":
                    continue  # queue_later passing its own argument on to later
                named.add(render.value if isinstance(render, ast.Constant) else render.id)
    names = {"LINKS_EMAIL": "registration-links"}
    assert {names.get(n, n) for n in named} == set(app.extensions["rsvp.email_renderers"])


def test_development_makes_its_data_key_once_into_the_instance_folder(monkeypatch, tmp_path):
    """`make run` on a fresh machine needs no key set by hand; the key survives restarts."""
    monkeypatch.delenv("RSVP_DATA_KEYS", raising=False)
    monkeypatch.setenv("RSVP_INSTANCE_PATH", str(tmp_path))
    first = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "data-keys"
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = create_app({"ENV": "development", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    ring, same = first.extensions[sealing.EXTENSION], again.extensions[sealing.EXTENSION]
    assert ring.ids == same.ids and same.open(ring.seal("Ana")) == "Ana"
