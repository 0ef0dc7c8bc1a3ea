"""Workbooks and CSV files built in memory for the import: hostile ones (zip bombs,
huge sheets in small files) and a real-sized student list. Shared by the import
tests and bench/import_limits.py, so no large fixture is ever committed."""

from __future__ import annotations

import io
import random
import zipfile
from functools import cache

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


def workbook(
    sheet: list[bytes] | bytes, strings: list[bytes] | bytes = b"", compresslevel: int = 9
) -> bytes:
    """A minimal .xlsx whose sheet1.xml and sharedStrings.xml bodies are streamed
    from the pieces given (repeated pieces compress to almost nothing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as book:
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


@cache  # built once per test run: compressing 200 MB takes a second
def shared_strings_bomb(megabytes: int = 200) -> bytes:
    """A small workbook whose sharedStrings.xml inflates to `megabytes` MB of strings."""
    block = b"<si><t>x</t></si>" * (MB // 17)
    return workbook(GRADES, [block] * megabytes)


@cache
def sheet_bomb(megabytes: int = 200) -> bytes:
    """A small workbook whose sheet1.xml inflates to `megabytes` MB of one-cell rows."""
    row = b'<row><c t="inlineStr"><is><t>K</t></is></c></row>'
    block = row * (MB // len(row))
    return workbook([GRADES, *[block] * megabytes])


def many_cells(rows: int, columns: int, compresslevel: int = 9) -> bytes:
    """A workbook of `rows` rows of `columns` numbers each: small on disk, many cells.

    The numbers vary (as in a real sheet), so the sheet packs only as tightly as a
    real one and is refused for its cells, not for its packing."""
    numbers = random.Random(rows * columns)
    body = [GRADES]
    for r in range(3, rows + 3):
        cells = b"".join(b"<c><v>%d</v></c>" % numbers.randrange(1000) for _ in range(columns))
        body.append(b'<row r="%d">' % r + cells + b"</row>")
    return workbook(body, compresslevel=compresslevel)


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


def claim_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with the unpacked size its central directory claims for `name`
    changed to `size` (a zip bomb that lies about its size)."""
    entry = 0
    encoded = name.encode()
    while True:
        entry = data.index(b"PK\x01\x02", entry)
        length = int.from_bytes(data[entry + 28 : entry + 30], "little")
        if data[entry + 46 : entry + 46 + length] == encoded:
            break
        entry += 4
    return data[: entry + 24] + size.to_bytes(4, "little") + data[entry + 28 :]


def entity_bomb() -> bytes:
    """A workbook whose shared strings expand nested XML entities ("billion laughs")."""
    entities = '<!ENTITY a0 "aaaaaaaaaa">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    strings = f"<!DOCTYPE sst [{entities}]>".encode()
    head = STRINGS_HEAD.replace(b"\n", b"\n" + strings, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + GRADES + SHEET_TAIL)
        book.writestr("xl/sharedStrings.xml", head + b"<si><t>&a9;</t></si>" + STRINGS_TAIL)
    return out.getvalue()


def student_list(students: int = 2_000, grades: tuple[str, ...] = ("K", "1", "2")) -> bytes:
    """An .xlsx student list as an information system exports it: one row per child,
    a dozen columns, written by openpyxl (so with shared strings)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    header = ["Student ID", "Surname", "Given name", "Grade", "Homeroom", "Gender"]
    header += ["Date of birth", "House", "Bus route", "Language", "Medical", "Notes"]
    sheet.append(header)
    for i in range(students):
        child = [10_000 + i, f"Surname{i % 700}", f"Name{i % 300}", grades[i % len(grades)]]
        child += [f"Room {i % 17}", "FM"[i % 2], f"20{18 + i % 3}-0{1 + i % 9}-1{i % 9}"]
        child += [f"House {i % 4}", f"Route {i % 11}", "English", "", f"Note {i}" * (i % 3)]
        sheet.append(child)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
