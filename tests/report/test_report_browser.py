"""report.html in a real headless Chromium: the queue renders, with and without JavaScript.

Debian's `chromium` package is installed by .ci/run; without it these tests skip, saying so.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib

import pytest

from auditor.report.html_assets import PRIORITY_COLOURS

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install chromium; .ci/run does this)",
)

WIDTH, HEIGHT = 1400, 1000
TOP_ROWS = 450  # header, priority counts and the first queue rows


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={WIDTH},{HEIGHT}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)


def png_rows(data: bytes, limit: int) -> tuple[int, int, list[bytes]]:
    """Width, height and the first `limit` rows of an 8-bit RGB/RGBA PNG as RGB bytes (no Pillow needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos : pos + 4]), data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"unexpected PNG format {header}"
    bpp = 4 if colour == 6 else 3
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(min(limit, height)):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, upleft = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upleft
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else upleft)
                ) & 0xFF
        previous = line
        rows.append(bytes(line) if bpp == 3 else bytes(b for j, b in enumerate(line) if j % 4 != 3))
    return width, height, rows


def test_screenshot_shows_the_queue_with_critical_badges(example_out, tmp_path):
    shot = tmp_path / "shot.png"
    run = chromium(tmp_path, f"--screenshot={shot}", (example_out / "report.html").as_uri())
    assert shot.exists(), run.stderr[-2000:]
    width, height, rows = png_rows(shot.read_bytes(), TOP_ROWS)
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = [row[i : i + 3] for row in rows for i in range(0, len(row), 3)]
    inked = sum(1 for p in pixels if min(p) < 200)
    assert inked > 0.02 * len(pixels), f"top of the page is nearly blank ({inked} dark pixels)"
    red = bytes.fromhex(PRIORITY_COLOURS["critical"][0].lstrip("#"))
    critical = sum(1 for p in pixels if all(abs(a - b) <= 6 for a, b in zip(p, red)))
    assert critical > 200, f"no 'critical' badges visible ({critical} pixels of {red.hex()})"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_dom_has_every_queue_row(example_out, example_records, tmp_path, javascript):
    page = example_out / "report.html"
    if not javascript:
        # Headless Chromium needs scripting for --dump-dom itself, so "no JS" is the page without its script.
        text = page.read_text(encoding="utf-8")
        page = tmp_path / "report-no-js.html"
        page.write_text(re.sub(r"<script>.*?</script>", "", text, flags=re.S), encoding="utf-8")
    run = chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = run.stdout
    assert example_records[0]["case_id"] in dom, run.stderr[-2000:]
    assert ("<script>" in dom) is javascript
    queue = dom.split('id="queue"', 1)[1].split("</tbody>", 1)[0]
    assert len(re.findall(r"<tr[ >]", queue)) == len(example_records) + 1
    filter_box = re.search(r'<div class="filter" id="queue-filter"[^>]*>', dom).group(0)
    assert ("hidden" in filter_box) is (not javascript), (
        "the filter box shows only when its script can run"
    )
