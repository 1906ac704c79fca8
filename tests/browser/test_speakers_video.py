"""A remote NGO sends a video statement through the inscription form and the chair plays it from
the console; the console's rows mark joint statements (their signatories a click away), rights of
reply and NGO priority requests, in English and in Arabic; "Draw again" is offered as soon as lots
are drawn, without a reload."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.speakers.models import SpeakerCategory, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import now_utc
from tests.browser.conftest import assert_accessible, log_in, open_page, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_speaker, make_speakers_list
from tests.speakers.conftest import statements_dir  # noqa: F401 - statements go to a temporary folder

pytestmark = pytest.mark.browser

#: Chromium records a second of a moving square as WebM (VP8: no proprietary codec needed), so
#: the console's player gets a real video to decode.
RECORD = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 120;
  document.body.appendChild(canvas);
  const context = canvas.getContext("2d");
  const stream = canvas.captureStream(15);
  const recorder = new MediaRecorder(stream, {mimeType: "video/webm;codecs=vp8"});
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  let frame = 0;
  const drawing = setInterval(() => {
    context.fillStyle = "#0b5e3b"; context.fillRect(0, 0, 160, 120);
    context.fillStyle = "#ffffff"; context.fillRect((frame++ * 7) % 140, 50, 20, 20);
  }, 50);
  recorder.start(100);
  await new Promise((done) => setTimeout(done, 1000));
  const stopped = new Promise((done) => { recorder.onstop = done; });
  recorder.stop();
  await stopped;
  clearInterval(drawing);
  const buffer = await new Blob(chunks, {type: "video/webm"}).arrayBuffer();
  let binary = "";
  new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary);
}"""


@pytest.fixture
def event(live_db):
    event = make_event(title="Interactive dialogue on the Delta", slug="delta-dialogue",
                       timezone="Europe/Zurich")
    make_speakers_list(event, floor_starts_at=now_utc() - timedelta(minutes=1), floor_minutes=30)
    organiser = make_organiser(name="Phil Lynch", email="phil@example.org")
    grant_role(event, organiser, Role.MANAGER)
    return event


def recorded_webm(browser) -> bytes:
    context = browser.new_context()
    try:
        page = context.new_page()
        return base64.b64decode(page.evaluate(RECORD))
    finally:
        context.close()


def test_a_remote_ngo_sends_a_video_and_the_console_plays_it(page, browser, live_server, event):
    video = recorded_webm(browser)
    assert video[:4] == b"\x1a\x45\xdf\xa3"
    page.goto(f"/events/{event.slug}/speakers")
    page.get_by_label("Name of the speaker").fill("Lysa Moreau")
    page.get_by_label("Delegation or organisation").fill("Defenders of the Delta")
    page.get_by_label("You speak for").select_option("ngo")
    page.get_by_label("Video statement").set_input_files(
        files=[{"name": "my statement.webm", "mimeType": "video/webm", "buffer": video}])
    page.get_by_label("Email address").fill("lysa@example.org")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Inscribe").click()
    page.wait_for_url("**/speakers/inscribed")
    expect(page.get_by_text("my statement.webm")).to_be_visible()

    with open_page(browser, live_server, {"width": 1280, "height": 900}) as chair:
        log_in(chair, "phil@example.org")
        chair.goto(f"/manage/events/{event.public_id}/speakers")
        link = chair.locator("#console-queue").get_by_role("link", name="Video statement")
        expect(link).to_be_visible()
        media = []
        chair.on("response", lambda r: media.append(r.status) if r.url.endswith("/video/file") else None)
        link.click()
        chair.wait_for_url("**/video")
        player = chair.locator("video#speaker-video")
        expect(player).to_be_visible()
        # The browser fetched the file and read it as a video: its length is known.
        chair.wait_for_function(
            "() => { const v = document.getElementById('speaker-video'); return v.readyState >= 1; }")
        assert chair.evaluate("document.getElementById('speaker-video').duration") > 0
        assert chair.evaluate("document.getElementById('speaker-video').error") is None
        assert media and set(media) <= {200, 206}
        screenshot(chair, "speakers-video-console-player")


