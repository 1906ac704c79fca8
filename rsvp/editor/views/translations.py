"""The editor's Translations pages: which languages the event is translated into, and one language's
title, summary, description (with its preview) and questions' wording; adding, changing, removing.

On the editor's blueprint (rsvp.editor.views.details), with the same access: event managers.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.editor import lists
from rsvp.editor import services as editor
from rsvp.editor import translations as translating
from rsvp.editor.translation_forms import RemoveTranslationForm, TranslationForm, translation_form
from rsvp.editor.views.details import Page, bp, warn_hidden_html
from rsvp.events.content import translation_in
from rsvp.events.models import Event
from rsvp.events.services import render_markdown
from rsvp.extensions import db
from rsvp.i18n import language_in_sentence


@bp.get("/manage/events/<event_id>/edit/translations")
@event_role_required(Role.MANAGER)
def translations(event: Event) -> Page:
    return render_template("manage/events/translations.html", event=event,
                           coverage=translating.coverage(event, lists.questions_of(event)))


def _translatable(event: Event, language: str) -> None:
    if language not in translating.languages_for(event):
        abort(404)


def _page(event: Event, language: str, form: TranslationForm, status: int = 200,
          preview: str | None = None, remove_form: RemoveTranslationForm | None = None) -> tuple[str, int]:
    return render_template(
        "manage/events/translation.html", event=event, language=language, form=form, preview=preview,
        hidden_html=preview is not None and editor.hidden_html(form.description.data or ""),
        main_description=render_markdown(event.description),
        saved=translation_in(event, language) is not None,
        remove_form=remove_form or RemoveTranslationForm(formdata=None)), status


@bp.route("/manage/events/<event_id>/edit/translations/<language>", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def translation(event: Event, language: str) -> Page:
    _translatable(event, language)
    questions = lists.questions_of(event)
    form = translation_form(event, questions, language, translation_in(event, language))
    if not form.is_submitted():
        return _page(event, language, form)
    if "preview" in request.form:
        return _page(event, language, form, preview=render_markdown(form.description.data or ""))
    if not form.validate():
        return _page(event, language, form, 422)
    try:
        changed = translating.save_translation(event, language, form.translation(), questions,
                                                current_organiser().email)
        db.session.commit()
    except sa.exc.IntegrityError:  # another organiser added this language at the same moment
        db.session.rollback()
        flash(_("Someone else saved a translation into %(language)s just now: check it, then save yours "
                "again.", language=language_in_sentence(language)), "warning")
        return _page(event, language, translation_form(event, questions, language,
                                                       translation_in(event, language)), 409)
    flash(_("Your changes are saved.") if changed else _("Nothing was changed."),
          "success" if changed else "info")
    warn_hidden_html(form.description.data or "")
    return redirect(url_for("editor.translation", event_id=event.public_id, language=language), code=303)


@bp.post("/manage/events/<event_id>/edit/translations/<language>/remove")
@event_role_required(Role.MANAGER)
def remove_translation(event: Event, language: str) -> Page:
    _translatable(event, language)
    questions = lists.questions_of(event)
    remove_form = RemoveTranslationForm()
    if not remove_form.validate():
        form = translation_form(event, questions, language, translation_in(event, language))
        return _page(event, language, form, 422, remove_form=remove_form)
    removed = translating.remove_translation(event, language, questions, current_organiser().email)
    db.session.commit()
    if removed:
        flash(_("The translation into %(language)s is removed: visitors who read it see the event in "
                "%(main)s.", language=language_in_sentence(language),
                main=language_in_sentence(event.content_language)), "success")
    return redirect(url_for("editor.translations", event_id=event.public_id), code=303)
