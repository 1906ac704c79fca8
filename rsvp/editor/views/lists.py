"""The editor's list pages: programme and partners, questions, documents and the image.

Each list is saved whole (see rsvp.editor.list_forms): the order, every
row's fields, rows removed. A refused save shows the list as it was typed,
with the reasons; nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rsvp.auth.access import Role, current_organiser, event_role_required
from rsvp.editor import lists
from rsvp.editor.file_forms import ImageForm, NewDocumentForm
from rsvp.editor.list_forms import DocumentsForm, ListForm, PartnersForm, PeopleForm, QuestionsForm, list_form
from rsvp.editor.views.details import Page, bp
from rsvp.events import uploads
from rsvp.events.models import Event
from rsvp.extensions import db

_MOVED = {"up": _l("Moved up and saved."), "down": _l("Moved down and saved."),
          "remove": _l("Removed and saved.")}


def _people(event: Event) -> list[dict[str, Any]]:
    return [{"ref": str(p.id), "name": p.name, "affiliation": p.affiliation or "", "role": p.role.value,
             "segment": p.segment or ""} for p in event.people]


def _partners(event: Event) -> list[dict[str, Any]]:
    return [{"ref": str(p.id), "name": p.name, "kind": p.kind.value, "role": p.role.value}
            for p in event.partners]


def _questions(event: Event) -> list[dict[str, Any]]:
    return [{"ref": str(q.id), "label": q.label, "kind": q.kind.value, "help_text": q.help_text,
             "choices": "\n".join(q.options), "required": q.required, "personal_data": q.personal_data}
            for q in lists.questions_of(event)]


def _documents(event: Event) -> list[dict[str, Any]]:
    return [{"ref": str(d.id), "title": d.title, "language": d.language} for d in event.documents]


def _save_list(event: Event, form: ListForm, save: Callable[[Event, list[lists.Row], str], lists.Tally],
               page: Callable[[ListForm, int], tuple[str, int]], endpoint: str, anchor: str) -> Page:
    verb = form.arrange()
    if not form.validate():
        return page(form, 422)
    try:
        tally = save(event, form.rows(), current_organiser().email)
    except lists.KindLocked as error:
        db.session.rollback()
        for entry in form.entries:
            if entry.form.ref.data == str(error.question_id):
                entry.form.kind.errors = [_("People have answered this question already: its kind "
                                            "cannot change. Add a new question instead.")]
        return page(form, 409)
    db.session.commit()
    for name in tally.unused_files:
        uploads.discard(name)
    flash(str(_MOVED[verb]) if verb in _MOVED else _("Saved.") if tally.any else _("Nothing was changed."),
          "success")
    return redirect(url_for(endpoint, event_id=event.public_id, _anchor=anchor), code=303)


def _programme_page(event: Event, people: ListForm | None = None, partners: ListForm | None = None,
                    status: int = 200) -> tuple[str, int]:
    return render_template(
        "manage/events/programme.html", event=event,
        people_form=people or list_form(PeopleForm, _people(event)),
        partners_form=partners or list_form(PartnersForm, _partners(event))), status


@bp.route("/manage/events/<event_id>/edit/programme", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def programme(event: Event) -> Page:
    form = PeopleForm()
    if not form.is_submitted():
        return _programme_page(event)
    return _save_list(event, form, lists.save_people,
                      lambda f, status: _programme_page(event, people=f, status=status),
                      "editor.programme", "people")


@bp.post("/manage/events/<event_id>/edit/partners")
@event_role_required(Role.MANAGER)
def partners(event: Event) -> Page:
    return _save_list(event, PartnersForm(), lists.save_partners,
                      lambda f, status: _programme_page(event, partners=f, status=status),
                      "editor.programme", "partners")


def _questions_page(event: Event, form: ListForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "manage/events/questions.html", event=event, form=form or list_form(QuestionsForm, _questions(event)),
        answered={str(k): v for k, v in lists.answer_counts(event).items()}), status


@bp.route("/manage/events/<event_id>/edit/questions", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def questions(event: Event) -> Page:
    form = QuestionsForm()
    if not form.is_submitted():
        return _questions_page(event)
    return _save_list(event, form, lists.save_questions,
                      lambda f, status: _questions_page(event, f, status), "editor.questions", "questions")


def _documents_page(event: Event, documents: ListForm | None = None, new: NewDocumentForm | None = None,
                    image: ImageForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "manage/events/documents.html", event=event,
        documents_form=documents or list_form(DocumentsForm, _documents(event), blank_row=False),
        new_form=new or NewDocumentForm(formdata=None),
        image_form=image or ImageForm(formdata=None, data={"image_credit": event.image_credit,
                                                                  "image_alt": event.image_alt}),
        by_ref={str(d.id): d for d in event.documents}), status


@bp.route("/manage/events/<event_id>/edit/documents", methods=["GET", "POST"])
@event_role_required(Role.MANAGER)
def documents(event: Event) -> Page:
    form = DocumentsForm()
    if not form.is_submitted():
        return _documents_page(event)
    return _save_list(event, form, lists.save_documents,
                      lambda f, status: _documents_page(event, documents=f, status=status),
                      "editor.documents", "documents")


@bp.post("/manage/events/<event_id>/edit/documents/add")
@event_role_required(Role.MANAGER)
def add_document(event: Event) -> Page:
    form = NewDocumentForm()
    if not form.validate():
        return _documents_page(event, new=form, status=422)
    upload = form.file.data
    try:
        lists.add_document(event, form.title.data.strip(), form.language.data, current_organiser().email,
                           url=form.url.data or None, data=upload.read() if upload else None,
                           filename=upload.filename if upload else "")
    except uploads.UploadRefused as error:
        db.session.rollback()
        form.file.errors = [error.message]
        return _documents_page(event, new=form, status=422)
    db.session.commit()
    flash(_("“%(title)s” is added.", title=form.title.data.strip()), "success")
    return redirect(url_for("editor.documents", event_id=event.public_id, _anchor="documents"), code=303)


@bp.post("/manage/events/<event_id>/edit/image")
@event_role_required(Role.MANAGER)
def image(event: Event) -> Page:
    form = ImageForm()
    if not form.validate():
        return _documents_page(event, image=form, status=422)
    upload = form.image.data
    remove = "remove_image" in request.form
    try:
        unused = lists.set_image(event, (form.image_credit.data or "").strip(), current_organiser().email,
                                 data=upload.read() if upload and not remove else None,
                                 filename=upload.filename if upload else "", remove=remove,
                                 alt=(form.image_alt.data or "").strip())
    except uploads.UploadRefused as error:
        db.session.rollback()
        form.image.errors = [error.message]
        return _documents_page(event, image=form, status=422)
    db.session.commit()
    uploads.discard(unused)
    flash(_("The image is removed.") if remove else _("Saved."), "success")
    return redirect(url_for("editor.documents", event_id=event.public_id, _anchor="image-section"), code=303)
