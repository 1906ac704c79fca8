"""A visitor over real HTTP: a cookie jar, and forms filled in and sent as a browser sends them.

``Visitor.submit(page, action, fields)`` finds the form on ``page`` whose
action is ``action``, keeps every value the page put in it (the CSRF token,
hidden fields, checked boxes, selected options) and changes only ``fields``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str
    method: str
    #: Each field's current values in page order (a multi-select or checkbox group has several).
    values: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: str | None = None
        self._option: dict[str, str | None] | None = None
        self._select_first: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(a.get("action") or "", (a.get("method") or "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            form.values.setdefault(name, [])
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            form.values[name].append(a.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select" and name:
            self._select = name
            form.values.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = {"value": value, "text": ""}
            if "selected" in a:
                form.values[self._select].append(value or "")
            self._select_first.setdefault(self._select, value or "")
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].values[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self.forms:
            values = self.forms[-1].values[self._select]
            if not values and self._select in self._select_first:
                values.append(self._select_first[self._select])  # a browser sends the first option
            self._select = None
        elif tag == "textarea" and self._textarea and self.forms:
            values = self.forms[-1].values[self._textarea]
            values[-1] = values[-1].removeprefix("\r\n").removeprefix("\n")  # as a browser reads it
            self._textarea = None


def forms_in(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Visitor:
    """One person's browser: its own cookies, language and address."""

    def __init__(self, base_url: str, *, language: str | None = None, source: str | None = None,
                 verify: Any = True, headers: dict[str, str] | None = None) -> None:
        transport = httpx.HTTPTransport(local_address=source, verify=verify) if source else None
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=60, verify=verify,
                                 transport=transport,
                                 headers={**({"Accept-Language": language} if language else {}),
                                          **(headers or {})})
        self.base_url = base_url

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def follow(self, response: httpx.Response, limit: int = 5) -> httpx.Response:
        """Follow redirects as a browser does (a 303 becomes a GET)."""
        while response.is_redirect and limit:
            response = self.get(_local(response.headers["Location"], str(response.request.url)))
            limit -= 1
        return response

    def form(self, page: httpx.Response | str, action: str) -> Form:
        html = page if isinstance(page, str) else page.text
        for form in forms_in(html):
            if urlsplit(form.action).path == action:
                return form
        raise AssertionError(f"no form posting to {action} on the page")

    def submit(self, page: httpx.Response | str, action: str, fields: dict[str, Any] | None = None
               ) -> httpx.Response:
        form = self.form(page, action)
        # As a browser does under Referrer-Policy: same-origin: the page the form was on.
        referer = {} if isinstance(page, str) else {"Referer": str(page.url)}
        data = {name: list(values) for name, values in form.values.items() if values}
        for name, value in (fields or {}).items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        pairs = [(name, value) for name, values in data.items() for value in values]
        if form.method == "get":
            return self.get(action, params=pairs, headers=referer)
        body = httpx.QueryParams(pairs)
        return self.post(form.action or action, content=str(body).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded", **referer})

    def close(self) -> None:
        self.http.close()


def _local(location: str, current: str) -> str:
    absolute = urljoin(current, location)
    parts = urlsplit(absolute)
    return parts.path + (f"?{parts.query}" if parts.query else "")
