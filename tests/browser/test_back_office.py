"""The organiser's day around an event, in a browser: a registration arrives with its language
request, the organiser approves it, and at the door checks the person in from the QR code's link."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from rsvp.auth.models import Role
from rsvp.events.models import EventFormat
from rsvp.extensions import db
from rsvp.mail.worker import send_pending
from rsvp.registrations.models import Registration, RegistrationStatus
from rsvp.sealing import digest
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server)

pytestmark = pytest.mark.browser


def test_registration_arrives_is_approved_and_checked_in_from_the_qr_link(page, smtp):  # noqa: F811
    event = make_event(title="HRC47 Side Event - Rights at Risk: Time for Action", slug="rights",
                       format=EventFormat.HYBRID, venue="Room XXIV, Palais des Nations",
                       approval_required=True, capacity_in_person=40,
                       interpretation_languages=["fr", "es", "pt"])
    owner = make_organiser(name="Phil Lynch", email="phil@example.org")
    grant_role(event, owner, Role.OWNER)
    event_id = event.public_id

    # A defender registers to attend in person, listening in French.
    page.goto("/events/rights/register")
    page.get_by_label("Name to use").fill("Ana Defensora")
    page.get_by_label("Email address").fill("ana@example.org")
    page.get_by_label("You are attending for").select_option("ngo")
    page.get_by_label("In person").check()
    page.get_by_label("Interpretation").select_option("fr")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registered")

    # The organiser logs in and sees it arrive, with its language request.
    log_in(page, "phil@example.org")
    page.goto(f"/manage/events/{event_id}")
    expect(page.locator(".stats")).to_contain_text(re.compile(r"\b1\s+awaiting approval"))
    demand = page.get_by_role("table", name="Interpretation demand by language and attendance")
    expect(demand.get_by_role("row", name="French 1 0 1")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "back-office-overview")

    page.get_by_role("link", name="Review 1 registration awaiting approval").click()
    page.get_by_role("link", name="Ana Defensora").click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()
    assert "the registration is now confirmed" in page.get_by_role("status").first.inner_text()
    screenshot(page, "back-office-registration")

    # The approval email carries the QR pass; its code holds the check-in link.
    db.session.rollback()  # end this thread's read snapshot before the worker writes (SQLite)
    send_pending()
    (approved,) = [m for m in smtp.inbox.to("ana@example.org")
                   if m["Subject"].startswith("Approved")]
    qr = next(p for p in approved.iter_attachments() if p.get_filename() == "check-in.png")
    link = zxingcpp.read_barcode(Image.open(io.BytesIO(qr.get_content()))).text  # as a phone reads it
    assert link.startswith(f"http://localhost/manage/events/{event_id}/check-in/t/")
    db.session.rollback()
    ana = db.session.scalar(sa.select(Registration).where(
        Registration.email_hash == digest("ana@example.org")))

    # At the door: the phone opens the QR code's link; one tap checks her in.
    page.goto(link.removeprefix("http://localhost"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ana Defensora")
    assert_accessible(page)
    page.get_by_role("button", name="Check in").click()
    assert "Ana Defensora is checked in." in page.get_by_role("status").first.inner_text()
    assert page.locator("[data-count=checked_in]").inner_text() == "1"
    expect(page.get_by_role("button", name="Find")).to_be_visible()  # the desk, ready for the next
    assert_accessible(page)
    screenshot(page, "back-office-check-in")
    db.session.rollback()
    checked = db.session.get(Registration, ana.id)
    assert checked.status is RegistrationStatus.CONFIRMED and checked.checked_in_at is not None


def test_the_desk_shows_a_typed_code_in_place_and_is_ready_for_the_next(page):
    from rsvp.events.models import AttendanceMode
    from rsvp.registrations import codes
    from tests.factories import make_registration

    event = make_event(title="Rights at Risk", format=EventFormat.IN_PERSON, venue="Room XXIV",
                       capacity_in_person=40)
    people = [make_registration(event, name=name, attendance_mode=AttendanceMode.IN_PERSON)
              for name in ("Ana Defensora", "Ben Rapporteur")]
    staff = make_organiser(email="door@example.org")
    grant_role(event, staff, Role.CHECK_IN)
    door_codes = [codes.code_for(person) for person in people]
    db.session.commit()

    log_in(page, "door@example.org")
    page.goto(f"/manage/events/{event.public_id}/check-in")
    page.evaluate("window.sameDesk = true")  # gone if the page were loaded again
    code = page.get_by_label("Check-in code or name")
    for person, door_code in zip(people, door_codes, strict=True):
        code.fill(door_code.lower())
        code.press("Enter")
        results = page.locator(".checkin-results")
        expect(results).to_contain_text(person.name)
        expect(results.get_by_role("button", name=f"Check in {person.name}")).to_be_visible()
        assert page.evaluate("window.sameDesk") is True  # found in place: no page loaded
        assert page.url.endswith(f"?q={door_code.lower()}")  # the address says what is shown
        # The code stays selected: the next one typed replaces it.
        assert page.evaluate("document.activeElement.id") == "q"
        assert page.evaluate("[document.activeElement.selectionStart, document.activeElement"
                             ".selectionEnd]") == [0, len(door_code)]
    assert_accessible(page)
    page.get_by_role("button", name="Check in Ben Rapporteur").click()
    assert "Ben Rapporteur is checked in." in page.get_by_role("status").first.inner_text()
    assert page.locator("[data-count=checked_in]").inner_text() == "1"
