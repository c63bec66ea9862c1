"""The HTML report in a real browser: headless Chromium's DOM holds the report's text, and
its screenshot shows the chart's bars where the SVG is.

Chromium is Debian's ``chromium`` package; ``make test`` installs it. Without it these
tests fail (they never skip). ``TRACKER_WRITE_SCREENSHOT=1`` also saves the screenshot as
docs/report.png, the picture in the README.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import TODAY
from tests.readme import ROOT
from tests.test_html_report import Page
from tracker.cli import cli
from tracker.render.html import BAR_FILL, BAR_WIDTH, TOTAL_FILL

pytestmark = pytest.mark.programs

WINDOW = (900, 1400)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--hide-scrollbars", "--force-device-scale-factor=1", "--host-resolver-rules=MAP * ~NOTFOUND",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]
# Run only inside the test's own copy of the page, to read where the chart was laid out.
MEASURE = """<script>
const chart = document.getElementById("chart-rate");
const box = chart.getBoundingClientRect();
const right = Math.max(...[...chart.querySelectorAll(":scope > text:not(.label)")].map(
  t => t.getBoundingClientRect().right));
document.body.dataset.box = [box.left, box.top, box.width, box.height, right].join(",");
</script>"""


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("chromium is not installed: run `make test` (it installs the Debian "
                    "package), or `apt-get install chromium`", pytrace=False)
    return path


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with a fresh profile; its stdout."""
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    result = subprocess.run(
        [chromium_path(), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@dataclass
class Rendered:
    html: str
    dom: str
    box: tuple[float, float, float, float]
    screenshot: Path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The reference plan and the README's office plan, rendered three ways by Chromium."""
    tmp_path = tmp_path_factory.mktemp("browser")
    runner = CliRunner(env={"TRACKER_DB": str(tmp_path / "tracker.json"),
                            "TRACKER_USER": "tester", "TRACKER_TODAY": TODAY})

    def ok(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout

    ok("plan", "add", "csto-2023", "--title", "CSTO action plan 2023", "--org", "CSTO")
    ok("import", "csto-2023", str(ROOT / "examples" / "csto-2023.csv"), "--on", "2023-11-21")
    ok("plan", "add", "office-2024", "--title", "Example: a programme office's plan for 2024")
    ok("add", "office-2024", "Publish the annual report", "--owner", "Comms", "--due",
       "2024-03-31", "--status", "fulfilled", "--on", "2024-01-10")
    ok("add", "office-2024", "Hold the donor conference", "--owner", "Director", "--due",
       "2024-06-30", "--status", "in-progress", "--on", "2024-01-10")
    ok("add", "office-2024", "Open the regional desk", "--ref", "3.1", "--weight", "2",
       "--status", "stalled", "--reason", "no host-country agreement yet", "--on", "2024-01-10")
    page = tmp_path / "report.html"
    ok("report", "--as-of", "2024-07-01", "--format", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())

    measured = tmp_path / "measured.html"
    measured.write_text(html.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    found = re.search(r'data-box="([^"]+)"', chromium(tmp_path, "--dump-dom",
                                                       measured.as_uri()))
    assert found, "the measuring script did not run"
    left, top, width, height, right = (float(v) for v in found.group(1).split(","))
    # "weighted 86.8% · 33 of 37 (weights 1–2)", bold, ends inside the chart
    assert left < right <= left + width, (right, left + width)

    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", page.as_uri())
    assert shot.exists()
    if os.environ.get("TRACKER_WRITE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, ROOT / "docs" / "report.png")
    return Rendered(html, dom, (left, top, width, height), shot)


def test_the_dom_holds_the_report_text(rendered: Rendered) -> None:
    source, dom = Page(rendered.html), Page(rendered.dom)
    assert dom.chunks == source.chunks  # every piece of text, in order
    for text in ("Completion of 2 action plans", "As of 2024-07-01",
                 "94.1% — fulfilled 32 of 34 counted", "94.1% · 32 of 34",
                 "Primarily because of their stance.",
                 "asked to remove the document from the agenda.",
                 "office-2024:2 in-progress 2024-06-30 Director Hold the donor conference"):
        assert text in dom.text
    assert not dom.find("script") and not dom.find("link") and not dom.find("img")


def test_the_screenshot_shows_the_bars_inside_the_chart(rendered: Rendered) -> None:
    left, top, width, height = rendered.box
    assert width > 600 and height > 80
    assert top + height < WINDOW[1] and left + width <= WINDOW[0]
    image = read_png(rendered.screenshot)
    assert (image.width, image.height) == WINDOW
    x0, y0, x1, y1 = int(left), int(top), int(left + width), int(top + height)
    inside = [image.pixel(x, y) for y in range(y0, y1) for x in range(x0, x1)]
    background = image.pixel(5, 5)
    assert background == (255, 255, 255)
    drawn = sum(p != background for p in inside)
    assert drawn > 0.1 * len(inside), (drawn, len(inside))
    # Each bar is a run of its fill colour as long as its rate: 32/34, 1/4, and 33/38.
    runs = {}
    for colour in (BAR_FILL, TOTAL_FILL):
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        runs[colour] = sorted({sum(image.pixel(x, y) == rgb for x in range(x0, x1))
                               for y in range(y0, y1)} - {0})
    (svg,) = Page(rendered.html).find("svg", id="chart-rate")
    scale = width / float(str(svg["viewbox"]).split()[2])
    assert any(abs(n - 32 / 34 * BAR_WIDTH * scale) <= 2 for n in runs[BAR_FILL]), runs
    assert any(abs(n - 1 / 4 * BAR_WIDTH * scale) <= 2 for n in runs[BAR_FILL]), runs
    assert any(abs(n - 33 / 38 * BAR_WIDTH * scale) <= 2 for n in runs[TOTAL_FILL]), runs
    print(f"chart box {rendered.box}: {drawn} of {len(inside)} pixels drawn; bar runs {runs}")


# --- a small PNG reader (8-bit RGB or RGBA, not interlaced: what Chromium writes) ---------


@dataclass
class Image:
    width: int
    height: int
    channels: int
    rows: list[bytes]

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        start = x * self.channels
        return tuple(self.rows[y][start:start + 3])


def read_png(path: Path) -> Image:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        unfilter(kind, line, previous, channels)
        rows.append(bytes(line))
        previous = line
    return Image(width, height, channels, rows)


def unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> None:
    """Undo one row's PNG filter in place (RFC 2083, section 6)."""
    if kind == 0:
        return
    if kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, up, strict=True))
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up[i]) >> 1)) & 0xFF
        else:
            corner = up[i - bpp] if i >= bpp else 0
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
            line[i] = (line[i] + pred) & 0xFF


