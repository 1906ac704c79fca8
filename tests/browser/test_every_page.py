"""Every page a person can open, public and organiser, at 320, 390 and 1366 pixels in English,
Arabic and Chinese: nothing wider than the screen in any of the nine, and axe's WCAG 2.2 A/AA rules
find nothing on any page in any language (each language at one of the widths: see AXE_AT).

The pages come from the app's URL map, so a page added later is swept without touching this file;
a URL variable this file has no sample for fails the test (add it to SAMPLES). Screenshots of every
page on the 320-pixel phone are kept in test-artifacts/every-page/.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import url_for

from rsvp.auth.models import Role
from rsvp.demo import load_demo
from rsvp.events.models import AttendanceMode, Event, EventFormat
from rsvp.extensions import db
from rsvp.registrations import codes
from rsvp.registrations.models import Registration
from rsvp.registrations.notify import manage_url, status_email
from rsvp.speakers import statements
from rsvp.speakers.models import Speaker
from rsvp.speakers.notify import speaker_url
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import (
    add_document,
    grant_role,
    make_event,
    make_organiser,
    make_registration,
    make_speaker,
    make_speakers_list,
    set_image,
)
from tests.speakers import media
from tests.speakers.conftest import statements_dir  # noqa: F401 - the sample video's folder

pytestmark = [
    pytest.mark.browser,
    # The layout does not depend on the database: swept once, in the SQLite run.
    pytest.mark.skipif(bool(os.environ.get("RSVP_TEST_DATABASE_URL")), reason="swept in the SQLite run"),
]

WIDTHS = (320, 390, 1366)
LANGUAGES = ("en", "ar", "zh")
#: axe runs once per page and language, each language at another width (it costs most of the time).
AXE_AT = {("en", 1366), ("ar", 320), ("zh", 390)}
#: Only the violations reported back, as Axe().run's default: the sweep reads nothing else, and
#: every rule's passing elements, each with its selector and HTML, cost a quarter of axe's time.
AXE_RULES = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]},
    "resultTypes": ["violations"]}

#: Routes that are not pages a person reads: files, feeds, polls, an email's own body, and a
#: link that acts when opened (a check-in scan checks the person in), a part a page shows in place.
NOT_PAGES = {"static", "healthz", "site.brand_css", "site.logo", "events.image", "events.document",
             "events.calendar", "editor.image_file", "editor.document_file", "emails.body",
             "checkin.counts", "checkin.found_part", "checkin.scan", "console.state",
             "console.statement", "console.video_file",
             "console.report_by_category", "console.report_by_speaker", "speakers.live_json",
             "speakers.own_status",
             "registrations.download", "registrations.confirm", "exports.attendees",
             "exports.grounds_passes", "exports.interpretation", "exports.prepared",
             "exports.prepared_file", "exports.progress", "feeds.events", "feeds.event",
             "feeds.calendar", "feeds.openapi_document",
             # an organiser's own pages when logged out (they send a logged-in one on):
             "auth.login", "auth.request_reset", "auth.reset_password"}

Samples = dict[str, Callable[[Event], str]]


def _registration(event: Event) -> Registration:
    return db.session.query(Registration).filter_by(event_id=event.id).order_by(Registration.id).first()


SAMPLES: Samples = {
    "event_id": lambda event: event.public_id,
    "slug": lambda event: event.slug,
    "registration_id": lambda event: _registration(event).public_id,
    "checkin_token": lambda event: codes.checkin_token(_registration(event)),
    "token": lambda event: "",  # filled by the page list: manage and speaker links
    "message_number": lambda event: "1",
    "speaker_id": lambda event: db.session.query(Speaker).filter_by(event_id=event.id)
    .order_by(Speaker.id).first().public_id,  # the first: the one with a video
    "language": lambda event: "fr",
}


@pytest.fixture
def busy(live_db, app):
    """The demo's seed events, and one of them busy: registrations, speakers, a document, an image."""
    load_demo()
    event = make_event(title="Defenders at risk: a dialogue with the Special Rapporteur",
                       slug="defenders", format=EventFormat.HYBRID, grounds_pass_required=True,
                       venue="Room XXIV, Palais des Nations", capacity_in_person=40,
                       interpretation_languages=["fr", "es", "ar", "zh"])
    for n in range(6):
        registration = make_registration(
            event, name=f"Rapporteur with a long name {n}", interpretation_language=["fr", "ar", None][n % 3],
            email=f"a.very.long.address.without.breaks.{n}@defenders-organisation.example.org",
            organisation="Asociación Nacional de Defensoras y Defensores de Derechos Humanos",
            attendance_mode=AttendanceMode.IN_PERSON if n % 2 else AttendanceMode.ONLINE)
        status_email(registration)
    db.session.commit()
    make_speakers_list(event, floor_starts_at=event.starts_at, floor_minutes=30)
    for n in range(3):
        video = {"video_stored_as": statements.save(db.session(), media.webm(), "webm"),
                 "video_filename": "statement.webm", "video_content_type": "video/webm"} if n == 0 else {}
        make_speaker(event, delegation=f"Permanent Mission of the Republic of Venezuela {n}",
                     name="Samuel Moncada Acosta", on_behalf_of_group=bool(n % 2),
                     group_name="Group of Friends in Defence of the Charter of the United Nations", **video)
    add_document(event, title="Concept note")
    set_image(event)
    admin = make_organiser(email="sweep@example.org", is_admin=True, name="Sweeping Admin")
    grant_role(event, admin, Role.OWNER)
    return event


