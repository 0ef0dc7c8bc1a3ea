"""The rows of one sheet of an .xlsx workbook, read within `Limits`.

openpyxl reads a workbook's whole shared-string table before its first row (a
300 KB file of short strings grew the server by 2.5 GB) and parses all of a
row's cells at once, so no check between its rows can bound the work. This
reader streams the few parts an import needs with the standard library's XML
parser instead (at about half openpyxl's speed on a plain sheet, which the
limits allow for):

- the archive is checked before anything is unpacked: the number of parts,
  their unpacked sizes (which zipfile never reads past) and how tightly each
  large part is packed (`check_archive`);
- every XML element is dropped as soon as it has been read, so memory stays
  at the depth of the document and the values kept;
- the deadline is checked every few hundred elements and the row, column, cell
  and text limits at each cell, so a limit passed stops the parse at once.

Cells come out as text: numbers that are whole as "40" (not "40.0"; a date is
its serial number, as styles are not read), strings (shared or inline, rich
text joined, phonetic runs left out) as written, TRUE or FALSE.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from xml.etree.ElementTree import Element, ParseError, iterparse

from crunch.files.upload_limits import KEEP_ONLY, BadFile, Budget, Limits, TooLarge

UNREADABLE = "The workbook could not be opened. Save it again as .xlsx or CSV."
PACKED_FLOOR = 256 * 1024  # smaller parts are never refused for their packing ratio
MAX_DEPTH = 64  # spreadsheet XML nests a handful of levels
OFFICE_DOCUMENT = "/officeDocument"
SHARED_STRINGS = "/sharedStrings"
PREFERRED_SHEET = "Grades"


def xlsx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    """The rows of the sheet named "Grades", else of the first sheet."""
    budget = Budget(limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise BadFile(UNREADABLE) from None
    with archive:
        check_archive(archive, limits)
        try:
            sheet, strings_part = _parts(archive, budget)
            strings = _shared_strings(archive, strings_part, budget) if strings_part else []
            return _sheet_rows(archive, sheet, strings, budget)
        except BadFile:
            raise
        # A damaged or unusual file raises many kinds (zip, zlib, XML, a missing part).
        except (
            zipfile.BadZipFile,
            ParseError,
            KeyError,
            IndexError,
            ValueError,
            EOFError,
            OSError,
            zlib.error,
            NotImplementedError,
            RuntimeError,
        ):
            raise BadFile(UNREADABLE) from None


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an archive whose parts are too many, unpack too large or are packed
    like a zip bomb, before any of it is unpacked. The sizes are the archive's own
    claims; zipfile stops reading a part at its claimed size (and then fails its
    checksum), so a part that lies about its size cannot unpack to more."""
    entries = archive.infolist()
    if len(entries) > limits.parts:
        raise TooLarge(
            f"The workbook has more than {limits.parts:,} parts. Save the sheet with the "
            "grades on its own, or as CSV, and import that."
        )
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > limits.unpacked_bytes:
            raise TooLarge(
                f"The workbook unpacks to more than {limits.size_words(limits.unpacked_bytes)}. "
                "Save the sheet with the grades on its own, or as CSV, and import that."
            )
        packed = max(entry.compress_size, 1)
        if entry.file_size > PACKED_FLOOR and entry.file_size > limits.packing_ratio * packed:
            raise TooLarge(
                f"The workbook's part {entry.filename[:60]} unpacks to "
                f"{entry.file_size // packed:,} times its packed size, more than a "
                "spreadsheet ever does. Save it again from a spreadsheet program, or as CSV."
            )


def _events(
    archive: zipfile.ZipFile, name: str, budget: Budget
) -> Iterator[tuple[str, str, Element]]:
    """("start" | "end", local tag, element) for each element of a part; each
    element is removed from its parent once its "end" has been handled."""
    stack: list[Element] = []
    with archive.open(name) as part:
        for count, (event, element) in enumerate(iterparse(part, events=("start", "end"))):
            if count % 256 == 0:
                budget.tick()
            if event == "start":
                stack.append(element)
                if len(stack) > MAX_DEPTH:
                    raise BadFile(UNREADABLE)
                yield event, _local(element.tag), element
                continue
            yield event, _local(element.tag), element
            stack.pop()
            if stack:
                stack[-1].remove(element)


@lru_cache(maxsize=256)  # bounded: the tags come from the file
def _local(tag: str) -> str:
    """A tag's name without its namespace (a spreadsheet has a few dozen)."""
    return tag.rpartition("}")[2]


