"""The HTML report: one self-contained page with the summary, charts, tree and scorecards.

The unit tests read the page with html.parser; the browser test opens it in headless Chromium
(skipped when none is installed) and checks the screenshot, the PDF and the rendered DOM.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scorelang
from scorelang.model import Band
from scorelang.report.html import colour, to_html

from . import browser


class Page(HTMLParser):
    """What the tests count in a page: rows by kind, charts, tags, attributes, text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.kinds: Counter[str] = Counter()
        self.node_ids: list[str] = []
        self.charts: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str]] = []
        self.details_open: list[bool] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.tags[tag] += 1
        self.attributes.extend(found.items())
        if "data-kind" in found:
            self.kinds[found["data-kind"]] += 1
            self.node_ids.append(found["data-node-id"])
        classes = found.get("class", "").split()
        if tag == "svg" and "chart" in classes:
            self.charts["bar" if "bar-chart" in classes else
                        "bullet" if "bullet" in classes else "other"] += 1
        if tag == "details":
            self.details_open.append("open" in found)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def uses(result: scorelang.Result) -> list[scorelang.NodeResult]:
    return [node for node in result if node.kind == "indicator"]


def deadline_uses(result: scorelang.Result) -> list[scorelang.NodeResult]:
    return [node for node in uses(result) if node.target and node.target.source == "deadline"]


@pytest.fixture(scope="module")
def modena_html(modena_plan, modena_result) -> str:
    return to_html(modena_result, plan=modena_plan.definition)


@pytest.fixture(scope="module")
def modena_page(modena_html) -> Page:
    return Page(modena_html)


# ---- structure --------------------------------------------------------------------------------

def test_every_node_of_the_tree_has_one_row_in_tree_order(modena_result, modena_page):
    assert modena_page.node_ids == [node.id for node in modena_result]


def test_one_row_per_indicator_use(modena_result, modena_page):
    assert modena_page.kinds["indicator"] == len(uses(modena_result)) == 87
    assert modena_page.kinds == Counter(node.kind for node in modena_result)


def test_one_bar_chart_and_one_bullet_chart_per_indicator_use_without_a_deadline(
        modena_result, modena_page):
    expected_bullets = len(uses(modena_result)) - len(deadline_uses(modena_result))
    assert modena_page.charts == Counter({"bar": 1, "bullet": expected_bullets})
    assert len(deadline_uses(modena_result)) == 11


def test_every_band_colour_used_is_on_the_page(modena_result, modena_html):
    used = {node.band for node in modena_result if node.band}
    assert used == {"critico", "parziale", "raggiunto"}
    for band in modena_result.bands:
        assert band.colour in modena_html


def test_every_level_is_open_so_that_printing_shows_everything(modena_page):
    assert modena_page.details_open and all(modena_page.details_open)


def test_the_page_reaches_nothing_outside_itself(modena_html, modena_page):
    assert modena_page.tags["script"] == 0
    for tag in ("link", "img", "iframe", "object", "embed"):
        assert modena_page.tags[tag] == 0, tag
    for name, value in modena_page.attributes:
        if name in ("src", "href", "xlink:href", "action"):
            assert not value.startswith(("http", "//")), (name, value)
    assert "@import" not in modena_html and "url(" not in modena_html
    # The only URL is the SVG namespace, which is a name, never fetched.
    assert set(re.findall(r"https?://[^\"' )]+", modena_html)) == {"http://www.w3.org/2000/svg"}


def test_print_stylesheet_is_a4_and_keeps_rows_whole(modena_html):
    assert "@media print" in modena_html
    assert "size: A4" in modena_html
    assert "break-inside: avoid" in modena_html


# ---- what the reader sees ---------------------------------------------------------------------

def test_summary_has_the_seed_headings_in_italian(modena_page):
    text = " ".join(modena_page.text)
    for heading in ("Ambito strategico", "Obiettivo strategico", "Grado di raggiungimento",
                    "Valutazione", "Peso"):
        assert heading in text


def test_summary_headings_are_english_for_an_english_reader(modena_result):
    text = " ".join(Page(to_html(modena_result, "en")).text)
    for heading in ("Area", "Strategic objective", "Achievement", "Rating", "Weight"):
        assert heading in text
    assert "62.96%" in text and "62,96 %" not in text


def test_figures_are_written_as_the_plan_locale_writes_them(modena_html):
    assert "62,96 %" in modena_html  # 301, as in the seed's summary table
    assert "33,34 %" in modena_html
    assert "30/06/2020" in modena_html
    assert "3.111.720.000,00\u00a0€" in modena_html


def test_periodic_target_is_named_and_the_annual_one_shown_beside_it(modena_html):
    row = _row(modena_html, "301/indicatori/export_provinciale")
    assert "periodico H1" in row
    assert "annuale ≥ 13.000.000.000,00\u00a0€" in row
    assert "#1d4ed8" in row  # the periodic marker
    assert "#111827" in row  # the annual marker


def test_without_the_plan_only_the_target_used_is_drawn(modena_result):
    row = _row(to_html(modena_result), "301/indicatori/export_provinciale")
    assert "periodico H1" in row and "annuale" not in row


def test_capped_indicator_shows_its_raw_achievement(modena_html):
    row = _row(modena_html, "301.D1.2/certificati_origine_tempi")
    assert "grezzo 115,63 %" in row
    assert ">tetto<" in row


