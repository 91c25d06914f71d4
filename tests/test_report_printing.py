"""Printed reports cut no text: the html report printed by Chromium (`--print-to-pdf`, A4
landscape) and the workbook printed by LibreOffice (`soffice --headless --convert-to pdf`).

The plan is Valleverde's with a long title and a long band name ("Parzialmente raggiunto, con
riserva di verifica dell'OIV"): what a real plan may well write. Each printed PDF is read back
with poppler: every text of the report (each text node of the page, each text cell of the
workbook) must be found whole in the PDF's text (`pdftotext -raw`, spaces and line breaks
ignored, since the printer wraps where it must); no word may reach past the page's edge or be
drawn over another word (`pdftotext -bbox`); the pages are counted and each drawn as an image
(`pdftoppm`). Each test skips, saying which tool is missing, where Chromium, LibreOffice or
poppler-utils are not installed (`.ci/run` installs them with apt).
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scorelang
from scorelang.report.html import to_html

from . import browser, printing
from .conftest import ROOT

pytestmark = pytest.mark.printing

LONG_TITLE = ("Piano integrato di attività e organizzazione 2023–2025, sezione Valore pubblico, "
              "performance e anticorruzione — Comune di Valleverde, Settore Servizi demografici, "
              "tributari e alla persona")
LONG_BAND = "Parzialmente raggiunto, con riserva di verifica dell'OIV"
VALUES = ROOT / "examples" / "comune-valleverde-2023" / "monitoraggio-2023-06.yaml"


def _need(name: str, package: str) -> str:
    found = printing.tool(name)
    if found is None:
        pytest.skip(f"`{name}` is not installed: `apt-get install {package}` to run the "
                    "printed-report tests")
    return found


@pytest.fixture(scope="module")
def poppler() -> None:
    for name in ("pdftotext", "pdftoppm"):
        _need(name, "poppler-utils")


@pytest.fixture(scope="module")
def plan() -> scorelang.Plan:
    text = (ROOT / "rules" / "comune-valleverde-2023.score").read_text(encoding="utf-8")
    text = text.replace('"Piano della performance 2023 — Comune di Valleverde"', f'"{LONG_TITLE}"')
    text = text.replace('"Parzialmente raggiunto"', f'"{LONG_BAND}"')
    assert LONG_TITLE in text and LONG_BAND in text
    return scorelang.loads(text, "valleverde-long.score")


@pytest.fixture(scope="module")
def result(plan) -> scorelang.Result:
    scored = plan.evaluate(scorelang.load_values(VALUES))
    assert any(node.band == "parziale" for node in scored), "the long band is shown"
    return scored


class TextNodes(HTMLParser):
    """Every text a reader sees on the page, one string per text node, and the headings."""

    _SKIP = {"style", "title", "svg", "caption", "head"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.headings: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._SKIP & set(self.stack):
            self.texts.append(data.strip())
            if self.stack and re.fullmatch(r"h[23]", self.stack[-1]):
                self.headings.append(data.strip())


def _missing(texts: list[str], pdf: Path) -> list[str]:
    """The texts not printed whole as often as the report holds them (a band name shown in ten
    rows must be found ten times: once whole in the legend does not make up for a row that
    cut it)."""
    printed = printing.squeezed(printing.raw_text(pdf)).casefold()
    wanted = Counter(printing.squeezed(text).casefold() for text in texts)
    return [text for text, count in wanted.items() if printed.count(text) < count]


def _whole_pages(pdf: Path, tmp_path: Path) -> list[str]:
    """The PDF's pages as images (a page-count check that poppler can draw every page), and
    each page's text."""
    images = printing.pages_as_images(pdf, tmp_path)
    pages = printing.raw_text(pdf).split("\f")
    pages = pages[:-1] if pages and not pages[-1].strip() else pages
    assert len(images) == len(pages) == browser.pdf_pages(pdf)
    assert all(image.stat().st_size > 500 for image in images)
    return pages


def _no_cut_or_overprinted_word(pdf: Path) -> None:
    boxes, words = printing.words(pdf)
    assert words
    assert printing.outside(boxes, words) == []
    clashes = [(a.text, b.text, a.page) for a, b in printing.overprinted(words)]
    assert clashes == []


# ---- html, printed by Chromium ----------------------------------------------------------------

@pytest.fixture(scope="module")
def html_pdf(plan, result, poppler, tmp_path_factory) -> tuple[Path, TextNodes]:
    chromium = browser.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found: install Debian's `chromium` to print the html report")
    folder = tmp_path_factory.mktemp("html-print")
    page = folder / "valleverde-long.html"
    text = to_html(result, plan=plan.definition)
    page.write_text(text, encoding="utf-8")
    pdf = folder / "valleverde-long.pdf"
    browser.print_pdf(chromium, page, pdf)
    return pdf, TextNodes(text)


