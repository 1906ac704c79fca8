"""The files an organiser adds to an event: its image, and a document (a file, or a link to one).

Saved by rsvp.editor.lists (set_image, add_document), which checks the files themselves.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, URLField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from rsvp.editor.choices import known_languages, language_choices
from rsvp.editor.forms import LEFT_TO_RIGHT, WEB_ADDRESS
from rsvp.events.questions import options


class ImageForm(FlaskForm):
    image = FileField(_l("Image"), description=_l(
        "PNG, JPEG or WebP. It is saved without its metadata (such as where a photo was taken)."))
    image_alt = StringField(_l("What the image shows"), validators=[Optional(), Length(max=300)],
                            description=_l("For people who cannot see it (read by screen readers), e.g. "
                                           "Delegates in the Human Rights Council chamber. Leave empty "
                                           "if the image adds nothing to the text."))
    image_credit = StringField(_l("Credit"), validators=[Optional(), Length(max=300)],
                               description=_l("As printed under the image, e.g. Photo: UN Photo/Jean-Marc "
                                              "Ferré."))


class NewDocumentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the document's title.")),
                                                 Length(max=300)],
                        description=_l("e.g. Flyer, Concept note, Report."))
    language = SelectField(_l("Language"), default="en", validate_choice=False)
    file = FileField(_l("File"), description=_l("PDF, Word (DOCX) or OpenDocument (ODT)."))
    url = URLField(_l("Or a link to the document"), validators=WEB_ADDRESS, render_kw=LEFT_TO_RIGHT,
                   description=_l("Where it is published already, instead of a file."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language.choices = options(language_choices())

    def validate_language(self, field: SelectField) -> None:
        if field.data not in known_languages():
            raise ValidationError(_l("Choose the document's language from the list."))

    def validate_url(self, field: URLField) -> None:
        if bool(field.data) == bool(self.file.data):
            raise ValidationError(_l("Choose a file to upload, or give a link, not both."))
