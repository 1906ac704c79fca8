"""The speaker's emails through a real SMTP server, parsed back."""

from __future__ import annotations

import re
from datetime import timedelta

from rsvp.extensions import db
from rsvp.mail import worker
from rsvp.speakers import services
from rsvp.timeutil import format_moment, now_utc
from tests.factories import make_event, make_speaker, make_speakers_list


def parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_confirmation_gives_place_time_allowed_projected_time_and_a_working_link(app, client, db_session,
                                                                                  smtp):
    event = make_event(title="Assessing the National Security Law in Hong Kong",
                       timezone="America/New_York", display_timezones=["Europe/Zurich"])
    floor = event.starts_at + timedelta(minutes=60)
    make_speakers_list(event, floor_starts_at=floor)
    make_speaker(event, delegation="Permanent Mission of Lithuania", inscribed_at=now_utc())
    speaker = services.inscribe(event, services.InscriptionData(
        name="Sarah Okafor", delegation="Human Rights Watch <HRW>", category="ngo", language="es",
        email="sarah@example.org", on_behalf_of_group=True, group_name="a group of 14 NGOs"))
    db.session.commit()
    assert smtp.inbox.messages == []  # inscribing never waits on SMTP
    assert worker.send_pending().sent == 1

    (message,) = smtp.inbox.to("sarah@example.org")
    assert message["Subject"] == f"On the speakers list: {event.title}"
    text, html = parts(message)
    with app.test_request_context():
        projected = format_moment(floor, "America/New_York")
    assert ("Human Rights Watch <HRW> is on the speakers list, speaking on behalf of a group of 14 NGOs."
            in text)
    assert "Human Rights Watch &lt;HRW&gt;" in html and "<HRW>" not in html
    for body in (text, html):
        assert "Dear Sarah Okafor" in body
        assert "120 seconds" in body
        assert projected in body  # first: a group statement leads
        assert "CET" in body or "CEST" in body  # also in the display zone
        assert "Spanish" in body
    assert re.search(r"^Your place: 1\r?$", text, re.MULTILINE)
    link = re.search(r"(http://localhost/s/[\w.\-]+)", text).group(1)
    page = client.get(link.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Sarah Okafor" in page.get_data(as_text=True)
    assert f"http://localhost/events/{event.slug}/speakers/live" in text
    assert speaker.public_id not in message["Subject"]


def test_a_withdrawal_is_confirmed_by_email(db_session, smtp):
    event = make_event()
    make_speakers_list(event)
    speaker = make_speaker(event, delegation="CIVICUS", email="civicus@example.org")
    services.withdraw(speaker)
    db.session.commit()
    worker.send_pending()
    (message,) = smtp.inbox.to("civicus@example.org")
    assert message["Subject"].startswith("Withdrawn from the speakers list")
    text, _html = parts(message)
    assert "The inscription of CIVICUS on the speakers list is withdrawn" in text
    assert f"http://localhost/events/{event.slug}/speakers" in text
