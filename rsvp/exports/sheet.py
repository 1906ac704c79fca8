"""One worksheet of typed cells written into an .xlsx file as the rows come, in constant memory.

XlsxWriter, even in its constant-memory mode, spends most of an export's time in
Python per cell (argument checks, a dimension check, a regular expression per
string: 70% of an XLSX export of 100,000 rows in bench/export.py). An export needs
a small part of the format: text, numbers, yes/no, dates, a bold frozen header
and column widths. This writes that part directly: each row is one string of
XML, escaped by ``str.translate`` (in C), streamed into the zip entry of the
sheet, so memory stays flat whatever the number of rows. The parts around the
sheet (content types, relationships, workbook, styles) are the fixed minimum
Excel, LibreOffice and openpyxl read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any
from xml.sax.saxutils import quoteattr

#: Excel's day 0 (with its 1900 leap year, dates from March 1900 on come out right).
_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - Excel has no time zones
_EPOCH_DAY = _EPOCH.date()
#: Text to XML: the three markup characters, and control characters XML 1.0 cannot hold
#: written as Excel's own escape (_xHHHH_), as XlsxWriter does.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                       **{chr(c): f"_x{c:04X}_" for c in range(32) if c not in (9, 10, 13)}})
#: Text that already reads like that escape: its underscore is escaped (_x005F_), or Excel would
#: show "_x0041_" typed by a person as "A".
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
#: Characters that make a spreadsheet read a cell as a formula (or hide what follows).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
#: Style indexes of styles.xml: plain, bold (the header), a date and time, a date.
_BOLD, _DATETIME, _DATE = 1, 2, 3
#: Rows written to the zip entry at a time.
_ROWS_PER_WRITE = 200
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = _XML + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '</Types>')
_ROOT_RELS = _XML + (
    f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>')
_WORKBOOK_RELS = _XML + (
    f'<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/styles" Target="styles.xml"/>'
    '</Relationships>')
_STYLES = _XML + (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def column_letters(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(reference: str, value: Any) -> str:
    """One cell's XML; "" for an empty one. Text that would start a formula gets a leading
    apostrophe: it is never a formula here, but a spreadsheet may read a copied cell again."""
    if type(value) is str:  # the common case first
        if not value:
            return ""
        if value[0] in _FORMULA_FIRST:
            value = "'" + value
        return (f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">'
                f'{_text(value)}</t></is></c>')
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{reference}" s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{reference}" s="{_DATE}"><v>{(value - _EPOCH_DAY).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    return _cell(reference, str(value))


def _text(text: str) -> str:
    """Text as the sheet's XML holds it."""
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return text.translate(_TEXT)


def _guarded(text: str) -> str:
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def write_sheet(output: IO[bytes], title: str, header: Sequence[str], widths: Sequence[float],
                rows: Iterable[Sequence[Any]]) -> None:
    """A workbook of one sheet named ``title``: ``header`` in bold, frozen above ``rows``."""
    letters = [column_letters(index) for index in range(max(len(header), 1))]
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/workbook.xml", _XML + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name={quoteattr(title[:31])} sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>'))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_XML + (
                f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheetViews>'
                '<sheetView tabSelected="1" workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/><cols>'
                + "".join(f'<col min="{n}" max="{n}" width="{width + 0.71:.2f}" customWidth="1"/>'
                          for n, width in enumerate(widths, start=1))
                + '</cols><sheetData><row r="1">'
                + "".join(f'<c r="{letters[n]}1" s="{_BOLD}" t="inlineStr"><is>'
                          f'<t xml:space="preserve">{_text(_guarded(label))}</t></is></c>'
                          for n, label in enumerate(header))
                + "</row>")).encode())
            pending: list[str] = []
            for number, row in enumerate(rows, start=2):
                mark = str(number)
                pending.append(f'<row r="{mark}">' + "".join(
                    [_cell(letter + mark, value) for letter, value in zip(letters, row, strict=False)])
                    + "</row>")
                if len(pending) == _ROWS_PER_WRITE:
                    sheet.write("".join(pending).encode())
                    pending.clear()
            pending.append("</sheetData></worksheet>")
            sheet.write("".join(pending).encode())
