"""The organisers' pages for their own tools, as a person sees them in English and Arabic: making
a token (shown once), the webhooks page with a failed attempt in its log; both accessible."""

from __future__ import annotations

import pytest

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.webhooks import services
from rsvp.webhooks.delivery import deliver_webhooks
from rsvp.webhooks.models import WebhookType
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.mail.conftest import free_port


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tokens_and_webhooks_pages(page, live_server, lang):
    event = make_event(title="Connected event")
    make_speakers_list(event)
    organiser = make_organiser(name="Ada Organiser")
    grant_role(event, organiser, Role.MANAGER)
    services.add_endpoint(event, f"http://127.0.0.1:{free_port()}/hooks", list(WebhookType), False,
                          organiser.email)
    db.session.commit()
    make_speaker(event, name="Speaker Waiting")
    deliver_webhooks()  # nobody listens: a failed attempt, and a retry planned
    log_in(page, organiser.email)

    page.goto(f"/manage/tokens?lang={lang}")
    page.locator("#name").fill("CRM sync")
    page.locator("input[name=events]").first.check()
    page.locator("form.form button[type=submit]").click()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("rsvp_pat_")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    screenshot(page, f"tokens-{lang}")
    assert_accessible(page)
    page.goto(f"/manage/tokens?lang={lang}")
    assert page.locator("#new-token").count() == 0  # shown once
    assert page.get_by_text(secret[:13]).count() == 1  # its first letters, in the list

    page.goto(f"/manage/events/{event.public_id}/webhooks?lang={lang}")
    assert page.locator("tr.delivery-pending").count() == 1
    screenshot(page, f"webhooks-{lang}")
    assert_accessible(page)
