"""Two lists for one event, run as UN conference services run them: a joint statement with its
signatories inscribed through the form, lots drawn with a published seed, a swap, a time cut and a
right of reply from the console; the public live page (in English and in Arabic) and a speaker's
own page follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.events.models import Event
from rsvp.extensions import db
from rsvp.speakers import lists, services
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.speakers.ordering import drawn
from rsvp.timeutil import now_utc
from tests.browser.conftest import assert_accessible, log_in, open_page, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers.conftest import statements_dir  # noqa: F401 - statements go to a temporary folder

pytestmark = pytest.mark.browser

WITHIN_2_S = 2_000
STATES = [("Lithuania", "LT"), ("Estonia", "EE"), ("Latvia", "LV"), ("Finland", "FI"), ("Kenya", "KE")]


@pytest.fixture
def event(live_db):
    event = make_event(title="Interactive dialogue on civic space", slug="civic-space",
                       interpretation_languages=["fr", "ar"], timezone="Europe/Zurich")
    make_speakers_list(event, title="Questions after segment I", floor_minutes=20)
    second = make_speakers_list(event, number=2, title="Questions after segment II", floor_minutes=20,
                                individual_seconds=180, group_seconds=120,
                                floor_starts_at=now_utc() - timedelta(minutes=1))
    for name, code in STATES:
        make_speaker(event, speakers_list=second, delegation=f"Permanent Mission of {name}", country=code,
                     category=SpeakerCategory.MEMBER_STATE, state=SpeakerState.CONFIRMED)
    make_speaker(event, delegation="CIVICUS", name="Lysa John")  # on segment I: never on segment II
    organiser = make_organiser(name="Phil Lynch", email="phil@example.org")
    grant_role(event, organiser, Role.MANAGER)
    return event


def test_two_lists_a_joint_statement_a_draw_a_swap_and_a_cut_followed_in_public(page, browser, live_server,
                                                                                 event):
    slug, event_public_id = event.slug, event.public_id
    # A delegation inscribes a joint statement on segment II through the form.
    page.goto(f"/events/{slug}")
    page.get_by_role("link", name="Inscribe on the speakers list").nth(1).click()
    page.wait_for_url(f"**/events/{slug}/speakers?list=2")
    expect(page.get_by_role("heading", name="Questions after segment II")).to_be_visible()
    page.get_by_label("Name of the speaker").fill("Anna Virtanen")
    page.get_by_label("Delegation or organisation").fill("Permanent Mission of Finland")
    page.get_by_label("You speak for").select_option("observer_state")
    page.get_by_label("State", exact=True).select_option(label="Finland")
    page.get_by_label("On behalf of a group").check()
    page.get_by_label("On behalf of", exact=True).fill("the Nordic-Baltic group")
    page.get_by_label("Signatory States").select_option(["DK", "IS", "NO", "SE"])
    page.get_by_label("Other signatories").fill("CIVICUS\nInternational Service for Human Rights")
    page.get_by_label("Language of the statement").select_option("en")
    page.get_by_label("Email address").fill("anna@example.org")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Inscribe").click()
    page.wait_for_url(f"**/events/{slug}/speakers/inscribed")
    db.session.remove()
    stored = db.session.scalar(sa.select(Event).where(Event.slug == slug))
    segment_two = services.lineup(lists.speakers_list_of(stored, 2))
    (joint,) = [s for s in segment_two.queue if s.on_behalf_of_group]
    assert [s["state"] for s in joint.signatories[:4]] == ["DK", "IS", "NO", "SE"]
    own_link = speaker_url(joint)

    with open_page(browser, live_server, {"width": 1024, "height": 900}) as public, \
            open_page(browser, live_server, {"width": 1024, "height": 900}, locale="ar") as arabic, \
            open_page(browser, live_server, {"width": 390, "height": 844}) as remote:
        # The joint statement's speaker follows from afar, on a phone, from their inscription link.
        remote.goto(own_link.removeprefix("http://localhost"))
        expect(remote.locator("#own-message")).to_have_text("You are next: get ready to unmute.")
        public.goto(f"/events/{slug}/speakers/live?list=2")
        arabic.goto(f"/events/{slug}/speakers/live?list=2")
        queue = public.locator("#live-queue")
        expect(queue).to_contain_text("the Nordic-Baltic group")
        expect(queue).to_contain_text("Signatories: Denmark, Iceland, Norway, Sweden, CIVICUS")
        expect(public.locator("#live")).not_to_contain_text("CIVICUS ·")  # segment I's speaker is elsewhere

        # The moderator draws lots for the States, swaps two delegations and cuts the time.
        log_in(page, "phil@example.org")
        page.goto(f"/manage/events/{event_public_id}/speakers?list=2")
        expect(page.get_by_role("link", name="Questions after segment I", exact=True)).to_be_visible()
        page.locator("#draw-first_place").fill("2")
        page.locator("#draw-last_place").fill("6")
        page.locator("#draw-seed").fill("segment-two-2026")
        page.get_by_role("button", name="Draw lots").click()
        expect(page.locator("#console-message")).to_contain_text(
            "Lots are drawn for places 2 to 6 with the seed segment-two-2026")
        expected = drawn([f"Permanent Mission of {name}" for name, _code in STATES], "segment-two-2026")
        expect(public.locator("#live-draws")).to_contain_text("segment-two-2026", timeout=WITHIN_2_S)
        expect(public.locator("#live-queue .live-delegation")).to_have_text(
            ["Permanent Mission of Finland", *expected], timeout=WITHIN_2_S)

        page.locator("#swap-first").select_option(label=f"2. {expected[0]}")
        page.locator("#swap-second").select_option(label=f"3. {expected[1]}")
        page.get_by_role("button", name="Swap", exact=True).click()
        expect(public.locator("#live-queue .live-delegation")).to_have_text(
            ["Permanent Mission of Finland", expected[1], expected[0], *expected[2:]], timeout=WITHIN_2_S)

        page.locator("#cut-individual_seconds").fill("150")
        page.locator("#cut-group_seconds").fill("90")
        page.get_by_role("button", name="Cut the time").click()
        expect(page.locator("#console-message")).to_contain_text("for the 6 speakers still waiting")
        expect(public.locator("#live-queue .live-meta").first).to_contain_text("90 s", timeout=WITHIN_2_S)
        expect(public.locator("#live-queue .live-meta").nth(1)).to_contain_text("150 s")

        # A State asks for a right of reply: after everyone, with the reply time, untouched by the cut.
        reply = page.locator("#console-reply")
        reply.locator("[name=country]").select_option(label="China")
        reply.locator("[name=delegation]").fill("Permanent Mission of China")
        reply.get_by_role("button", name="Add the right of reply").click()
        expect(page.locator("#console-message")).to_contain_text("in the right-of-reply queue")
        last = public.locator("#live-queue .live-item").last
        expect(last).to_contain_text("Permanent Mission of China", timeout=WITHIN_2_S)
        expect(last).to_contain_text("180 s · English · right of reply")
        screenshot(page, "speakers-lists-console")
        assert_accessible(page)

        public.reload()
        assert_accessible(public)
        screenshot(public, "speakers-lists-live-en")
        expect(arabic.locator("#live-draws")).to_contain_text("segment-two-2026", timeout=WITHIN_2_S)
        expect(arabic.locator("#live-queue")).to_contain_text("الدانمرك")  # Denmark, in Arabic (CLDR)
        arabic.reload()
        assert arabic.locator("html").get_attribute("dir") == "rtl"
        screenshot(arabic, "speakers-lists-live-ar")

        # The moderator gives the joint statement the floor: the remote speaker's screen says so.
        remote.reload()  # the summary below the live panel is the page's own: the cut time, once reloaded
        expect(remote.locator("body")).to_contain_text("90 seconds")
        page.get_by_role("button", name="Start the next speaker").click()
        expect(remote.locator("#own-message")).to_have_text("You have the floor: unmute now.",
                                                            timeout=WITHIN_2_S)
        expect(remote.locator("#own-countdown")).to_be_visible()
        assert_accessible(remote)
        screenshot(remote, "speakers-lists-own-page")

        page.goto(f"/manage/events/{event_public_id}/speakers/report?list=2")
        expect(page.locator("body")).to_contain_text("Drawn by lot (seed segment-two-2026)")
        expect(page.locator("body")).to_contain_text(f"Swapped places with {expected[1]}")
        screenshot(page, "speakers-lists-report")

