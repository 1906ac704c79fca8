"""The site's own look: a site admin sets the name, organisation, address, colour and logo on
/manage/site; every page and email shows them; a colour too pale or a file that is no image is
refused with a message and nothing typed is lost."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from rsvp.extensions import db
from rsvp.mail.worker import send_pending
from rsvp.privacy.models import AuditAction, AuditEntry
from rsvp.registrations import notify
from rsvp.registrations.models import RegistrationStatus
from rsvp.site import services
from rsvp.site.models import SiteSettings
from tests.auth.conftest import csrf_in, log_in
from tests.factories import make_event, make_organiser, make_registration, png_bytes
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server)

FORM = {"name": "ISHR Events", "organisation": "International Service for Human Rights",
        "address": "Rue de Varembé 1\n1202 Geneva", "website": "https://ishr.example.org",
        "colour": "#7a1f5c", "logo_alt": "ISHR"}


def photo_with_place() -> bytes:
    """A JPEG whose EXIF says where it was taken."""
    image = Image.new("RGB", (300, 100), "darkred")
    exif = Image.Exif()
    exif[0x010E] = "taken at a secret address"  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def submit(client, **changes):
    token = csrf_in(client.get("/manage/site").get_data(as_text=True))
    data = {**FORM, **changes, "csrf_token": token}
    return client.post("/manage/site", data=data, content_type="multipart/form-data")


@pytest.fixture
def admin_client(app, db_session):
    admin = make_organiser(is_admin=True, email="admin@example.org")
    client = app.test_client()
    log_in(client, admin.email)
    return client


@pytest.mark.parametrize(("first", "second", "ratio"), [
    ("#ffffff", "#000000", 21.0), ("#0000ff", "#ffffff", 8.59), ("#767676", "#ffffff", 4.54)])
def test_contrast_follows_wcag(first, second, ratio):
    assert services.contrast(first, second) == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize(("colour", "says"), [
    ("#ffcc00", "hard to read: its contrast is 1.4:1"),
    ("#1a7f37", None),  # 5.1:1 on white, 4.7:1 on the pale background
    ("#2e8540", "hard to read"),  # 4.6:1 on white but 4.2:1 on the pale background
    ("red", "six hexadecimal digits"), ("#12345", "six hexadecimal digits")])
def test_a_colour_must_leave_text_readable(app, colour, says):
    with app.test_request_context():
        problem = services.colour_problem(colour)
    assert (problem is None) if says is None else (says in problem)


def test_an_admin_brands_the_site_and_every_page_shows_it(app, admin_client):
    response = submit(admin_client, logo=(io.BytesIO(photo_with_place()), "logo.jpg"))
    assert response.status_code == 303
    assert "settings are saved." in admin_client.get("/manage/site").get_data(as_text=True)

    visitor = app.test_client()
    page = visitor.get("/").get_data(as_text=True)
    assert "<title>Upcoming events · ISHR Events</title>" in page
    assert '<a href="https://ishr.example.org">International Service for Human Rights</a>' in page
    assert "Rue de Varembé 1\n1202 Geneva" in page
    (css,) = re.findall(r'href="(/site/brand\.css\?v=\d+)"', page)
    sheet = visitor.get(css)
    assert "--brand: #7a1f5c" in sheet.get_data(as_text=True)
    assert "max-age=31536000" in sheet.headers["Cache-Control"]
    (logo,) = re.findall(r'<img class="brand-logo" src="(/site/logo/[^"]+)" alt="ISHR">', page)
    served = visitor.get(logo)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert b"secret address" not in served.data  # re-encoded without its metadata
    assert Image.open(io.BytesIO(served.data)).size == (300, 100)

    (entry,) = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == AuditAction.CHANGED_SITE))
    assert entry.actor == "admin@example.org"
    assert entry.detail == "site settings: name, address, website, colour, logo_alt, logo"


def test_saving_again_unchanged_changes_nothing(admin_client):
    submit(admin_client)
    assert submit(admin_client).status_code == 303
    assert "Nothing was changed." in admin_client.get("/manage/site").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.CHANGED_SITE)) == 1


def test_a_pale_colour_is_refused_and_what_was_typed_stays(admin_client):
    response = submit(admin_client, colour="#ffcc00", name="Typed Name")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "its contrast is 1.4:1 and needs at least 4.5:1" in page
    assert 'value="Typed Name"' in page and 'value="#ffcc00"' in page
    assert db.session.get(SiteSettings, 1) is None  # nothing saved


def test_a_file_that_is_no_image_is_refused_and_nothing_is_saved(admin_client):
    response = submit(admin_client, logo=(io.BytesIO(b"MZ not an image"), "logo.png"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "“logo.png” is not a PNG, JPEG or WebP image." in page
    assert 'value="ISHR Events"' in page
    assert db.session.get(SiteSettings, 1) is None


def test_the_logo_can_be_replaced_and_removed(app, admin_client):
    submit(admin_client, logo=(io.BytesIO(png_bytes(40, 20)), "one.png"))
    first = db.session.get(SiteSettings, 1).logo
    submit(admin_client, logo=(io.BytesIO(png_bytes(60, 20)), "two.png"))
    db.session.expire_all()
    second = db.session.get(SiteSettings, 1).logo
    assert second != first
    visitor = app.test_client()
    assert visitor.get(f"/site/logo/{first}").status_code == 404  # the old file is gone
    assert visitor.get(f"/site/logo/{second}").status_code == 200
    submit(admin_client, remove_logo="y")
    db.session.expire_all()
    assert db.session.get(SiteSettings, 1).logo is None
    assert "brand-logo" not in visitor.get("/").get_data(as_text=True)


def test_an_organiser_who_is_not_an_admin_cannot_change_the_site(app, db_session):
    organiser = make_organiser()
    client = app.test_client()
    log_in(client, organiser.email)
    assert client.get("/manage/site").status_code == 403
    assert "Site settings" not in client.get("/manage").get_data(as_text=True)


def test_emails_carry_the_organisation_and_its_address_unless_discreet(app, admin_client, smtp):  # noqa: F811
    submit(admin_client)
    event = make_event(title="Defenders at risk")
    open_person = make_registration(event, email="open@example.org", status=RegistrationStatus.CONFIRMED)
    discreet = make_registration(event, email="quiet@example.org", status=RegistrationStatus.CONFIRMED,
                                 discreet_emails=True)
    notify.status_email(open_person)
    notify.status_email(discreet)
    db.session.commit()
    send_pending()

    (message,) = smtp.inbox.to("open@example.org")
    html = message.get_body(("html",)).get_content()
    assert "ISHR Events" in html and "color:#7a1f5c" in html
    assert "International Service for Human Rights<br>Rue de Varembé 1, 1202 Geneva" in html
    (quiet,) = smtp.inbox.to("quiet@example.org")
    quiet_html = quiet.get_body(("html",)).get_content()
    assert "Human Rights" not in quiet_html and "Varembé" not in quiet_html
