"""The gettext catalogues: extract every message, merge it into the Russian catalogue,
compile it, and check that nothing lacks its translation. Babel does the work; it is a
development tool (``pip install '.[test]'``), never imported by tracker itself.

    .venv/bin/python scripts/i18n.py extract   # tracker/locale/tracker.pot from the code
    .venv/bin/python scripts/i18n.py update    # …merged into ru/LC_MESSAGES/tracker.po
    .venv/bin/python scripts/i18n.py compile   # …compiled to tracker.mo (committed)
    .venv/bin/python scripts/i18n.py check     # exit 1 if a message lacks its Russian text

The messages are: every ``_()``, ``ngettext()``, ``pgettext()`` and ``N_()`` in tracker's
code; every command's and option's help text (read from the click commands themselves,
docstrings as click cleans them); and click's own messages ("Missing argument", "Usage:"),
which click wraps in gettext but ships no Russian for.
"""

from __future__ import annotations

import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "tracker" / "locale"
POT = LOCALE / "tracker.pot"
LANGUAGES = ("ru",)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
CLICK_KEYWORDS = {"_": None, "ngettext": (1, 2)}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "tracker.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "tracker.mo"


def help_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every help text of every command, group and option."""
    sys.path.insert(0, str(ROOT))
    import click

    from tracker.cli import cli
    from tracker.cli.common import HELP_OPTION_TEXT

    yield "click help option", HELP_OPTION_TEXT

    def walk(command: click.Command, path: str) -> Iterator[tuple[str, str]]:
        for attr in ("help", "short_help", "epilog"):
            value = getattr(command, attr, None)
            if value:
                yield path, inspect.cleandoc(value)
        for param in command.params:
            value = getattr(param, "help", None)
            if value:
                yield f"{path} {param.name}", inspect.cleandoc(value)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, f"{path} {name}")

    yield from walk(cli, "tracker")


def extract() -> Catalog:
    """Every message, as a template catalogue."""
    import click

    catalog = Catalog(project="tracker", domain="tracker", charset="utf-8",
                      copyright_holder="the tracker project", fuzzy=False)
    options = {"extract_messages": "_,N_,ngettext,pgettext"}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT / "tracker"), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            options_map={"**.py": options}):
        catalog.add(message, locations=[(f"tracker/{filename}", lineno)],
                    auto_comments=comments, context=context,
                    flags=_flags(message))
    for where, text in help_texts():
        catalog.add(text, locations=[(where.replace(" ", "/"), 0)],
                    auto_comments=["a help text"])
    click_dir = Path(click.__file__).parent
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(click_dir), keywords=CLICK_KEYWORDS, options_map={"**.py": {}}):
        catalog.add(message, locations=[(f"click/{filename}", lineno)],
                    auto_comments=["click's own message"], context=context,
                    flags=_flags(message))
    return catalog


def _flags(message: str | tuple[str, ...]) -> tuple[str, ...]:
    text = message if isinstance(message, str) else message[0]
    if "%(" in text or "%s" in text or "%d" in text:
        return ("python-format",)
    return ("python-brace-format",) if "{" in text else ()


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=90, omit_header=False, sort_output=True,
             ignore_obsolete=True, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def update() -> None:
    template = read_catalog(POT)
    for lang in LANGUAGES:
        path = po_path(lang)
        if path.exists():
            catalog = read_catalog(path, lang)
        else:
            catalog = Catalog(locale=lang, domain="tracker", project="tracker")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False  # the header: a fuzzy one would be left out of the .mo
        write_catalog(catalog, path)


def compile_all() -> None:
    for lang in LANGUAGES:
        catalog = read_catalog(po_path(lang), lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path(lang).write_bytes(buffer.getvalue())


def missing(lang: str) -> list[str]:
    """The messages of the template that *lang* lacks, or has only as fuzzy."""
    template = read_catalog(POT)
    catalog = read_catalog(po_path(lang), lang)
    lacking = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = found.string if found is not None else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if found is None or not ok or found.fuzzy:
            lacking.append(message.id if isinstance(message.id, str) else message.id[0])
    return lacking


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        write_catalog(extract(), POT)
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = {lang: missing(lang) for lang in LANGUAGES}
        for lang, lacking in problems.items():
            for message in lacking:
                print(f"{lang}: no translation: {message!r}")
        sys.exit(1 if any(problems.values()) else 0)
    else:
        sys.exit(f"usage: {sys.argv[0]} extract|update|compile|check")


if __name__ == "__main__":
    main()
