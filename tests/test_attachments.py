"""Evidence files kept with the measures (SPEC §15): attach, list, detach, get back, undo,
the size limit and bad input — on both backends; the files listed in reports."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.helpers import Ok, Run, jok, snapshot

PROTOCOL = "Протокол заседания СКБ №5\n".encode() * 200


@pytest.fixture
def measure(ok: Ok, tmp_path: Path) -> Path:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "Провести совещание", "--responsible", "MFA")
    ok("add", "p", "Second")
    path = tmp_path / "протокол №5.pdf"
    path.write_bytes(PROTOCOL)
    return path


def test_a_file_is_kept_listed_and_given_back_byte_for_byte(
        ok: Ok, run: Run, measure: Path, tmp_path: Path) -> None:
    result = run("attach", "p:1", str(measure), "--note", "signed", "--on", "2026-01-10")
    assert result.exit_code == 0, result.stderr
    sha = hashlib.sha256(PROTOCOL).hexdigest()
    assert result.stderr == (f"p:1: attached протокол №5.pdf ({len(PROTOCOL):,} bytes, "
                             f"SHA-256 {sha[:16]})\n")
    assert jok(ok, "attachments", "p") == [
        {"id": "p:1", "name": "протокол №5.pdf", "sha256": sha, "size": len(PROTOCOL),
         "attached": "2026-01-10", "note": "signed", "actor": os.environ["TRACKER_USER"]}]
    shown = ok("show", "p:1")  # 'show' lists the measure's files before its history
    assert shown.index("\nfiles\n") < shown.index("\nhistory\n")
    files = shown[shown.index("\nfiles\n"):shown.index("\nhistory\n")].splitlines()
    assert files[2].split() == ["file", "bytes", "attached", "actor", "note"]
    assert files[4].split() == ["протокол", "№5.pdf", f"{len(PROTOCOL):,}", "2026-01-10",
                                os.environ["TRACKER_USER"], "signed"]
    assert "\nприложенные файлы\n" in ok("--lang", "ru", "show", "p:1")
    assert "attachments" not in jok(ok, "show", "p:1")  # (machines: 'attachments -f json')
    out = tmp_path / "back.pdf"
    ok("attachment", "get", "p:1", "протокол №5.pdf", "-o", str(out))
    assert out.read_bytes() == PROTOCOL
    ok("attach", "p:1", str(measure), "--name", "copy.pdf")  # the same content, once kept
    names = [a["name"] for a in jok(ok, "attachments", "p:1")]
    assert names == ["протокол №5.pdf", "copy.pdf"]
    ok("detach", "p:1", "copy.pdf")
    assert [a["name"] for a in jok(ok, "attachments")] == ["протокол №5.pdf"]
    log = ok("log", "p:1")  # the journal names each file
    assert "file: copy.pdf → –" in log
    assert f"file: – → протокол №5.pdf ({len(PROTOCOL):,} bytes)" in log
    assert "\n  detach p:1 copy.pdf\n" in run("undo").stderr
    assert f"файл: – → протокол №5.pdf ({len(PROTOCOL):,} байт)".replace(",", "\u00a0") \
        in ok("--lang", "ru", "log", "p:1")
    ok("undo", "--yes")  # the detach taken back
    assert [a["name"] for a in jok(ok, "attachments")] == ["протокол №5.pdf", "copy.pdf"]
    ok("undo", "--yes")
    ok("undo", "--yes")  # the first attach taken back
    assert ok("attachments", "-f", "json").strip() == "[]"
    undone = [line for line in ok("log", "p:1").splitlines() if "undo of step" in line]
    assert [line.split("  undo  ")[1].split("undo of step")[0].strip() for line in undone] == [
        "file: протокол №5.pdf → –", "file: copy.pdf → –", "file: – → copy.pdf"]
    actions = [e["action"] for e in jok(ok, "log", "p:1")]
    assert actions[:3] == ["undo", "undo", "undo"] and "attach" in actions
    one = tmp_path / "one.txt"
    one.write_bytes(b"x" * 1022)
    assert run("--lang", "ru", "attach", "p:2", str(one)).stderr.startswith(
        "p:2: приложен файл one.txt (1\u00a0022 байта, SHA-256 ")


def test_bad_files_and_names_say_one_line_and_keep_nothing(
        run: Run, ok: Ok, db: Path, measure: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    ok("attach", "p:1", str(measure))
    before = snapshot(db)
    cases = [
        (("attach", "p:1", str(tmp_path)), "is a folder"),
        (("attach", "p:1", str(tmp_path / "missing.pdf")), "cannot read"),
        (("attach", "p:1", str(fifo)), "is not a regular file"),
        (("attach", "p:1", str(measure), "--name", "a/b.pdf"), "invalid file name 'a/b.pdf'"),
        (("attach", "p:1", str(measure), "--name", "a\nb"), "invalid file name"),
        (("attach", "p:1", str(measure), "--name", "a\u202eb.pdf"),  # shown as 'afdp.b'
         r"invalid file name 'a\u202eb.pdf'"),
        (("attach", "p:1", str(measure), "--name", "a\x85b"), "invalid file name"),
        (("attach", "p:2", str(measure), str(measure)),
         "the name 'протокол №5.pdf' is given to more than one of the files: each file needs"),
        (("attach", "p:1", str(measure)), "already has a file named"),
        (("attach", "p:9", str(measure)), "no item 'p:9' in plan 'p'"),
        (("detach", "p:1", "nothing.pdf"), "p:1 has no file named 'nothing.pdf'"),
        (("attachment", "get", "p:1", "nothing.pdf", "-o", str(tmp_path / "x")),
         "has no file named"),
    ]
    for args, words in cases:
        result = run(*args)
        assert result.exit_code in (1, 2), (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
        assert snapshot(db) == before, args
    monkeypatch.setenv("TRACKER_MAX_ATTACHMENT", "1K")
    result = run("attach", "p:2", str(big))
    assert result.exit_code == 2, result.stderr
    assert "big.bin is 2,048 bytes, over the limit of 1,024 bytes" in result.stderr
    assert snapshot(db) == before
    monkeypatch.setenv("TRACKER_MAX_ATTACHMENT", "lots")
    result = run("attach", "p:2", str(big))
    assert result.exit_code in (1, 2) and "invalid TRACKER_MAX_ATTACHMENT" in result.stderr
    assert snapshot(db) == before


def test_reports_list_each_measures_files(ok: Ok, measure: Path) -> None:
    ok("attach", "p:1", str(measure), "--on", "2026-01-10")
    lines = ok("report", "p").splitlines()
    start = lines.index("evidence files (1)")
    assert lines[start + 3].split() == ["p:1", "протокол", "№5.pdf", f"{len(PROTOCOL):,}",
                                        "2026-01-10", "Провести", "совещание"]
    (entry,) = jok(ok, "report", "p")["plans"]
    assert entry["attachments"] == [{"id": "p:1", "name": "протокол №5.pdf",
                                     "size": len(PROTOCOL), "attached": "2026-01-10",
                                     "title": "Провести совещание"}]


def test_a_report_as_of_a_day_and_a_published_one_list_that_days_files(
        ok: Ok, run: Run, measure: Path, tmp_path: Path) -> None:
    second = tmp_path / "decision.pdf"
    second.write_bytes(b"%PDF decision")
    ok("update", "p:1", "--status", "in-progress", "--on", "2026-01-05")  # there since then
    ok("update", "p:2", "--status", "in-progress", "--on", "2026-01-05")
    ok("attach", "p:1", str(measure), "--on", "2026-01-10")
    ok("attach", "p:2", str(second), "--on", "2026-01-12")
    ok("detach", "p:1", "протокол №5.pdf", "--on", "2026-01-14")

    def listed(*args: str) -> list[tuple[str, str, str]]:
        (entry,) = jok(ok, "report", "p", *args)["plans"]
        return [(a["id"], a["name"], a["attached"]) for a in entry["attachments"]]

    assert listed("--as-of", "2026-01-11") == [("p:1", "протокол №5.pdf", "2026-01-10")]
    assert listed("--as-of", "2026-01-13") == [("p:1", "протокол №5.pdf", "2026-01-10"),
                                               ("p:2", "decision.pdf", "2026-01-12")]
    assert listed() == [("p:2", "decision.pdf", "2026-01-12")]
    printed = run("report", "p", "--as-of", "2026-01-13", "--publish", "council-feb")
    assert "evidence files (2)" in printed.stdout.splitlines()
    assert run("report", "--published", "council-feb").stdout == printed.stdout
    ok("report", "--published", "council-feb", "-f", "docx", "-o", str(tmp_path / "r.docx"))
    import docx

    last = docx.Document(str(tmp_path / "r.docx")).tables[-1]
    assert [row.cells[1].text for row in last.rows] == ["File", "протокол №5.pdf",
                                                       "decision.pdf"]


def test_word_and_pdf_reports_end_with_an_annex_of_the_files(
        ok: Ok, measure: Path, tmp_path: Path) -> None:
    import subprocess

    import docx

    ok("attach", "p:1", str(measure), "--on", "2026-01-10")
    ok("report", "p", "-f", "docx", "-o", str(tmp_path / "r.docx"))
    document = docx.Document(str(tmp_path / "r.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[-2:] == ["Annex: files kept as evidence",
                          "The files are kept with the database and listed here, not "
                          "included: 'tracker attachment get ITEM NAME -o FILE' gives each "
                          "back."]
    last = document.tables[-1]
    assert [c.text for c in last.rows[0].cells] == ["Id", "File", "Bytes", "Attached",
                                                    "Measure"]
    assert [c.text for c in last.rows[1].cells] == [
        "p:1", "протокол №5.pdf", f"{len(PROTOCOL):,}", "2026-01-10", "Провести совещание"]
    ok("report", "p", "-f", "pdf", "-o", str(tmp_path / "r.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    annex = text[text.index("Annex: files kept as evidence"):]
    assert "протокол №5.pdf" in annex and f"{len(PROTOCOL):,}" in annex


@pytest.mark.file_only  # a server keeps its files in a table, backed up with the database
def test_repair_names_each_kept_file_missing_or_changed_and_a_backup_mends_it(
        ok: Ok, run: Run, db: Path, measure: Path) -> None:
    ok("attach", "p:1", str(measure))
    ok("report", "p", "--publish", "council")
    folder = Path(f"{db}.files")
    kept = sorted(folder.iterdir())
    assert len(kept) == 2  # the protocol and the published report's snapshot
    backup = {path.name: path.read_bytes() for path in kept}
    protocol = folder / hashlib.sha256(PROTOCOL).hexdigest()
    (snapshot_file,) = [path for path in kept if path != protocol]
    protocol.unlink()
    snapshot_file.write_bytes(b"{}")
    before = snapshot(db)
    result = run("repair", "--yes")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert sorted(lines[:2]) == sorted([
        f"the file {protocol.name[:16]} kept with {db} is missing (p:1 протокол №5.pdf)",
        f"the file {snapshot_file.name[:16]} kept with {db} was changed: its content is not "
        "what was kept (the published report council)"])
    assert lines[2] == (f"Error: 2 files kept with {db} are missing or changed, and only a "
                        "backup has them")
    assert snapshot(db) == before  # nothing it could mend, nothing written
    for name, data in backup.items():  # the files put back from a backup
        (folder / name).write_bytes(data)
    result = run("repair", "--yes")
    assert (result.exit_code, result.stderr) == (
        0, f"nothing to repair: {db}, its journal and the files kept with it are whole\n")


def test_an_attach_that_fails_after_a_copy_leaves_every_file_as_it_was(
        ok: Ok, run: Run, db: Path, measure: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import fileio

    ok("attach", "p:2", str(measure))  # the database and its files folder are there
    second = tmp_path / "annex.pdf"
    second.write_bytes(b"%PDF annex")
    grown = tmp_path / "grown.pdf"
    grown.write_bytes(b"%PDF grown")
    copy, read = fileio.copy_at_most, fileio.read_at_most

    def grows(path: str, *args: object) -> object:  # as if it grew past the limit
        if path.endswith("grown.pdf"):
            raise fileio.OverLimit(path)
        return copy(path, *args) if len(args) == 2 else read(path, *args)  # type: ignore

    monkeypatch.setattr(fileio, "copy_at_most", grows)
    monkeypatch.setattr(fileio, "read_at_most", grows)
    before = snapshot(db)
    result = run("attach", "p:1", str(second), str(grown))
    assert result.exit_code == 2, result.stderr
    assert result.stderr == (f"Error: {grown} is over the limit of 52,428,800 bytes "
                             "(TRACKER_MAX_ATTACHMENT)\n")
    assert snapshot(db) == before  # annex.pdf's copy is gone with the command (a temp
    # copy beside a file database would show in the snapshot, which lists every file)


def test_a_limit_far_over_the_file_is_no_buffer_of_its_size(
        ok: Ok, measure: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TRACKER_MAX_ATTACHMENT=100G set aside 100 GB for a 6 kB file on a server (a check
    as a new user found: 'internal error: MemoryError')."""
    monkeypatch.setenv("TRACKER_MAX_ATTACHMENT", "100G")
    ok("attach", "p:1", str(measure))
    assert [a["size"] for a in jok(ok, "attachments", "p:1")] == [len(PROTOCOL)]


