"""Printing for the report tests: LibreOffice turns a workbook into a PDF, poppler reads a PDF
back as text, as the words' boxes on each page, and as page images.

Only what the printed-report tests need (tests/test_report_printing.py; Chromium's part is in
tests/browser.py): find each tool (None when it is missing, and the tests skip saying which),
run it with a time limit, and parse its output without any PDF library.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import attrs

TIMEOUT = 120  # seconds, for each run of a tool (LibreOffice's first start is slow)


def tool(name: str) -> str | None:
    return shutil.which(name)


def _run(*command: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    completed = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False,
                               stdin=subprocess.DEVNULL, cwd=cwd)
    if completed.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {completed.returncode}: "
                           f"{completed.stderr.decode(errors='replace')[-2000:]}")
    return completed


def soffice_pdf(binary: str, workbook: Path, outdir: Path) -> Path:
    """The workbook printed to PDF by LibreOffice headless, with a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="scorelang-soffice-") as profile:
        _run(binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(outdir), str(workbook))
    pdf = outdir / (workbook.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"{binary} wrote no {pdf.name}")
    return pdf


def raw_text(pdf: Path) -> str:
    """The PDF's text in the order it was drawn (`pdftotext -raw`): a cell wrapped over several
    lines stays together, where `-layout` would interleave it with its neighbours' lines."""
    return _run("pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-").stdout.decode("utf-8")


def layout_text(pdf: Path) -> str:
    return _run("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-").stdout.decode("utf-8")


@attrs.frozen
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@attrs.frozen
class PageBox:
    width: float
    height: float


def words(pdf: Path) -> tuple[list[PageBox], list[Word]]:
    """Every word with its box, and each page's size (`pdftotext -bbox`)."""
    out = _run("pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-").stdout.decode("utf-8")
    pages: list[PageBox] = []
    found: list[Word] = []
    for chunk in re.split(r"(?=<page )", out)[1:]:
        size = re.match(r'<page width="([\d.]+)" height="([\d.]+)"', chunk)
        assert size is not None
        pages.append(PageBox(float(size.group(1)), float(size.group(2))))
        for x0, y0, x1, y1, text in re.findall(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
                r"(.*?)</word>", chunk):
            found.append(Word(len(pages), html.unescape(text), float(x0), float(y0), float(x1),
                              float(y1)))
    return pages, found


def outside(pages: list[PageBox], found: list[Word]) -> list[Word]:
    """Words that reach past an edge of their page: cut off when printed."""
    return [w for w in found if w.x0 < 0 or w.y0 < 0 or w.x1 > pages[w.page - 1].width + 0.5
            or w.y1 > pages[w.page - 1].height + 0.5]


def overprinted(found: list[Word], share: float = 0.25) -> list[tuple[Word, Word]]:
    """Pairs of words drawn over each other (their boxes share more than `share` of the
    smaller one): text printed on top of text."""
    clashes = []
    by_page: dict[int, list[Word]] = {}
    for word in found:
        by_page.setdefault(word.page, []).append(word)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.y0)
        for i, one in enumerate(page_words):
            for other in page_words[i + 1:]:
                if other.y0 >= one.y1:
                    break
                width = min(one.x1, other.x1) - max(one.x0, other.x0)
                height = min(one.y1, other.y1) - max(one.y0, other.y0)
                if width <= 0 or height <= 0:
                    continue
                smaller = min((one.x1 - one.x0) * (one.y1 - one.y0),
                              (other.x1 - other.x0) * (other.y1 - other.y0))
                if smaller > 0 and width * height > share * smaller:
                    clashes.append((one, other))
    return clashes


def pages_as_images(pdf: Path, outdir: Path, dpi: int = 30) -> list[Path]:
    """One PNG per page (`pdftoppm`), small: for counting pages and seeing they are not blank."""
    _run("pdftoppm", "-png", "-r", str(dpi), str(pdf), str(outdir / "page"))
    return sorted(outdir.glob("page*.png"))


def squeezed(text: str) -> str:
    """Text with every space and line break gone, a hyphen that breaks a line undone, and
    compatibility characters folded (NFKC): what a cell's text and its printed form share
    however the printer wrapped it."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"-\s*\n\s*", "-", text)
    return re.sub(r"\s+", "", text)
