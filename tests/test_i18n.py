"""Russian as a first-class language (SPEC §10): how the language is chosen, a catalogue
with nothing missing, no English left in Russian output, JSON the same in both, and
Russian that reads right — plurals, the genitive after «из», dates, «94,1 %», CSV."""

from __future__ import annotations

import csv
import gettext
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import Ok, Run, command_paths, jok
from tests.readme import ROOT
from tracker.cli import cli

RU = ["--lang", "ru"]
REFERENCE = ROOT / "examples" / "csto-2023.csv"


def reference(ok: Ok, source: Path = REFERENCE) -> None:
    ok("plan", "add", "csto-2023", "--title", "План мероприятий ОДКБ на 2023 год")
    ok("import", "csto-2023", str(source), "--on", "2023-11-21")


# --- choosing the language --------------------------------------------------------------


@pytest.mark.parametrize("env, args, russian", [
    ({}, ["--lang", "ru"], True),
    ({"TRACKER_LANG": "ru"}, [], True),
    ({"TRACKER_LANG": "ru"}, ["--lang", "en"], False),
    ({"LANG": "ru_RU.UTF-8"}, [], True),
    ({"LC_MESSAGES": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, [], True),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}, [], False),
    ({"TRACKER_LANG": "en", "LANG": "ru_RU.UTF-8"}, [], False),
    ({"LANG": "de_DE.UTF-8"}, [], False),
    ({}, [], False),
])
def test_the_language_comes_from_the_flag_then_tracker_lang_then_the_locale(
        tmp_path: Path, env: dict[str, str], args: list[str], russian: bool) -> None:
    base = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "TRACKER_LANG": None,
            "LANGUAGE": None, "TRACKER_DB": str(tmp_path / "db.json")}
    result = CliRunner(env={**base, **env}).invoke(cli, [*args, "plan", "list"])
    assert result.exit_code == 0
    expected = "Планов пока нет" if russian else "No plans yet"
    assert expected in result.stderr, result.stderr


@pytest.mark.parametrize("env, args", [({}, ["--lang", "fr"]), ({"TRACKER_LANG": "xx"}, [])])
def test_an_unknown_language_is_bad_usage(tmp_path: Path, env: dict[str, str],
                                          args: list[str]) -> None:
    base = {"TRACKER_DB": str(tmp_path / "db.json"), "TRACKER_LANG": None}
    result = CliRunner(env={**base, **env}).invoke(cli, [*args, "plan", "list"])
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "en|ru" in result.stderr


# --- the catalogue ------------------------------------------------------------------------


def i18n_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_every_message_has_its_russian_text() -> None:
    checked = i18n_script("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_template_holds_every_message_of_the_code(tmp_path: Path) -> None:
    """Nobody added a message without extracting it (and so without translating it)."""
    code = ("import sys; sys.path.insert(0, 'scripts'); import i18n; "
            "print('\\n'.join(sorted(repr((m.context, m.id)) for m in i18n.extract() if m.id)))")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, cwd=ROOT, check=True).stdout.splitlines()
    sys.path.insert(0, str(ROOT / "scripts"))
    import i18n  # type: ignore[import-not-found]

    committed = sorted(repr((m.context, m.id)) for m in i18n.read_catalog(i18n.POT) if m.id)
    assert fresh == committed, "run scripts/i18n.py extract, update, translate, compile"


def test_the_compiled_catalogue_is_the_translations() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import i18n

    catalog = i18n.read_catalog(i18n.po_path("ru"), "ru")
    with i18n.mo_path("ru").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.plural(21) == 0 and compiled.plural(22) == 1 and compiled.plural(25) == 2
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n, form in ((1, 0), (2, 1), (5, 2)):
                got = (compiled.npgettext(message.context, *message.id, n) if message.context
                       else compiled.ngettext(*message.id, n))
                assert got == message.string[form], message.id
        else:
            got = (compiled.pgettext(message.context, message.id) if message.context
                   else compiled.gettext(message.id))
            assert got == message.string, message.id


