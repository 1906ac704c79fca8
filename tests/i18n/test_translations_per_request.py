"""The catalogue is found once per request, yet every string follows the locale in force: a page in
one language that writes an email in the registrant's (force_locale) gets each in its own."""

from flask import render_template_string
from flask_babel import force_locale, gettext

from rsvp.timeutil import format_calendar_date


def test_strings_and_dates_follow_a_locale_forced_in_the_middle_of_a_request(app):
    from datetime import date

    template = "{{ _('Confirmed') }}"
    with app.test_request_context("/?lang=ar"):
        assert gettext("Confirmed") == "مؤكَّد"
        assert render_template_string(template) == "مؤكَّد"
        with force_locale("fr"):
            assert gettext("Confirmed") == "Confirmé"
            assert render_template_string(template) == "Confirmé"
            assert format_calendar_date(date(1990, 3, 12)) == "12 mars 1990"
            with force_locale("en"):
                assert render_template_string(template) == "Confirmed"
            assert gettext("Confirmed") == "Confirmé"
        assert render_template_string(template) == "مؤكَّد"
        assert gettext("Confirmed") == "مؤكَّد"


def test_each_request_gets_its_own_language(app):
    for lang, word in (("fr", "Confirmé"), ("en", "Confirmed"), ("ar", "مؤكَّد"), ("fr", "Confirmé")):
        with app.test_request_context(f"/?lang={lang}"):
            assert render_template_string("{{ _('Confirmed') }}") == word


def test_outside_a_request_strings_are_the_source_language(app):
    with app.app_context():
        assert gettext("Confirmed") == "Confirmed"
        with force_locale("fr"):  # the worker writes a reminder in French
            assert gettext("Confirmed") == "Confirmé"
            assert render_template_string("{{ _('Confirmed') }}") == "Confirmé"
