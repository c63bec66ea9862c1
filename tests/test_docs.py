"""The README's examples run as shown, and every command's help has an example."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tests.helpers import command_paths
from tests.readme import README, run_blocks, without_clock
from tracker.cli import cli


def test_readme_examples_print_what_the_readme_shows() -> None:
    blocks = run_blocks(README.read_text())
    assert len(blocks) >= 7
    for written, actual in blocks:
        assert without_clock(actual) == without_clock(written)


def test_readme_starts_with_the_two_setup_commands() -> None:
    head = README.read_text().split("## ")[0]
    assert "make demo" in head and "make test" in head


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "tracker")
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(cli, [*path, "-h"])
    assert result.exit_code == 0
    assert "Usage: tracker" in result.stdout
    assert "Example" in result.stdout
