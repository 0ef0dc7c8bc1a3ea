"""Workbooks and CSV files built in memory to attack the import: zip bombs, huge
sheets in small files. Shared by the import tests and bench/import_limits.py, so
no large fixture is ever committed."""

from __future__ import annotations

import io
import zipfile

MB = 1024 * 1024

OXML = "http://schemas.openxmlformats.org"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT_TYPES = (
    f'{DECLARATION}<Types xmlns="{OXML}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
RELATIONSHIP = '<Relationship Id="{}" Type="' + OXML + '/officeDocument/2006/relationships/{}" '
ROOT_RELS = (
    f'{DECLARATION}<Relationships xmlns="{OXML}/package/2006/relationships">'
    + RELATIONSHIP.format("rId1", "officeDocument")
    + 'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'{DECLARATION}<workbook xmlns="{OXML}/spreadsheetml/2006/main" '
    f'xmlns:r="{OXML}/officeDocument/2006/relationships">'
    '<sheets><sheet name="Grades" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{DECLARATION}<Relationships xmlns="{OXML}/package/2006/relationships">'
    + RELATIONSHIP.format("rId1", "worksheet")
    + 'Target="worksheets/sheet1.xml"/>'
    + RELATIONSHIP.format("rId2", "sharedStrings")
    + 'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
STRINGS_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
STRINGS_TAIL = b"</sst>"
GRADES = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Grade</t></is></c>'
GRADES += b'<c r="B1" t="inlineStr"><is><t>Count</t></is></c></row>'
GRADES += b'<row r="2"><c r="A2" t="inlineStr"><is><t>K</t></is></c><c r="B2"><v>40</v></c></row>'


def column(index: int) -> str:
    """The spreadsheet's letters of a column, 1 = A."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook(sheet: list[bytes] | bytes, strings: list[bytes] | bytes = b"") -> bytes:
    """A minimal .xlsx whose sheet1.xml and sharedStrings.xml bodies are streamed
    from the pieces given (repeated pieces compress to almost nothing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, head, body, tail in (
            ("xl/worksheets/sheet1.xml", SHEET_HEAD, sheet, SHEET_TAIL),
            ("xl/sharedStrings.xml", STRINGS_HEAD, strings, STRINGS_TAIL),
        ):
            with book.open(name, "w") as part:
                part.write(head)
                for piece in [body] if isinstance(body, bytes) else body:
                    part.write(piece)
                part.write(tail)
    return out.getvalue()


def shared_strings_bomb(megabytes: int = 200) -> bytes:
    """A small workbook whose sharedStrings.xml inflates to `megabytes` MB of strings."""
    block = b"<si><t>x</t></si>" * (MB // 17)
    return workbook(GRADES, [block] * megabytes)


def sheet_bomb(megabytes: int = 200) -> bytes:
    """A small workbook whose sheet1.xml inflates to `megabytes` MB of one-cell rows."""
    row = b'<row><c t="inlineStr"><is><t>K</t></is></c></row>'
    block = row * (MB // len(row))
    return workbook([GRADES, *[block] * megabytes])


def many_cells(rows: int, columns: int) -> bytes:
    """A workbook of `rows` rows of `columns` numbers each: small on disk, many cells."""
    cells = b"".join(
        b'<c r="%s%%d"><v>1</v></c>' % column(c).encode() for c in range(1, columns + 1)
    )
    body = [GRADES] + [
        b'<row r="%d">' % r + cells.replace(b"%d", b"%d" % r) + b"</row>"
        for r in range(3, rows + 3)
    ]
    return workbook(body)


def long_cell(length: int) -> bytes:
    """A workbook with one shared string of `length` characters."""
    row = b'<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3"><v>1</v></c></row>'
    return workbook([GRADES, row], b"<si><t>" + b"x" * length + b"</t></si>")


def many_entries(count: int) -> bytes:
    """A valid workbook with `count` extra empty parts in its archive."""
    out = io.BytesIO(workbook(GRADES))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as book:
        for i in range(count):
            book.writestr(f"xl/media/blank{i}.bin", b"")
    return out.getvalue()


def csv_rows(rows: int, columns: int = 2, cell: bytes = b"1") -> bytes:
    """A CSV file of a header and `rows` rows of `columns` cells."""
    line = b",".join([b"K"] + [cell] * (columns - 1)) + b"\n"
    return b"Grade,Count" + b",x" * (columns - 2) + b"\n" + line * rows