@pytest.mark.file_only
def test_a_kept_file_forged_on_disk_is_mended_by_the_next_attach_of_its_content(
        ok: Ok, db: Path, measure: Path, tmp_path: Path) -> None:
    """Anyone who can write the folder could put other bytes under a file's name: an attach
    of the real content does not trust them, it writes the file again."""
    ok("attach", "p:1", str(measure))
    kept = Path(f"{db}.files") / hashlib.sha256(PROTOCOL).hexdigest()
    kept.write_bytes(b"forged")
    ok("attach", "p:2", str(measure))
    assert kept.read_bytes() == PROTOCOL
    out = tmp_path / "back.pdf"
    ok("attachment", "get", "p:1", "протокол №5.pdf", "-o", str(out))
    assert out.read_bytes() == PROTOCOL


def test_undo_of_a_detach_whose_file_is_gone_names_it(
        ok: Ok, run: Run, db: Path, measure: Path) -> None:
    ok("attach", "p:1", str(measure))
    ok("detach", "p:1", "протокол №5.pdf")
    sha = hashlib.sha256(PROTOCOL).hexdigest()
    if isinstance(db, Path):  # the file lost from the folder beside the database
        (Path(f"{db}.files") / sha).unlink()
    else:  # (the owner deleting the row with psql)
        with db.connect() as conn:
            conn.execute("DELETE FROM tracker.files WHERE sha256 = %s", (sha,))
    before = snapshot(db)
    result = run("undo", "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"Error: cannot undo the detach of протокол №5.pdf from p:1: the file {sha[:16]} kept "
        f"with {db} is missing; nothing was undone")
    assert snapshot(db) == before


