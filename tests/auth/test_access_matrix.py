"""Every /manage route × every kind of visitor → the status they must get, read from the URL map.

Routes are found in ``app.url_map``, so a route added later is in the matrix
without touching this file: it fails if the route's view has no access
declaration (rsvp.auth.access) or if its URL has a variable with no sample
value below. ``<event_id>`` is always the test event's public id; add other
variables to SAMPLES with a value that exists (a registration of that event,
say), so that only the access check can refuse.

GET routes are requested with GET; POST-only routes with a POST that carries
no CSRF token: the access check answers first (302 to log in, 403, 404), and
a visitor who passes it is refused by the CSRF check (400), so nothing is
changed while the matrix runs.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Blueprint, Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from rsvp import create_app
from rsvp.auth import services
from rsvp.auth.access import Role, event_role_required
from rsvp.auth.models import Organiser
from rsvp.events.models import Event
from rsvp.exports import jobs
from rsvp.exports.models import ExportJob
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import codes, notify
from rsvp.registrations.models import Registration
from rsvp.registrations.tracking import AttendeeFilter
from rsvp.speakers import statements
from rsvp.speakers.models import Speaker
from rsvp.timeutil import now_utc
from tests.auth.conftest import log_in
from tests.factories import (
    add_document,
    grant_role,
    make_event,
    make_organiser,
    make_registration,
    make_speaker,
    make_speakers_list,
    set_image,
)
from tests.speakers import documents, media
from tests.speakers.conftest import statements_dir  # noqa: F401 - the sample statement's folder

PRINCIPALS = ("anonymous", "no_role", "co_sponsor", "viewer", "check_in", "manager", "owner", "admin")

#: The event roles each visitor passes on the test event, written out rather than computed.
PASSES: dict[str, set[Role]] = {
    "anonymous": set(),
    "no_role": set(),
    "co_sponsor": {Role.CO_SPONSOR},
    "viewer": {Role.CO_SPONSOR, Role.VIEWER},
    "check_in": {Role.CHECK_IN},
    "manager": {Role.CO_SPONSOR, Role.VIEWER, Role.CHECK_IN, Role.MANAGER},
    "owner": {Role.CO_SPONSOR, Role.VIEWER, Role.CHECK_IN, Role.MANAGER, Role.OWNER},
    "admin": {Role.CO_SPONSOR, Role.VIEWER, Role.CHECK_IN, Role.MANAGER, Role.OWNER},
}

People = dict[str, Organiser]

#: A value for each URL variable other than <event_id>.
SAMPLES: dict[str, Callable[[Event, People], str]] = {
    "organiser_id": lambda event, people: people["viewer"].public_id,  # on the event's team
    "token": lambda event, people: services.password_link(people["no_role"]).rsplit("/", 1)[1],
    "registration_id": lambda event, people: _registration(event).public_id,
    "checkin_token": lambda event, people: codes.checkin_token(_registration(event)),
    "fmt": lambda event, people: "csv",
    "message_number": lambda event, people: str(db.session.scalars(sa.select(OutboxMessage.id).where(
        OutboxMessage.event_id == event.id)).first()),
    "document_id": lambda event, people: add_document(event).public_id,  # an uploaded file
    "image_name": lambda event, people: set_image(event),
    "speaker_id": lambda event, people: db.session.scalar(  # the people fixture's, with a statement
        sa.select(Speaker.public_id).where(Speaker.event_id == event.id)),
    "language": lambda event, people: "es",  # a language the test event (written in English) may take
    "job_id": lambda event, people: _prepared_export(event, people["manager"]),
}

#: Files the worker prepared: only the organiser who asked for one (the manager here) may open
#: its pages, whatever role anyone else holds.
ONLY_WHO_ASKED = {"exports.prepared", "exports.progress", "exports.prepared_file"}


def _prepared_export(event: Event, asker: Organiser) -> str:
    """An attendee list that ``asker`` asked for and the worker has built."""
    built = sa.select(ExportJob.public_id).where(ExportJob.event_id == event.id,
                                                 ExportJob.organiser_id == asker.id,
                                                 ExportJob.stored_as.is_not(None))
    if db.session.scalar(built) is None:
        jobs.queue(event, asker.id, "xlsx", AttendeeFilter(), ["name"], False, 1, "matrix")
        assert jobs.build_exports(now_utc()) == 1
    return db.session.scalars(built).one()


def _registration(event: Event) -> Registration:
    """The test event's one registration (made by the people fixture)."""
    return db.session.scalars(sa.select(Registration).where(
        Registration.event_id == event.id)).one()

