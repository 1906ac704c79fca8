"""The public speakers-list pages over HTTP: the form and its errors, closed states, the speaker's
link, the live page and its JSON."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp import tokens
from rsvp.extensions import db
from rsvp.speakers import live
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import format_moment, now_utc
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers import documents

VALID = {
    "name": "Tomas Petrauskas",
    "delegation": "Permanent Mission of Lithuania",
    "category": "member_state",
    "country": "LT",
    "capacity": "individual",
    "group_name": "",
    "language": "fr",
    "email": "tomas@example.org",
    "consent": "y",
}


@pytest.fixture
def event(db_session):
    event = make_event(title="Assessing the National Security Law", interpretation_languages=["fr", "es"])
    make_speakers_list(event)
    return event


def speakers(event) -> list[Speaker]:
    return list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event.id)))


def path_of(speaker) -> str:
    return speaker_url(speaker).removeprefix("http://localhost")


def test_event_page_links_to_the_list_only_when_there_is_one(client, event):
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/speakers" in page and "Inscribe on the speakers list" in page
    assert f"/events/{event.slug}/speakers/live" in page
    other = make_event()
    assert "/speakers" not in client.get(f"/events/{other.slug}").get_data(as_text=True)
    for path in (f"/events/{other.slug}/speakers", f"/events/{other.slug}/speakers/live",
                 f"/events/{other.slug}/speakers/live.json"):
        assert client.get(path).status_code == 404


def test_form_offers_the_events_languages_and_the_hrc_categories(client, event):
    page = client.get(f"/events/{event.slug}/speakers").get_data(as_text=True)
    for option in ('<option value="en">English</option>', '<option value="fr">French</option>',
                   '<option value="es">Spanish</option>', 'value="nhri"', 'value="observer_state"'):
        assert option in page
    assert 'value="pt"' not in page.split("</main>")[0]  # the footer's language switcher aside
    assert "60 seconds" in page and "120 seconds" in page
    assert 'enctype="multipart/form-data"' in page


def test_inscribe_then_see_place_and_time(client, event):
    response = client.post(f"/events/{event.slug}/speakers", data=VALID)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are on the speakers list" in page and "tomas@example.org" in page
    assert "Your place" in page and "60 seconds" in page and "Projected speaking time" in page
    (stored,) = speakers(event)
    assert (stored.category, stored.country, stored.language) == (SpeakerCategory.MEMBER_STATE, "LT", "fr")


def test_missing_fields_get_clear_messages_and_nothing_is_saved(client, event):
    response = client.post(f"/events/{event.slug}/speakers", data={"capacity": "individual"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Enter the name of the person who will speak.", "Enter your delegation or organisation.",
                    "Choose who you speak for from the list.", "Enter your email address.",
                    "Please accept the privacy notice to inscribe."):
        assert message in page
    assert 'id="error-summary"' in page
    assert speakers(event) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"category": "journalist"}, "Choose who you speak for from the list."),
    ({"capacity": "group", "group_name": " "}, "Enter the name of the group you speak for"),
    ({"country": ""}, "Choose the State: States and national human rights institutions need one."),
    ({"language": "pt"}, "Choose the language of your statement from the event's languages."),
    ({"email": "tomas@"}, "Enter a valid email address"),
])
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, event, change, message):
    response = client.post(f"/events/{event.slug}/speakers", data={**VALID, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="Permanent Mission of Lithuania"' in page
    assert speakers(event) == []


def test_a_second_inscription_for_the_same_delegation_is_refused_clearly(client, event):
    assert client.post(f"/events/{event.slug}/speakers", data=VALID).status_code == 303
    again = {**VALID, "delegation": "Lithuania", "name": "Rūta", "email": "ruta@example.org"}
    response = client.post(f"/events/{event.slug}/speakers", data=again)
    assert response.status_code == 409
    assert "Lithuania is already on the speakers list" in response.get_data(as_text=True)
    assert len(speakers(event)) == 1


def test_before_it_opens_and_after_it_closes_the_times_are_given_in_the_events_zone(app, client, db_session):
    opens = now_utc().replace(microsecond=0) + timedelta(days=1)
    early = make_event()
    make_speakers_list(early, opens_at=opens)
    closes = now_utc().replace(microsecond=0) - timedelta(hours=1)
    late = make_event()
    make_speakers_list(late, opens_at=closes - timedelta(days=1), closes_at=closes)
    with app.test_request_context():
        opens_text = format_moment(opens, "Europe/Zurich")
        closes_text = format_moment(closes, "Europe/Zurich")
    page = client.get(f"/events/{early.slug}/speakers").get_data(as_text=True)
    assert f"Inscription opens on {opens_text}." in page
    assert "<form" not in page.split("<main")[1].split("</main>")[0]
    response = client.post(f"/events/{early.slug}/speakers", data=VALID)
    assert response.status_code == 409 and speakers(early) == []
    page = client.get(f"/events/{late.slug}/speakers").get_data(as_text=True)
    assert f"Inscription closed on {closes_text}." in page


def test_statement_upload_is_checked_by_content(client, event):
    bad = {**VALID, "statement": (documents.as_file(documents.EXECUTABLE), "statement.pdf")}
    response = client.post(f"/events/{event.slug}/speakers", data=bad, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "must be a PDF, Word (DOCX), OpenDocument (ODT) or plain text" in response.get_data(as_text=True)
    good = {**VALID, "statement": (documents.as_file(documents.docx()), "Statement.docx")}
    response = client.post(f"/events/{event.slug}/speakers", data=good, content_type="multipart/form-data")
    assert response.status_code == 303
    (stored,) = speakers(event)
    assert stored.statement_filename == "Statement.docx"


def test_the_speakers_own_page_shows_the_place_and_takes_changes_but_not_the_name(client, event):
    first = make_speaker(event, delegation="CIVICUS")
    speaker = make_speaker(event, delegation="HRW", name="Sarah")
    page = client.get(path_of(speaker)).get_data(as_text=True)
    assert "Your place" in page and "<dd>2</dd>" in page and "Sarah" in page
    assert re.search(r'<input type="text" id="speaker-name" value="Sarah" readonly', page)
    assert 'name="name"' not in page
    assert "ask the organisers for a substitution, with your delegation" in page
    response = client.post(path_of(speaker), data={"name": "Sarah Okafor", "language": "es",
                                                   "statement": (documents.as_file(documents.TEXT), "s.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert "Your changes are saved" in client.get(path_of(speaker)).get_data(as_text=True)
    db.session.expire_all()
    # The name sent with the form is ignored: only a recorded substitution changes it.
    assert (speaker.name, speaker.language, speaker.statement_filename) == ("Sarah", "es", "s.txt")
    response = client.post(path_of(speaker), data={"language": "xx"})
    assert response.status_code == 422
    assert "Choose the language of your statement" in response.get_data(as_text=True)
    live.substitute(speaker, "Sarah Okafor", "Letter of the HRW Geneva director, 6 July")
    db.session.commit()
    assert 'value="Sarah Okafor" readonly' in client.get(path_of(speaker)).get_data(as_text=True)
    live.start(first)
    live.mark_delivered(first)
    db.session.commit()
    assert "<dd>1</dd>" in client.get(path_of(speaker)).get_data(as_text=True)


def test_withdrawing_needs_the_csrf_token_and_then_the_list_moves_up(csrf_client, event):
    speaker = make_speaker(event)
    response = csrf_client.post(path_of(speaker) + "/withdraw")
    assert response.status_code == 400
    page = csrf_client.get(path_of(speaker)).get_data(as_text=True)
    tokens_on_page = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = csrf_client.post(path_of(speaker) + "/withdraw", data={"csrf_token": tokens_on_page[-1]})
    assert response.status_code == 303
    page = csrf_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your inscription is withdrawn" in page and "Withdraw my inscription" not in page
    db.session.expire_all()
    assert speaker.state is SpeakerState.WITHDRAWN


def test_tampered_wrong_purpose_revoked_and_expired_links_get_a_clear_page(client, event, monkeypatch):
    speaker = make_speaker(event)
    good = path_of(speaker)
    for path in (good[:-3] + "AAA", "/s/" + tokens.sign("manage-registration", [speaker.public_id, 1]),
                 "/s/not-a-token"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)
    speaker.token_version += 1
    db.session.commit()
    assert client.get(good).status_code == 404
    monkeypatch.setitem(tokens.PURPOSES, "speaker", -1)
    response = client.get(path_of(speaker))
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)


def test_live_page_and_json_show_the_floor_without_personal_data(client, event):
    speaker = make_speaker(event, delegation="Permanent Mission of Lithuania", name="Tomas Petrauskas",
                           email="tomas@example.org", category=SpeakerCategory.MEMBER_STATE, country="LT")
    make_speaker(event, delegation="Human Rights Watch", name="Sarah Okafor", email="sarah@example.org")
    live.start(speaker)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/speakers/live").get_data(as_text=True)
    assert "Permanent Mission of Lithuania" in page and "Human Rights Watch" in page
    assert 'aria-live="polite"' in page and 'role="timer"' in page
    assert "js/speakers-live.js" in page
    response = client.get(f"/events/{event.slug}/speakers/live.json")
    # Shareable for a second by nginx (deploy/nginx/rsvp.conf): the same for all, no cookie.
    assert response.headers["Cache-Control"] == "public, max-age=1" and response.headers["ETag"]
    assert "Set-Cookie" not in response.headers
    body = response.get_data(as_text=True)
    state = response.get_json()
    assert state["current"]["delegation"] == "Permanent Mission of Lithuania"
    assert [e["delegation"] for e in state["queue"]] == ["Human Rights Watch"]
    for secret in ("@example.org", "Tomas", "Sarah", speaker.public_id):
        assert secret not in body and secret not in page