def test_a_briefing_since_a_day_or_a_published_report_names_the_files_attached_and_detached(
        ok: Ok, measure: Path, tmp_path: Path) -> None:
    act = tmp_path / "act.pdf"
    act.write_bytes(b"%PDF act")
    ok("add", "p", "Third", "--on", "2026-01-01")
    ok("add", "p", "Fourth", "--on", "2026-01-01")
    ok("attach", "p:3", str(measure), "--on", "2026-01-05")
    ok("report", "p", "--publish", "council")
    ok("attach", "p:4", str(act), "--on", "2026-01-12")
    ok("detach", "p:3", "протокол №5.pdf", "--on", "2026-01-12")
    attached = [{"id": "p:4", "name": "act.pdf", "size": 8, "attached": "2026-01-12"}]
    detached = [{"id": "p:3", "name": "протокол №5.pdf", "size": len(PROTOCOL),
                 "attached": "2026-01-05"}]
    for args in (["--since-published", "council"], ["--since", "2026-01-10"]):
        (entry,) = jok(ok, "report", "p", *args, "-f", "json")["plans"]
        assert (entry["changes"]["files_attached"], entry["changes"]["files_detached"]) == (
            attached, detached), args
    text = ok("report", "p", "--since-published", "council")
    assert "file attached: 1" in text and "file detached: 1" in text
    (entry,) = jok(ok, "report", "p", "--since", "2026-01-13", "-f", "json")["plans"]
    assert "files_attached" not in entry["changes"]  # nothing moved since
    from tests.test_documents import docx_text

    word = tmp_path / "briefing.docx"  # the Word briefing's tables of five columns
    ok("--lang", "ru", "report", "p", "--since", "2026-01-10", "-f", "docx", "-o", str(word))
    _document, texts = docx_text(word)
    assert "Приложен файл: 1" in texts and "Откреплён файл: 1" in texts
    assert "act.pdf" in texts and "протокол №5.pdf" in texts
