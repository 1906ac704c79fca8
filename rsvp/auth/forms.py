"""Forms of the organiser pages: login, passwords, organisers, event teams; role labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from rsvp.auth.models import Role
from rsvp.auth.services import MIN_PASSWORD_LENGTH
from rsvp.events.models import EventStatus
from rsvp.fields import ValidEmail

ROLE_LABELS = {
    Role.OWNER: _l("Owner"),
    Role.MANAGER: _l("Manager"),
    Role.CHECK_IN: _l("Check-in"),
    Role.VIEWER: _l("Viewer"),
    Role.CO_SPONSOR: _l("Co-sponsor"),
}

ROLE_HINTS = {
    Role.OWNER: _l("Everything, including who is on the team."),
    Role.MANAGER: _l("Everything except the team: the event, registrations, messages, check-in."),
    Role.CHECK_IN: _l("Checks people in at the door, nothing else."),
    Role.VIEWER: _l("Sees the event and its registrations, changes nothing."),
    Role.CO_SPONSOR: _l("Sees how many registered and the interpretation demand, never who."),
}

STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}

_PASSWORD_HINT = _l("At least %(count)s characters. A few unrelated words make a strong password.",
                    count=MIN_PASSWORD_LENGTH)


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(ROLE_LABELS[role])) for role in Role]


def _email_field(label: str = _l("Email address"), **kwargs: object) -> EmailField:
    return EmailField(
        label, validators=[DataRequired(_l("Enter an email address.")), Length(max=254), ValidEmail()],
        render_kw={"autocomplete": "email", "spellcheck": "false"}, **kwargs)


class LoginForm(FlaskForm):
    # No syntax check: a wrong address gets the same answer as a wrong password.
    email = EmailField(_l("Email address"),
                       validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
                       render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    # Made afresh for each form: WTForms orders fields by creation, and the
    # change form asks for the current password first.
    return (
        PasswordField(
            _l("New password"), description=_PASSWORD_HINT,
            validators=[DataRequired(_l("Enter a new password.")),
                        Length(min=MIN_PASSWORD_LENGTH, max=1000,
                               message=_l("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))],
            render_kw={"autocomplete": "new-password"}),
        PasswordField(
            _l("New password again"),
            validators=[DataRequired(_l("Enter the new password a second time.")),
                        EqualTo("new_password", _l("The two passwords are not the same."))],
            render_kw={"autocomplete": "new-password"}),
    )


class NewPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"})
    new_password, confirm = _new_password_fields()


class ResetRequestForm(FlaskForm):
    email = _email_field()


class OrganiserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)],
                       render_kw={"autocomplete": "off"})
    email = _email_field(description=_l("The link to choose a password goes to this address."))
    is_admin = BooleanField(_l("Site admin: may create organisers and act as owner on every event"))


class GrantRoleForm(FlaskForm):
    email = _email_field(_l("Organiser's email address"),
                         description=_l("They need an organiser account on this site."))
    role = SelectField(_l("Role"), default=Role.MANAGER.value)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