def _attribute(element: Element, local: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id, or strict OOXML's)."""
    for key, value in element.attrib.items():
        if _local(key) == local:
            return value
    return None


def _relationships(archive: zipfile.ZipFile, part: str, budget: Budget) -> dict[str, tuple]:
    """Id -> (type, part name) of the relationships of `part` ("" for the package)."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for event, tag, element in _events(archive, rels, budget):
        if event == "start" and tag == "Relationship":
            target = element.get("Target", "")
            if element.get("TargetMode") == "External":
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id", "")] = (element.get("Type", ""), posixpath.normpath(name))
    return found


def _parts(archive: zipfile.ZipFile, budget: Budget) -> tuple[str, str | None]:
    """The sheet to read (its part name) and the shared-string part, if any."""
    book = next(
        (p for t, p in _relationships(archive, "", budget).values() if t.endswith(OFFICE_DOCUMENT)),
        "xl/workbook.xml",
    )
    sheets: list[tuple[str, str]] = []
    for event, tag, element in _events(archive, book, budget):
        if event == "start" and tag == "sheet":
            sheets.append((element.get("name", ""), _attribute(element, "id") or ""))
    if not sheets:
        raise BadFile("The workbook has no sheets.")
    links = _relationships(archive, book, budget)
    _, rel = next((s for s in sheets if s[0] == PREFERRED_SHEET), sheets[0])
    sheet = links[rel][1]
    strings = next((p for t, p in links.values() if t.endswith(SHARED_STRINGS)), None)
    if strings is not None and strings not in archive.NameToInfo:
        strings = None
    return sheet, strings


class _Text:
    """The text of one shared string or cell, read piece by piece (rich text runs
    joined, phonetic runs left out), its length checked against the budget as it grows."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.pieces: list[str] = []
        self.length = 0
        self.phonetic = 0

    def begin(self) -> None:
        self.pieces, self.length = [], 0

    def phonetic_run(self, event: str) -> None:
        """A phonetic run (rPh) starts or ends: its text is not the cell's."""
        self.phonetic += 1 if event == "start" else -1

    def add(self, element: Element, where: str) -> None:
        if not self.phonetic:
            self.pieces.append(element.text or "")
            self.length += len(self.pieces[-1])
            self.budget.text(self.length, where)

    def value(self) -> str:
        return "".join(self.pieces)


def _shared_strings(archive: zipfile.ZipFile, part: str, budget: Budget) -> list[str]:
    strings: list[str] = []
    text = _Text(budget)
    for event, tag, element in _events(archive, part, budget):
        if tag == "rPh":
            text.phonetic_run(event)
        elif event == "start":
            if tag == "si":
                text.begin()
        elif tag == "t":
            text.add(element, f"Text {len(strings) + 1} of the workbook")
        elif tag == "si":
            # A string is there to be some cell's text: the cell limit bounds them too.
            if len(strings) >= budget.limits.cells:
                raise TooLarge(
                    f"The workbook has more than {budget.limits.cells:,} texts. {KEEP_ONLY}"
                )
            strings.append(text.value())
    return strings


def _sheet_rows(
    archive: zipfile.ZipFile, part: str, strings: list[str], budget: Budget
) -> list[list[str]]:
    text = _Text(budget)
    rows: list[list[str]] = []
    cells: list[str] = []
    row_number = 0
    column = 0
    kind = "n"
    for event, tag, element in _events(archive, part, budget):
        if tag == "rPh":
            text.phonetic_run(event)
        elif event == "start":
            if tag == "row":
                row_number = _index(element.get("r"), row_number + 1)
                budget.row(row_number)
                cells, column = [], 0
            elif tag == "c":
                column = _column(element.get("r"), column + 1)
                budget.column(row_number, column)
                kind = element.get("t", "n")
                text.begin()
        elif tag in ("v", "t"):
            text.add(element, f"Row {row_number}, column {column}")
        elif tag == "c":
            value = _value(kind, text.value(), strings)
            if value:
                cells.extend([""] * (column - len(cells)))
                cells[column - 1] = value
        elif tag == "row":
            while len(rows) < row_number - 1:
                rows.append([])
            budget.add_cells(max(len(cells), 1))
            rows.append(cells)
    return rows


def _index(text: str | None, default: int) -> int:
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise BadFile(UNREADABLE)
    return int(text)


def _column(reference: str | None, default: int) -> int:
    """The column of a cell reference ("B7" is 2); the next column when there is none."""
    if not reference:
        return default
    letters = reference.rstrip("0123456789")
    if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
        raise BadFile(UNREADABLE)
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _value(kind: str, text: str, strings: list[str]) -> str:
    if kind == "s":
        if not text.strip():
            return ""
        index = int(text)
        if not 0 <= index < len(strings):
            raise BadFile(UNREADABLE)
        return strings[index].strip()
    if kind == "n" and text:
        try:
            number = float(text)
        except ValueError:
            return text.strip()
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else text.strip()
    if kind == "b":
        return "TRUE" if text.strip() == "1" else "FALSE"
    return text.strip()
