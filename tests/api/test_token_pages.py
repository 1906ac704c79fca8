"""/manage/tokens: an organiser makes a token (shown once), sees it listed with its last use, and
revokes it; each step is in the audit log."""

from __future__ import annotations

import re

import sqlalchemy as sa

from rsvp.api.models import ApiToken
from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from tests.api.conftest import bearer, make_token
from tests.auth.conftest import log_in, post_form
from tests.factories import grant_role, make_event, make_organiser


def test_make_use_and_revoke_a_token(csrf_client):
    client = csrf_client
    mine, theirs = make_event(title="Mine"), make_event(title="Theirs")
    organiser = make_organiser()
    grant_role(mine, organiser, Role.MANAGER)
    log_in(client, organiser.email)
    page = client.get("/manage/tokens").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page  # only events they hold a role on

    refused = post_form(client, "/manage/tokens", {"name": "", "scope": "some", "access": "read",
                                                   "expires": "30"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Name the token" in text and "Tick at least one event" in text
    forged = post_form(client, "/manage/tokens", {"name": "CRM", "scope": "some", "events": theirs.public_id,
                                                  "access": "read", "expires": "30"})
    assert forged.status_code == 422 and "Choose among your own events" in forged.get_data(as_text=True)

    made = post_form(client, "/manage/tokens", {"name": "CRM sync", "scope": "some",
                                                "events": mine.public_id, "access": "write",
                                                "expires": "30"})
    assert made.status_code == 200 and "no-store" in made.headers["Cache-Control"]
    secret = re.search(r'value="(rsvp_pat_[^"]+)"', made.get_data(as_text=True)).group(1)
    again = client.get("/manage/tokens").get_data(as_text=True)
    assert secret not in again and secret[:13] in again and "Never" in again  # shown once; never used

    assert client.get(f"/api/v1/manage/events/{mine.public_id}/registrations",
                      headers=bearer(secret)).status_code == 200
    assert "Never" not in client.get("/manage/tokens").get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.organiser_id == organiser.id))
    assert token.can_write and [e.id for e in token.events] == [mine.id]

    revoked = post_form(client, "/manage/tokens/revoke", {"token": token.public_id},
                        page_path="/manage/tokens")
    assert revoked.status_code == 303
    assert "Revoked" in client.get("/manage/tokens").get_data(as_text=True)
    assert client.get(f"/api/v1/manage/events/{mine.public_id}/registrations",
                      headers=bearer(secret)).status_code == 401
    details = list(db.session.scalars(sa.select(AuditEntry.detail).where(
        AuditEntry.event_id == mine.id, AuditEntry.detail.contains(secret[:13]))))
    assert [d.rsplit(" ", 1)[-1] for d in details if "“CRM sync”" in d][-1] == "revoked"
    assert any("made, read and write" in d for d in details)


def test_no_one_revokes_anothers_token(client):
    event = make_event()
    owner, other = make_organiser(), make_organiser()
    grant_role(event, owner, Role.OWNER)
    secret = make_token(owner, [event])
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.organiser_id == owner.id))
    log_in(client, other.email)
    assert client.post("/manage/tokens/revoke", data={"token": token.public_id}).status_code == 404
    assert secret[:13] not in client.get("/manage/tokens").get_data(as_text=True)
    db.session.refresh(token)
    assert token.revoked_at is None


def test_the_tokens_page_needs_a_login(client):
    response = client.get("/manage/tokens")
    assert response.status_code == 302 and "/manage/login" in response.headers["Location"]
