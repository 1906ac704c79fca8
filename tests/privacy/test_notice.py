"""The privacy notice on each event's form says, field by field, who sees it and for how long,
from the declarations (rsvp.registrations.notice): a new personal column shows there by itself."""

from __future__ import annotations

import re
from html import unescape

from rsvp.events.models import EventFormat, QuestionKind
from rsvp.personal import personal_columns
from rsvp.registrations.forms import RegistrationForm
from rsvp.registrations.models import Registration
from rsvp.registrations.notice import HIDDEN_FIELDS, NOT_LISTED
from tests.factories import add_question, make_event


def notice_of(client, event) -> dict[str, tuple[str, str]]:
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    table = page[page.index('privacy-lines"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td><td>(.*?)</td></tr>', table)
    return {unescape(label): (unescape(who), unescape(kept)) for label, who, kept in rows}


def test_every_personal_column_of_a_registration_is_a_line_or_says_why_not():
    fields = set(dir(RegistrationForm)) | set(HIDDEN_FIELDS) | set(NOT_LISTED)
    missing = [c.name for c in personal_columns(Registration.__table__) if c.name not in fields]
    assert missing == []


def test_the_form_lists_each_field_with_who_sees_it_and_for_how_long(client, db_session):
    event = make_event(format=EventFormat.HYBRID, grounds_pass_required=True, retention_days=45)
    add_question(event, "Which case do you follow?", QuestionKind.SHORT_TEXT)
    lines = notice_of(client, event)
    assert list(lines)[:3] == ["Name to use", "Email address", "Organisation or delegation"]  # as asked
    assert lines["Name to use"] == ("The event's organisers", "45 days after the event")
    assert lines["Email address"] == ("The event's organisers", "45 days after the event")
    assert lines["Which case do you follow?"] == ("The event's organisers", "45 days after the event")
    assert lines["Full name as in your passport"] == (
        "The event's organisers, and the UN to issue your grounds pass", "Until the event is over")
    assert lines["Country"][1] == "45 days after the event; then only counted, without your name"
    assert lines["Accessibility needs"][1] == (
        "45 days after the event; then only whether you asked stays counted")
    assert lines[str(HIDDEN_FIELDS["timezone"])][0] == "No one: it sets the times in your emails"


def test_an_online_event_lists_no_grounds_pass_details_and_speaks_the_readers_language(client,
                                                                                       db_session):
    event = make_event(format=EventFormat.ONLINE, grounds_pass_required=True)
    lines = notice_of(client, event)
    assert "Full name as in your passport" not in lines and "Name to use" in lines
    client.post("/language", data={"lang": "fr", "next": "/"})
    french = notice_of(client, event)
    assert len(french) == len(lines) and "Name to use" not in french
