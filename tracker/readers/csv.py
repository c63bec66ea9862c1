"""CSV import: the columns of ``tracker export`` (or a plan's own, in English or Russian)
read back, every row checked before anything is written, each bad row reported as
``FILE:LINE: column: problem``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from tracker.errors import BadRows, StoreError, TrackerError
from tracker.i18n import _, pgettext
from tracker.readers import Options, Row, RowChecker, map_headers
from tracker.tabular import restore

BOM = "\ufeff"


def read_rows(text: str, name: str, options: Options, delimiter: str | None = None
              ) -> list[Row]:
    """Parse and validate every row; raise BadRows listing each problem, one per line.

    An empty cell clears its field (an export read back gives the same items), but an
    empty status or ref means none was given."""
    if text.startswith(BOM):
        text = text[1:]
    if not text.strip():
        raise TrackerError(_("{name}: the file is empty; expected a header row with 'title'")
                           .format(name=name))
    if delimiter is None:
        delimiter = _sniff(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BadRows([f"{name}:1: header: {exc}"], header=True) from None
    headers = [h.strip() for h in header]
    fields, problems = map_headers(headers, options, f"{name}:1")
    if problems:
        raise BadRows(problems, header=True)
    checker = RowChecker(fields, headers, options, blank_keeps=False, commas=False)
    line = 2
    try:
        for cells in reader:
            start = line
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            where = f"{name}:{start}"
            if len(cells) != len(headers):
                checker.problem(where, pgettext("column", "row"),
                                _("has {cells} cells, the header has {columns}")
                                .format(cells=len(cells), columns=len(headers)))
                continue
            checker.add(where, [restore(c) for c in cells], start)
    except csv.Error as exc:
        checker.problem(f"{name}:{line}", pgettext("column", "row"), str(exc))
    return checker.finish()


def _sniff(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


CYRILLIC = re.compile("[\u0400-\u04ff]")
MIXED = re.compile("[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")


def decode(data: bytes, name: str, warn: Callable[[str], None] | None = None) -> str:
    """The file's text: UTF-8 (a BOM allowed), or Windows-1251 when it is not UTF-8 but
    reads as Cyrillic text in it — what a Russian Excel's "CSV" saves. Anything else is
    refused with the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        error = StoreError(_('{name}:{line}: the file is not UTF-8 text; save it as "CSV '
                             'UTF-8" and import it again')
                           .format(name=name, line=line))
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise error from None
    high = sum(1 for byte in data if byte >= 0x80)
    # Russian text is Cyrillic words; Latin-1 accents read in cp1251 become Cyrillic letters
    # inside Latin words ("café" → "cafй"): that is not Windows-1251.
    if not high or len(CYRILLIC.findall(text)) < 0.8 * high or MIXED.search(text):
        raise error from None
    if warn is not None:
        warn(f"note: {name} is not UTF-8; it was read as Windows-1251 (Cyrillic), the "
             "encoding of a Russian Excel's CSV")
    return text
