"""Fill in a round's form as an executor would in Excel: the answer cells of one measure.

    python examples/fill_form.py FORM.xlsx REF STATUS [REMARKS] [EVIDENCE]

Only the three answer columns (the unlocked ones) are written; the file is saved in
place with openpyxl, another program than the one that made it.
"""

from __future__ import annotations

import sys

try:
    import openpyxl
except ImportError:  # (a test dependency: 'make demo' does not install it)
    sys.exit("examples/fill_form.py needs openpyxl: run 'make test' once, or "
             "'.venv/bin/pip install openpyxl'")

ANSWER = 7  # the first answer column (G): status, remarks or reason, evidence


def main() -> None:
    path, ref, *answer = sys.argv[1:]
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=6):
        if str(row[0].value) == ref:
            for offset, value in enumerate(answer):
                sheet.cell(row[0].row, ANSWER + offset).value = value
            book.save(path)
            print(f"{path}: row {row[0].row} filled in")
            return
    sys.exit(f"{path}: no measure {ref}")


if __name__ == "__main__":
    main()
