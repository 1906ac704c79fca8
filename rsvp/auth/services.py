"""Organiser accounts: password hashing, login with lockout, password change and reset links,
and what site admins do (create, deactivate, reactivate).

Functions here flush, never commit; the caller commits or rolls back. A
failed login is counted against the address typed, account or not (its
counter, its lock): the caller commits that as well.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from rsvp import tokens
from rsvp.auth.models import LoginFailures, Organiser, new_session_token
from rsvp.extensions import db
from rsvp.mail.outbox import Rendered, Renderer, queue_later, queue_rendered, render_email
from rsvp.site import services as site
from rsvp.timeutil import now_utc
from rsvp.urls import public_url

MIN_PASSWORD_LENGTH = 12
#: Signed-link purposes that lead to the set-a-password page (rsvp.tokens.PURPOSES).
PASSWORD_PURPOSES = ("password-reset", "organiser-invite")


class AuthError(Exception):
    """An account operation that cannot be done."""


class LoginFailed(AuthError):
    """Wrong email or password: deliberately one error for both."""


class AccountLocked(AuthError):
    """Too many wrong passwords for an address: no login with it is tried before ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class AccountInactive(AuthError):
    """The right password for a deactivated account."""


class WrongPassword(AuthError):
    """The current password given to change it is not the current password."""


class PasswordTooShort(AuthError):
    """Fewer than MIN_PASSWORD_LENGTH characters."""


class EmailTaken(AuthError):
    """Another organiser account uses this address."""


class CannotDeactivateSelf(AuthError):
    """An admin may not lock themselves out."""


class LinkUsed(tokens.TokenInvalid):
    """A genuine password link whose password has changed since it was signed: used already."""


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher_for(config["AUTH_ARGON2_TIME_COST"], config["AUTH_ARGON2_MEMORY_KIB"],
                       config["AUTH_ARGON2_PARALLELISM"])


