"""Inscribing: the window, the rules, one inscription per delegation, statements, the speaker's link."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from rsvp import tokens
from rsvp.events.models import EventStatus
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.registrations.services import Window
from rsvp.sealing import digest
from rsvp.speakers import errors, files, lists, services, statements
from rsvp.speakers.models import Speaker, SpeakerCategory, SpeakerState
from rsvp.speakers.notify import speaker_url
from rsvp.timeutil import now_utc
from tests.factories import make_event, make_speaker, make_speakers_list
from tests.speakers import documents


def data(**fields) -> services.InscriptionData:
    values = {"name": "Tomas Petrauskas", "delegation": "Permanent Mission of Lithuania",
              "category": "member_state", "country": "LT", "language": "en",
              "email": "Tomas@Example.org"}
    values.update(fields)
    return services.InscriptionData(**values)


@pytest.fixture
def event(db_session):
    event = make_event(interpretation_languages=["fr", "es"])
    make_speakers_list(event)
    return event


def stored(event) -> list[Speaker]:
    return list(db.session.scalars(sa.select(Speaker).where(Speaker.event_id == event.id)))


def test_inscription_is_stored_with_its_time_and_an_email_is_queued(event):
    now = now_utc()
    speaker = services.inscribe(event, data(), now)
    assert speaker.state is SpeakerState.INSCRIBED
    assert (speaker.email, speaker.delegation_key) == ("tomas@example.org", "state:LT")
    assert (speaker.seconds_allowed, speaker.inscribed_at) == (60, now)
    group = services.inscribe(event, data(on_behalf_of_group=True, group_name=" the Nordic-Baltic group "))
    assert group.seconds_allowed == 120 and group.group_name == "the Nordic-Baltic group"
    sent = db.session.scalars(sa.select(OutboxMessage.kind).where(
        OutboxMessage.recipient_hash == digest("tomas@example.org"))).all()
    assert sent == ["speaker-inscribed", "speaker-inscribed"]


def test_times_allowed_follow_the_lists_rules_and_category_overrides(db_session):
    event = make_event()
    make_speakers_list(event, individual_seconds=90, group_seconds=180,
                       category_seconds={"ngo": {"individual": 45}})
    ngo = services.inscribe(event, data(category="ngo", delegation="CIVICUS", country=None))
    ngo_group = services.inscribe(event, data(category="ngo", delegation="ISHR", country=None,
                                              on_behalf_of_group=True, group_name="12 NGOs"))
    state = services.inscribe(event, data())
    assert (ngo.seconds_allowed, ngo_group.seconds_allowed, state.seconds_allowed) == (45, 180, 90)


def test_changing_the_rules_gives_waiting_speakers_the_new_time(event):
    waiting = services.inscribe(event, data())
    done = make_speaker(event, state=SpeakerState.DELIVERED, seconds_allowed=60)
    lists.configure(event, individual_seconds=75)
    assert (waiting.seconds_allowed, done.seconds_allowed) == (75, 60)
    with pytest.raises(TypeError):
        lists.configure(event, colour="blue")


@pytest.mark.parametrize(("opens", "closes", "expected"), [
    (timedelta(minutes=5), None, Window.NOT_YET_OPEN),
    (-timedelta(hours=2), -timedelta(minutes=1), Window.CLOSED),
])
def test_outside_the_window_inscription_is_refused(db_session, opens, closes, expected):
    now = now_utc()
    event = make_event()
    make_speakers_list(event, opens_at=now + opens, closes_at=now + closes if closes else None)
    with pytest.raises(services.InscriptionClosed) as refused:
        services.inscribe(event, data(), now)
    assert refused.value.window is expected
    assert stored(event) == []


def test_without_a_closing_time_inscription_runs_until_the_event_ends(db_session):
    event = make_event()
    speakers_list = make_speakers_list(event, opens_at=None)
    assert lists.window(speakers_list, event.starts_at + timedelta(minutes=30)) is Window.OPEN
    assert lists.window(speakers_list, event.ends_at) is Window.EVENT_OVER
    event.status = EventStatus.CANCELLED
    assert lists.window(speakers_list, event.starts_at) is Window.EVENT_CANCELLED


def test_events_without_a_list_or_with_it_switched_off_take_no_inscriptions(db_session):
    with pytest.raises(errors.NoSpeakersList):
        services.inscribe(make_event(), data())
    off = make_event()
    make_speakers_list(off, enabled=False)
    with pytest.raises(errors.NoSpeakersList):
        services.inscribe(off, data())


@pytest.mark.parametrize(("fields", "field"), [
    ({"category": "journalist"}, "category"),
    ({"on_behalf_of_group": True, "group_name": "  "}, "group_name"),
    ({"language": "ug"}, "language"),
    ({"country": None}, "country"),
    ({"category": "nhri", "delegation": "CNCDH", "country": ""}, "country"),
    ({"category": "ngo", "delegation": "CIVICUS", "country": "South Africa"}, "country"),
    ({"name": " "}, "name"),
])
def test_bad_input_is_refused_with_the_field_at_fault(event, fields, field):
    with pytest.raises(services.InvalidInscription) as refused:
        services.inscribe(event, data(**fields))
    assert refused.value.field == field
    assert stored(event) == []


def test_one_inscription_per_delegation_however_it_is_written(event):
    services.inscribe(event, data(category="ngo", delegation="Amnesty International", country=None))
    with pytest.raises(services.AlreadyInscribed):
        services.inscribe(event, data(category="ngo", delegation="  amnesty  INTERNATIONAL. ",
                                      country=None, email="other@example.org"))
    services.inscribe(event, data())
    with pytest.raises(services.AlreadyInscribed):  # a State is its country, not its wording
        services.inscribe(event, data(delegation="Lithuania", email="other@example.org"))
    # Speaking on behalf of a group is a separate inscription of the same delegation.
    services.inscribe(event, data(on_behalf_of_group=True, group_name="the Nordic-Baltic group"))
    assert len(stored(event)) == 3


def test_the_database_itself_refuses_a_second_inscription_for_a_delegation(event):
    make_speaker(event, delegation="CIVICUS")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Speaker(event=event, name="B", delegation="Civicus", delegation_key="ngo:civicus",
                               category=SpeakerCategory.NGO, language="en", email="b@example.org",
                               seconds_allowed=60))


def test_a_withdrawn_delegation_may_inscribe_again_and_lists_may_allow_several(db_session):
    event = make_event()
    make_speakers_list(event)
    first = services.inscribe(event, data())
    services.withdraw(first)
    services.inscribe(event, data())

    open_list = make_event()
    make_speakers_list(open_list, one_per_delegation=False)
    services.inscribe(open_list, data())
    services.inscribe(open_list, data(name="Second speaker"))
    assert len(stored(open_list)) == 2


def test_statement_is_kept_outside_the_web_root_under_a_random_name(event, statements_dir):
    speaker = services.inscribe(event, data(statement=files.Upload("C:\\Users\\me\\Déclaration LT.pdf",
                                                                      documents.PDF)))
    db.session.commit()
    assert speaker.statement_filename == "Déclaration LT.pdf"
    assert speaker.statement_content_type == "application/pdf"
    assert speaker.statement_bytes == len(documents.PDF)
    path = statements.path_of(speaker.statement_stored_as)
    assert path.parent == statements_dir and path.read_bytes() == documents.PDF
    # Random letters could spell "LT" now and then: the uploader's words never appear.
    assert "Déclaration" not in path.name and oct(path.stat().st_mode)[-3:] == "600"


@pytest.mark.parametrize(("content", "kind"), [
    (documents.PDF, "pdf"), (documents.docx(), "docx"), (documents.odt(), "odt"), (documents.TEXT, "txt"),
    ("Déclaration".encode("utf-16"), "txt"),
    (documents.EXECUTABLE, None), (documents.plain_zip(), None), ("é".encode("latin-1"), None),
    (b"PK\x03\x04 not really a zip", None),
])
def test_statements_are_recognised_by_their_content(content, kind):
    assert statements.sniff(content) == kind


def test_a_program_named_like_a_pdf_or_a_file_too_large_is_refused(event, app, statements_dir):
    with pytest.raises(statements.StatementRejected) as refused:
        services.inscribe(event, data(statement=files.Upload("statement.pdf", documents.EXECUTABLE)))
    assert refused.value.reason == "type"
    app.config["SPEAKER_STATEMENT_MAX_BYTES"], saved = 10, app.config["SPEAKER_STATEMENT_MAX_BYTES"]
    try:
        with pytest.raises(statements.StatementRejected) as refused:
            services.inscribe(event, data(statement=files.Upload("s.pdf", documents.PDF)))
    finally:
        app.config["SPEAKER_STATEMENT_MAX_BYTES"] = saved
    assert refused.value.reason == "too_large"
    assert stored(event) == [] and not statements_dir.exists()


def test_files_follow_the_transaction(event, statements_dir):
    services.inscribe(event, data(statement=files.Upload("a.txt", documents.TEXT)))
    db.session.rollback()
    assert list(statements_dir.iterdir()) == []  # written, then removed with the rollback

    speaker = services.inscribe(event, data(statement=files.Upload("a.txt", documents.TEXT)))
    db.session.commit()
    first = statements.path_of(speaker.statement_stored_as)
    services.change(speaker, language="fr",
                    statement=files.Upload("b.odt", documents.odt()))
    assert first.exists()  # the old file stays until the change is committed
    db.session.commit()
    assert not first.exists()
    assert [p.suffix for p in statements_dir.iterdir()] == [".odt"]

    services.withdraw(speaker)
    db.session.commit()
    assert list(statements_dir.iterdir()) == []
    assert speaker.statement_filename is None


def test_a_waiting_speaker_may_change_language_and_remove_the_statement_but_not_the_name(event):
    speaker = services.inscribe(event, data(statement=files.Upload("a.txt", documents.TEXT)))
    name = speaker.name
    services.change(speaker, language="es", remove_statement=True)
    assert (speaker.name, speaker.language, speaker.statement_stored_as) == (name, "es", None)
    with pytest.raises(TypeError):  # the name is fixed at inscription: no way to pass one
        services.change(speaker, name="Someone Else", language="es")  # type: ignore[call-arg]
    with pytest.raises(services.InvalidInscription):
        services.change(speaker, language="pt")
    delivered = make_speaker(event, state=SpeakerState.DELIVERED, delegation="Other")
    with pytest.raises(services.TransitionRefused):
        services.change(delivered, language="en")


def test_the_speaker_link_finds_the_speaker_until_revoked_or_expired(event, monkeypatch):
    speaker = services.inscribe(event, data())
    token = speaker_url(speaker).rsplit("/", 1)[-1]
    assert services.from_speaker_token(token) is speaker
    for bad in (token[:-3] + "AAA", tokens.sign("manage-registration", [speaker.public_id, 1]),
                tokens.sign("speaker", "just-a-string"), tokens.sign("speaker", ["nobody", 1])):
        with pytest.raises(tokens.TokenInvalid):
            services.from_speaker_token(bad)
    speaker.token_version += 1
    with pytest.raises(tokens.TokenInvalid):
        services.from_speaker_token(token)
    monkeypatch.setitem(tokens.PURPOSES, "speaker", -1)
    with pytest.raises(tokens.TokenExpired):
        services.from_speaker_token(speaker_url(speaker).rsplit("/", 1)[-1])


def test_lineup_places_and_projects_everyone_waiting(db_session):
    event = make_event()
    floor = event.starts_at + timedelta(minutes=60)
    speakers_list = make_speakers_list(event, floor_starts_at=floor, floor_minutes=3)
    now = now_utc()
    ngo = services.inscribe(event, data(category="ngo", delegation="HRW", country=None), now)
    state = services.inscribe(event, data(), now + timedelta(seconds=1))
    group = services.inscribe(event, data(category="ngo", delegation="ISHR", country=None,
                                          on_behalf_of_group=True, group_name="14 NGOs"),
                              now + timedelta(seconds=2))
    lineup = services.lineup(speakers_list, now)
    assert [lineup.place_of(s) for s in (group, state, ngo)] == [1, 2, 3]
    assert [lineup.slot_of(s).starts_at for s in (group, state, ngo)] == [
        floor, floor + timedelta(seconds=120), floor + timedelta(seconds=180)]
    assert lineup.slot_of(ngo).fits is False and lineup.timetable.overrun_seconds == 60
