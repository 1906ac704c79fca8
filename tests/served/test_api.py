"""The organisers' API on the real servers: a token made on its page, used by a tool that holds no
cookie, a change emailed by the worker, the revoked token refused by every process."""

from __future__ import annotations

import re

import httpx

from rsvp.auth.models import Role
from rsvp.registrations.models import RegistrationStatus
from tests.factories import grant_role, make_event, make_organiser, make_registration
from tests.feeds.openapi_check import check_schemas
from tests.served.conftest import setting_up
from tests.served.test_sessions import log_in


def test_a_token_made_on_its_page_drives_the_api(served):
    with setting_up():
        organiser = make_organiser(name="Ada Organiser")
        mine, theirs = make_event(title="Mine"), make_event(title="Theirs")
        grant_role(mine, organiser, Role.MANAGER)
        waiting = make_registration(mine, name="Waiting Person", email="waiting@example.org",
                                    status=RegistrationStatus.PENDING_APPROVAL)
        for n in range(4):
            make_registration(mine, name=f"Person {n}")
        make_registration(theirs, name="Not Yours")
        ids = (mine.public_id, theirs.public_id, waiting.public_id)
    mine_id, theirs_id, waiting_id = ids
    browser = served.visitor(language="en")
    log_in(browser, organiser.email)
    page = browser.get("/manage/tokens")
    made = browser.submit(page, "/manage/tokens", {"name": "CRM sync", "scope": "some",
                                                   "events": [mine_id], "access": "write",
                                                   "expires": "30"})
    assert made.status_code == 200, made.text
    secret = re.search(r'value="(rsvp_pat_[^"]+)"', made.text).group(1)

    tool = httpx.Client(base_url=served.base_url, verify=served.verify, timeout=30,
                        headers={"Authorization": f"Bearer {secret}"})
    check_schemas(tool.get("/api/v1/openapi.json").json())
    names, cursor = [], None
    while True:
        answer = tool.get(f"/api/v1/manage/events/{mine_id}/registrations",
                          params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        names += [entry["person"]["name"] for entry in answer.json()["registrations"]]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(names) == sorted(["Waiting Person", *(f"Person {n}" for n in range(4))])
    assert tool.get(f"/api/v1/manage/events/{theirs_id}/registrations").status_code == 404

    approved = tool.post(f"/api/v1/manage/events/{mine_id}/registrations/{waiting_id}/status",
                         json={"action": "approve"})
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    served.wait_for_email("waiting@example.org")  # the worker sends what the pages would

    # The browser's session is no token, and lends the tool nothing.
    assert browser.get(f"/api/v1/manage/events/{mine_id}/registrations").status_code == 401
    page = browser.get("/manage/tokens")
    assert "CRM sync" in page.text and "Never" not in page.text
    token_id = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert browser.submit(page, "/manage/tokens/revoke", {"token": token_id}).status_code == 303
    for _ in range(4):  # every process refuses it at once (gunicorn's workers included)
        refused = tool.get(f"/api/v1/manage/events/{mine_id}/registrations")
        assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    tool.close()
