"""/events/<slug>/embed and /events/<slug>/speakers/embed: the public forms, framed.

Each route runs the page's own view (found by endpoint, so the forms, their checks and the
services are the pages' own) with ``g.embedded`` set: templates extend the compact frame and
url_for() keeps the form's action and the redirect after it inside the frame. The answer may be
framed by EMBED_ORIGINS only (Content-Security-Policy frame-ancestors; no X-Frame-Options), and
over HTTPS the session cookie that carries the CSRF token is sent in a third-party frame too
(SameSite=None; Secure; Partitioned: rsvp.session_cookie.SessionInterface): without it the form could never
be sent from another site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, request
from flask import url_for as flask_url_for
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from rsvp import web
from rsvp.embed import BASE, FRAMED, FRAMED_BASE, allowed_origins, embedded, frame_ancestors
from rsvp.urls import public_url

bp = Blueprint("embed", __name__)


#: Framed address -> the page's own endpoint (its twin in FRAMED); forms take POST, rate limited.
ROUTES = {
    "/events/<slug>/embed": "registrations.register",
    "/events/<slug>/embed/registered": "registrations.registered",
    "/events/<slug>/speakers/embed": "speakers.inscribe",
    "/events/<slug>/speakers/embed/inscribed": "speakers.inscribed",
}


def _framed_view(endpoint: str) -> Any:
    def framed(slug: str) -> Any:
        g.embedded = True
        return current_app.view_functions[endpoint](slug=slug)

    return framed


for _rule, _endpoint in ROUTES.items():
    _name = FRAMED[_endpoint].split(".")[1]
    _form = _endpoint in ("registrations.register", "speakers.inscribe")
    # Not limited here: the form's own view, called inside, counts the post under the framed
    # address's endpoint (limited here too, each framed post was counted twice).
    bp.add_url_rule(_rule, _name, _framed_view(_endpoint), methods=["GET", "POST"] if _form else ["GET"])


def _framed_location(response: Response) -> None:
    """A redirect to a page with a framed twin goes to the twin (the frame stays framable)."""
    location = response.headers.get("Location")
    if not location:
        return
    try:
        endpoint, values = current_app.url_map.bind(request.host).match(urlsplit(location).path)
    except HTTPException:
        return  # not one of ours
    if endpoint in FRAMED:
        response.headers["Location"] = flask_url_for(FRAMED[endpoint], **values)


@bp.after_request
def _framable(response: Response) -> Response:
    """Framable by EMBED_ORIGINS only; the app's own headers (rsvp.web) add the rest."""
    response.headers["Content-Security-Policy"] = web.CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", f"frame-ancestors {frame_ancestors()}")
    _framed_location(response)
    return response


def install(app: Flask) -> None:
    """Templates of framed pages extend the frame, and their links to framed pages stay framed."""
    environment = app.jinja_env
    own_join = environment.join_path
    own_url_for: Any = environment.globals["url_for"]

    def join_path(template: str, parent: str) -> str:
        return FRAMED_BASE if template == BASE and embedded() else own_join(template, parent)

    def url_for(endpoint: str, **values: Any) -> str:
        if embedded() and endpoint in FRAMED:
            endpoint = FRAMED[endpoint]
        return str(own_url_for(endpoint, **values))

    environment.join_path = join_path  # type: ignore[method-assign]
    environment.globals.update(url_for=url_for, embed_origins=allowed_origins,
                               embed_snippet=snippet)


def snippet(slug: str, title: str, speakers: bool = False) -> str:
    """What an organiser pastes into their site: the iframe, and a few lines of their own page's
    script that size it from the frame's messages (no script of ours runs on their page)."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    origin = f"{parts.scheme}://{parts.netloc}"
    source = public_url("embed.inscribe" if speakers else "embed.register", slug=slug)
    frame_id = f"rsvp-{slug}" + ("-speakers" if speakers else "")
    return (f'<iframe id="{frame_id}" src="{source}" title="{escape(title)}" '
            f'style="width:100%;height:40em;border:0"></iframe>\n'
            "<script>\n"
            'window.addEventListener("message", function (event) {\n'
            f'  if (event.origin !== "{origin}" || !event.data\n'
            '      || event.data.type !== "rsvp:resize") return;\n'
            f'  document.getElementById("{frame_id}").style.height = event.data.height + "px";\n'
            "});\n"
            "</script>")
