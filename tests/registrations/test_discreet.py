"""Discreet emails (per event, or asked for on the form): neither the subject, the words nor the
calendar file of any email says what the event is about; the details stay behind the link."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.registrations import notify, reminders
from rsvp.registrations.models import Registration
from rsvp.sealing import digest
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_registration
from tests.mail.conftest import smtp  # noqa: F401 - the real SMTP server these tests read

TITLE = "Surviving the camps: testimonies from Xinjiang"
SECRET_WORDS = ("Surviving", "camps", "Xinjiang", "surviving-the-camps")


def said_nothing_of_the_subject(message) -> str:
    everything = str(message["Subject"]) + "\n" + "\n".join(
        part.get_content() if part.get_content_type().startswith("text/") else
        part.get_payload(decode=True).decode("utf-8", "replace")
        for part in message.walk() if not part.is_multipart())
    for word in SECRET_WORDS:
        assert word not in everything, (word, str(message["Subject"]))
    return everything


def event():
    return make_event(title=TITLE, slug="surviving-the-camps", capacity_online=10,
                      starts_at=now_utc().replace(microsecond=0) + timedelta(days=3))


def test_someone_who_asks_gets_discreet_emails_and_others_do_not(client, db_session, smtp):  # noqa: F811
    camps = event()
    for address, discreet in (("quiet@example.org", "y"), ("plain@example.org", "")):
        response = client.post(f"/events/{camps.slug}/register", data={
            "name": "Ana", "email": address, "organisation_type": "ngo",
            "attendance_mode": "online", "consent": "y", "discreet_emails": discreet})
        assert response.status_code == 303
    worker.send_pending()
    (quiet,) = smtp.inbox.to("quiet@example.org")
    text = said_nothing_of_the_subject(quiet)
    assert "Your event on" in str(quiet["Subject"])
    (ics,) = [p for p in quiet.walk() if p.get_content_type() == "text/calendar"]
    entry = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(entry["SUMMARY"]).startswith("Your event on")
    link = re.search(r"http://localhost(/r/\S+)", text).group(1)
    assert TITLE in client.get(link).get_data(as_text=True)  # the details, behind the link
    (plain,) = smtp.inbox.to("plain@example.org")
    assert TITLE in str(plain["Subject"])
    person = db.session.scalar(sa.select(Registration).where(
        Registration.email_hash == digest("quiet@example.org")))
    assert person.discreet_emails is True


def test_an_event_set_discreet_keeps_every_email_discreet_reminders_too(db_session, smtp):  # noqa: F811
    camps = event()
    camps.discreet_emails = True
    person = make_registration(camps, email="any@example.org",
                               created_at=now_utc() - timedelta(days=1))
    notify.status_email(person)
    reminders.enqueue_due_reminders(camps.starts_at - timedelta(minutes=30))
    db.session.commit()
    worker.send_pending()
    sent = smtp.inbox.to("any@example.org")
    assert len(sent) >= 2
    for message in sent:
        said_nothing_of_the_subject(message)
