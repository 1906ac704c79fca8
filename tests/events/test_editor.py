"""The editor's services: create, update (and each bad input), publish checks, cancel, clone, lists."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from rsvp.auth import roles
from rsvp.auth.models import Role
from rsvp.editor import lifecycle, lists
from rsvp.editor import services as editor
from rsvp.events import uploads
from rsvp.events.models import (
    AttendanceMode,
    EventFormat,
    EventStatus,
    EventType,
    PartnerKind,
    PartnerRole,
    ProgrammeRole,
    Question,
    QuestionKind,
)
from rsvp.extensions import db
from rsvp.mail.models import OutboxMessage
from rsvp.privacy.models import AuditEntry
from rsvp.registrations.messaging import write_messages
from rsvp.registrations.models import RegistrationStatus
from rsvp.timeutil import now_utc
from tests.factories import (
    add_document,
    add_person,
    make_event,
    make_organiser,
    make_registration,
    set_image,
)

START = (now_utc() + timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)


def details(**changes) -> editor.EventDetails:
    values = dict(
        title="Rights at Risk: Time for Action", slug="rights-at-risk", event_type=EventType.SIDE_EVENT,
        session="HRC47", summary="A dialogue.", description="Join us.", format=EventFormat.HYBRID,
        starts_at=START, ends_at=START + timedelta(minutes=90), timezone="Europe/Zurich",
        display_timezones=["America/New_York"], venue="Room XXIV, Palais des Nations",
        livestream_url=None, join_url="https://meet.example.org/r", floor_language="en",
        interpretation_languages=["fr", "es"], caption_languages=["en"], registration_opens_at=None,
        registration_closes_at=None, capacity_in_person=80, capacity_online=None,
        waitlist_enabled=True, approval_required=False, double_opt_in=False,
        grounds_pass_required=True, reminder_offsets=[1440, 60], retention_days=30)
    values.update(changes)
    return editor.EventDetails(**values)


def details_of(event, **changes) -> editor.EventDetails:
    names = editor.EventDetails.__dataclass_fields__
    return replace(details(**{name: getattr(event, name) for name in names}), **changes)


def outbox(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def audit_details(event) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.event_id == event.id)
                                   .order_by(AuditEntry.id)))


def test_create_makes_a_draft_owned_by_its_creator(db_session):
    organiser = make_organiser()
    event = editor.create_event(details(), organiser)
    assert event.status is EventStatus.DRAFT and event.slug == "rights-at-risk"
    assert roles.role_on(organiser, event) is Role.OWNER
    assert event.capacity_in_person == 80 and event.interpretation_languages == ["fr", "es"]
    assert audit_details(event) == ["created the event (draft)"]


@pytest.mark.parametrize(("changes", "error"), [
    ({"ends_at": START - timedelta(minutes=30)}, editor.EndsBeforeStart),
    ({"ends_at": START}, editor.EndsBeforeStart),
    ({"timezone": "Europe/Geneva"}, editor.UnknownZone),
    ({"display_timezones": ["Mars/Olympus_Mons"]}, editor.UnknownZone),
    ({"registration_opens_at": START - timedelta(days=1),
      "registration_closes_at": START - timedelta(days=2)}, editor.WindowOrder),
    ({"slug": "Rights at risk!"}, editor.BadSlug),
])
def test_create_refuses_bad_input(db_session, changes, error):
    with pytest.raises(error):
        editor.create_event(details(**changes), make_organiser())


def test_a_slug_is_unique_and_a_free_one_is_found(db_session):
    make_event(slug="rights-at-risk")
    make_event(slug="rights-at-risk-2")
    with pytest.raises(editor.SlugTaken):
        editor.create_event(details(), make_organiser())
    assert editor.free_slug("rights-at-risk") == "rights-at-risk-3"
    assert editor.slugify("HRC47 Side Event - Rights at Risk: Time for Action") == (
        "hrc47-side-event-rights-at-risk-time-for-action")
    assert editor.slugify("Gülbahar Jalilova: voix ouïghoures") == "gulbahar-jalilova-voix-ouighoures"


def test_a_public_event_keeps_its_address_unless_the_organiser_insists(db_session):
    event = make_event(slug="no-justice-no-peace")
    with pytest.raises(editor.SlugLocked):
        editor.update_event(event, details_of(event, slug="no-justice"), "phil@example.org")
    db.session.rollback()
    assert editor.update_event(event, details_of(event, slug="no-justice"), "phil@example.org",
                               move_slug=True) == ["slug"]
    draft = make_event(status=EventStatus.DRAFT)
    assert editor.update_event(draft, details_of(draft, slug="draft-renamed"), "a@example.org") == ["slug"]


def test_moving_a_published_event_emails_registrants_and_bumps_the_calendar(db_session):
    event = make_event(venue="Room XXIV")
    make_registration(event)
    make_registration(event, status=RegistrationStatus.CANCELLED)
    sequence = event.sequence
    later = event.starts_at + timedelta(hours=2)
    moved = details_of(event, starts_at=later, ends_at=later + timedelta(hours=1), title="New title")
    changed = editor.update_event(event, moved, "phil@example.org")
    assert changed == ["title", "starts_at", "ends_at"]
    assert event.sequence == sequence + 1
    assert outbox("event-changed") == []  # not written by the request
    assert write_messages() == 1
    assert len(outbox("event-changed")) == 1  # the active registrant only
    assert audit_details(event)[-1] == "changed title, starts_at, ends_at"


def test_a_draft_moves_without_email_and_an_unchanged_save_changes_nothing(db_session):
    draft = make_event(status=EventStatus.DRAFT)
    make_registration(draft)
    editor.update_event(draft, details_of(draft, venue="Room XX"), "phil@example.org")
    assert outbox("event-changed") == []
    assert editor.update_event(draft, details_of(draft), "phil@example.org") == []
    assert audit_details(draft) == ["changed venue"]


def test_capacity_cannot_drop_below_seats_taken_and_raising_it_promotes(db_session):
    event = make_event(format=EventFormat.ONLINE, capacity_online=2, taken_online=2)
    with pytest.raises(editor.CapacityTooLow) as refused:
        editor.update_event(event, details_of(event, capacity_online=1), "phil@example.org")
    assert (refused.value.mode, refused.value.taken) == (AttendanceMode.ONLINE, 2)
    db.session.rollback()
    db.session.refresh(event)
    assert event.capacity_online == 2
    waiting = make_registration(event, status=RegistrationStatus.WAITLISTED)
    assert editor.update_event(event, details_of(event, capacity_online=3), "p@example.org") == [
        "capacity_online"]
    db.session.refresh(waiting)
    assert waiting.status is RegistrationStatus.CONFIRMED


def test_script_in_the_description_is_kept_as_typed_and_flagged():
    assert editor.hidden_html("Hello <script>alert(1)</script>")
    assert editor.hidden_html("[click](javascript:alert(1))")
    assert editor.hidden_html('<img src="https://tracker.example/p.gif">')
    assert not editor.hidden_html("**Bold**, [a link](https://ishr.ch) and\n\n- a list")


def test_publish_lists_what_is_missing_then_publishes(db_session):
    draft = make_event(status=EventStatus.DRAFT, summary="", format=EventFormat.HYBRID, venue=None,
                       join_url=None, livestream_url=None, starts_at=now_utc() - timedelta(days=2))
    with pytest.raises(lifecycle.NotReady) as refused:
        lifecycle.publish(draft, "phil@example.org")
    assert len(refused.value.problems) == 4  # summary, venue, a way to join, a date to come
    assert any("venue" in p for p in refused.value.problems)
    draft.summary, draft.venue, draft.livestream_url = "A dialogue.", "Room XXIV", "https://webtv.un.org"
    draft.starts_at, draft.ends_at = START, START + timedelta(hours=1)
    lifecycle.publish(draft, "phil@example.org")
    assert draft.status is EventStatus.PUBLISHED
    with pytest.raises(lifecycle.WrongStatus):
        lifecycle.publish(draft, "phil@example.org")


def test_cancel_emails_active_registrants_and_needs_a_published_event(db_session):
    event = make_event()
    make_registration(event)
    make_registration(event, status=RegistrationStatus.WAITLISTED)
    assert lifecycle.cancel(event, "phil@example.org") == 2
    assert event.status is EventStatus.CANCELLED and outbox("event-cancelled") == []
    assert write_messages() == 2  # written by the worker, not by the request
    assert len(outbox("event-cancelled")) == 2
    with pytest.raises(lifecycle.WrongStatus):
        lifecycle.cancel(event, "phil@example.org")
    with pytest.raises(lifecycle.WrongStatus):
        lifecycle.cancel(make_event(status=EventStatus.DRAFT), "phil@example.org")


def test_clone_copies_everything_but_registrations_and_owns_its_files(db_session):
    event = make_event(slug="rights-at-risk", image_credit="Photo: UN Photo", capacity_online=50,
                       taken_online=12)
    add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR, None, "Financial Times")
    document = add_document(event, "Flyer", "fr")
    add_document(event, "Report", "en", url="https://ishr.ch/report.pdf")
    image = set_image(event)
    db.session.add(Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="Which panel?",
                            options=["I", "II"], position=0))
    db.session.commit()
    make_registration(event)
    organiser = make_organiser()

    copy = editor.clone(event, organiser)
    assert (copy.status, copy.slug, copy.title) == (EventStatus.DRAFT, "rights-at-risk-copy", event.title)
    assert (copy.capacity_online, copy.taken_online, copy.sequence) == (50, 0, 0)
    assert [p.name for p in copy.people] == ["Victor Mallet"]
    assert [(d.title, d.language) for d in copy.documents] == [("Flyer", "fr"), ("Report", "en")]
    copied = copy.documents[0].file_name
    assert copied != document.file_name
    assert uploads.path_of(copied).read_bytes() == uploads.path_of(document.file_name).read_bytes()
    assert copy.image_path != image and uploads.path_of(copy.image_path).is_file()
    assert db.session.scalar(sa.select(Question.options).where(Question.event_id == copy.id)) == ["I", "II"]
    assert roles.role_on(organiser, copy) is Role.OWNER
    assert lifecycle.active_registrations(copy) == 0
    assert editor.clone(event, organiser).slug == "rights-at-risk-copy-2"


def test_lists_are_saved_whole_added_changed_removed_and_reordered(db_session):
    event = make_event()
    mallet = add_person(event, "Victor Mallet", ProgrammeRole.MODERATOR)
    lawlor = add_person(event, "Mary Lawlor", ProgrammeRole.PANELIST, "Panel segment I")
    add_person(event, "Nathan Law", ProgrammeRole.PANELIST, "Panel segment II")
    tally = lists.save_people(event, [
        lists.Row(lawlor.id, {"name": "Mary Lawlor", "affiliation": "UN Special Rapporteur",
                              "role": ProgrammeRole.PANELIST, "segment": "Panel segment I"}),
        lists.Row(mallet.id, {"name": "Victor Mallet", "affiliation": None,
                              "role": ProgrammeRole.MODERATOR, "segment": None}),
        lists.Row(None, {"name": "Glacier Kwong", "affiliation": None, "role": ProgrammeRole.PANELIST,
                         "segment": "Panel segment II"}),
    ], "phil@example.org")
    assert (tally.added, tally.changed, tally.removed, tally.moved) == (1, 1, 1, True)
    assert [p.name for p in event.people] == ["Mary Lawlor", "Victor Mallet", "Glacier Kwong"]
    assert audit_details(event)[-1] == "programme: 1 added, 1 changed, 1 removed, reordered"

    lists.save_partners(event, [lists.Row(None, {"name": "Sweden", "kind": PartnerKind.STATE,
                                                 "role": PartnerRole.CO_ORGANISER})], "p@example.org")
    assert [p.name for p in event.partners] == ["Sweden"]


def test_another_events_item_cannot_be_edited_through_a_list(db_session):
    mine, other = make_event(), make_event()
    theirs = add_person(other, "Someone Else", ProgrammeRole.SPEAKER)
    lists.save_people(mine, [lists.Row(theirs.id, {"name": "Taken over", "affiliation": None,
                                                   "role": ProgrammeRole.SPEAKER, "segment": None})],
                      "p@example.org")
    db.session.refresh(theirs)
    assert theirs.name == "Someone Else" and [p.name for p in mine.people] == ["Taken over"]


def question_row(question: Question, **changes) -> lists.Row:
    values = {"label": question.label, "kind": question.kind, "help_text": "", "options": question.options,
              "required": False, "personal_data": True}
    return lists.Row(question.id, {**values, **changes})


def test_an_answered_questions_kind_is_locked_and_removing_it_deletes_the_answers(db_session):
    event = make_event()
    asked = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Your delegation?", position=0)
    fresh = Question(event_id=event.id, kind=QuestionKind.SHORT_TEXT, label="Dietary needs?", position=1)
    db.session.add_all([asked, fresh])
    db.session.commit()
    registration = make_registration(event, answers={asked.key: "Sweden"})
    with pytest.raises(lists.KindLocked) as refused:
        lists.save_questions(event, [question_row(asked, kind=QuestionKind.YES_NO)], "p@example.org")
    assert refused.value.question_id == asked.id
    db.session.rollback()
    tally = lists.save_questions(event, [question_row(fresh, kind=QuestionKind.YES_NO, label="Vegetarian?")],
                                 "p@example.org")
    assert (tally.changed, tally.removed) == (1, 1)
    db.session.refresh(registration)
    assert registration.answers == {}
    assert [q.label for q in lists.questions_of(event)] == ["Vegetarian?"]


def test_removed_documents_hand_back_their_files_and_a_new_upload_is_checked(db_session):
    event = make_event()
    kept = add_document(event, "Flyer", "en")
    gone = add_document(event, "Flyer", "fr")
    tally = lists.save_documents(event, [lists.Row(kept.id, {"title": "Flyer (EN)", "language": "en"})],
                                 "p@example.org")
    assert tally.unused_files == [gone.file_name] and [d.title for d in event.documents] == ["Flyer (EN)"]
    with pytest.raises(uploads.UploadRefused):
        lists.add_document(event, "Flyer", "es", "p@example.org", data=b"MZ\x90\x00", filename="flyer.pdf")
    link = lists.add_document(event, "Report", "en", "p@example.org", url="https://ishr.ch/report")
    assert link.position == 1 and link.file_name is None


def test_image_replaced_removed_and_credited(db_session):
    from tests.factories import png_bytes

    event, credit = make_event(), "Photo: UN Photo"
    assert lists.set_image(event, credit, "p@example.org", data=png_bytes(), filename="a.png") is None
    first = event.image_path
    assert lists.set_image(event, credit, "p@example.org", data=png_bytes(), filename="b.png") == first
    second = event.image_path
    assert lists.set_image(event, "", "p@example.org", remove=True) == second
    assert event.image_path is None and event.image_credit is None
    assert audit_details(event)[-1] == "changed image, image credit"
