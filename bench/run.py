"""Benchmarks of SPEC §8: tracker against Taskwarrior and against the floor, side by side.

Builds data sets of 1k, 10k and 50k items (plans of 1,000 items, mixed statuses, owners,
due dates, and a second import per plan for history) with the tool's own ``import``,
loads the same data into Taskwarrior (one project per plan, one ``task import`` per plan),
then times each operation interleaved (tracker, task, floor, tracker, task, floor, …) and
reports medians, ratios and peak memory as a Markdown table.

    python bench/run.py [--sizes 1000,10000,50000] [--runs 5] [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAN_SIZE = 1000
STATUSES = (["fulfilled"] * 5 + ["in-progress"] * 2 + ["not-started"] * 2
            + ["stalled", "partial", "not-fulfilled", "withdrawn"])
OWNERS = ["Secretariat", "Ministry A", "Ministry B", "Programme office", "Legal", "Finance"]
TASK_STATUS = {"fulfilled": "completed", "withdrawn": "deleted"}


def tracker_bin() -> str:
    found = shutil.which("tracker", path=str(Path(sys.executable).parent))
    if not found:
        sys.exit("tracker is not installed in this interpreter's environment: run make bench")
    return found


# --- data ---------------------------------------------------------------------------------


def plan_rows(plan: int, rng: random.Random, revision: int) -> list[dict[str, str]]:
    """One plan's rows; revision 1 moves about a third of them on (the history)."""
    rows = []
    for n in range(1, PLAN_SIZE + 1):
        status = rng.choice(STATUSES)
        if revision and rng.random() < 0.33:
            status = rng.choice(["fulfilled", "partial", "not-fulfilled"])
        owners = rng.sample(OWNERS, rng.choice([1, 1, 2]))
        rows.append({
            "ref": str(n),
            "title": f"Measure {n} of plan {plan}: "
                     f"{rng.choice(['review', 'adopt', 'publish', 'fund'])} "
                     f"the {rng.choice(['strategy', 'report', 'programme', 'agreement'])}",
            "status": status,
            "reason": "the partner did not reply" if status in ("not-fulfilled", "stalled") else "",
            "owners": "; ".join(owners),
            "area": f"Area {rng.randint(1, 8)}",
            "due": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "weight": str(rng.choice([1, 1, 1, 2])),
        })
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_task_json(path: Path, project: str, rows: list[dict[str, str]]) -> None:
    tasks = []
    for row in rows:
        status = TASK_STATUS.get(row["status"], "pending")
        task = {"uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{project}:{row['ref']}")),
                "description": row["title"], "project": project, "status": status,
                "entry": "20250101T000000Z", "due": row["due"].replace("-", "") + "T000000Z",
                "tags": [o.replace(" ", "_") for o in row["owners"].split("; ")]}
        if status != "pending":
            task["end"] = "20250601T000000Z"
        tasks.append(task)
    path.write_text(json.dumps(tasks))


# --- running ------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_kib: int = 0


def run(cmd: list[str], env: dict[str, str], sample: Sample | None = None,
        stdin: str | None = None) -> float:
    """Run *cmd*, check it succeeded, return its wall time; record peak memory in *sample*."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err}")
    if sample is not None:
        sample.seconds.append(elapsed)
        sample.peak_kib = max(sample.peak_kib, usage.ru_maxrss)
    return elapsed


# One full parse of the file's data: the document, and every plan's rows inside it (the
# schema keeps them as JSON text, which a plain parse would leave unparsed).
FLOOR_READ = """
import gc, sys
gc.disable()
raw = open(sys.argv[1], "rb").read()
if len(raw) > 256 * 1024:
    import orjson as js
else:
    import json as js
d = js.loads(raw)
rows = [js.loads(doc["rows"]) for doc in d["items"].values()]
"""
FLOOR_WRITE = FLOOR_READ + """
import os
for doc, plan_rows in zip(d["items"].values(), rows):
    text = js.dumps(plan_rows)
    doc["rows"] = text.decode() if isinstance(text, bytes) else text
out = js.dumps(d)
out = out if isinstance(out, bytes) else out.encode()
with open(sys.argv[1] + ".floor", "wb") as f:
    f.write(out); f.flush(); os.fsync(f.fileno())
