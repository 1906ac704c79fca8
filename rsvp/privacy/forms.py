"""Form parts that protect public forms from abuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional


class Honeypot:
    """A field people never see or fill; bots that fill every field get a polite, empty success."""

    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=300)],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)