LOGIN = "redirect to login"


def manage_rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule == "/manage" or rule.rule.startswith("/manage/")]


def expected(access: tuple, principal: str, method: str) -> int | str:
    allowed = 200 if method == "GET" else 400
    kind = access[0]
    if kind == "public":
        return allowed
    if principal == "anonymous":
        return LOGIN
    if kind == "login":
        return allowed
    if kind == "admin":
        return allowed if principal == "admin" else 403
    if kind == "event":
        return allowed if access[1] in PASSES[principal] else 404
    raise AssertionError(f"unknown access declaration {access!r}")


def outcome(client: FlaskClient, method: str, path: str) -> int | str:
    response = client.open(path, method=method)
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/manage/login?next="):
        return LOGIN
    return response.status_code


def url_of(rule: Rule, event: Event, people: People) -> str:
    values = {}
    for name in rule.arguments:
        if name == "event_id":
            values[name] = event.public_id
        elif name in SAMPLES:
            values[name] = SAMPLES[name](event, people)
        else:
            pytest.fail(f"{rule.rule}: add a sample value for <{name}> to SAMPLES in {__name__}")
    return url_for(rule.endpoint, **values)


@pytest.fixture
def exports_dir(app: Flask, tmp_path, monkeypatch) -> None:
    """Files the worker prepares go to a fresh instance folder, never into the checkout's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setenv("RSVP_INSTANCE_PATH", str(tmp_path))  # for the apps a test builds


@pytest.fixture
def people(db_session, exports_dir) -> tuple[Event, People]:
    event = make_event(title="The matrix event")
    people = {name: make_organiser(name=f"Matrix {name}", is_admin=name == "admin")
              for name in PRINCIPALS if name != "anonymous"}
    for name in ("co_sponsor", "viewer", "check_in", "manager", "owner"):
        grant_role(event, people[name], Role(name))
    notify.status_email(make_registration(event, name="Matrix Attendee"))
    db.session.commit()
    make_speakers_list(event)
    make_speaker(event, statement_stored_as=statements.save(db.session(), documents.PDF, "pdf"),
                 statement_filename="statement.pdf", statement_content_type="application/pdf",
                 video_stored_as=statements.save(db.session(), media.webm(), "webm"),
                 video_filename="statement.webm", video_content_type="video/webm")
    return event, people


def run_matrix(app: Flask, event: Event, people: People) -> tuple[list[str], set[str]]:
    """Every /manage rule × PRINCIPALS; returns the mismatches and the endpoints checked."""
    clients = {"anonymous": app.test_client()}
    for name, organiser in people.items():
        clients[name] = app.test_client()
        assert log_in(clients[name], organiser.email).status_code == 303, name
    failures, checked = [], set()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for rule in manage_rules(app):
            access = getattr(app.view_functions[rule.endpoint], "access", None)
            if access is None:
                failures.append(f"{rule.rule}: no access declaration (see rsvp.auth.access)")
                continue
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            with app.test_request_context():
                path = url_of(rule, event, people)
            for principal in PRINCIPALS:
                got, want = outcome(clients[principal], method, path), expected(access, principal, method)
                if rule.endpoint in ONLY_WHO_ASKED and want == 200 and principal != "manager":
                    want = 404
                if got != want:
                    failures.append(f"{method} {rule.rule} as {principal}: got {got}, expected {want}")
            checked.add(rule.endpoint)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    return failures, checked


def test_every_manage_route_declares_who_may_use_it(app):
    undeclared = [rule.rule for rule in manage_rules(app)
                  if not hasattr(app.view_functions[rule.endpoint], "access")]
    assert undeclared == [], "decorate these views with rsvp.auth.access"


#: What the issue asks of the routes built with the accounts; later routes may add theirs.
DECLARED = {
    "auth.login": ("public",),
    "auth.request_reset": ("public",),
    "auth.reset_password": ("public",),
    "auth.logout": ("login",),
    "auth.change_password": ("login",),
    "manage.home": ("login",),
    "manage.organisers": ("admin",),
    "manage.deactivate_organiser": ("admin",),
    "manage.reactivate_organiser": ("admin",),
    "manage.team": ("event", Role.OWNER),
    "manage.change_role": ("event", Role.OWNER),
    "manage.remove_member": ("event", Role.OWNER),
    "editor.new": ("admin",),
    "editor.clone": ("admin",),
    "editor.preview": ("login",),
    "editor.details": ("event", Role.MANAGER),
    "editor.programme": ("event", Role.MANAGER),
    "editor.partners": ("event", Role.MANAGER),
    "editor.questions": ("event", Role.MANAGER),
    "editor.documents": ("event", Role.MANAGER),
    "editor.add_document": ("event", Role.MANAGER),
    "editor.image": ("event", Role.MANAGER),
    "editor.status": ("event", Role.MANAGER),
    "editor.publish": ("event", Role.MANAGER),
    "editor.cancel": ("event", Role.MANAGER),
    "editor.postpone": ("event", Role.MANAGER),
    "attendance.index": ("event", Role.MANAGER),
    "attendance.follow_up": ("event", Role.MANAGER),
    "editor.image_file": ("event", Role.VIEWER),
    "editor.document_file": ("event", Role.VIEWER),
    "editor.translations": ("event", Role.MANAGER),
    "editor.translation": ("event", Role.MANAGER),
    "editor.remove_translation": ("event", Role.MANAGER),
    "console.settings": ("event", Role.MANAGER),
    "console.console": ("event", Role.VIEWER),
    "console.state": ("event", Role.VIEWER),
    "console.act": ("event", Role.MANAGER),
    "console.swap": ("event", Role.MANAGER),
    "console.reorder": ("event", Role.MANAGER),
    "console.statement": ("event", Role.VIEWER),
    "console.video": ("event", Role.VIEWER),
    "console.video_file": ("event", Role.VIEWER),
    "console.report": ("event", Role.VIEWER),
    "console.report_by_speaker": ("event", Role.VIEWER),
    "console.report_by_category": ("event", Role.VIEWER),
}


def test_routes_declare_what_the_issue_asks(app):
    declared = {endpoint: getattr(app.view_functions[endpoint], "access", None) for endpoint in DECLARED}
    assert declared == DECLARED


def test_access_matrix(app, people):
    failures, checked = run_matrix(app, *people)
    assert failures == []
    # The URL map was read, not a list kept by hand: these are among what it found.
    assert {"auth.login", "auth.logout", "manage.home", "manage.organisers", "manage.team",
            "manage.remove_member", "auth.reset_password"} <= checked


def _probe(role: Role) -> Callable[..., str]:
    def probe(event: Event) -> str:
        return f"{role.value}: {event.title}"

    probe.__name__ = f"probe_{role.value}"
    return probe


def test_each_role_opens_exactly_what_it_should(app, people):
    """Routes for every role (not all exist yet), checked by the same matrix."""
    probed = create_app({k: app.config[k]
                         for k in ("ENV", "SQLALCHEMY_DATABASE_URI", "SPEAKER_STATEMENTS_DIR")})
    probes = Blueprint("probe", __name__)
    for role in Role:
        probes.add_url_rule(f"/manage/probe/{role.value}/<event_id>", f"get_{role.value}",
                            event_role_required(role)(_probe(role)))
        probes.add_url_rule(f"/manage/probe/{role.value}/<event_id>/post", f"post_{role.value}",
                            event_role_required(role)(_probe(role)), methods=["POST"])
    probed.register_blueprint(probes)

    failures, checked = run_matrix(probed, *people)
    assert failures == []
    assert {f"probe.{method}_{role.value}" for method in ("get", "post") for role in Role} <= checked
    owner = probed.test_client()
    log_in(owner, people[1]["check_in"].email)
    response = owner.get(f"/manage/probe/check_in/{people[0].public_id}")
    assert response.get_data(as_text=True) == "check_in: The matrix event"  # the view got the event
