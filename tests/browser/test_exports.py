"""An organiser asks for a large Excel list: the page follows its progress, then offers the file."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from rsvp.auth.models import Role
from rsvp.exports.jobs import build_exports
from rsvp.timeutil import now_utc
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.factories import grant_role, make_event, make_organiser, make_registration

pytestmark = pytest.mark.browser


def test_a_large_excel_list_is_followed_then_downloaded(app, page, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 3)
    event = make_event(title="Rights at Risk: Time for Action")
    for n in range(5):
        make_registration(event, name=f"Delegate {n}")
    manager = make_organiser(name="Sarah Brooks")
    grant_role(event, manager, Role.MANAGER)
    exports_path = f"/manage/events/{event.public_id}/exports"

    log_in(page, manager.email)
    page.goto(exports_path)
    page.get_by_role("button", name="Download Excel (.xlsx)").click()
    page.wait_for_url("**/exports/prepared/*")
    assert "0 of 5 rows" in page.get_by_role("main").inner_text()
    assert_accessible(page)
    screenshot(page, "export-being-prepared")

    assert build_exports(now_utc()) == 1  # the worker's next pass
    link = page.get_by_role("link", name="Download Excel (.xlsx)")
    link.wait_for()  # the page notices by itself
    assert "Ready: 5 rows" in page.get_by_role("main").inner_text()
    assert_accessible(page)
    screenshot(page, "export-ready")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"{event.slug}-attendees.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert [row[0].value for row in sheet.iter_rows()][1:] == [f"Delegate {n}" for n in range(5)]

    page.goto(exports_path)
    assert "Prepared for you" in page.get_by_role("main").inner_text()
