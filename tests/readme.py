"""Run the README's ``console`` blocks: every ``$ tracker …`` line, in order, in one fresh
database. ``python -m tests.readme --write`` fills the outputs in; the test compares them."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from tracker.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
ENV = {"TRACKER_TODAY": "2024-07-01", "TRACKER_USER": "secretariat", "COLUMNS": "100"}


def run_blocks(text: str) -> list[tuple[str, str]]:
    """Each block's text as written, and as the tool prints it now. The commands run in a
    fresh folder where ``examples`` is the project's; besides ``tracker``, a block may run
    ``python`` (this interpreter) and ``soffice`` (LibreOffice saving a file again, its
    own chatter left out)."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        env = {**ENV, "TRACKER_DB": os.path.join(folder, "tracker.json")}
        runner = CliRunner(env=env)
        os.symlink(ROOT / "examples", os.path.join(folder, "examples"))
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            for match in BLOCK.finditer(text):
                written = match.group(1)
                actual = []
                for line in written.splitlines():
                    if not line.startswith("$ "):
                        continue
                    args = shlex.split(line[2:])
                    if args[0] == "python":
                        done = subprocess.run([sys.executable, *args[1:]], capture_output=True,
                                              text=True, timeout=120, check=False)
                        actual.append(line + "\n" + done.stdout + done.stderr)
                        continue
                    if args[0] == "soffice":
                        profile = Path(folder) / "lo-profile"
                        done = subprocess.run(
                            ["soffice", f"-env:UserInstallation=file://{profile}", *args[1:]],
                            capture_output=True, text=True, timeout=240, check=False)
                        actual.append(line + "\n" + ("" if done.returncode == 0 else
                                                     done.stdout + done.stderr))
                        continue
                    assert args[0] == "tracker", line
                    result = runner.invoke(cli, args[1:], catch_exceptions=False)
                    actual.append(line + "\n" + result.stdout + result.stderr)
                results.append((written, "".join(actual)))
        finally:
            os.chdir(cwd)
    return results


STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def without_clock(text: str) -> str:
    """Recording times differ on every run; everything else must match to the byte."""
    return STAMP.sub("YYYY-MM-DDThh:mm:ssZ", text)


def main() -> None:
    text = README.read_text()
    for written, actual in run_blocks(text):
        text = text.replace("```console\n" + written + "```", "```console\n" + actual + "```", 1)
    if "--write" in sys.argv:
        README.write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