def pages(app, event: Event) -> tuple[dict[str, str], dict[str, str]]:
    """The public pages and the organiser's, by endpoint: every GET route that is a page."""
    public, organiser, missing = {}, {}, []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if ("GET" not in (rule.methods or ()) or rule.endpoint in NOT_PAGES
                    or rule.rule.startswith("/api/") or rule.rule.endswith(".json")):  # for programs
                continue
            unknown = [name for name in rule.arguments if name not in SAMPLES]
            if unknown:
                missing.append(f"{rule.rule}: {unknown}")
                continue
            path = url_for(rule.endpoint, **{name: SAMPLES[name](event) for name in rule.arguments})
            (organiser if rule.rule.startswith("/manage") else public)[rule.endpoint] = path
        registration = _registration(event)
        speaker = db.session.query(Speaker).filter_by(event_id=event.id).first()
        public["registrations.manage"] = manage_url(registration).removeprefix("http://localhost")
        public["speakers.own"] = speaker_url(speaker).removeprefix("http://localhost")
        public["auth.login"] = "/manage/login"
        public["auth.request_reset"] = "/manage/password-reset"
    assert not missing, f"add a sample value to SAMPLES for {missing}"
    return public, organiser


TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1)
      && !e.closest('.table-wrap, .visually-hidden, .skip-link');
  }).slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 40));
  return {scroll: document.documentElement.scrollWidth, wide};
}"""


def test_every_page_fits_every_screen_and_passes_axe(app, browser, live_server, busy):
    public, organiser = pages(app, busy)
    folder = ARTIFACTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for lang in LANGUAGES:
        for logged_in, paths in ((False, public), (True, organiser)):
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800},
                                          base_url=live_server, locale=lang)
            page = context.new_page()
            page.set_default_timeout(15_000)
            if logged_in:  # through the English form, then in the language swept
                page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
                log_in(page, "sweep@example.org")
            page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
            for endpoint, path in sorted(paths.items()):
                problems += _sweep(page, lang, endpoint, path, folder)
            context.close()
    assert not problems, "\n".join(problems)


def _sweep(page, lang: str, endpoint: str, path: str, folder: Path) -> list[str]:
    """One page in one language at every width: opened on the narrowest screen, then the window
    widened to each of the others.

    The server sends the same page whatever the width (it never knows it), and the layout is the
    browser's, done again at each width: one load instead of one per width, which was most of the
    sweep's time besides axe. The narrowest, where pages break, is the one loaded as a phone does.
    """
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    response = page.goto(path)
    if response is None or response.status != 200:
        return [f"{lang} {path}: status {response and response.status}"]
    if "text/html" not in response.headers.get("content-type", ""):
        return []
    problems = []
    for width in WIDTHS:
        where = f"{lang} {width}px {path}"
        page.set_viewport_size({"width": width, "height": 800})
        found = page.evaluate(TOO_WIDE)
        if found["scroll"] > width:
            problems.append(f"{where}: {found['scroll']} px wide: {found['wide']}")
        if (lang, width) in AXE_AT:
            results = Axe().run(page, options=AXE_RULES)
            if results.violations_count:
                problems.append(f"{where}: axe: {results.generate_report()[:1500]}")
        if width == 320:
            page.screenshot(path=str(folder / f"{lang}-{endpoint}.png"), full_page=True)
    return problems


def test_the_sweep_knows_the_pages_it_opens(app, busy):
    public, organiser = pages(app, busy)
    assert {"events.show", "registrations.register", "registrations.manage", "speakers.live",
            "speakers.own", "auth.login"} <= public.keys()
    assert {"attendees.overview", "attendees.index", "console.console", "editor.details",
            "site.settings", "manage.organisers"} <= organiser.keys()
    assert Path(ARTIFACTS).name == "test-artifacts"