def test_every_text_of_the_html_report_is_printed_whole(html_pdf):
    pdf, page = html_pdf
    assert LONG_BAND in page.texts and LONG_TITLE in page.texts
    assert _missing(page.texts, pdf) == []


def test_no_word_of_the_printed_html_report_is_cut_or_drawn_over_another(html_pdf):
    _no_cut_or_overprinted_word(html_pdf[0])


def test_the_printed_html_report_is_a4_landscape_with_a_sane_page_count(html_pdf, tmp_path):
    pdf, _ = html_pdf
    pages = _whole_pages(pdf, tmp_path)
    boxes, _ = printing.words(pdf)
    assert all(round(box.width) == 842 and round(box.height) == 595 for box in boxes)  # A4
    assert 3 <= len(pages) <= 15


def test_no_heading_is_left_at_the_foot_of_a_page(html_pdf, tmp_path):
    pdf, page = html_pdf
    headings = {printing.squeezed(h).casefold() for h in page.headings}
    for number, text in enumerate(_whole_pages(pdf, tmp_path), 1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, f"page {number} is empty"
        assert printing.squeezed(lines[-1]).casefold() not in headings, (number, lines[-1])


def test_the_html_report_never_scrolls_sideways_on_a_screen(result, plan, tmp_path):
    """Measured by the browser: the page's scroll width at a laptop's and a tablet's width.
    The report has no script; the test adds one to its own copy, to read the layout."""
    chromium = browser.find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found: install Debian's `chromium`")
    probe = ('<script>document.body.setAttribute("data-overflow", String('
             'document.documentElement.scrollWidth - document.documentElement.clientWidth))'
             '</script>')
    for width in (1280, 800):
        page = tmp_path / f"wide-{width}.html"
        page.write_text(to_html(result, plan=plan.definition).replace("</body>", probe + "</body>"),
                        encoding="utf-8")
        dom = browser.run(chromium, page, "--dump-dom", f"--window-size={width},1000").stdout
        overflow = re.search(rb'data-overflow="(-?\d+)"', dom)
        assert overflow is not None
        assert int(overflow.group(1)) <= 0, f"{int(overflow.group(1))} px sideways at {width}"


# ---- xlsx, printed by LibreOffice --------------------------------------------------------------

@pytest.fixture(scope="module")
def xlsx_pdf(result, poppler, tmp_path_factory) -> tuple[Path, list[str], object]:
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is the extra scorelang[xlsx]")
    soffice = _need("soffice", "libreoffice-calc-nogui")
    from scorelang.report.xlsx import to_xlsx

    folder = tmp_path_factory.mktemp("xlsx-print")
    workbook = folder / "valleverde-long.xlsx"
    to_xlsx(result, workbook)
    book = openpyxl.load_workbook(workbook)
    texts = [cell.value.strip() for sheet in book for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.strip()]
    return printing.soffice_pdf(soffice, workbook, folder), texts, book


def test_every_text_cell_of_the_workbook_is_printed_whole(xlsx_pdf):
    pdf, texts, _ = xlsx_pdf
    assert LONG_BAND in texts
    assert _missing(texts, pdf) == []


def test_no_word_of_the_printed_workbook_is_cut_or_drawn_over_another(xlsx_pdf):
    """Above all: a wrapped heading does not overprint the first data row."""
    _no_cut_or_overprinted_word(xlsx_pdf[0])


def test_every_printed_sheet_is_readable_and_no_page_is_empty(xlsx_pdf, tmp_path):
    pdf, _, book = xlsx_pdf
    pages = _whole_pages(pdf, tmp_path)
    assert all(text.strip() for text in pages), "an empty page"
    boxes, words = printing.words(pdf)
    assert all(box.width > box.height for box in boxes)  # landscape
    # The heading row is repeated on every page of a sheet, and the text stays readable: the
    # typical word is at least 7 pt tall on every page (the 15 columns of Indicators included).
    heights: dict[int, Counter[float]] = {}
    for word in words:
        heights.setdefault(word.page, Counter())[round(word.y1 - word.y0)] += 1
    for page, counted in heights.items():
        assert counted.most_common(1)[0][0] >= 7, (page, counted)
    assert len(pages) <= 12
    assert "Obiettivi individuali" in book.sheetnames  # the scorecards are printed too


def test_an_empty_scorecards_sheet_is_not_written():
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is the extra scorelang[xlsx]")
    from scorelang.report.xlsx import to_xlsx_bytes
    import io

    text = ('plan p "Piccolo" { period H1 "Semestre" ends 2020-06-30 }\n'
            'indicator x "X" { target >= 10 }\n'
            'area "1" "A" { objective "100" "O" weight 100% { x 100% } }\n')
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(
        scorelang.loads(text).evaluate({"x": 3}, period="H1"))))
    assert "Scorecards" not in book.sheetnames and "Findings" not in book.sheetnames
