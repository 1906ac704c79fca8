"""Accounts and roles through their services: hashing, lockout, links, roles, the last owner."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from rsvp import tokens
from rsvp.auth import roles, services
from rsvp.auth.models import EventRole, LoginFailures, Organiser, Role
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.mail import outbox as outbox_module
from rsvp.mail.models import OutboxMessage
from rsvp.registrations import tracking
from rsvp.registrations.models import RegistrationStatus
from tests.auth.conftest import PASSWORD
from tests.factories import grant_role, make_event, make_organiser, make_registration, written

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_passwords_are_stored_as_argon2id_hashes_and_emails_match_in_any_case(db_session):
    organiser = make_organiser(password="correct horse battery staple", email="ana@example.org")
    assert organiser.password_hash.startswith("$argon2id$")
    assert "horse" not in organiser.password_hash
    assert services.authenticate(" Ana@Example.ORG ", "correct horse battery staple") is organiser


def test_login_rehashes_the_password_when_the_cost_rises(app, db_session, monkeypatch):
    organiser = make_organiser()
    cheap = organiser.password_hash
    monkeypatch.setitem(app.config, "AUTH_ARGON2_TIME_COST", app.config["AUTH_ARGON2_TIME_COST"] + 1)
    services.authenticate(organiser.email, PASSWORD)
    rehashed = organiser.password_hash
    assert rehashed != cheap and f"t={app.config['AUTH_ARGON2_TIME_COST']}" in rehashed
    services.authenticate(organiser.email, PASSWORD)
    assert organiser.password_hash == rehashed  # same parameters: left alone


def test_unknown_email_and_wrong_password_fail_the_same_way(db_session):
    organiser = make_organiser()
    with pytest.raises(services.LoginFailed) as unknown:
        services.authenticate("nobody@example.org", PASSWORD)
    with pytest.raises(services.LoginFailed) as wrong:
        services.authenticate(organiser.email, "not the password at all")
    assert type(unknown.value) is type(wrong.value)


def test_fifth_wrong_password_locks_the_account_for_fifteen_minutes(db_session):
    organiser = make_organiser()
    for _ in range(4):
        with pytest.raises(services.LoginFailed):
            services.authenticate(organiser.email, "wrong password", NOW)
    with pytest.raises(services.AccountLocked) as locked:
        services.authenticate(organiser.email, "wrong password", NOW)
    assert locked.value.until == NOW + timedelta(minutes=15)

    # While locked, even the right password is not tried.
    with pytest.raises(services.AccountLocked):
        services.authenticate(organiser.email, PASSWORD, NOW + timedelta(minutes=14, seconds=59))
    assert services.authenticate(organiser.email, PASSWORD, NOW + timedelta(minutes=15)) is organiser
    assert organiser.last_login_at == NOW + timedelta(minutes=15)


def test_a_successful_login_starts_the_count_again(db_session):
    organiser = make_organiser()
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(services.LoginFailed):
                services.authenticate(organiser.email, "wrong password", NOW)
        assert services.authenticate(organiser.email, PASSWORD, NOW) is organiser  # never locked


@pytest.mark.parametrize("email", ["organiser@example.org", "nobody@example.org"])
def test_an_address_without_an_account_is_locked_like_one_with(db_session, email):
    make_organiser(email="organiser@example.org")
    for _ in range(4):
        with pytest.raises(services.LoginFailed):
            services.authenticate(email, "wrong password", NOW)
    with pytest.raises(services.AccountLocked) as locked:
        services.authenticate(email.upper(), "wrong password", NOW)
    assert locked.value.until == NOW + timedelta(minutes=15)
    with pytest.raises(services.AccountLocked):
        services.authenticate(email, PASSWORD, NOW + timedelta(minutes=14))
    with pytest.raises(services.LoginFailed):  # the lock has ended, the count started again
        services.authenticate(email, "wrong password", NOW + timedelta(minutes=15))

    # Counted without an account for the address, and under a keyed hash, not the address.
    assert db.session.scalar(sa.select(sa.func.count(Organiser.id))) == 1
    (row,) = db.session.execute(sa.select(LoginFailures)).scalars()
    assert row.address_key == services.address_key(email) and "example" not in row.address_key


@pytest.mark.parametrize("email", ["organiser@example.org", "nobody@example.org"])
def test_wrong_passwords_are_forgotten_after_the_lockout_time_for_every_address(db_session, email):
    make_organiser(email="organiser@example.org")
    for _ in range(4):
        with pytest.raises(services.LoginFailed):
            services.authenticate(email, "wrong password", NOW)
    with pytest.raises(services.LoginFailed):  # a fifth, but the first of a new count
        services.authenticate(email, "wrong password", NOW + timedelta(minutes=15))
    assert services.forget_expired_login_failures(NOW + timedelta(minutes=29)) == 0
    assert services.forget_expired_login_failures(NOW + timedelta(minutes=30)) == 1


def test_an_unknown_address_costs_one_password_hash_like_a_known_one(db_session, monkeypatch):
    organiser = make_organiser()
    verified = []
    original = PasswordHasher.verify
    monkeypatch.setattr(PasswordHasher, "verify",
                        lambda self, stored, password: verified.append(stored) or original(
                            self, stored, password))
    for email in (organiser.email, "nobody@example.org"):
        with pytest.raises(services.LoginFailed):
            services.authenticate(email, "wrong password", NOW)
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)


def test_lockout_threshold_and_length_are_settings(app, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "AUTH_MAX_FAILED_LOGINS", 2)
    monkeypatch.setitem(app.config, "AUTH_LOCKOUT_MINUTES", 1)
    organiser = make_organiser()
    with pytest.raises(services.LoginFailed):
        services.authenticate(organiser.email, "wrong password", NOW)
    with pytest.raises(services.AccountLocked) as locked:
        services.authenticate(organiser.email, "wrong password", NOW)
    assert locked.value.until == NOW + timedelta(minutes=1)


def test_deactivated_and_invited_accounts_cannot_log_in(db_session):
    deactivated = make_organiser(is_active=False)
    with pytest.raises(services.AccountInactive):
        services.authenticate(deactivated.email, PASSWORD)
    with pytest.raises(services.LoginFailed):  # a wrong guess learns nothing more
        services.authenticate(deactivated.email, "wrong password")
    invited = make_organiser(password=None)
    for guess in ("", PASSWORD):
        with pytest.raises(services.LoginFailed):
            services.authenticate(invited.email, guess)


def test_password_change_needs_the_current_one_and_ends_other_sessions(db_session):
    organiser = make_organiser()
    session_token = organiser.session_token
    with pytest.raises(services.WrongPassword):
        services.change_password(organiser, "not my password", "a brand new password")
    with pytest.raises(services.PasswordTooShort):
        services.change_password(organiser, PASSWORD, "eleven char")
    assert organiser.session_token == session_token

    services.change_password(organiser, PASSWORD, "a brand new password", NOW)
    assert organiser.session_token != session_token
    assert organiser.password_changed_at == NOW
    assert services.authenticate(organiser.email, "a brand new password") is organiser
    with pytest.raises(services.LoginFailed):
        services.authenticate(organiser.email, PASSWORD)


def test_reset_link_works_once_and_unlocks_the_account(db_session):
    organiser = make_organiser()
    for _ in range(4):
        with pytest.raises(services.LoginFailed):
            services.authenticate(organiser.email, "wrong password")
    with pytest.raises(services.AccountLocked):
        services.authenticate(organiser.email, "wrong password")
    token = token_of(services.password_link(organiser))
    assert services.from_password_token(token) is organiser
    services.set_password(organiser, "a brand new password")
    assert services.authenticate(organiser.email, "a brand new password") is organiser
    with pytest.raises(services.LinkUsed):
        services.from_password_token(token)


def test_reset_link_lives_thirty_minutes(db_session, monkeypatch):
    organiser = make_organiser()
    token = token_of(services.password_link(organiser))
    assert tokens.PURPOSES["password-reset"] == 30 * 60
    monkeypatch.setitem(tokens.PURPOSES, "password-reset", -1)
    with pytest.raises(tokens.TokenExpired):
        services.from_password_token(token)


def test_tampered_foreign_and_deactivated_links_are_invalid(db_session):
    organiser = make_organiser()
    token = token_of(services.password_link(organiser))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    foreign = tokens.sign("manage-registration", [organiser.public_id, "x"])
    for bad in (tampered, foreign, "not-a-token"):
        with pytest.raises(tokens.TokenInvalid) as error:
            services.from_password_token(bad)
        assert not isinstance(error.value, (tokens.TokenExpired, services.LinkUsed))
    organiser.is_active = False
    with pytest.raises(tokens.TokenInvalid):
        services.from_password_token(token)


def test_new_organiser_is_invited_by_email_without_any_password(db_session):
    admin = make_organiser(is_admin=True, name="Phil Lynch")
    organiser = services.create_organiser("New.Person@Example.org", "  New Person ", invited_by=admin)
    assert (organiser.email, organiser.name, organiser.password_hash) == (
        "new.person@example.org", "New Person", None)
    (message,) = outbox()
    assert (message.kind, message.recipient) == ("organiser-invited", "new.person@example.org")
    assert "Phil Lynch" in message.text_body and "3 days" in message.text_body
    token = re.search(r"/manage/password-reset/(\S+)", message.text_body).group(1)
    assert services.from_password_token(token) is organiser
    services.set_password(organiser, "my very own password")
    with pytest.raises(services.LinkUsed):
        services.from_password_token(token)


def test_an_email_holds_one_account(db_session):
    make_organiser(email="taken@example.org")
    with pytest.raises(services.EmailTaken):
        services.create_organiser("Taken@Example.org", "Someone else")
    with pytest.raises(services.PasswordTooShort):
        services.create_organiser("short@example.org", "Short", password="too short")


def test_reset_is_sent_only_to_active_accounts_and_written_by_the_worker(db_session):
    active = make_organiser()
    inactive = make_organiser(is_active=False)
    assert services.request_password_reset("nobody@example.org") is False
    assert services.request_password_reset(inactive.email) is False
    assert outbox() == []
    assert services.request_password_reset(active.email.upper()) is True
    (message,) = outbox()
    assert (message.kind, message.recipient) == ("password-reset", active.email)
    # The request stored what to write, not the email: nothing was rendered while it waited.
    assert (message.subject, message.text_body, message.html_body) == ("", "", "")
    written(message)
    assert "30 minutes" in message.text_body and PASSWORD not in message.text_body


def test_one_reset_email_per_account_in_each_period_however_often_asked(db_session):
    organiser = make_organiser()
    asked = [services.request_password_reset(organiser.email, now=NOW + timedelta(minutes=m))
             for m in (0, 1, 9)]
    assert asked == [True, False, False] and len(outbox()) == 1
    assert services.request_password_reset(organiser.email, now=NOW + timedelta(minutes=10))
    assert len(outbox()) == 2


def test_a_reset_email_for_an_account_deactivated_meanwhile_is_never_written(db_session):
    organiser = make_organiser()
    services.request_password_reset(organiser.email)
    organiser.is_active = False
    (message,) = outbox()
    assert outbox_module.render_pending(message) is False


def test_deactivating_rotates_the_session_and_never_oneself(db_session):
    admin = make_organiser(is_admin=True)
    other = make_organiser()
    with pytest.raises(services.CannotDeactivateSelf):
        services.set_active(admin, False, acting=admin)
    session_token = other.session_token
    services.set_active(other, False, acting=admin)
    assert other.is_active is False and other.session_token != session_token
    services.set_active(other, True, acting=admin)
    assert other.is_active is True


@pytest.mark.parametrize(("held", "allowed"), [
    (Role.OWNER, {Role.OWNER, Role.MANAGER, Role.CHECK_IN, Role.VIEWER, Role.CO_SPONSOR}),
    (Role.MANAGER, {Role.MANAGER, Role.CHECK_IN, Role.VIEWER, Role.CO_SPONSOR}),
    (Role.CHECK_IN, {Role.CHECK_IN}),
    (Role.VIEWER, {Role.VIEWER, Role.CO_SPONSOR}),
    (Role.CO_SPONSOR, {Role.CO_SPONSOR}),
])
def test_role_order(db_session, held, allowed):
    event, other_event = make_event(), make_event()
    organiser = make_organiser()
    grant_role(event, organiser, held)
    for needed in Role:
        assert roles.can(organiser, event, needed) is (needed in allowed), needed
        assert roles.can(organiser, other_event, needed) is False


def test_admins_pass_everything_and_unknown_events_are_none(db_session):
    admin = make_organiser(is_admin=True)
    event = make_event()
    assert all(roles.can(admin, event, needed) for needed in Role)
    assert roles.event_for(admin, event.public_id, Role.OWNER) is event
    assert roles.event_for(admin, "no-such-event", Role.VIEWER) is None


def test_my_events_lists_only_events_with_a_role_and_counts_registrations(db_session):
    mine = make_event(title="Mine")
    make_event(title="Not mine")
    organiser = make_organiser()
    grant_role(mine, organiser, Role.VIEWER)
    for status in (RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                   RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING_EMAIL,
                   RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.CANCELLED):
        make_registration(mine, status=status)

    (summary,) = tracking.events_of(organiser)
    assert (summary.event, summary.role) == (mine, Role.VIEWER)
    assert (summary.confirmed, summary.waitlisted, summary.pending) == (2, 1, 2)
    assert not summary.may_manage_team

    admin = make_organiser(is_admin=True)
    seen = {s.event.title: s.role for s in tracking.events_of(admin)}
    assert {"Mine": None, "Not mine": None}.items() <= seen.items()


def test_team_changes_never_leave_an_event_without_owner(db_session):
    event = make_event()
    owner, colleague = make_organiser(name="Owner"), make_organiser(name="Colleague")
    grant_role(event, owner, Role.OWNER)

    member = roles.grant(event, colleague.email.upper(), Role.MANAGER)
    assert member.role is Role.MANAGER
    with pytest.raises(roles.AlreadyOnTeam) as already:
        roles.grant(event, colleague.email, Role.VIEWER)
    assert already.value.role is Role.MANAGER
    with pytest.raises(roles.LastOwner):
        roles.change(event, owner, Role.MANAGER)
    with pytest.raises(roles.LastOwner):
        roles.remove(event, owner)

    roles.change(event, colleague, Role.OWNER)
    roles.change(event, owner, Role.VIEWER)  # another owner is left now
    assert [(m.organiser.name, m.role) for m in roles.team(event)] == [
        ("Colleague", Role.OWNER), ("Owner", Role.VIEWER)]
    roles.remove(event, owner)
    with pytest.raises(roles.NotOnTeam):
        roles.remove(event, owner)
    assert [m.organiser for m in roles.team(event)] == [colleague]


def test_only_active_accounts_can_join_a_team(db_session):
    event = make_event()
    inactive = make_organiser(is_active=False)
    for email in ("nobody@example.org", inactive.email):
        with pytest.raises(roles.UnknownOrganiser):
            roles.grant(event, email, Role.VIEWER)


def test_deleting_an_event_deletes_its_roles(db_session):
    event = make_event()
    grant_role(event, make_organiser(), Role.OWNER)
    db.session.execute(sa.delete(Event).where(Event.id == event.id))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventRole)) == 0