def test_loading_russian_imports_no_babel(tmp_path: Path) -> None:
    code = (f"import sys; sys.argv = ['tracker', '--db', {str(tmp_path / 'db.json')!r}, "
            "'--lang', 'ru', 'plan', 'list']\nfrom tracker.cli import main\ntry:\n    main()\n"
            "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if "
            "m.startswith('babel')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip().endswith("[]")
    assert "Планов пока нет" in out.stderr


# --- no English left in Russian -------------------------------------------------------------

# Three Latin-alphabet words in a row, outside what stays as it is (commands, options,
# metavars, identifiers, file names, format examples, the data itself).
ENGLISH = re.compile(r"\b[a-z]{2,}[,.;:]?\s+[a-z]{2,}[,.;:]?\s+[a-z]{2,}\b")
KEPT = [
    re.compile(r"^\s*(tracker|export|eval|\$) .*$", re.M),  # example lines of help texts
    re.compile(r"'[^'\n]*'"),  # a command line or a value, quoted to be copied
    re.compile(r"\btracker(\s+[a-z][a-z-]*)*"),  # a command's name, as in "Usage:"
    re.compile(r"\b(not-started|in-progress|stalled|fulfilled|partial|not-fulfilled|"
               r"withdrawn)\b(,\s*)?"),  # the statuses as they are typed
    re.compile(r"--?[a-zA-Z][\w-]*(=\S+)?"),  # options
    re.compile(r"\b[A-Z][A-Z_|.\[\]]+\b"),  # metavars and environment variables
    re.compile(r"\S*[/\\]\S*"),  # paths and URLs
    re.compile(r"postgresql:\S*"),
    re.compile(r"\b(en|ru)\|(en|ru)\b"),
    re.compile(r"\b(csv|json|markdown|table|plain|grid|html|xlsx|docx|pdf|owner|area|status|"
               r"ref|due|month|quarter|year|today|none|tab)\b(,\s*)?"),
]


def english_in(text: str) -> list[str]:
    for pattern in KEPT:
        text = pattern.sub(" ", text)
    return ENGLISH.findall(text.lower())


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "tracker")
def test_every_help_in_russian_has_no_english_sentence(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*RU, *path, "--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Использование: tracker")
    assert "Параметры:" in result.stdout
    assert english_in(result.stdout) == [], result.stdout


FAILURES = [
    ["add", "nope", "Мера"], ["plan", "show", "nope"], ["show", "p:9"], ["update", "p:1"],
    ["update", "p:1", "--status", "готово"], ["add", "p", "М", "--due", "скоро"],
    ["add", "p", "М", "--weight", "0"], ["add", "p", "М", "--on", "31.02.2024"],
    ["report", "--as-of", "вчера"], ["list", "--bogus"], ["add"], ["add", "p"],
    ["plan", "add", "p", "--title", "Снова"], ["plan", "remove", "p"], ["undo"],
    ["import", "p", "нет-такого.csv"], ["export", "-f", "xlsx"], ["report", "--by", "кто"],
    ["frobnicate"], ["report", "--db", "x.json"], ["add", "p", "-5% расходов"],
    ["list", "--status"], ["plan", "edit", "p"], ["update", "p:1", "--due", "2023-13-01"],
    ["repair"],
]


@pytest.mark.parametrize("args", FAILURES, ids=lambda a: " ".join(a))
def test_failing_commands_in_russian_say_so_in_russian(ok: Ok, run: Run,
                                                      args: list[str]) -> None:
    ok("plan", "add", "p", "--title", "План")
    ok("add", "p", "Мера", "--status", "исполнено")
    result = run(*RU, *args)
    assert result.exit_code in (1, 2), result.stderr
    assert any(line.startswith("Ошибка: ") for line in result.stderr.splitlines()), \
        result.stderr
    assert english_in(result.stderr) == [], result.stderr


def test_the_reference_report_in_russian(ok: Ok) -> None:
    reference(ok, ROOT / "examples" / "csto-2023.ru.csv")
    text = ok(*RU, "report", "csto-2023", "--as-of", "21.11.2023")
    lines = text.splitlines()
    assert lines[0] == "csto-2023: План мероприятий ОДКБ на 2023 год"
    assert lines[1] == "Из 34 мероприятий исполнено 32 (94,1 %), не исполнено 2"
    assert "по состоянию на 21.11.2023" in text
    assert "94,1 %" in text and "94.1%" not in text
    assert "не исполнено" in text and "not-fulfilled" not in text
    assert english_in(text) == [], text


def test_the_summary_sentence_in_english(ok: Ok) -> None:
    reference(ok)
    assert ok("report", "csto-2023").splitlines()[1] == (
        "32 of 34 measures fulfilled (94.1%); 2 not fulfilled")


