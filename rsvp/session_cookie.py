"""The session cookie: Flask's signed cookie, written and read with fewer calls, and framable.

Flask's session, with its serializer skipping the tagging walk for plain JSON (SessionJSON),
its signer built once with its key kept (rsvp.signing), and its cookie written in one pass; a
form framed on another site over HTTPS gets the cookie it needs there (SameSite=None; Secure;
Partitioned). A cookie either writes, the other reads (tests/test_session_cookie.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.json import dumps, loads
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.http import dump_cookie

from rsvp.embed import embedded
from rsvp.signing import KeptKeySigner


class SessionJSON(TaggedJSONSerializer):
    """Flask's session serializer, without its walk for a session of plain JSON values.

    Flask tags what JSON cannot hold (tuples, Markup, bytes, dates, UUIDs) by trying
    each of its tags on every value, in and out; a session holds strings and lists of
    strings (a CSRF token, the address just registered, a login) and the walk cost more
    than the rest of its JSON. A plain session is written as Flask writes it, the same
    text; anything else, and any text holding a tag, goes through Flask's own tagging.
    """

    def dumps(self, value: Any) -> str:
        if _plain(value):
            return dumps(value, separators=(",", ":"))
        return super().dumps(value)

    def loads(self, value: str) -> Any:
        # Every tag is a one-key object whose key starts with a space ({" t": [...]}): a quote
        # inside a string is escaped, so this text is in the JSON only where a tag may be.
        if '{" ' not in value:
            return loads(value)
        return super().loads(value)


def _plain(value: Any) -> bool:
    """Whether Flask's tagging leaves ``value`` as it is: JSON's own types exactly (a Markup is
    a str that Flask tags), and no object key that could be read back as a tag."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return True
    if kind is list:
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(type(key) is str and not key.startswith(" ") and _plain(item)
                   for key, item in value.items())
    return False


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, its signer built once rather than twice a request.

    The signer depends only on the secret keys, which do not change while the app runs;
    building it cost a cached event page about a fifth of its time.
    """

    serializer = SessionJSON()
    _signers: dict[tuple[Any, ...], Any] = {}

    @staticmethod
    def _in_third_party_frame() -> bool:
        """A framed form (rsvp.embed) over HTTPS: the session cookie, which holds its CSRF token,
        must reach the frame on another site's page (SameSite=None; Secure; Partitioned). Over
        plain http (development) browsers refuse that; same-site frames still get Lax cookies."""
        return embedded() and request.is_secure

    def _attributes(self, app: Flask) -> dict[str, Any]:
        """The session cookie's attributes, as Flask's settings give them, but for a framed
        form (_in_third_party_frame)."""
        config, framed = app.config, self._in_third_party_frame()
        return {"domain": config["SESSION_COOKIE_DOMAIN"],
                "path": config["SESSION_COOKIE_PATH"] or config["APPLICATION_ROOT"],
                "secure": framed or config["SESSION_COOKIE_SECURE"],
                "partitioned": framed or config["SESSION_COOKIE_PARTITIONED"],
                "samesite": "None" if framed else config["SESSION_COOKIE_SAMESITE"],
                "httponly": config["SESSION_COOKIE_HTTPONLY"]}

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's save_session, the cookie's attributes worked out once, not once each.

        Flask asks for each attribute in turn (whether the page is framed, three times), and
        says ``Vary: Cookie`` through ``response.vary``, a header set parsed and written
        again for each addition, twice: together a tenth of a registration's calls outside
        the database. What is written is Flask's: the cookie set, or deleted when the session
        was emptied, and ``Vary: Cookie`` whenever the session was read or its cookie
        written (tests/test_session_cookie.py)."""
        if session:
            written = self.should_set_cookie(app, session)
            if written:
                response.headers.add("Set-Cookie", dump_cookie(
                    self.get_cookie_name(app), self.get_signing_serializer(app).dumps(dict(session)),
                    expires=self.get_expiration_time(app, session),
                    max_size=response.max_cookie_size, **self._attributes(app)))
        else:
            written = session.modified
            if written:  # emptied: deleted with the attributes it was set with
                response.delete_cookie(self.get_cookie_name(app), **self._attributes(app))
        if written or session.accessed:
            vary = response.headers.get("Vary")
            if not vary:
                response.headers["Vary"] = "Cookie"
            elif "cookie" not in (value.strip().lower() for value in vary.split(",")):
                response.headers["Vary"] = f"{vary}, Cookie"

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if key not in self._signers:
            signing = self._signers[key] = super().get_signing_serializer(app)
            if signing is not None:  # None without a secret key: no session
                signing.signer = KeptKeySigner
        return self._signers[key]
