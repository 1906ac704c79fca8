"""The site settings form (/manage/site)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from rsvp.site import services
from rsvp.site.services import Branding, Changes


class SiteForm(FlaskForm):
    name = StringField(_l("Site name"), validators=[DataRequired(_l("Enter the site's name.")),
                                                    Length(max=80)],
                       description=_l("In the header of every page, in page titles and in emails."))
    organisation = StringField(
        _l("Organisation"), validators=[DataRequired(_l("Enter the organisation's name.")),
                                        Length(max=200)],
        description=_l("Who runs the site: in the footer of every page and email."))
    address = TextAreaField(_l("Postal address"), validators=[Optional(), Length(max=500)],
                            description=_l("Optional. Shown under the organisation's name."))
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300), URL(
        require_tld=False, message=_l("Enter a full web address starting with https://"))],
        description=_l("Optional. The organisation's name links to it."))
    colour = StringField(
        _l("Colour"), validators=[DataRequired(_l("Enter a colour."))],
        description=_l("The header, buttons and links. As # and six hexadecimal digits; it must "
                       "leave white text and links readable (a contrast of at least 4.5:1)."))
    logo = FileField(_l("Logo"), description=_l(
        "PNG, JPEG or WebP, shown at most 48 pixels high on a white background. It is saved "
        "without its metadata."))
    logo_alt = StringField(_l("Logo description"), validators=[Optional(), Length(max=200)],
                           description=_l("What the logo says, for people who cannot see it "
                                          "(the organisation's name if left empty)."))
    remove_logo = BooleanField(_l("Remove the logo"))

    def validate_colour(self, field: Any) -> None:
        field.data = (field.data or "").strip()
        problem = services.colour_problem(field.data)
        if problem:
            raise ValidationError(problem)

    @classmethod
    def of(cls, branding: Branding) -> SiteForm:
        return cls(data={"name": branding.name, "organisation": branding.organisation,
                         "address": branding.address, "website": branding.website,
                         "colour": branding.colour, "logo_alt": "" if branding.logo_alt ==
                         branding.organisation else branding.logo_alt})

    def changes(self) -> Changes:
        upload = self.logo.data
        logo = (upload.read(), upload.filename or "logo") if upload and upload.filename else None
        return Changes(name=self.name.data.strip(), organisation=self.organisation.data.strip(),
                       address=(self.address.data or "").strip(), website=(self.website.data or "").strip(),
                       colour=self.colour.data, logo_alt=(self.logo_alt.data or "").strip(),
                       logo=logo, remove_logo=bool(self.remove_logo.data))