@pytest.mark.parametrize("count, items, measures", [
    (1, "мероприятия", "1 мероприятие"), (2, "мероприятий", "2 мероприятия"),
    (5, "мероприятий", "5 мероприятий"), (11, "мероприятий", "11 мероприятий"),
    (21, "мероприятия", "21 мероприятие"), (22, "мероприятий", "22 мероприятия"),
    (25, "мероприятий", "25 мероприятий"), (101, "мероприятия", "101 мероприятие"),
    (111, "мероприятий", "111 мероприятий"),
])
def test_plurals_and_the_genitive_after_iz(ok: Ok, run: Run, tmp_path: Path, count: int,
                                           items: str, measures: str) -> None:
    source = tmp_path / "n.csv"
    source.write_text("title,status\n" + "".join(f"M{n},fulfilled\n" for n in range(count)))
    ok("import", "n", str(source), "--title", "N")
    text = ok(*RU, "report", "n")
    assert f"Из {count} {items} исполнено {count} (100,0 %)" in text
    refs = [f"n:{n}" for n in range(1, count + 1)]
    updated = run(*RU, "update", *refs, "--status", "в работе")
    assert updated.stderr == f"обновлено {measures}\n"


def test_dates_numbers_statuses_and_periods_in_russian_tables(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "План")
    ok("add", "p", "Провести заседание", "--due", "2023-Q4", "--weight", "1.5",
       "--status", "stalled", "--reason", "ждём партнёра", "--on", "2023-03-01")
    listed = ok(*RU, "list", "p")
    assert "IV квартал 2023 г." in listed and "приостановлено" in listed
    shown = ok(*RU, "show", "p:1")
    assert "01.03.2023" in shown and "1,5" in shown and "2023-03-01" not in shown.split(
        "история")[0]
    assert "последний день срока" in shown and "31.12.2023" in shown


def test_json_is_the_same_in_both_languages(ok: Ok) -> None:
    reference(ok)
    ok("update", "csto-2023:1", "--status", "stalled", "--reason", "ждём", "--due", "2024-Q1")
    for args in (["report", "--by", "owner"], ["list"], ["show", "csto-2023:1"],
                 ["plan", "list"], ["plan", "show", "csto-2023"], ["export", "-f", "json"],
                 ["report", "--as-of", "2023-11-21"]):
        english = ok(*args, "--format", "json")
        russian = ok(*RU, *args, "--format", "json")
        assert json.loads(english) == json.loads(russian), args
        assert english == russian, args
    assert json.loads(ok("log", "-f", "json")) == json.loads(ok(*RU, "log", "-f", "json"))


def test_csv_in_russian(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "План")
    ok("add", "p", "Провести заседание", "--due", "2023-Q4", "--weight", "1.5",
       "--status", "not-fulfilled", "--reason", "их позиция", "--owner", "МИД",
       "--owner", "Минобороны", "--on", "2023-03-01")
    ok("add", "p", "Опубликовать доклад", "--due", "2023-11-23", "--on", "2023-03-01")
    text = ok(*RU, "export", "p")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["план", "№ п/п", "мероприятие", "статус", "причина", "исполнители",
                       "раздел", "срок", "вес", "подтверждение", "обновлено"]
    assert rows[1] == ["p", "1", "Провести заседание", "не исполнено", "их позиция",
                       "МИД; Минобороны", "", "IV квартал 2023 г.", "1,5", "", "01.03.2023"]
    assert rows[2][7] == "23.11.2023"
    target = tmp_path / "ru.csv"
    ok(*RU, "export", "p", "-o", str(target))
    ok("import", "q", str(target), "--title", "Q")  # read back while speaking English
    keys = ("ref", "title", "status", "reason", "owners", "due", "weight")
    assert [[i[k] for k in keys] for i in jok(ok, "list", "q")] == \
        [[i[k] for k in keys] for i in jok(ok, "list", "p")]
    again = list(csv.reader(io.StringIO(ok(*RU, "export", "q")), delimiter=";"))
    assert [r[1:-1] for r in again] == [r[1:-1] for r in rows]  # all but plan and updated
    assert ok(*RU, "export", "p", "--delimiter", ",").startswith("план,№ п/п,")


def test_html_and_the_workbook_speak_russian(ok: Ok, tmp_path: Path) -> None:
    import openpyxl

    reference(ok)
    page = ok(*RU, "report", "csto-2023", "--format", "html")
    assert '<html lang="ru">' in page
    assert "Из 34 мероприятий исполнено 32 (94,1 %), не исполнено 2" in page
    target = tmp_path / "ru.xlsx"
    ok(*RU, "export", "csto-2023", "--format", "xlsx", "-o", str(target))
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Сводка", "Мероприятия", "Не исполнено",
                               "Исполнительская дисциплина"]
    items = book["Мероприятия"]
    assert [c.value for c in items[1]][:4] == ["план", "№ п/п", "мероприятие", "статус"]
    assert items["D2"].value == "исполнено"
    assert items["K2"].number_format == "dd.mm.yyyy"
