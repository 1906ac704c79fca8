"""What people do: a State and an NGO inscribe through the form; the public follows the live list
on a desktop and on a phone while the organisers run the floor (through the services)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.extensions import db
from rsvp.speakers import lists, live
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import now_utc
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers import documents
from tests.speakers.conftest import statements_dir  # noqa: F401 - statements go to a temporary folder

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: The live list polls every second: two seconds is what a person may wait for it.
WITHIN_2_S = 2_000


@pytest.fixture
def event(live_db):
    event = make_event(title="Assessing the National Security Law in Hong Kong", slug="hong-kong",
                       interpretation_languages=["fr"], timezone="America/New_York",
                       display_timezones=["Europe/Zurich"])
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=6)
    return event


def stored(event_id: int) -> list[Speaker]:
    db.session.remove()
    return list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event_id)))


def test_a_state_and_an_ngo_inscribe_through_the_form(page, event):
    requested_hosts: set[str] = set()
    page.on("request", lambda r: requested_hosts.add(urlsplit(r.url).hostname or ""))
    event_id = event.id

    page.goto(f"/events/{event.slug}")
    screenshot(page, "speakers-event-page")
    page.get_by_role("link", name="Inscribe on the speakers list").click()
    page.wait_for_url(f"**/events/{event.slug}/speakers")
    assert_accessible(page)
    screenshot(page, "speakers-form-desktop")

    page.get_by_role("button", name="Inscribe").click()  # empty form: errors
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()  # once the script has run
    assert_accessible(page)
    screenshot(page, "speakers-form-errors-desktop")

    page.get_by_label("Name of the speaker").fill("Tomas Petrauskas")
    page.get_by_label("Delegation or organisation").fill("Permanent Mission of Lithuania")
    page.get_by_label("You speak for").select_option("member_state")
    page.get_by_label("State", exact=True).select_option(label="Lithuania")
    page.get_by_label("Language of the statement").select_option("fr")
    page.get_by_label("Email address").fill("tomas@example.org")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Inscribe").click()
    page.wait_for_url(f"**/events/{event.slug}/speakers/inscribed")
    assert page.get_by_role("heading", level=1).inner_text() == "You are on the speakers list"
    assert_accessible(page)
    screenshot(page, "speakers-inscribed-state")

    page.goto(f"/events/{event.slug}/speakers")
    page.get_by_label("Name of the speaker").fill("Sarah Okafor")
    page.get_by_label("Delegation or organisation").fill("Human Rights Watch")
    page.get_by_label("You speak for").select_option("ngo")
    page.get_by_label("On behalf of a group").check()
    page.get_by_label("On behalf of", exact=True).fill("a group of 14 NGOs")
    page.get_by_label("Statement for the interpreters").set_input_files(
        files=[{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": documents.PDF}])
    page.get_by_label("Email address").fill("sarah@example.org")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Inscribe").click()
    page.wait_for_url(f"**/events/{event.slug}/speakers/inscribed")
    place = page.locator("dt:text('Your place') + dd").inner_text()
    assert place == "1"  # a group statement goes first
    screenshot(page, "speakers-inscribed-ngo-group")

    state, ngo = sorted(stored(event_id), key=lambda s: s.id)
    assert (state.category, state.country, state.language) == (SpeakerCategory.MEMBER_STATE, "LT", "fr")
    assert (ngo.on_behalf_of_group, ngo.group_name, ngo.seconds_allowed) == (True, "a group of 14 NGOs", 120)
    assert ngo.statement_filename == "statement.pdf"

    page.goto(speaker_url(ngo).removeprefix("http://localhost"))  # the link from the email
    assert "statement.pdf" in page.locator(".summary-list").last.inner_text()
    assert_accessible(page)
    screenshot(page, "speakers-own-page")
    page.get_by_role("button", name="Withdraw my inscription").click()
    assert page.get_by_role("status").first.inner_text().startswith("Your inscription is withdrawn")
    assert [s.state for s in stored(event_id) if s.id == ngo.id] == [SpeakerState.WITHDRAWN]
    assert requested_hosts == {"127.0.0.1"}  # no third-party request from any page


def test_the_live_list_follows_the_floor(page, event):
    lithuania = make_speaker(event, delegation="Permanent Mission of Lithuania", name="Tomas Petrauskas",
                             category=SpeakerCategory.MEMBER_STATE, country="LT")
    hrw = make_speaker(event, delegation="Human Rights Watch", name="Sarah Okafor")
    civicus = make_speaker(event, delegation="CIVICUS", name="Lysa John")
    ishr = make_speaker(event, delegation="ISHR", name="Daniel Moreau")
    countdown, current = page.locator("#live-countdown"), page.locator("#live-current")

    page.goto(f"/events/{event.slug}/speakers/live")
    assert current.inner_text() == "Nobody has the floor."
    assert page.locator("#live-queue li").count() == 4
    assert_accessible(page)
    screenshot(page, "speakers-live-waiting")

    live.start(lithuania)
    db.session.commit()
    expect(countdown).to_be_visible(timeout=WITHIN_2_S)
    assert "Permanent Mission of Lithuania" in current.inner_text()
    first = countdown.inner_text()
    assert re.fullmatch(r"[01]:\d\d", first)
    expect(countdown).not_to_have_text(first)  # it runs
    assert page.locator("#live-queue li").count() == 3
    assert "Tomas" not in page.content()  # this list shows delegations only
    assert_accessible(page)
    screenshot(page, "speakers-live-speaking")

    live.mark_delivered(lithuania)
    live.mark_absent(hrw)
    live.move_to_end(civicus)
    db.session.commit()
    done = page.locator("#live-done li")
    expect(done).to_have_count(2, timeout=WITHIN_2_S)
    assert "Delivered" in done.nth(0).inner_text() and "Absent" in done.nth(1).inner_text()
    assert current.inner_text() == "Nobody has the floor."
    assert countdown.is_hidden()
    queue = page.locator("#live-queue li")
    assert "ISHR" in queue.nth(0).inner_text()
    assert "moved to the end" in queue.nth(1).inner_text()
    # the script's rendering isolates each delegation as the server's does
    assert page.locator("#live-done .live-delegation > bdi").count() == 2
    assert page.locator("#live-queue .live-delegation > bdi").count() == queue.count()

    live.start(ishr, now_utc() - timedelta(seconds=65))  # started over a minute ago: over time
    db.session.commit()
    expect(countdown).to_have_text(re.compile(r"^\+\d+:\d\d$"), timeout=WITHIN_2_S)
    expect(countdown).to_have_class(re.compile(r"\bis-over\b"))
    assert_accessible(page)
    screenshot(page, "speakers-live-overrun")


@pytest.mark.parametrize("page", [PHONE], indirect=True)
def test_the_live_list_on_a_phone(page, event):
    speakers_list = lists.speakers_list_of(event)
    speakers_list.public_shows_names = True
    db.session.commit()
    egypt = make_speaker(event, delegation="Permanent Mission of Egypt", name="Amina Hassan",
                         category=SpeakerCategory.MEMBER_STATE, country="EG", on_behalf_of_group=True,
                         group_name="the African Group")
    make_speaker(event, delegation="Commission nationale consultative des droits de l'homme",
                 name="Claire Dubois", category=SpeakerCategory.NHRI, country="FR", nhri_a_status=True)
    make_speaker(event, delegation="Permanent Mission of France", name="Jean Martin",
                 category=SpeakerCategory.MEMBER_STATE, country="FR")
    live.start(egypt, now_utc() - timedelta(seconds=108))  # twelve seconds left
    db.session.commit()
    page.goto(f"/events/{event.slug}/speakers/live")
    # The warning shows once ten seconds are left.
    expect(page.locator("#live-countdown")).to_have_class(re.compile(r"\bis-warning\b"),
                                                          timeout=10_000)
    assert "Amina Hassan" in page.locator("#live-current").inner_text()
    queue = page.locator("#live-queue li")
    assert "Permanent Mission of France" in queue.nth(0).inner_text()
    assert "Commission nationale" in queue.nth(1).inner_text()  # the A-status NHRI after its State
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "speakers-live-phone")


def test_a_device_whose_clock_is_wrong_still_counts_right(page, event):
    """The countdown follows the server's clock (its Server-Now header), not the device's."""
    speaker = make_speaker(event, delegation="Permanent Mission of Chile")
    live.start(speaker, now_utc() - timedelta(seconds=20))  # forty seconds left
    db.session.commit()
    page.clock.set_system_time(now_utc() - timedelta(minutes=7))  # this device runs 7 minutes late
    page.goto(f"/events/{event.slug}/speakers/live")
    countdown = page.locator("#live-countdown")
    expect(countdown).to_have_text(re.compile(r"^0:(3\d|40)$"), timeout=WITHIN_2_S * 2)
    # The list is polled on (304s while nothing changes) and the time keeps running.
    expect(countdown).to_have_text(re.compile(r"^0:(2\d|3[0-4])$"), timeout=10_000)
