"""Build the example Word plan and Excel progress sheet in examples/ (python-docx, openpyxl).

    .venv/bin/python scripts/make-examples.py [FOLDER]

An illustrative plan, in the form Russian-language plans take: a table with «№ п/п»,
«Наименование мероприятия», «Срок исполнения», «Ответственные исполнители», sections
such as «I. Организационные мероприятия», deadlines written as periods. Its measures are
invented for the example and say so; they are not the CSTO plan of the reference case,
whose measures are not public (examples/README.md).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

TITLE = "План мероприятий условной организации на 2024 год (пример)"
NOTE = ("Пример для документации tracker: мероприятия вымышлены и не относятся ни к одному "
        "реальному плану.")
HEADERS = ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители"]
SECTIONS: list[tuple[str, list[tuple[str, str, str, list[str]]]]] = [
    ("I. Организационные мероприятия", [
        ("1.", "Утвердить состав рабочей группы по исполнению плана", "I квартал 2024 г.",
         ["Секретариат"]),
        ("2.", "Провести заседание рабочей группы по итогам полугодия", "до 30.06.2024",
         ["Секретариат", "Рабочая группа"]),
        ("3.", "Обеспечить ведение реестра мероприятий плана", "постоянно",
         ["Секретариат"]),
    ]),
    ("II. Международное сотрудничество", [
        ("4.", "Подготовить предложения о контактах с международными организациями",
         "в течение года", ["Департамент международного сотрудничества"]),
        ("5.", "Организовать обмен делегациями с партнёрскими организациями",
         "2024–2025 гг.", ["Департамент международного сотрудничества", "Секретариат"]),
        ("6.", "Провести конференцию по итогам года", "IV квартал 2024 г.",
         ["Секретариат", "Пресс-служба"]),
    ]),
    ("III. Информационное обеспечение", [
        ("7.", "Опубликовать доклад о ходе исполнения плана", "ноябрь 2024 г.",
         ["Пресс-служба"]),
        ("7.1.", "Подготовить краткую версию доклада для сайта", "до 15.12.2024",
         ["Пресс-служба"]),
    ]),
]
# The progress sheet: how each measure stood at the half-year, with remarks.
PROGRESS = {
    "1": ("исполнено", ""),
    "2": ("Исполнено", ""),
    "3": ("в работе", ""),
    "4": ("в работе", ""),
    "5": ("приостановлено", "Партнёрские организации не подтвердили сроки визитов"),
    "6": ("не начато", ""),
    "7": ("не начато", ""),
    "7.1": ("не начато", ""),
}


def word_plan(path: Path) -> None:
    """The plan as a Word document: a heading, a note, the table with section rows."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    document.add_heading(TITLE, level=1)
    document.add_paragraph(NOTE)
    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
    numbers = table.add_row().cells  # the row of column numbers under the header
    for n, cell in enumerate(numbers, 1):
        cell.text = str(n)
    for heading, measures in SECTIONS:
        row = table.add_row().cells
        merged = row[0].merge(row[-1])
        merged.text = heading
        for ref, title, due, owners in measures:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = ref, title, due
            cells[3].text = owners[0]
            for owner in owners[1:]:  # one paragraph per body, as plans list them
                cells[3].add_paragraph(owner)
    document.add_paragraph("Примечание: сроки указаны в соответствии с решением об "
                           "утверждении плана.")
    document.core_properties.title = TITLE
    document.save(str(path))


def excel_progress(path: Path) -> None:
    """Progress at the half-year as an Excel sheet: a title row, then the table; refs as
    numbers, a merged section row, a deadline as a real Excel date."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Исполнение"
    sheet.append([f"Ход исполнения: {TITLE}"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([NOTE])
    sheet.append(["№ п/п", "Наименование мероприятия", "Срок исполнения",
                  "Отметка об исполнении", "Примечание"])
    for heading, measures in SECTIONS:
        sheet.append([heading])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row,
                          end_column=5)
        for ref, title, due, _owners in measures:
            number = ref.rstrip(".")
            status, remark = PROGRESS[number]
            cell_ref: object = int(number) if number.isdigit() else float(number)
            deadline: object = date(2024, 6, 30) if due == "до 30.06.2024" else due
            sheet.append([cell_ref, title, deadline, status, remark])
            if isinstance(deadline, date):
                sheet.cell(sheet.max_row, 3).number_format = "DD.MM.YYYY"
    for column, width in zip("ABCDE", (8, 60, 22, 22, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = f"Ход исполнения: {TITLE}"
    book.save(str(path))


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    word_plan(folder / "plan-2024.docx")
    excel_progress(folder / "progress-2024.xlsx")
    print(f"wrote {folder / 'plan-2024.docx'} and {folder / 'progress-2024.xlsx'}")


if __name__ == "__main__":
    main()
