"""A site admin's journey on the real servers: the site's look changed once, seen by every worker."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from tests.factories import make_event, make_organiser, png_bytes
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in


def test_the_site_look_set_by_an_admin_reaches_every_visitor(served):
    with setting_up():
        make_organiser(email="admin@example.org", is_admin=True)
        make_event(slug="branded")
    admin = served.visitor()
    log_in(admin, "admin@example.org")
    page = admin.get("/manage/site")
    fields = {**admin.form(page, "/manage/site").values, "name": ["ISHR Events"],
              "colour": ["#7a1f5c"], "address": ["Rue de Varembé 1\n1202 Geneva"]}
    response = admin.post("/manage/site", data={k: v[0] for k, v in fields.items() if v},
                          files={"logo": ("logo.png", png_bytes(120, 40, "purple"), "image/png")},
                          headers={"Referer": str(page.url)})
    assert response.status_code == 303, response.text[:2000]

    def look(_: int) -> tuple[str, str, bytes]:
        visitor = served.visitor()
        html = visitor.get("/events/branded").text
        css = visitor.get(re.search(r'href="(/site/brand\.css\?v=\d+)"', html).group(1)).text
        logo = visitor.get(re.search(r'src="(/site/logo/[^"]+)"', html).group(1)).content
        return html, css, logo

    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(look, range(16)))  # spread over the servers' processes
    for html, css, logo in seen:
        assert "ISHR Events" in html and "Rue de Varembé 1" in html
        assert "--brand: #7a1f5c" in css
        assert logo.startswith(b"\x89PNG")