# --- chart labels: never cut, never past the chart's edge -----------------------------------

LONG_LABELS = [
    "Министерство иностранных дел Республики Беларусь и посольства",  # 60, Cyrillic
    "Ministry of Foreign Affairs of the Republic of Belarus, Minsk",  # 60, Latin
    "ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ ШЩЖЮ",  # 60, widest letters
    "council-2023-priority-area-a",
    "council-2023-priority-area-b",
]
MEASURE_LABELS = """<script>
const svg = document.getElementById("chart-long-by-owner");
const s = svg.getBoundingClientRect();
const bar = svg.querySelector("rect").getBoundingClientRect();
const out = [...svg.querySelectorAll("text.label")].map(t => {
  const b = t.getBoundingClientRect();
  return [b.left - s.left, b.right - s.left, bar.left - s.left,
          [...t.querySelectorAll("tspan")].map(x => x.textContent).join(" ")].join("|");
});
document.body.dataset.labels = JSON.stringify(out);
</script>"""


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_long_labels_wrap_inside_the_chart_and_stay_apart(tmp_path: Path, lang: str) -> None:
    import json

    runner = CliRunner(env={"TRACKER_DB": str(tmp_path / "t.json"), "TRACKER_USER": "tester",
                            "TRACKER_TODAY": TODAY})

    def ok(*args: str) -> str:
        result = runner.invoke(cli, ["--lang", lang, *args], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout

    ok("plan", "add", "long", "--title", "Long owners")
    for n, owner in enumerate(LONG_LABELS):
        ok("add", "long", f"Measure {n}", "--owner", owner,
           "--status", "fulfilled" if n % 2 else "in-progress")
    page = tmp_path / "long.html"
    page.write_text(ok("report", "long", "--by", "owner", "--format", "html")
                    .replace("</body>", MEASURE_LABELS + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    found = re.search(r"data-labels=\"([^\"]+)\"", dom)
    assert found, "the measuring script did not run"
    boxes = json.loads(found.group(1).replace("&quot;", '"'))
    texts = []
    for box in boxes:
        left, right, bar, text = box.split("|")
        assert float(left) >= 0, box  # never past the chart's left edge
        assert float(right) <= float(bar), box  # nor into the bars
        texts.append(text)
    for label in LONG_LABELS:  # every label whole (its lines joined), and all different
        assert any(t.replace("- ", "-").replace(" ", "") == label.replace(" ", "")
                   for t in texts), (label, texts)
    assert len(set(texts)) == len(texts)


# --- the trend's chart: each point of the rate's line at its height ------------------------

MEASURE_POINTS = """<script>
const svg = document.getElementById("chart-trend");
const grid = [...svg.querySelectorAll("g.axis line")].map(l => l.getBoundingClientRect().top);
const out = [...svg.querySelectorAll("circle.point")].map(c => {
  const b = c.getBoundingClientRect();
  return [c.dataset.period, c.dataset.rate, (b.top + b.bottom) / 2].join("|");
});
document.body.dataset.points = JSON.stringify({grid: grid, points: out});
</script>"""


def test_the_trend_line_points_sit_at_their_rates(tmp_path: Path) -> None:
    import json

    env = {"TRACKER_DB": str(tmp_path / "t.json"), "TRACKER_USER": "tester",
           "TRACKER_TODAY": "2024-12-31"}
    runner = CliRunner(env=env)

    def ok(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        return result.stdout

    ok("plan", "add", "t", "--title", "Trend", "--start", "2024-01-01")
    for n in range(4):
        ok("add", "t", f"Measure {n}", "--on", "2024-01-05")
    for ref, day in (("1", "2024-03-31"), ("2", "2024-08-01"), ("3", "2024-08-02")):
        ok("update", f"t:{ref}", "--status", "fulfilled", "--on", day)
    rates = [p["rate"] for p in json.loads(ok("trend", "t", "-f", "json"))["periods"]]
    assert rates == [0.25, 0.25, 0.75, 0.75]
    page = tmp_path / "trend.html"
    page.write_text(ok("trend", "t", "--format", "html")
                    .replace("</body>", MEASURE_POINTS + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    found = re.search(r"data-points=\"([^\"]+)\"", dom)
    assert found, "the measuring script did not run"
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    grid = measured["grid"]  # the lines at 0, 25, 50, 75 and 100 %, from the foot up
    zero, full = grid[0], grid[4]
    assert zero - full > 100  # a chart, not a smudge
    points = [p.split("|") for p in measured["points"]]
    assert [p[0] for p in points] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    for (_period, rate, y), expected in zip(points, rates, strict=True):
        assert float(rate) == pytest.approx(expected)
        assert abs(float(y) - (zero - (zero - full) * expected)) <= 1.5, (points, grid)