"""


@dataclass
class Row:
    size: int
    operation: str
    tracker: Sample
    task: Sample | None
    floor: Sample | None


def median_ms(sample: Sample | None) -> float | None:
    return statistics.median(sample.seconds) * 1000 if sample and sample.seconds else None


# --- one data set -------------------------------------------------------------------------


def build(size: int, folder: Path, runs: int, env: dict[str, str], tenv: dict[str, str],
          tracker: str) -> tuple[Row, Path]:
    """Build the data set *runs* times (the imports are the measurement); keep the last."""
    plans = size // PLAN_SIZE
    rng = random.Random(size)
    data = folder / "data"
    data.mkdir()
    for p in range(1, plans + 1):
        first = plan_rows(p, rng, 0)
        write_csv(data / f"plan-{p}.csv", first)
        write_csv(data / f"plan-{p}-progress.csv", plan_rows(p, random.Random(p), 1))
        write_task_json(data / f"plan-{p}.json", f"plan-{p}", first)
    ours, theirs = Sample(), Sample()
    db = folder / "tracker.json"
    for attempt in range(runs):
        for path in folder.glob("tracker.json*"):
            path.unlink()
        shutil.rmtree(folder / "task", ignore_errors=True)
        (folder / "task").mkdir()
        started = time.perf_counter()
        for p in range(1, plans + 1):
            run([tracker, "import", f"plan-{p}", str(data / f"plan-{p}.csv"),
                 "--title", f"Plan {p}", "--on", "2025-01-15"], env)
        ours.seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        for p in range(1, plans + 1):
            run(["task", "import", str(data / f"plan-{p}.json")], tenv)
        theirs.seconds.append(time.perf_counter() - started)
        print(f"  {size}: build {attempt + 1}/{runs}: tracker {ours.seconds[-1]:.1f} s, "
              f"task {theirs.seconds[-1]:.1f} s", file=sys.stderr)
    for p in range(1, plans + 1):  # history: a second revision of every plan
        run([tracker, "import", f"plan-{p}", str(data / f"plan-{p}-progress.csv"),
             "--on", "2025-06-01"], env)
    return Row(size, f"{plans} plan imports", ours, theirs, None), db


def measure(size: int, runs: int, keep: Path | None, tracker: str) -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix=f"tracker-bench-{size}-", dir=keep))
    env = {**os.environ, "TRACKER_DB": str(folder / "tracker.json"), "TRACKER_USER": "bench",
           "TRACKER_TODAY": "2025-07-01"}
    env.pop("TRACKER_DEBUG", None)
    taskrc = folder / "taskrc"
    taskrc.write_text(f"data.location={folder / 'task'}\nconfirmation=off\nverbose=nothing\n"
                      "hooks=off\nnews.version=2.6.2\n")
    tenv = {**os.environ, "TASKRC": str(taskrc), "TZ": "UTC"}
    import_row, db = build(size, folder, runs, env, tenv, tracker)
    exported = json.loads(subprocess.run(["task", "project:plan-1", "export"], env=tenv,
                                         capture_output=True, text=True, check=True).stdout)
    pending = [t["uuid"] for t in exported if t["status"] == "pending"]
    uuids = pending[:runs * 2]
    py = sys.executable
    statuses = ["in-progress", "stalled"]
    priorities = ["H", "L"]
    operations: list[tuple[str, Callable[[int], list[str]], Callable[[int], list[str]] | None,
                           str | None]] = [
        ("report one plan", lambda i: [tracker, "report", "plan-1"],
         lambda i: ["task", "project:plan-1", "summary"], "read"),
        ("report all plans", lambda i: [tracker, "report"], lambda i: ["task", "summary"], "read"),
        ("list one plan", lambda i: [tracker, "list", "plan-1"],
         lambda i: ["task", "project:plan-1", "list"], "read"),
        ("one update", lambda i: [tracker, "update", "plan-1:7", "--status", statuses[i % 2]],
         lambda i: ["task", uuids[i % len(uuids)], "modify", f"priority:{priorities[i % 2]}"],
         "write"),
        ("one add", lambda i: [tracker, "add", "plan-1", f"bench item {i}"],
         lambda i: ["task", "add", "project:plan-1", f"bench item {i}"], "write"),
        ("report as of a date", lambda i: [tracker, "report", "plan-1", "--as-of", "2025-03-01"],
         None, "read"),
        ("show one item with history", lambda i: [tracker, "show", "plan-1:9"], None, "read"),
        ("export all as CSV", lambda i: [tracker, "export"], lambda i: ["task", "export"],
         "read"),
    ]
    rows = [import_row]
    for name, ours, theirs, floor in operations:
        row = Row(size, name, Sample(), Sample() if theirs else None,
                  Sample() if floor else None)
        for i in range(runs):
            run(ours(i), env, row.tracker)
            if theirs and row.task is not None:
                run(theirs(i), tenv, row.task)
            if floor and row.floor is not None:
                script = FLOOR_READ if floor == "read" else FLOOR_WRITE
                run([py, "-c", script, str(db)], env, row.floor)
        rows.append(row)
        print(f"  {size}: {name}: {median_ms(row.tracker):.0f} ms", file=sys.stderr)
    journal = Path(str(db) + ".journal")
    rows.append(Row(size, "database file", Sample([0.0], db.stat().st_size // 1024), None, None))
    rows.append(Row(size, "journal file", Sample([0.0], journal.stat().st_size // 1024), None,
                    None))
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def reference(runs: int, tracker: str) -> list[str]:
    """The 34-item reference plan against ``python -c 'import click'``."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-ref-"))
    env = {**os.environ, "TRACKER_DB": str(folder / "tracker.json"), "TRACKER_USER": "bench"}
    run([tracker, "plan", "add", "csto-2023", "--title", "CSTO 2023"], env)
    run([tracker, "import", "csto-2023", str(ROOT / "examples" / "csto-2023.csv")], env)
    click, report, update = Sample(), Sample(), Sample()
    for i in range(max(runs, 15)):
        run([sys.executable, "-c", "import click"], env, click)
        run([tracker, "report", "csto-2023"], env, report)
        run([tracker, "update", "csto-2023:1", "--status",
             ["fulfilled", "in-progress"][i % 2]], env, update)
    shutil.rmtree(folder, ignore_errors=True)
    base = median_ms(click) or 1
    lines = [
        "| command (34-item plan) | median ms | × `python -c \"import click\"` | goal |",
        "|---|---:|---:|---|",
        f"| `python -c \"import click\"` | {base:.1f} | 1.00 | |",
    ]
    for name, sample, goal in (("report csto-2023", report, 1.5),
                               ("update csto-2023:1", update, 2)):
        ms = median_ms(sample) or 0
        verdict = "met" if ms / base <= goal else "NOT met"
        lines.append(f"| `tracker {name}` | {ms:.1f} | {ms / base:.2f} | ≤ {goal} × ({verdict}) |")
    return lines


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| items | operation | tracker ms | task ms | tracker ÷ task | floor ms "
        "| tracker ÷ floor | peak MiB | peak ÷ file |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    files = {row.size: row.tracker.peak_kib for row in rows if row.operation == "database file"}
    for row in rows:
        if row.operation.endswith(" file"):
            lines.append(f"| {row.size:,} | {row.operation} size | | | | | | "
                         f"{row.tracker.peak_kib / 1024:.1f} (file) | |")
            continue
        ours = median_ms(row.tracker) or 0
        theirs = median_ms(row.task)
        floor = median_ms(row.floor)
        lines.append(
            f"| {row.size:,} | {row.operation} | {ours:.0f} | "
            f"{'' if theirs is None else f'{theirs:.0f}'} | "
            f"{'' if theirs is None else f'{ours / theirs:.2f}'} | "
            f"{'' if floor is None else f'{floor:.0f}'} | "
            f"{'' if floor is None else f'{ours / floor:.2f}'} | "
            f"{row.tracker.peak_kib / 1024:.1f} | "
            f"{row.tracker.peak_kib / max(1, files.get(row.size, 1)):.1f} |"
        )
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    task = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; "
            f"Taskwarrior {task}; {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the data sets in this folder")
    args = parser.parse_args()
    if shutil.which("task") is None:
        sys.exit("Taskwarrior is not installed: run make bench (it installs it)")
    tracker = tracker_bin()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"benchmarking sizes {sizes}, {args.runs} runs each", file=sys.stderr)
    ref = reference(args.runs, tracker)
    rows: list[Row] = []
    for size in sizes:
        rows.extend(measure(size, args.runs, args.keep, tracker))
    text = "\n".join([
        f"Machine: {machine()}.",
        f"Medians of {args.runs} interleaved runs (the reference rows: of at least 15).",
        "",
        *ref,
        "",
        *table(rows),
        "",
    ])
    print(text)
    if args.out:
        args.out.write_text(args.out.read_text().split("<!-- results -->")[0]
                            + "<!-- results -->\n" + text if args.out.exists()
                            else "<!-- results -->\n" + text)


if __name__ == "__main__":
    main()
