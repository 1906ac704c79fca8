"""The organisers' API with personal access tokens: reach, roles, paging, changes, refusals, audit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp import create_app
from rsvp.api.models import ApiToken
from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode
from rsvp.extensions import db, limiter
from rsvp.mail.models import OutboxMessage
from rsvp.privacy.models import AuditEntry
from rsvp.registrations.models import RegistrationStatus
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.api.conftest import bearer, checked, make_token
from tests.auth.conftest import log_in
from tests.factories import grant_role, make_event, make_organiser, make_registration, make_speaker

REGISTRATIONS = "/api/v1/manage/events/{event_id}/registrations"
ONE = "/api/v1/manage/events/{event_id}/registrations/{registration_id}"
STATUS = "/api/v1/manage/events/{event_id}/registrations/{registration_id}/status"
EVENT = "/api/v1/manage/events/{event_id}"


def _url(template: str, **values: str) -> str:
    return template.format(**values)


@pytest.fixture
def team(db_session):
    a, b = make_event(title="Event A"), make_event(title="Event B")
    viewer = make_organiser()
    grant_role(a, viewer, Role.VIEWER)
    other = make_organiser()
    grant_role(b, other, Role.OWNER)
    return a, b, viewer


def test_a_viewer_token_pages_through_its_event_and_gets_404_for_another(client, document, team):
    a, b, viewer = team
    people = [make_registration(a, name=f"Person {n}") for n in range(7)]
    make_registration(b, name="Someone at B")
    secret = make_token(viewer, [a])
    seen, cursor, pages = [], None, 0
    while True:
        url = _url(REGISTRATIONS, event_id=a.public_id) + "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = checked(document, REGISTRATIONS, client.get(url, headers=bearer(secret)))
        seen += [entry["person"]["name"] for entry in body["registrations"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [p.name for p in people] and pages == 3
    for url in (_url(REGISTRATIONS, event_id=b.public_id), _url(EVENT, event_id=b.public_id),
                _url(REGISTRATIONS, event_id="no-such-event")):
        refused = client.get(url, headers=bearer(secret))
        assert refused.status_code == 404 and "Someone at B" not in refused.get_data(as_text=True)
        checked(document, REGISTRATIONS if "registrations" in url else EVENT, refused)
    one = people[0]
    body = checked(document, ONE, client.get(
        _url(ONE, event_id=a.public_id, registration_id=one.public_id), headers=bearer(secret)))
    assert body["person"]["email"] == one.email and body["code"] == one.door_code
    listed = checked(document, "/api/v1/manage/events", client.get("/api/v1/manage/events",
                                                                    headers=bearer(secret)))
    assert [e["title"] for e in listed["events"]] == ["Event A"]
    assert listed["events"][0]["role"] == "viewer" and not listed["events"][0]["may_change"]


def test_a_token_for_all_events_follows_its_organisers_roles(client, document, team):
    a, b, viewer = team
    secret = make_token(viewer, None)
    assert client.get(_url(REGISTRATIONS, event_id=a.public_id), headers=bearer(secret)).status_code == 200
    assert client.get(_url(REGISTRATIONS, event_id=b.public_id), headers=bearer(secret)).status_code == 404
    grant_role(b, viewer, Role.VIEWER)  # joined later: the token reaches it too
    assert client.get(_url(REGISTRATIONS, event_id=b.public_id), headers=bearer(secret)).status_code == 200


def test_bad_cursor_limit_or_status_is_a_clear_400(client, document, team):
    a, _b, viewer = team
    secret = make_token(viewer, [a])
    base = _url(REGISTRATIONS, event_id=a.public_id)
    for query in ("?cursor=nonsense", "?limit=0", "?limit=501", "?status=maybe"):
        response = client.get(base + query, headers=bearer(secret))
        body = checked(document, REGISTRATIONS, response)
        assert response.status_code == 400 and body["error"] == "bad_request" and body["message"]


def test_confidential_registrations_are_codes_below_managers(client, document, team):
    a, _b, viewer = team
    hidden = make_registration(a, name="Quiet Person", confidential=True)
    manager = make_organiser()
    grant_role(a, manager, Role.MANAGER)
    url = _url(REGISTRATIONS, event_id=a.public_id)
    as_viewer = client.get(url, headers=bearer(make_token(viewer, [a])))
    [entry] = checked(document, REGISTRATIONS, as_viewer)["registrations"]
    assert entry["person"] is None and entry["code"] == hidden.door_code and entry["confidential"]
    assert "Quiet Person" not in as_viewer.get_data(as_text=True)
    assert hidden.email not in as_viewer.get_data(as_text=True)
    one = client.get(_url(ONE, event_id=a.public_id, registration_id=hidden.public_id),
                     headers=bearer(make_token(viewer, [a])))
    assert "Quiet Person" not in one.get_data(as_text=True)
    as_manager = client.get(url, headers=bearer(make_token(manager, [a])))
    [seen] = checked(document, REGISTRATIONS, as_manager)["registrations"]
    assert seen["person"]["name"] == "Quiet Person"


def test_a_co_sponsor_token_reads_counts_never_names(client, document, team):
    a, _b, _viewer = team
    sponsor = make_organiser()
    grant_role(a, sponsor, Role.CO_SPONSOR)
    make_registration(a, name="Ana Named", organisation="Secret NGO")
    make_registration(a, name="Bo Named", status=RegistrationStatus.WAITLISTED)
    make_speaker(a, name="Speaker Named")
    secret = make_token(sponsor, [a])
    counts = client.get(_url(EVENT, event_id=a.public_id), headers=bearer(secret))
    body = checked(document, EVENT, counts)
    assert body["counts"]["registrations"]["by_status"]["confirmed"] == 1
    assert body["counts"]["registrations"]["by_status"]["waitlisted"] == 1
    assert body["counts"]["speakers"] == 1 and not body["may_read_people"]
    for url, template in ((_url(REGISTRATIONS, event_id=a.public_id), REGISTRATIONS),
                          (f"/api/v1/manage/events/{a.public_id}/speakers",
                           "/api/v1/manage/events/{event_id}/speakers")):
        refused = client.get(url, headers=bearer(secret))
        assert refused.status_code == 403 and checked(document, template, refused)["error"] == "forbidden"
    for response in (counts, refused):
        text = response.get_data(as_text=True)
        assert "Named" not in text and "Secret NGO" not in text


def test_revoked_expired_unknown_or_absent_tokens_get_401(client, document, team):
    a, _b, viewer = team
    url = _url(REGISTRATIONS, event_id=a.public_id)
    revoked = make_token(viewer, [a])
    token = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.secret_hash == hashlib.sha256(revoked.encode()).hexdigest()))
    assert client.get(url, headers=bearer(revoked)).status_code == 200
    from rsvp.api.tokens import revoke

    revoke(token, viewer.email)
    db.session.commit()
    expired = make_token(viewer, [a])
    db.session.execute(sa.update(ApiToken).where(ApiToken.secret_hash == hashlib.sha256(
        expired.encode()).hexdigest()).values(expires_at=now_utc() - timedelta(seconds=1)))
    db.session.commit()
    for headers in (bearer(revoked), bearer(expired), bearer("rsvp_pat_" + "x" * 43),
                    bearer("garbage"), {"Authorization": f"Basic {revoked}"}, {}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        assert checked(document, REGISTRATIONS, response)["error"] == "unauthorized"


def test_a_session_cookie_never_stands_for_a_token(client, team):
    a, _b, viewer = team
    owner = make_organiser(is_admin=True)
    log_in(client, owner.email)
    assert client.get(f"/manage/events/{a.public_id}").status_code == 200  # the pages: logged in
    response = client.get(_url(REGISTRATIONS, event_id=a.public_id))
    assert response.status_code == 401
    # With a viewer's token, the admin's session lends nothing: B stays out of reach.
    _b = team[1]
    secret = make_token(viewer, [a])
    assert client.get(_url(REGISTRATIONS, event_id=_b.public_id), headers=bearer(secret)).status_code == 404
    assert "Set-Cookie" not in client.get(_url(REGISTRATIONS, event_id=a.public_id),
                                          headers=bearer(secret)).headers


def test_changes_go_through_the_services_and_need_a_write_token_and_role(csrf_client, document, team):
    client = csrf_client  # the app checks CSRF as in production: bearer requests need none
    a, _b, viewer = team
    pending = make_registration(a, status=RegistrationStatus.PENDING_APPROVAL,
                                attendance_mode=AttendanceMode.IN_PERSON)  # the door checks in the room only
    manager = make_organiser()
    grant_role(a, manager, Role.MANAGER)
    url = _url(STATUS, event_id=a.public_id, registration_id=pending.public_id)
    read_only = client.post(url, json={"action": "approve"}, headers=bearer(make_token(manager, [a])))
    assert read_only.status_code == 403
    assert checked(document, STATUS, read_only, "post")["error"] == "read_only"
    viewer_writes = client.post(url, json={"action": "approve"},
                                headers=bearer(make_token(viewer, [a], can_write=True)))
    assert viewer_writes.status_code == 403
    secret = make_token(manager, [a], can_write=True)
    bad = client.post(url, json={"action": "delete"}, headers=bearer(secret))
    assert bad.status_code == 400 and checked(document, STATUS, bad, "post")["error"] == "bad_request"

    done = client.post(url, json={"action": "approve"}, headers=bearer(secret))
    assert checked(document, STATUS, done, "post")["status"] == "confirmed"
    db.session.refresh(pending)
    assert pending.status is RegistrationStatus.CONFIRMED
    assert pending.changes[-1].actor.startswith(manager.email) and "API token" in pending.changes[-1].actor
    approved_email = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.recipient_hash == digest(pending.email), OutboxMessage.kind == "registration-approved"))
    assert approved_email is not None  # the person is told, as from the pages

    again = client.post(url, json={"action": "approve"}, headers=bearer(secret))
    assert again.status_code == 409 and checked(document, STATUS, again, "post")["error"] == "refused"
    arrived = client.post(url, json={"action": "check_in"}, headers=bearer(secret))
    assert checked(document, STATUS, arrived, "post")["checked_in_at"] is not None
    cancelled = client.post(url, json={"action": "cancel", "reason": "double booking"},
                            headers=bearer(secret))
    assert checked(document, STATUS, cancelled, "post")["status"] == "cancelled"


def test_every_use_and_every_change_of_a_token_is_in_the_audit_log(client, team):
    a, b, viewer = team
    secret = make_token(viewer, [a])
    [made] = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.detail.contains(secret[:13])))
    assert (made.event_id, made.actor) == (a.id, viewer.email) and "made, read only" in made.detail
    entries_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    client.get(_url(REGISTRATIONS, event_id=a.public_id), headers=bearer(secret))
    client.get(_url(EVENT, event_id=a.public_id), headers=bearer(secret))
    client.get(_url(REGISTRATIONS, event_id=b.public_id), headers=bearer(secret))  # refused: 404
    client.get("/api/v1/manage/events", headers=bearer(secret))
    uses = list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.actor.contains(secret[:13]))))
    assert len(uses) == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == entries_before + 4
    assert {e.event_id for e in uses} == {a.id, None}  # the refusal names no event it did not reach
    assert all("through the API" in e.detail for e in uses)
    assert any("refused (404" in e.detail for e in uses)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.organiser_id == viewer.id))
    assert token.last_used_at is not None


@pytest.fixture
def limited_client(app, db_session):
    limited = create_app({**{k: app.config[k] for k in ("ENV", "SQLALCHEMY_DATABASE_URI")},
                          "SERVER_NAME": None, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"})
    limiter.reset()
    try:
        yield limited.test_client()
    finally:
        limiter.reset()
        limiter.enabled = False


def test_rate_limited_per_token(limited_client, team):
    a, _b, viewer = team
    first, second = make_token(viewer, [a]), make_token(viewer, [a])
    url = _url(REGISTRATIONS, event_id=a.public_id)
    answers = [limited_client.get(url, headers=bearer(first)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    over = limited_client.get(url, headers=bearer(first))
    assert over.get_json()["error"] == "rate_limited" and int(over.headers["Retry-After"]) > 0
    assert limited_client.get(url, headers=bearer(second)).status_code == 200  # counted apart


def test_only_a_hash_of_the_secret_is_stored(db_session, team):
    a, _b, viewer = team
    secret = make_token(viewer, [a])
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith("rsvp_pat_") and len(secret) > 50
    row = db.session.execute(sa.text("SELECT * FROM api_tokens")).one()
    assert secret not in [str(value) for value in row]


def test_speakers_page_with_a_viewer_token(client, document, team):
    a, _b, viewer = team
    for n in range(3):
        make_speaker(a, name=f"Speaker {n}", delegation=f"Delegation {n}")
    template = "/api/v1/manage/events/{event_id}/speakers"
    body = checked(document, template, client.get(f"/api/v1/manage/events/{a.public_id}/speakers?limit=2",
                                                  headers=bearer(make_token(viewer, [a]))))
    assert [s["name"] for s in body["speakers"]] == ["Speaker 0", "Speaker 1"] and body["next_cursor"]
