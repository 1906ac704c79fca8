"""An organiser builds a real seed event from scratch in the editor, publishes it, and the public
page shows what they entered; every editor page passes axe."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from rsvp.events.demo import seed_records
from rsvp.events.models import Event, EventStatus, Question
from rsvp.extensions import db
from rsvp.timeutil import now_utc, to_local
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import make_organiser, png_bytes

pytestmark = pytest.mark.browser

LABELS = {"state": "State", "ngo": "NGO", "co_organiser": "Co-organiser"}
#: The seed announces no programme for this event: a short one, with segments, stands in for it.
PROGRAMME = [
    ("Marianne Bertrand", "International Service for Human Rights", "Moderator", ""),
    ("Speaker of the OURs Trends Report", "Observatory on the Universality of Rights (OURs)",
     "Panellist", "Panel segment I"),
    ("Speaker of ILGA World", "ILGA World", "Panellist", "Panel segment II"),
]
IMAGE_CREDIT = "Photo: UN Photo/Jean-Marc Ferré"


def add_row(page, group: str, values: dict[str, str], save: str) -> None:
    row = page.get_by_role("group", name=group)
    for label, value in values.items():
        control = row.get_by_label(label, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        elif value:
            control.fill(value)
    page.get_by_role("button", name=save).first.click()
    page.wait_for_load_state()


def test_organiser_builds_the_seed_event_publishes_it_and_the_public_sees_it(page, live_db):
    record = next(r for r in seed_records() if r["slug"] == "rights-at-risk-time-for-action")
    admin = make_organiser(name="Phil Lynch", email="phil@example.org", is_admin=True)
    admin_id = admin.id
    day = (to_local(now_utc(), record["timezone"]) + timedelta(days=30)).date()
    requested_hosts: set[str] = set()
    page.on("request", lambda r: requested_hosts.add(urlsplit(r.url).hostname or ""))

    log_in(page, admin.email)
    page.get_by_role("link", name="New event").click()
    page.wait_for_url("**/manage/events/new")
    page.get_by_label("Title").fill(record["title"])
    page.get_by_label("Web address").fill(record["slug"])
    page.get_by_label("Type of event").select_option(record["event_type"])
    page.get_by_label("Human Rights Council session").fill(record["session"])
    page.get_by_label("Summary").fill(record["summary"])
    page.get_by_label("Description", exact=True).fill(record["description"] + "\n\n<script>alert(1)</script>")
    page.get_by_role("button", name="Preview the description").click()
    preview = page.locator("#description-preview")
    preview.get_by_text("simultaneous interpretation in Spanish").wait_for()
    assert "<script" not in preview.inner_html()
    expect(preview.get_by_text("HTML such as scripts")).to_be_visible()
    page.get_by_label("The event's time zone").select_option(record["timezone"])
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Starts at").fill("14:00")
    page.get_by_label("Ends at").fill("13:30")  # a slip: before the start
    page.get_by_label("In person and online").check()
    page.get_by_label("Venue").fill(record["venue"])
    page.get_by_label("Private link to join online").fill("https://meet.example.org/rights-at-risk")
    for code, name in (("es", "Spanish"), ("fr", "French")):
        assert code in record["interpretation_languages"]
        page.get_by_role("group", name="Simultaneous interpretation into").get_by_label(name).check()
    page.get_by_role("group", name="Closed captions in").get_by_label("English").check()
    page.get_by_label("Seats in the room").fill(str(record["capacity_in_person"]))
    page.get_by_label("Ask in-person participants whether they hold a UN grounds pass").check()
    screenshot(page, "editor-new-filled")
    page.get_by_role("button", name="Save the draft").first.click()

    summary = page.locator("#error-summary")
    assert "The event must end after it starts." in summary.inner_text()
    assert page.get_by_label("Venue").input_value() == record["venue"]  # nothing typed is lost
    assert_accessible(page)
    screenshot(page, "editor-new-error")
    page.get_by_label("Ends at").fill("15:30")
    page.get_by_role("button", name="Save the draft").first.click()
    page.wait_for_url("**/edit")
    assert "The draft is saved." in page.get_by_role("status").first.inner_text()
    expect(page.get_by_text("Part of the description is HTML that is never shown")).to_be_visible()
    assert page.get_by_role("link", name="Edit", exact=True).get_attribute("aria-current") == "page"
    assert_accessible(page)
    screenshot(page, "editor-details")

    page.get_by_role("link", name="Programme and partners").click()
    for partner in record["partners"]:
        add_row(page, "Add a partner", {"Name": partner["name"], "Kind": LABELS[partner["kind"]],
                                        "Role": LABELS[partner["role"]]}, "Save the partners")
    for name, affiliation, role, segment in reversed(PROGRAMME):
        add_row(page, "Add a person", {"Name": name, "Affiliation": affiliation, "Role": role,
                                       "Segment heading": segment}, "Save the programme")
    people = page.locator("#people-list > li")
    assert people.first.get_by_label("Name").input_value() == PROGRAMME[2][0]
    # Keyboard: the move buttons reorder in place, then Save keeps the order.
    people.nth(2).get_by_role("button", name="Move up").click()
    people.nth(1).get_by_role("button", name="Move up").click()
    assert page.locator("[data-sortable-status]").first.inner_text() == (
        "Marianne Bertrand: now number 1 of 3. Save to keep this order.")
    # Mouse: drag the last person above the second.
    people.nth(2).locator(".drag-handle").drag_to(people.nth(1), target_position={"x": 20, "y": 5})
    assert [people.nth(i).get_by_label("Name").input_value() for i in range(3)] == [
        p[0] for p in PROGRAMME]
    expect(page.get_by_text("The order has changed: save to keep it.").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "editor-programme")
    page.get_by_role("button", name="Save the programme").first.click()
    page.wait_for_load_state()
    assert [people.nth(i).get_by_label("Name").input_value() for i in range(3)] == [
        p[0] for p in PROGRAMME]

    page.get_by_role("link", name="Questions").click()
    add_row(page, "Add a question", {"Question": "Would you like a copy of the OURs Trends Report?",
                                     "Kind of answer": "Yes or no"}, "Save the questions")
    assert page.locator("#questions-list > li").count() == 1
    assert_accessible(page)
    screenshot(page, "editor-questions")

    page.get_by_role("link", name="Documents and image").click()
    page.get_by_label("Image", exact=True).set_input_files(
        {"name": "room-xxiv.png", "mimeType": "image/png", "buffer": png_bytes(640, 360)})
    page.get_by_label("Credit").fill(IMAGE_CREDIT)
    page.get_by_label("What the image shows").fill("Room XXIV of the Palais des Nations, empty")
    page.get_by_role("button", name="Save the image, its description and credit").click()
    page.wait_for_load_state()
    expect(page.get_by_role("img", name="The event image now")).to_be_visible()
    page.get_by_label("Title", exact=True).fill("Flyer")
    page.get_by_label("File").set_input_files(
        {"name": "flyer.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"})
    page.get_by_role("button", name="Add the document").click()
    assert "is a program, not a document" in page.locator("#error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "editor-documents")

    page.get_by_role("link", name="Publish, cancel, copy").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish the event").click()
    assert "The event is published" in page.get_by_role("status").first.inner_text()
    screenshot(page, "editor-status")

    db.session.remove()
    event = db.session.scalar(sa.select(Event).where(Event.slug == record["slug"]))
    assert event is not None and event.status is EventStatus.PUBLISHED
    assert (to_local(event.starts_at, "Europe/Zurich").hour, event.ends_at - event.starts_at) == (
        14, timedelta(minutes=record["duration_minutes"]))
    assert event.interpretation_languages == ["fr", "es"] and event.caption_languages == ["en"]
    assert event.grounds_pass_required and event.capacity_in_person == record["capacity_in_person"]
    assert [p.name for p in event.partners] == [p["name"] for p in record["partners"]]
    assert db.session.scalar(sa.select(Question.label).where(Question.event_id == event.id))
    assert event.documents == []  # the program was refused
    assert admin_id in {role.organiser_id for role in event_roles(event)}
    public_id = event.public_id

    page.goto(f"/events/{record['slug']}")
    article = page.locator("article")
    for text in (record["title"], record["venue"], "In person and online", "HRC47", "Side event",
                 "Simultaneous interpretation: French and Spanish", "Closed captions: English",
                 "Co-organised by", "Permanent Mission of Sweden", "ILGA World", "Panel segment I",
                 "Panel segment II", "Marianne Bertrand", IMAGE_CREDIT, "2:00", "3:30"):
        assert text in article.inner_text(), text
    assert "meet.example.org" not in page.content()  # the private link never shows
    assert "alert(1)" not in page.content()
    image = page.locator("article img")
    assert image.evaluate("img => img.naturalWidth") == 640
    assert image.get_attribute("alt") == "Room XXIV of the Palais des Nations, empty"
    assert_accessible(page)
    screenshot(page, "editor-public-page")
    page.get_by_role("link", name="Register").first.click()
    # The question on the form (the privacy notice's table names it too, folded away).
    expect(page.get_by_role("group", name="Would you like a copy of the OURs Trends Report?")).to_be_visible()

    page.goto(f"/manage/events/{public_id}/edit/status")
    page.get_by_role("link", name="Cancel the event…").click()
    page.get_by_role("button", name="Cancel the event and email registrants").click()
    assert "Tick the box to confirm" in page.locator("#error-summary").inner_text()
    assert_accessible(page)
    screenshot(page, "editor-cancel")
    page.get_by_label("Reason in English").fill("The speaker cannot travel.")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Cancel the event and email registrants").click()
    assert "The event is cancelled." in page.get_by_role("status").first.inner_text()
    page.goto(f"/events/{record['slug']}")
    assert "This event has been cancelled." in page.locator("article").inner_text()
    assert requested_hosts == {"127.0.0.1"}  # no third-party request from any page


def event_roles(event):
    from rsvp.auth.models import EventRole

    return db.session.scalars(sa.select(EventRole).where(EventRole.event_id == event.id))
