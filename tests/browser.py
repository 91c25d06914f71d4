"""A real browser for the report tests: headless Chromium makes a screenshot, a PDF and the DOM.

Only what the HTML report tests need: find a Chromium binary (None when there is none, and the
browser tests skip), run it on a local file with everything that would reach the network turned
off, and read back the PNG's size and the PDF's page count without any imaging library.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 60  # seconds, for each run of the browser
# Quiet, offline, reproducible: no first-run dialogs, no updates, no sync, no QUIC probing.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--no-pdf-header-footer")


def find_chromium() -> str | None:
    """The first Chromium-like browser on PATH ($SCORELANG_CHROMIUM first, when set)."""
    names = [os.environ.get("SCORELANG_CHROMIUM", "")] + list(CANDIDATES)
    for name in names:
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


def run(binary: str, page: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Chromium on `page` with a throw-away profile; raises if it fails or hangs."""
    with tempfile.TemporaryDirectory(prefix="scorelang-chromium-") as profile:
        completed = subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True, timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    if completed.returncode != 0:
        raise RuntimeError(f"{binary} exited {completed.returncode}: "
                           f"{completed.stderr.decode(errors='replace')[-2000:]}")
    return completed


def screenshot(binary: str, page: Path, png: Path, width: int = 1280, height: int = 2000) -> None:
    run(binary, page, f"--screenshot={png}", f"--window-size={width},{height}")


def print_pdf(binary: str, page: Path, pdf: Path) -> None:
    run(binary, page, f"--print-to-pdf={pdf}")


def dump_dom(binary: str, page: Path) -> str:
    """The DOM after the browser has parsed and laid out the page, serialised."""
    return run(binary, page, "--dump-dom").stdout.decode("utf-8")


def png_size(png: Path) -> tuple[int, int]:
    """(width, height) from the PNG's IHDR chunk."""
    head = png.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{png} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def pdf_pages(pdf: Path) -> int:
    """Page objects in the PDF (`/Type /Page`, not the `/Type /Pages` tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def main() -> None:
    """Refresh the screenshot in the docs: `python3 -m tests.browser [out.png]`."""
    import sys

    import scorelang
    from scorelang.report.html import to_html

    root = Path(__file__).resolve().parent.parent
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs/img/modena-2020-report.png"
    binary = find_chromium()
    if binary is None:
        raise SystemExit(f"no Chromium found (tried {', '.join(CANDIDATES)})")
    plan = scorelang.load(root / "rules/cciaa-modena-2020.score")
    result = plan.evaluate(scorelang.load_values(
        root / "examples/cciaa-modena-2020/monitoraggio-2020-06.yaml"))
    with tempfile.TemporaryDirectory(prefix="scorelang-report-") as folder:
        page = Path(folder) / "modena-2020.html"
        page.write_text(to_html(result, plan=plan.definition), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(binary, page, out, 1280, 1900)
    print(f"{out}: {png_size(out)[0]}x{png_size(out)[1]}, {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
