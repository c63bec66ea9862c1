"""The house rules that keep the code's shape: no import cycle, each backend loads only its
own library, a plain report loads only what it needs, every module says what it holds."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readme import ROOT

PACKAGE = ROOT / "tracker"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def runtime_imports(path: Path) -> set[str]:
    """The tracker modules *path* imports when it runs (at import time or inside its
    functions); imports under ``if TYPE_CHECKING:`` never run and are left out."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join([package.rsplit(".", child.level - 1)[0], base]).strip(".")
                found.add(base)
                found.update(f"{base}.{a.name}" for a in child.names)
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES and name != this}


def test_no_import_cycle_among_tracker_modules() -> None:
    graph = {name: runtime_imports(path) for name, path in MODULES.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                cycle = stack[stack.index(other):] + [other]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if other not in state:
                walk(other)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)


def test_every_module_says_what_it_holds() -> None:
    for name, path in MODULES.items():
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc.splitlines()[0]) > 20, f"{name}: no docstring says what it holds"


def loaded_after(code: str) -> set[str]:
    run = subprocess.run([sys.executable, "-c", code + "\nimport sys, json; "
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(run.stdout.splitlines()[-1]))


def test_the_file_backend_loads_no_psycopg_and_the_server_backend_no_tinydb() -> None:
    file_side = loaded_after("import tracker.store.file")
    assert "psycopg" not in file_side and "tracker.store.postgres" not in file_side
    # nor tinydb itself: the storage speaks its interface without importing it
    assert "tinydb" not in file_side
    server_side = loaded_after("import tracker.store.postgres")
    assert "tinydb" not in server_side and "tracker.store.file" not in server_side
    assert "psycopg" in server_side


# What `tracker report PLAN` (text, today) must never load: it is the command people run
# most, and its start-up is a goal (SPEC §8). Each of these is imported where it is needed.
NOT_FOR_A_REPORT = [
    "tabulate", "xlsxwriter", "openpyxl", "docx", "weasyprint", "psycopg", "babel",
    "orjson", "platformdirs", "dataclasses", "tempfile", "glob", "csv", "textwrap",
    "tracker.service", "tracker.history", "tracker.progress", "tracker.readers",
    "tracker.render.json", "tracker.render.csv", "tracker.render.html", "tracker.render.xlsx",
    "tracker.render.markdown", "tracker.store.postgres", "tracker.store.memory",
]


def test_a_plain_report_loads_only_what_it_needs(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    env_code = f"import os; os.environ.update(TRACKER_DB={str(db)!r}, TRACKER_TODAY='2024-07-01')"
    setup = subprocess.run(
        [sys.executable, "-c", env_code + "\nimport sys; from tracker.cli import main\n"
         "sys.argv = ['tracker', 'plan', 'add', 'p', '--title', 'P']\n"
         "try:\n    main()\nexcept SystemExit:\n    pass\n"
         "sys.argv = ['tracker', 'add', 'p', 'Measure']\n"
         "try:\n    main()\nexcept SystemExit:\n    pass"],
        capture_output=True, text=True, timeout=60)
    assert setup.returncode == 0, setup.stderr
    loaded = loaded_after(env_code + "\nimport sys; from tracker.cli import main\n"
                          "sys.argv = ['tracker', 'report', 'p']\n"
                          "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code")
    assert "tracker.render.text" in loaded  # it did run the report
    assert sorted(m for m in NOT_FOR_A_REPORT if m in loaded) == []


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_an_office_import_reads_the_xml_without_office_libraries(tmp_path: Path,
                                                                 kind: str) -> None:
    """The import of a workbook or a Word table reads its XML itself (README, "How the
    files are read"): loading openpyxl or python-docx (and lxml) would cost more than the
    whole CSV import of the same rows."""
    from tests.test_readers import word_plan, workbook

    source = (workbook(tmp_path / "p.xlsx", [["title"], ["A"]]) if kind == "xlsx"
              else word_plan(tmp_path / "p.docx", [["1", "A", "2024", "B"]]))
    loaded = loaded_after(
        f"import os; os.environ.update(TRACKER_DB={str(tmp_path / 'db.json')!r})\n"
        "import sys; from tracker.cli import main\n"
        f"sys.argv = ['tracker', 'import', 'p', {str(source)!r}, '--title', 'P']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code")
    assert f"tracker.readers.{kind}" in loaded  # it did read the file
    assert sorted(m for m in ("openpyxl", "docx", "lxml") if m in loaded) == []
