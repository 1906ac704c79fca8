"""The editor's Translations pages over HTTP: add, change, preview, bad input kept, remove, who may."""

from __future__ import annotations

import sqlalchemy as sa

from rsvp.auth.models import Role
from rsvp.editor.translation_forms import option_field
from rsvp.events.models import EventTranslation, QuestionKind
from rsvp.extensions import db
from rsvp.privacy.models import AuditEntry
from tests.auth.conftest import log_in, post_form
from tests.events.test_editor_views import form_of, page_of
from tests.factories import add_question, add_translation, grant_role, make_event, make_organiser


def saved(event, language: str) -> EventTranslation | None:
    return db.session.scalar(sa.select(EventTranslation).where(
        EventTranslation.event_id == event.id, EventTranslation.language == language))


SPANISH = {"title": "Derechos en riesgo: hora de actuar", "summary": "Un diálogo sobre la reacción.",
           "description": "Únase a nosotros para un **diálogo**."}


def test_the_overview_lists_each_language_with_its_state(client, manager):
    add_translation(manager, "es", **SPANISH)
    add_translation(manager, "fr", "Droits en danger")
    page = page_of(client.get(f"/manage/events/{manager.public_id}/edit/translations"))
    assert "The event is written in English" in page
    rows = {name: page.index(f'<th scope="row">{name}</th>') for name in ("Spanish", "French", "Arabic")}
    assert "Complete" in page[rows["Spanish"]:rows["Spanish"] + 200]
    assert "In part" in page[rows["French"]:rows["French"] + 200]
    assert "Not translated" in page[rows["Arabic"]:rows["Arabic"] + 200]
    assert '<th scope="row">English</th>' not in page  # the event's own language
    assert 'aria-current="page">Translations</a>' in page  # the editor's sub-navigation


def test_a_manager_adds_a_spanish_translation_and_spanish_visitors_see_it(client, manager):
    question = add_question(manager, "Which panel?", QuestionKind.SINGLE_CHOICE,
                            options=["Morning", "Afternoon"])
    url = f"/manage/events/{manager.public_id}/edit/translations/es"
    blank = page_of(client.get(url))
    assert "Translation into Spanish" in blank and 'lang="es" dir="auto"' in blank
    assert '<span lang="en" dir="auto">Voices of Uyghur camp survivors</span>' in blank  # the original
    response = client.post(url, data={**SPANISH, f"q{question.id}_label": "¿Qué panel?",
                                      option_field(question, "Morning"): "Mañana",
                                      option_field(question, "Afternoon"): ""})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    assert "Your changes are saved." in page_of(client.get(url))
    assert saved(manager, "es").title == SPANISH["title"]
    db.session.expire_all()
    assert question.translations == {"es": {"label": "¿Qué panel?", "options": {"Morning": "Mañana"}}}
    assert db.session.scalar(sa.select(AuditEntry.detail).where(AuditEntry.event_id == manager.id)
                             .order_by(AuditEntry.id.desc())) == "translation into es: added, 1 question(s)"

    client.set_cookie("lang", "es")
    public = page_of(client.get(f"/events/{manager.slug}"))
    assert "Derechos en riesgo: hora de actuar" in public and "<strong>diálogo</strong>" in public


def test_changing_a_translation_keeps_it_and_says_when_nothing_changed(client, manager):
    add_translation(manager, "es", **SPANISH)
    url = f"/manage/events/{manager.public_id}/edit/translations/es"
    assert f'value="{SPANISH["title"]}"' in page_of(client.get(url))  # the form starts from what is saved
    client.post(url, data={**SPANISH, "description": "Texto nuevo."})
    assert saved(manager, "es").description == "Texto nuevo."
    client.post(url, data={**SPANISH, "description": "Texto nuevo."})
    assert "Nothing was changed." in page_of(client.get(url))


def test_a_missing_title_is_explained_and_what_was_typed_is_kept(client, manager):
    url = f"/manage/events/{manager.public_id}/edit/translations/es"
    response = client.post(url, data={**SPANISH, "title": "  "})
    assert response.status_code == 422
    page = page_of(response)
    assert "Enter the event's title in this language." in page and 'class="error-summary"' in page
    assert "Un diálogo sobre la reacción." in page and "Únase a nosotros para un **diálogo**." in page
    assert saved(manager, "es") is None


def test_the_preview_shows_the_description_as_visitors_will_and_saves_nothing(client, manager):
    url = f"/manage/events/{manager.public_id}/edit/translations/es"
    response = client.post(url, data={**SPANISH, "description": "Únase <script>x()</script>**ya**",
                                      "preview": "1"})
    assert response.status_code == 200
    page = page_of(response)
    assert "<strong>ya</strong>" in page and "<script>x()" not in page
    assert "HTML such as scripts, styles and images is removed." in page
    assert saved(manager, "es") is None


