"""What an organiser does with the speakers console: a State and an NGO inscribe on the public form;
the moderator logs in, opens the console, gives the floor, and the countdown runs on the console
and on the public live list; delivered, absent, moved to the end; the warnings at 10 seconds and
at zero; reordering by dragging and by the keyboard; the settings and the report."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.extensions import db
from rsvp.speakers import files, live, services
from rsvp.speakers.models import SpeakerCategory
from rsvp.timeutil import now_utc
from tests.browser.conftest import assert_accessible, log_in, open_page, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers import documents
from tests.speakers.conftest import statements_dir  # noqa: F401 - statements go to a temporary folder

pytestmark = pytest.mark.browser

#: Both screens poll every second: two seconds is what a moderator may wait for them.
WITHIN_2_S = 2_000
CLOCK = re.compile(r"^\+?\d+:\d\d$")
#: Counts the tones the console plays (headless Chromium has no loudspeaker to listen to).
COUNT_TONES = """
window.tonesPlayed = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.tonesPlayed += 1;
  return start.apply(this, args);
};
"""


@pytest.fixture
def event(live_db):
    event = make_event(title="Assessing the National Security Law in Hong Kong", slug="hong-kong",
                       interpretation_languages=["fr"], timezone="Europe/Zurich")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=6)
    return event


@pytest.fixture
def moderator(event):
    organiser = make_organiser(name="Phil Lynch", email="phil@example.org")
    grant_role(event, organiser, Role.MANAGER)
    return organiser


@pytest.fixture
def public(browser, live_server):
    """A second person, on another device: the public live list."""
    with open_page(browser, live_server, {"width": 1024, "height": 800}) as page:
        yield page


def inscribe(page, slug: str, name: str, delegation: str, category: str, email: str,
             country: str | None = None) -> None:
    page.goto(f"/events/{slug}/speakers")
    page.get_by_label("Name of the speaker").fill(name)
    page.get_by_label("Delegation or organisation").fill(delegation)
    page.get_by_label("You speak for").select_option(category)
    if country:
        page.get_by_label("State", exact=True).select_option(label=country)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Inscribe").click()
    page.wait_for_url(f"**/events/{slug}/speakers/inscribed")


def expect_queue(page, delegations: list[str]) -> None:
    expect(page.locator("#console-queue .live-delegation")).to_have_text(delegations, timeout=WITHIN_2_S)


def test_the_moderator_runs_the_floor_and_both_screens_count_down(page, public, event, moderator):
    requested_hosts: set[str] = set()
    page.on("request", lambda r: requested_hosts.add(urlsplit(r.url).hostname or ""))
    inscribe(public, event.slug, "Tomas Petrauskas", "Permanent Mission of Lithuania", "member_state",
             "tomas@example.org", country="Lithuania")
    inscribe(public, event.slug, "Lysa John", "CIVICUS", "ngo", "lysa@example.org")
    db.session.rollback()  # a fresh snapshot: on SQLite, writing on an older one fails
    make_speaker(event, delegation="ISHR", name="Daniel Moreau")
    make_speaker(event, delegation="Amnesty International", name="Agnès Callamard")

    log_in(page, moderator.email)
    page.get_by_role("table", name="Coming up").get_by_role("link", name="Speakers list").click()
    page.wait_for_url(f"**/manage/events/{event.public_id}/speakers")
    expect_queue(page, ["Permanent Mission of Lithuania", "CIVICUS", "ISHR", "Amnesty International"])
    assert "Tomas Petrauskas" in page.locator("#console-next").inner_text()
    assert_accessible(page)
    screenshot(page, "console-waiting")
    public.goto(f"/events/{event.slug}/speakers/live")

    page.get_by_role("button", name="Start the next speaker").click()
    countdown = page.locator("#console-countdown")
    expect(countdown).to_be_visible(timeout=WITHIN_2_S)
    expect(countdown).to_have_text(CLOCK)
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first)  # it runs
    assert "Permanent Mission of Lithuania has the floor." in page.locator("#console-message").inner_text()
    assert "Tomas Petrauskas" in page.locator("#console-current").inner_text()
    public_countdown = public.locator("#live-countdown")
    expect(public_countdown).to_be_visible(timeout=WITHIN_2_S)
    expect(public_countdown).to_have_text(CLOCK)
    public_first = public_countdown.inner_text()
    expect(public_countdown).not_to_have_text(public_first)
    assert "Permanent Mission of Lithuania" in public.locator("#live-current").inner_text()
    expect_queue(page, ["CIVICUS", "ISHR", "Amnesty International"])
    expect(page.get_by_role("button", name="Absent (CIVICUS)")).to_be_visible()
    expect(page.get_by_role("button", name="Start (CIVICUS)")).to_be_hidden()  # one speaker at a time
    assert_accessible(page)
    screenshot(page, "console-speaking")

    page.get_by_role("button", name="Delivered").click()
    done = page.locator("#console-done tr")
    expect(done).to_have_count(1, timeout=WITHIN_2_S)
    assert re.search(r"Delivered\s+0:\d\d of 1:00", done.first.inner_text())
    expect(countdown).to_be_hidden()
    page.get_by_role("button", name="Absent (CIVICUS)").click()
    expect(done).to_have_count(2, timeout=WITHIN_2_S)
    assert "Absent" in done.nth(1).inner_text()
    page.get_by_role("button", name="To the end (ISHR)").click()
    expect(page.locator("#console-queue tr").last).to_contain_text("moved to the end", timeout=WITHIN_2_S,
                                                                   use_inner_text=True)
    expect_queue(page, ["Amnesty International", "ISHR"])
    assert "Amnesty International" in page.locator("#console-next").inner_text()

    expect(public.locator("#live-done li")).to_have_count(2, timeout=WITHIN_2_S)
    expect(public.locator("#live-queue li").last).to_contain_text("moved to the end", timeout=WITHIN_2_S)
    assert public.locator("#live-current").inner_text() == "Nobody has the floor."
    assert "Tomas" not in public.content()  # the public list shows delegations only
    assert_accessible(page)
    screenshot(page, "console-after-absent-and-moved")
    screenshot(public, "console-public-list-after")
    assert requested_hosts == {"127.0.0.1"}  # no third-party request from any page


def test_the_console_warns_at_ten_seconds_and_shows_the_overrun_in_red(page, event, moderator):
    page.add_init_script(COUNT_TONES)
    speaker = make_speaker(event, delegation="Permanent Mission of Egypt", name="Amina Hassan",
                           category=SpeakerCategory.MEMBER_STATE, country="EG", on_behalf_of_group=True,
                           group_name="the African Group")
    make_speaker(event, delegation="CIVICUS")
    live.start(speaker, now_utc() - timedelta(seconds=106))  # fourteen of 120 seconds left
    db.session.commit()
    log_in(page, moderator.email)
    page.goto(f"/manage/events/{event.public_id}/speakers")
    sound = page.get_by_role("button", name="Sound at 10 seconds and at zero")
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "true")

    countdown = page.locator("#console-countdown")
    expect(countdown).to_have_class(re.compile(r"\bis-warning\b"), timeout=10_000)
    expect(page.locator("#console-alert")).to_have_text("10 seconds left")
    assert "on behalf of the African Group" in page.locator("#console-current").inner_text()
    screenshot(page, "console-ten-seconds")
    expect(countdown).to_have_class(re.compile(r"\bis-over\b"), timeout=15_000)
    expect(countdown).to_have_text(re.compile(r"^\+0:0\d$"))
    expect(page.locator("#console-alert")).to_have_text("Time is up")
    color = countdown.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(176, 0, 32)"  # --error: the overrun is shown in red
    assert page.evaluate("window.tonesPlayed") >= 4  # switched on, ten seconds, and twice at zero
    assert_accessible(page)
    screenshot(page, "console-overrun")

    page.get_by_role("button", name="Stop the time").click()
    expect(page.locator("#console-stopped")).to_be_visible(timeout=WITHIN_2_S)
    stopped = countdown.inner_text()
    page.wait_for_timeout(1_500)
    assert countdown.inner_text() == stopped  # a stopped clock stays still


def test_the_queue_is_reordered_by_dragging_and_by_the_keyboard(page, event, moderator):
    now = now_utc()
    for n, name in enumerate(("CIVICUS", "ISHR", "Amnesty International", "Human Rights Watch")):
        make_speaker(event, delegation=name, inscribed_at=now + timedelta(seconds=n))
    log_in(page, moderator.email)
    page.goto(f"/manage/events/{event.public_id}/speakers")
    rows = page.locator("#console-queue tr")
    expect(rows).to_have_count(4)

    message = page.locator("#console-message")
    rows.nth(3).drag_to(rows.nth(0), target_position={"x": 20, "y": 2})
    expect(message).to_have_text("The new order is saved. Later inscriptions keep it.")
    expect_queue(page, ["Human Rights Watch", "CIVICUS", "ISHR", "Amnesty International"])

    down = page.get_by_role("button", name="Down (CIVICUS)")
    down.focus()
    page.keyboard.press("Enter")
    expect(message).to_have_text("CIVICUS is now number 3 in the queue.")
    expect(page.get_by_role("button", name="Down (CIVICUS)")).to_be_focused()  # the keyboard stays put
    page.keyboard.press("Enter")
    expect(message).to_have_text("CIVICUS is now number 4 in the queue.")
    expect_queue(page, ["Human Rights Watch", "ISHR", "Amnesty International", "CIVICUS"])

    page.get_by_label("Speaker", exact=True).select_option(label="1. Human Rights Watch")
    page.get_by_label("swaps places with").select_option(label="4. CIVICUS")
    page.get_by_role("button", name="Swap", exact=True).click()
    expect(message).to_have_text("Human Rights Watch and CIVICUS have swapped places.")
    expect_queue(page, ["CIVICUS", "ISHR", "Amnesty International", "Human Rights Watch"])
    page.reload()  # what the server kept
    expect_queue(page, ["CIVICUS", "ISHR", "Amnesty International", "Human Rights Watch"])
    screenshot(page, "console-reordered")


def test_settings_report_and_what_a_viewer_sees(page, event, moderator):
    speaker = make_speaker(event, delegation="CIVICUS", name="Lysa John")
    log_in(page, moderator.email)
    page.goto(f"/manage/events/{event.public_id}/speakers/settings")
    assert_accessible(page)
    page.get_by_label("Floor time available (minutes)").fill("0")
    page.get_by_label("NGO, individual (seconds)").fill("90")
    page.get_by_role("button", name="Save the settings").click()
    summary = page.locator("#error-summary")
    assert "Enter the floor time in whole minutes, from 1 to 600." in summary.inner_text()
    assert_accessible(page)
    screenshot(page, "console-settings-error")
    page.get_by_label("Floor time available (minutes)").fill("20")
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_url(f"**/manage/events/{event.public_id}/speakers")
    assert "The speakers list settings are saved." in page.get_by_role("status").first.inner_text()
    expect(page.locator("#console-queue tr").first).to_contain_text("90 s")

    db.session.rollback()  # a fresh snapshot: the server wrote meanwhile
    live.start(speaker)
    live.mark_delivered(speaker)
    db.session.commit()
    page.get_by_role("link", name="Speaking time").click()
    assert "CIVICUS" in page.get_by_role("table", name="Per speaker, in list order").inner_text()
    assert_accessible(page)
    screenshot(page, "console-report")

    viewer = make_organiser(name="Olivia Viewer")
    grant_role(event, viewer, Role.VIEWER)
    page.get_by_role("button", name="Log out").click()
    log_in(page, viewer.email)
    page.goto(f"/manage/events/{event.public_id}/speakers")
    assert page.get_by_role("button", name=re.compile("Start")).count() == 0
    assert page.get_by_role("link", name="Settings").count() == 0
    assert_accessible(page)
    screenshot(page, "console-viewer")


def test_organisers_download_a_statement_from_the_console(page, event, moderator):
    services.inscribe(event, services.InscriptionData(
        name="Lysa John", delegation="CIVICUS", category="ngo", language="en", email="lysa@example.org",
        statement=files.Upload("Déclaration.pdf", documents.PDF)))
    db.session.commit()
    log_in(page, moderator.email)
    page.goto(f"/manage/events/{event.public_id}/speakers")
    with page.expect_download() as download:
        page.locator("#console-queue").get_by_role("link", name="Statement (CIVICUS)").click()
    assert download.value.suggested_filename == "Déclaration.pdf"
    assert Path(download.value.path()).read_bytes() == documents.PDF
