from tests.helpers import Run


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == "tracker 0.1.0\n"