def test_removing_a_translation_asks_for_confirmation(client, manager):
    add_translation(manager, "es", **SPANISH)
    url = f"/manage/events/{manager.public_id}/edit/translations/es/remove"
    refused = client.post(url, data={})
    assert refused.status_code == 422 and "Tick the box to remove the translation." in page_of(refused)
    assert saved(manager, "es") is not None
    response = client.post(url, data={"confirm": "y"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/manage/events/{manager.public_id}/edit/translations")
    overview = page_of(client.get(response.headers["Location"]))
    assert "visitors who read it see the event in English" in overview
    assert saved(manager, "es") is None


def test_the_main_language_and_unknown_languages_have_no_translation_page(client, manager):
    base = f"/manage/events/{manager.public_id}/edit/translations"
    for language in ("en", "de", "xx"):
        assert client.get(f"{base}/{language}").status_code == 404


def test_viewers_and_strangers_get_404(client, db_session):
    event = make_event()
    add_translation(event, "es", **SPANISH)
    viewer, stranger = make_organiser(), make_organiser()
    grant_role(event, viewer, Role.VIEWER)
    base = f"/manage/events/{event.public_id}/edit/translations"
    for organiser in (viewer, stranger):
        log_in(client, organiser.email)
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/es").status_code == 404
        assert client.post(f"{base}/es", data=SPANISH).status_code == 404
        assert client.post(f"{base}/es/remove", data={"confirm": "y"}).status_code == 404
    assert saved(event, "es").title == SPANISH["title"]


def test_a_post_without_the_csrf_token_changes_nothing(csrf_client, db_session):
    event = make_event()
    organiser = make_organiser()
    grant_role(event, organiser, Role.MANAGER)
    log_in(csrf_client, organiser.email)
    url = f"/manage/events/{event.public_id}/edit/translations/es"
    assert csrf_client.post(url, data=SPANISH).status_code == 400
    assert saved(event, "es") is None
    assert post_form(csrf_client, url, SPANISH).status_code == 303  # with the page's token it saves


def test_the_main_language_is_chosen_on_the_details_page_and_refused_when_translated(client, manager):
    add_translation(manager, "es", **SPANISH)
    url = f"/manage/events/{manager.public_id}/edit"
    assert '<option selected value="en">English</option>' in page_of(client.get(url))
    refused = client.post(url, data=form_of(manager, content_language="es"))
    assert refused.status_code == 422
    assert "The event has a translation into Spanish: remove it on the Translations page first" in page_of(
        refused)
    assert client.post(url, data=form_of(manager, content_language="fr")).status_code == 303
    db.session.expire_all()
    assert manager.content_language == "fr"


def test_two_organisers_adding_the_same_language_at_once_get_a_clear_answer(client, manager, monkeypatch):
    def lost_the_race(*args, **kwargs):
        raise sa.exc.IntegrityError("INSERT INTO event_translations", {}, Exception("unique"))

    monkeypatch.setattr("rsvp.editor.translations.save_translation", lost_the_race)
    response = client.post(f"/manage/events/{manager.public_id}/edit/translations/es", data=SPANISH)
    assert response.status_code == 409
    assert "Someone else saved a translation into Spanish just now" in page_of(response)


def test_a_choice_changed_while_the_page_was_open_does_not_take_another_ones_wording(client, manager):
    question = add_question(manager, "Which panel?", QuestionKind.SINGLE_CHOICE,
                            options=["Morning", "Afternoon"])
    typed = {**SPANISH, option_field(question, "Morning"): "Mañana",
             option_field(question, "Afternoon"): "Tarde"}
    question.options = ["Evening", "Afternoon"]  # another organiser's save, before this one
    db.session.commit()
    client.post(f"/manage/events/{manager.public_id}/edit/translations/es", data=typed)
    db.session.expire_all()
    assert question.translations == {"es": {"options": {"Afternoon": "Tarde"}}}


def test_the_privacy_notice_is_translated_and_a_spanish_registrant_reads_it(client, manager):
    from rsvp.editor.translation_forms import phrase_field

    notice = "Only the organisers see your details.\n\nThey are erased 30 days after the event."
    manager.privacy_notice = notice
    db.session.commit()
    url = f"/manage/events/{manager.public_id}/edit/translations/es"
    assert "The event's privacy notice" in page_of(client.get(url))
    spanish = "Solo los organizadores ven sus datos.\n\nSe borran 30 días después del evento."
    client.post(url, data={**SPANISH, phrase_field(notice): spanish})
    client.set_cookie("lang", "es")
    form = page_of(client.get(f"/events/{manager.slug}/register"))
    assert "<p>Solo los organizadores ven sus datos.</p>" in form
    assert "<p>Se borran 30 días después del evento.</p>" in form
    client.set_cookie("lang", "fr")  # not translated into French: the English notice, marked so
    form = page_of(client.get(f"/events/{manager.slug}/register"))
    assert '<div class="hint privacy-notice" lang="en">' in form