def test_console_rows_mark_joint_statements_replies_and_priority_in_english_and_arabic(
        page, browser, live_server, event):
    for n, code in enumerate(["LT", "EE", "LV"]):
        make_speaker(event, delegation=f"Permanent Mission {n}", country=code,
                     category=SpeakerCategory.MEMBER_STATE, state=SpeakerState.CONFIRMED)
    make_speaker(event, delegation="Permanent Mission of Finland", country="FI",
                 category=SpeakerCategory.MEMBER_STATE, on_behalf_of_group=True,
                 group_name="the Nordic-Baltic group",
                 signatories=[{"state": "FI"}, {"state": "LT"}, {"organisation": "CIVICUS"}])
    make_speaker(event, delegation="Defenders of the Delta", priority_requested=True)
    make_speaker(event, delegation="Permanent Mission of Kenya", country="KE",
                 category=SpeakerCategory.MEMBER_STATE, right_of_reply=True, state=SpeakerState.CONFIRMED,
                 one_per_delegation=False, delegation_key="state:KE|reply:1")
    log_in(page, "phil@example.org")
    page.goto(f"/manage/events/{event.public_id}/speakers")
    queue = page.locator("#console-queue")
    joint = queue.locator("tr", has_text="Permanent Mission of Finland")
    expect(joint.get_by_text("Joint statement (signatories: 3)")).to_be_visible()
    expect(joint.get_by_text("CIVICUS")).to_be_hidden()
    joint.get_by_text("Joint statement (signatories: 3)").click()
    expect(joint.get_by_text("CIVICUS")).to_be_visible()
    expect(joint.get_by_text("Lithuania")).to_be_visible()
    expect(queue.locator("tr", has_text="Defenders of the Delta").get_by_text("NGO priority requested")
           ).to_be_visible()
    expect(queue.locator("tr", has_text="Permanent Mission of Kenya").get_by_text("Right of reply")
           ).to_be_visible()
    expect(queue.locator("tr", has_text="Permanent Mission 0").locator(".console-marks .tag:visible")
           ).to_have_count(0)

    again = page.locator("#draw-again-field")
    expect(again).to_be_hidden()
    draw = page.locator("#console-draw")
    draw.get_by_label("From place").fill("1")
    draw.get_by_label("To place").fill("3")
    draw.get_by_label("Seed").fill("delta")
    draw.get_by_role("button", name="Draw lots").click()
    expect(page.locator("#console-message")).to_contain_text("Lots are drawn for places 1 to 3")
    expect(again).to_be_visible()  # no reload
    expect(again.get_by_label("Draw again")).not_to_be_checked()
    screenshot(page, "speakers-console-marks-en")

    page.goto(f"/manage/events/{event.public_id}/speakers?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    queue = page.locator("#console-queue")
    expect(queue.locator("tr", has_text="Permanent Mission of Kenya").get_by_text("حق الرد")).to_be_visible()
    expect(queue.locator("tr", has_text="Defenders of the Delta").get_by_text(
        "طُلبت أولوية المنظمات غير الحكومية")).to_be_visible()
    finland = queue.locator("tr", has_text="Permanent Mission of Finland")
    finland.get_by_text("بيان مشترك (الموقّعون: 3)").click()
    expect(queue.get_by_text("CIVICUS")).to_be_visible()
    expect(page.locator("#draw-again-field")).to_be_visible()
    screenshot(page, "speakers-console-marks-ar")


def test_the_speakers_own_page_shows_the_name_fixed_in_english_and_arabic(page, browser, live_server, event):
    speaker = make_speaker(event, delegation="Defenders of the Delta", name="Lysa Moreau")
    path = speaker_url(speaker).removeprefix("http://localhost")
    page.goto(path)
    name = page.get_by_label("Name of the speaker")
    expect(name).to_have_value("Lysa Moreau")
    expect(name).not_to_be_editable()
    expect(page.get_by_text("ask the organisers for a substitution")).to_be_visible()
    expect(page.get_by_label("Video statement")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "speakers-own-page-name-fixed-en")
    page.goto(path + "?lang=ar")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    expect(page.get_by_text("يُثبَّت الاسم عند التسجيل")).to_be_visible()
    screenshot(page, "speakers-own-page-name-fixed-ar")
