"""The site's addresses: absolute links built without a request (emails, the worker), and the
one check every redirect target passes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL on PUBLIC_BASE_URL, built without a request (emails, the worker)."""
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def public_domain() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: never a redirect elsewhere."""
    if not target or any(c.isspace() or ord(c) < 32 for c in target):
        return None
    target = target.replace("\\", "/")  # browsers read a backslash as a slash
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