def test_n_d_has_its_own_look_and_says_why(modena_html):
    row = _row(modena_html, "802.A1.2")
    assert 'class="nd-pill"' in row and 'class="dot nd"' in row
    deadline = _row(modena_html, "802.A1.2/report_costi")
    assert "entro 31/10/2020" in deadline and "non ancora scaduto" in deadline
    assert "<svg" not in deadline  # a deadline is a badge, not a chart


def test_scorecards_list_every_entry_with_its_weight(modena_result, modena_page, modena_html):
    entries = sum(len(card.entries) for card in modena_result.scorecards)
    assert sum(1 for name, _ in modena_page.attributes if name == "data-scorecard-entry") == entries
    assert "Segretario Generale" in modena_html and "45,35 %" in modena_html


def test_bullet_charts_stay_inside_their_box_for_every_kind_of_target(modena_html):
    """Negative `<=` targets (-18 days), floors (-1527.97 %), overshoots (953 %), zero targets."""
    for svg in re.findall(r'<svg class="chart bullet".*?</svg>', modena_html):
        width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
        for name, number in re.findall(r'\b(x1?|x2|width)="(-?[\d.]+)"', svg):
            assert 0 <= float(number) <= width, (name, number, svg[:200])


def test_negative_lower_is_better_target_is_drawn_left_of_a_value_that_misses_it(modena_html):
    """-17.82 days against <= -18: the bar runs left from zero and stops short of the target."""
    svg = re.search(r'<svg class="chart bullet".*?</svg>',
                    _row(modena_html, "802/indicatori/tempestivita_pagamenti")).group(0)
    target = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke="#111827"', svg).group(1))
    left, width = map(float, re.search(r'<rect x="([\d.]+)" y="9" width="([\d.]+)"', svg).groups())
    assert target < left < left + width


HOSTILE = '''
plan p "<script>alert('x')</script> & \\"co\\"" {
  period H1 "Primo semestre" ends 2020-06-30
  band bad "<b>Bad</b>" colour "red;background:url(http://evil)" from 0%
}
indicator x "<img src=http://evil/x.png>" { target >= 10 }
area "1" "A & B" {
  objective "100" "<i>Obiettivo</i>" weight 100% { x 100% }
}
'''


def test_every_text_from_the_plan_is_escaped():
    result = scorelang.loads(HOSTILE).evaluate({"x": 5}, period="H1")
    page = to_html(result)
    assert "<script>" not in page and "<img" not in page and "<b>Bad" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=http://evil/x.png&gt;" in page
    assert "url(" not in page  # the colour was not a plain colour: a neutral grey instead
    assert Page(page).kinds["indicator"] == 1


def test_a_plan_without_bands_rates_nothing_but_still_marks_n_d():
    text = """
plan p "Senza fasce" { period H1 "Semestre" ends 2020-06-30 }
indicator x "X" { target <= 4 }
indicator y "Y" { target >= 10 }
area "1" "A" { objective "100" "O" weight 100% { x 50% y 50% } }
"""
    page = to_html(scorelang.loads(text).evaluate({"x": 5, "y": None}, period="H1"), "en")
    assert _row(page, "100/x").count("N/D") == 0  # scored: 75 %, no band to show
    assert 'class="dot nd"' in _row(page, "100/y")
    assert Page(page).charts == {"bar": 1, "bullet": 2}


def test_only_plain_css_colours_pass():
    assert colour(Band("a", "A", "#c0392b", 0.0)) == "#c0392b"
    assert colour(Band("a", "A", "seagreen", 0.0)) == "seagreen"
    assert colour(Band("a", "A", "red;x:url(y)", 0.0)) == "#9ca3af"
    assert colour(None) == "#9ca3af"


def _row(page: str, node_id: str) -> str:
    """The markup of one tree row, from its opening tag to the next row."""
    start = page.index(f'data-node-id="{node_id}"')
    end = page.find("data-node-id=", start + 20)
    return page[start:end if end > 0 else len(page)]


# ---- in a real browser ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium() -> str:
    found = browser.find_chromium()
    if found is None:
        pytest.skip("no Chromium found (tried $SCORELANG_CHROMIUM, "
                    f"{', '.join(browser.CANDIDATES)}): install Debian's `chromium` to run "
                    "the browser test")
    return found


def test_modena_report_renders_prints_and_keeps_every_row_in_chromium(
        chromium, modena_html, modena_result, tmp_path: Path):
    page = tmp_path / "modena-2020.html"
    page.write_text(modena_html, encoding="utf-8")

    png = tmp_path / "modena-2020.png"
    browser.screenshot(chromium, page, png, 1280, 2000)
    assert png.stat().st_size > 20_000
    assert browser.png_size(png) == (1280, 2000)

    pdf = tmp_path / "modena-2020.pdf"
    browser.print_pdf(chromium, page, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert browser.pdf_pages(pdf) > 1

    rendered = Page(browser.dump_dom(chromium, page))
    assert rendered.kinds == Counter(node.kind for node in modena_result)
    assert rendered.charts == Page(modena_html).charts


def test_plan_score_is_in_the_header_when_the_areas_are_weighted():
    text = """
plan p "Pesato" { period H1 "Semestre" ends 2020-06-30 }
indicator x "X" { target >= 10 }
area "1" "A" weight 100% { objective "100" "O" weight 100% { x 100% } }
"""
    page = to_html(scorelang.loads(text).evaluate({"x": 7}, period="H1"), "it")
    header = page[page.index("<header"):page.index("</header>")]
    assert "Punteggio del piano" in header and "70,00 %" in header


def test_modena_has_no_plan_score_because_its_areas_are_not_weighted(modena_html):
    assert "Punteggio del piano" not in modena_html
