"""Layouts in both directions and on phones: the overview's charts keep every label inside the
picture in Arabic, with readable text and colours; organiser tables and the manage page fit a
320-pixel screen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from rsvp.auth.models import Role
from rsvp.events.models import AttendanceMode, EventFormat
from rsvp.timeutil import now_utc
from tests.browser.conftest import log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_registration

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1366, "height": 900}

#: Every <text> of every chart inside its <svg>, readable and with contrast: what it finds wrong.
CHART_PROBLEMS = (Path(__file__).parent / "chart_problems.js").read_text("utf-8")


@pytest.fixture
def busy_event(live_db):
    """An event with a week of registrations listening in six languages."""
    event = make_event(title="HRC58 side event: defenders at risk", slug="defenders",
                       format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
                       interpretation_languages=["fr", "es", "pt", "ru", "zh", "ar"],
                       capacity_in_person=100)
    days_ago = now_utc() - timedelta(days=6)
    languages = [None, "fr", "es", "pt", "ru", "zh", "ar", "fr", "fr", "es", "ar", "ar"]
    for n, language in enumerate(languages * 3):
        make_registration(event, interpretation_language=language,
                          name=f"Rapporteur with a long name {n}",
                          organisation="International Service for Human Rights",
                          email=f"a.very.long.address.without.breaks.{n}@defenders-organisation.example.org",
                          attendance_mode=AttendanceMode.IN_PERSON if n % 2 else AttendanceMode.ONLINE,
                          created_at=days_ago + timedelta(hours=5 * n))
    owner = make_organiser(email="owner@example.org")
    grant_role(event, owner, Role.OWNER)
    return event


def in_language(page, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": page.url}])


@pytest.mark.parametrize("page", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
def test_arabic_overview_charts_keep_every_label_inside(page, busy_event):
    log_in(page, "owner@example.org")
    in_language(page, "ar")
    page.goto(f"/manage/events/{busy_event.public_id}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    found = page.evaluate(CHART_PROBLEMS)
    # seven languages with a name and a number each; the total and two dates
    assert found["charts"] == 2 and found["texts"] >= 7 * 2 + 3, found
    assert found["problems"] == []
    screenshot(page, f"overview-ar-{page.viewport_size['width']}")


def test_english_overview_charts_on_a_phone(browser, live_server, busy_event):
    from tests.browser.conftest import open_page

    with open_page(browser, live_server, PHONE) as page:
        log_in(page, "owner@example.org")
        page.goto(f"/manage/events/{busy_event.public_id}")
        found = page.evaluate(CHART_PROBLEMS)
        assert found["charts"] == 2 and found["problems"] == []


#: What is wider than the screen, if anything: the document's width and the widest elements.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().left < -0.5)
    .filter((el) => !el.closest(".table-wrap, .visually-hidden, .skip-link, .hp"))
    .slice(0, 5).map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().width)}`);
  return {scroll: document.documentElement.scrollWidth, wide};
}"""


@pytest.mark.parametrize("page", [PHONE], indirect=True)
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_nothing_is_wider_than_a_320_pixel_screen(page, busy_event, lang):
    from rsvp.registrations.notify import manage_url
    from tests.factories import make_speaker, make_speakers_list

    make_speakers_list(busy_event, floor_starts_at=busy_event.starts_at, floor_minutes=30)
    for n in range(4):
        make_speaker(busy_event, delegation=f"Permanent Mission of the Republic of Venezuela {n}",
                     name="Samuel Moncada Acosta", on_behalf_of_group=bool(n % 2),
                     group_name="Group of Friends in Defence of the Charter of the United Nations")
    registrant = make_registration(
        busy_event, email="a.very.long.address.without.any.breaks@defenders-organisation.example.org",
        organisation="Asociación Nacional de Defensoras y Defensores de Derechos Humanos")
    log_in(page, "owner@example.org")
    in_language(page, lang)
    base = f"/manage/events/{busy_event.public_id}"
    pages = {"overview": base, "registrations": f"{base}/registrations",
             "registration": f"{base}/registrations/{registrant.public_id}",
             "speakers-console": f"{base}/speakers",
             "manage-link": manage_url(registrant).removeprefix("http://localhost")}
    for name, path in pages.items():
        page.goto(path)
        found = page.evaluate(TOO_WIDE)
        screenshot(page, f"phone-320-{lang}-{name}")
        assert found["scroll"] <= 320, (name, found)


#: Words of organiser tables broken across two lines, e.g. a status shown as "Publis|hed" (an
#: address or a link longer than a column may break: 24 characters and more).
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest("td, th") || node.parentElement.closest(".visually-hidden")) continue;
    for (const found of node.data.matchAll(/\\S+/g)) {
      if (found[0].length >= 24) continue;
      const range = document.createRange();
      range.setStart(node, found.index);
      range.setEnd(node, found.index + found[0].length);
      const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
      const lines = new Set(boxes.map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(found[0]);
    }
  }
  return broken;
}"""


@pytest.mark.parametrize("page", [{"width": 1200, "height": 900}], indirect=True)
def test_organiser_tables_on_a_desktop_break_no_word(page, busy_event):
    # A table narrowed its columns below their words when any word could break anywhere:
    # "Publis|hed", "Spea|kers list", "9:00 A|M" on the organiser's own events at 1200 pixels.
    for n in range(3):
        event = make_event(title=f"Business and human rights defenders: the next decade {n}",
                           slug=f"business-{n}")
        grant_role(event, busy_event_owner(), Role.OWNER)
    log_in(page, "owner@example.org")
    base = f"/manage/events/{busy_event.public_id}"
    for name, path in {"my events": "/manage", "overview": base,
                       "registrations": f"{base}/registrations"}.items():
        page.goto(path)
        screenshot(page, f"desktop-1200-{name.replace(' ', '-')}")
        assert page.evaluate(BROKEN_WORDS) == [], name


def busy_event_owner():
    from rsvp.auth.services import find_by_email

    return find_by_email("owner@example.org")