@cache
def _hasher_for(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not anyone's password")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` with the configured parameters."""
    return _hasher().hash(password)


def password_matches(organiser: Organiser | None, password: str) -> bool:
    """True when ``password`` is the organiser's; no account or no password yet is False.

    Those cases still hash once, so the time taken tells nothing about which accounts exist.
    """
    hasher = _hasher()
    stored = organiser.password_hash if organiser is not None else None
    try:
        matched = hasher.verify(stored or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> Organiser | None:
    return db.session.scalar(sa.select(Organiser).where(Organiser.email == normalise_email(email)))


def get_by_public_id(public_id: str) -> Organiser | None:
    return db.session.scalar(_BY_PUBLIC_ID, {"public_id": public_id})


#: Built once: every organiser page loads its organiser by it (the login session's user).
_BY_PUBLIC_ID = sa.select(Organiser).where(Organiser.public_id == sa.bindparam("public_id"))


def set_password(organiser: Organiser, password: str, now: datetime | None = None) -> None:
    """Store a new password; every other login session of the organiser ends.

    :raises PasswordTooShort: fewer than MIN_PASSWORD_LENGTH characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(str(len(password)))
    organiser.password_hash = hash_password(password)
    organiser.password_changed_at = now or now_utc()
    organiser.session_token = new_session_token()
    _forget_failures(address_key(organiser.email))  # a reset link also ends a lock
    db.session.flush()


def authenticate(email: str, password: str, now: datetime | None = None) -> Organiser:
    """The organiser with this email and password; records the login or the failure.

    Failures are counted and locked per address typed, whether or not an account
    uses it, and an unknown address still costs one password hash: neither the
    answer nor its time tells which addresses have accounts.

    :raises AccountLocked: the address is locked, or this failure reached AUTH_MAX_FAILED_LOGINS.
    :raises LoginFailed: no such account or a wrong password (callers show one message).
    :raises AccountInactive: the right password for a deactivated account.
    """
    now = now or now_utc()
    key = address_key(email)
    locked_until = db.session.scalar(sa.select(LoginFailures.locked_until).where(
        LoginFailures.address_key == key, LoginFailures.locked_until > now))
    if locked_until is not None:
        raise AccountLocked(locked_until)
    organiser = find_by_email(email)
    if not password_matches(organiser, password):
        _count_failure(key, now)
        raise LoginFailed(email)
    assert organiser is not None and organiser.password_hash is not None  # else no match
    if not organiser.is_active:
        raise AccountInactive(email)
    if _hasher().check_needs_rehash(organiser.password_hash):
        organiser.password_hash = hash_password(password)  # the parameters were raised
    _forget_failures(key)
    organiser.last_login_at = now
    db.session.flush()
    return organiser


def address_key(email: str) -> str:
    """The login_failures key of an address: an HMAC, so the table names no one."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    return hmac.new(secret, b"login-failures:" + normalise_email(email).encode(),
                    hashlib.sha256).hexdigest()


def _count_failure(key: str, now: datetime) -> None:
    """One more wrong password for the address; the one that reaches the limit locks it.

    :raises AccountLocked: this failure reached AUTH_MAX_FAILED_LOGINS.
    """
    config = current_app.config
    lockout = timedelta(minutes=config["AUTH_LOCKOUT_MINUTES"])
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Counted in one statement, so concurrent wrong guesses are all counted; a count
    # left alone for AUTH_LOCKOUT_MINUTES starts again.
    statement = insert(LoginFailures).values(
        address_key=key, failures=1, expires_at=now + lockout)
    failures = db.session.scalar(statement.on_conflict_do_update(
        index_elements=[LoginFailures.address_key],
        set_={"failures": sa.case((LoginFailures.expires_at <= now, 1),
                                  else_=LoginFailures.failures + 1),
              "locked_until": None, "expires_at": now + lockout},
    ).returning(LoginFailures.failures))
    if failures is not None and failures >= config["AUTH_MAX_FAILED_LOGINS"]:
        until = now + lockout
        db.session.execute(  # a fresh allowance once the lock ends
            sa.update(LoginFailures).where(LoginFailures.address_key == key)
            .values(failures=0, locked_until=until, expires_at=until))
        raise AccountLocked(until)


def _forget_failures(key: str) -> None:
    db.session.execute(sa.delete(LoginFailures).where(LoginFailures.address_key == key))


def forget_expired_login_failures(now: datetime) -> int:
    """Delete the failure counts that count for nothing any more; returns how many."""
    result: sa.CursorResult = db.session.execute(  # type: ignore[assignment]
        sa.delete(LoginFailures).where(LoginFailures.expires_at <= now))
    return result.rowcount


def change_password(organiser: Organiser, current: str, new: str, now: datetime | None = None) -> None:
    """Replace the password after checking the current one; other sessions end.

    :raises WrongPassword: ``current`` is not the current password.
    :raises PasswordTooShort: ``new`` is too short.
    """
    if not password_matches(organiser, current):
        raise WrongPassword()
    set_password(organiser, new, now)


def _fingerprint(organiser: Organiser) -> str:
    # Changes whenever the password does (a new salt every time): a link dies once used.
    return hashlib.sha256((organiser.password_hash or "").encode()).hexdigest()[:16]


def password_link(organiser: Organiser, purpose: str = "password-reset") -> str:
    """An absolute link to the page that sets ``organiser``'s password, valid once."""
    if purpose not in PASSWORD_PURPOSES:
        raise ValueError(purpose)
    token = tokens.sign(purpose, [organiser.public_id, _fingerprint(organiser)])
    return public_url("auth.reset_password", token=token)


def from_password_token(token: str) -> Organiser:
    """The organiser a password link was made for.

    :raises tokens.TokenExpired: older than its purpose allows.
    :raises LinkUsed: the password has changed since the link was made.
    :raises tokens.TokenInvalid: tampered, another purpose, unknown or deactivated account.
    """
    for purpose in PASSWORD_PURPOSES:
        try:
            data = tokens.verify(purpose, token)
        except tokens.TokenExpired:
            raise
        except tokens.TokenInvalid:
            continue
        break
    else:
        raise tokens.TokenInvalid("password-reset")
    try:
        public_id, fingerprint = data
    except (TypeError, ValueError) as error:
        raise tokens.TokenInvalid("password-reset") from error
    organiser = get_by_public_id(str(public_id))
    if organiser is None or not organiser.is_active:
        raise tokens.TokenInvalid("password-reset")
    if fingerprint != _fingerprint(organiser):
        raise LinkUsed("password-reset")
    return organiser


def request_password_reset(email: str, lang: str = "en", now: datetime | None = None) -> bool:
    """Queue a reset link for an active account with this email; True when one was queued.

    The email worker writes it (the request only adds a row, so it takes no
    longer for an address with an account), and an account gets at most one in
    each AUTH_RESET_EMAIL_MINUTES period however often the form is sent.
    Callers must answer the same whatever this returns.
    """
    now = now or now_utc()
    organiser = find_by_email(email)
    if organiser is None or not organiser.is_active:
        return False
    period = int(now.timestamp()) // (current_app.config["AUTH_RESET_EMAIL_MINUTES"] * 60)
    queued = queue_later("password-reset", to=organiser.email, render="password-reset",
                         args={"organiser_id": organiser.id, "lang": lang},
                         dedupe_key=f"password-reset:{organiser.public_id}:{period}")
    return queued is not None


def _write_reset(organiser_id: int, lang: str) -> Rendered | None:
    """The reset email, its link signed as it is written; nothing for an account gone or deactivated."""
    organiser = db.session.get(Organiser, organiser_id)
    if organiser is None or not organiser.is_active:
        return None
    return _render("password-reset", organiser, lang, password_link(organiser),
                   minutes=tokens.PURPOSES["password-reset"] // 60)


def _render(name: str, organiser: Organiser, lang: str, link: str, **context: Any) -> Rendered:
    with force_locale(lang):
        title = _("Your organiser account on %(site)s", site=site.current().name)
    return render_email(name, lang, event=None, organiser=organiser, link=link, title=title,
                        login_url=public_url("auth.login"), **context)


def create_organiser(email: str, name: str, *, is_admin: bool = False, password: str | None = None,
                     invited_by: Organiser | None = None, lang: str = "en") -> Organiser:
    """A new organiser account; with ``invited_by``, an email with a link to set a password.

    No password ever travels by email: the link leads to the set-a-password page.

    :raises EmailTaken: an account uses this address already.
    :raises PasswordTooShort: ``password`` is given and too short.
    """
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(str(len(password)))
    organiser = Organiser(email=normalise_email(email), name=name.strip(), is_admin=is_admin)
    try:
        # The unique index decides, even when two admins race.
        with db.session.begin_nested():
            db.session.add(organiser)
    except IntegrityError as error:
        raise EmailTaken(email) from error
    if password is not None:
        set_password(organiser, password)
    if invited_by is not None:
        queue_rendered("organiser-invited", _render(
            "organiser-invited", organiser, lang, password_link(organiser, "organiser-invite"),
            inviter=invited_by.name, days=tokens.PURPOSES["organiser-invite"] // 86400),
            to=organiser.email)
    return organiser


def set_active(organiser: Organiser, active: bool, acting: Organiser) -> None:
    """Deactivate (ending every session at once) or reactivate an account.

    :raises CannotDeactivateSelf: an admin deactivating their own account.
    """
    if not active and organiser.id == acting.id:
        raise CannotDeactivateSelf(organiser.public_id)
    organiser.is_active = active
    # Sessions from before a deactivation must not come back with a reactivation.
    organiser.session_token = new_session_token()
    db.session.flush()


def end_sessions(organiser: Organiser) -> None:
    """Log out: every login session of the organiser ends, the cookie in hand included.

    A signed cookie cannot be taken back, so the token it carries is replaced:
    a copy of the cookie kept from before (a shared computer, a stolen
    cookie) no longer opens anything.
    """
    organiser.session_token = new_session_token()
    db.session.flush()


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(sa.select(Organiser).order_by(Organiser.name, Organiser.email)))


#: The emails written by the worker (rsvp.mail.outbox.queue_later), handed to create_app.
RENDERERS: dict[str, Renderer] = {"password-reset": _write_reset}
