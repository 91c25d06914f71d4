"""The html report is readable by everyone: what an axe-style audit checks, one test each.

Text contrast at least WCAG AA's 4.5:1, computed from the style sheet's own colours; one `<main>`
landmark; a `<caption>` and `<th scope>` on every table; the page's `lang` from the plan's
locale; headings that never skip a level; every chart an image with a text alternative.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scorelang
from scorelang.report import html as html_report
from scorelang.report.html import to_html, view_html
from scorelang.report.views import comparison

from .conftest import ROOT

CSS = (ROOT / "src" / "scorelang" / "report" / "html.css").read_text(encoding="utf-8")
SOURCE = Path(html_report.__file__).read_text(encoding="utf-8")
AA = 4.5


# ---- colours ----------------------------------------------------------------------------------

def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """Every innermost `selector { declarations }` of the sheet, var(--x) resolved."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    variables = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;}]+)", css))
    out = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body):
            value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)].strip(), value)
            declarations[name] = value.strip()
        out.append((selector.strip(), declarations))
    return out


def _rgb(text: str) -> tuple[float, float, float] | None:
    text = text.strip().lower()
    if text in ("#fff", "white"):
        text = "#ffffff"
    match = re.fullmatch(r"#([0-9a-f]{6})|#([0-9a-f]{3})", text)
    if not match:
        return None
    digits = match.group(1) or "".join(c * 2 for c in match.group(2))
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2's relative luminance."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert contrast(_rgb("#000000"), _rgb("#ffffff")) == pytest.approx(21.0)
    # The grey the issue measured: #6b7280 on #f3f4f6 is below AA.
    assert contrast(_rgb("#6b7280"), _rgb("#f3f4f6")) == pytest.approx(4.39, abs=0.01)


# Classes the page puts on SVG <text>: their `fill` is a text colour.
TEXT_CLASSES = {c for found in re.findall(r'<text[^>]*class="([^"]+)"', SOURCE)
                for c in found.split()} | {"text"}


def _is_text_fill(selector: str) -> bool:
    last = re.split(r"\s+", selector.split(",")[-1].strip())[-1]
    return any(part in TEXT_CLASSES for part in re.split(r"[.\s]", last) if part)


def _pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every text colour the sheet sets: against the
    rule's own background when it sets one, else against every light surface of the page."""
    rules = _rules(CSS)
    surfaces = {"#ffffff"}
    for selector, found in rules:
        for key in ("background", "background-color", "fill"):
            rgb = _rgb(found.get(key, ""))
            if rgb is not None and luminance(rgb) > 0.4 and not (key == "fill"
                                                                 and _is_text_fill(selector)):
                surfaces.add(found[key].lower())
    pairs = []
    for selector, found in rules:
        inks = [found["color"]] if "color" in found else []
        if "fill" in found and _is_text_fill(selector):
            inks.append(found["fill"])
        for ink in inks:
            if _rgb(ink) is None:
                continue
            own = found.get("background")
            if own is not None and _rgb(own) is not None:
                pairs.append((selector, ink, own))
            else:
                pairs += [(selector, ink, surface) for surface in sorted(surfaces)]
    return pairs


def test_the_style_sheet_sets_text_colours_to_check():
    pairs = _pairs()
    assert len({ink for _, ink, _ in pairs}) >= 8
    assert any(selector.startswith(".kicker") for selector, _, _ in pairs)


@pytest.mark.parametrize("selector, ink, surface", _pairs())
def test_every_text_colour_reaches_aa_contrast_on_every_surface_it_can_sit_on(
        selector, ink, surface):
    ratio = contrast(_rgb(ink), _rgb(surface))
    assert ratio >= AA, f"{selector}: {ink} on {surface} is {ratio:.2f}:1"


# ---- structure --------------------------------------------------------------------------------

class Structure(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tables: list[dict[str, object]] = []
        self.headings: list[int] = []
        self.main = 0
        self.lang: str | None = None
        self.images: list[dict[str, str]] = []
        self.outside_main: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = found.get("lang")
        if tag == "main":
            self.main += 1
        if tag == "table":
            self.tables.append({"caption": False, "th": []})
        if tag == "caption" and self.tables:
            self.tables[-1]["caption"] = self.stack[-1] == "table"
        if tag == "th" and self.tables:
            self.tables[-1]["th"].append(found.get("scope"))  # type: ignore[union-attr]
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "svg" and "chart" in found.get("class", ""):
            self.images.append(found)
        if tag == "section" and "main" not in self.stack:
            self.outside_main.append(found.get("class", ""))
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break


@pytest.fixture(scope="module")
def pages(modena_plan, modena_result) -> dict[str, Structure]:
    valleverde = scorelang.load(ROOT / "rules" / "comune-valleverde-2023.score")
    values = scorelang.load_values(ROOT / "examples" / "comune-valleverde-2023"
                                   / "monitoraggio-2023-06.yaml")
    scored = valleverde.evaluate(values)
    table = comparison([modena_result, modena_result], ["a", "b"])
    return {
        "modena": Structure(to_html(modena_result, plan=modena_plan.definition)),
        "modena-en": Structure(to_html(modena_result, "en", plan=modena_plan.definition)),
        "valleverde": Structure(to_html(scored, plan=valleverde.definition)),
        "compare": Structure(view_html(modena_result, table)),
    }


def test_the_page_language_is_the_plan_locale(pages):
    assert pages["modena"].lang == "it"
    assert pages["modena-en"].lang == "en"
    assert pages["compare"].lang == "it"


@pytest.mark.parametrize("name", ["modena", "valleverde", "compare"])
def test_one_main_landmark_holds_every_section(pages, name):
    assert pages[name].main == 1
    assert pages[name].outside_main == []


@pytest.mark.parametrize("name", ["modena", "valleverde", "compare"])
def test_every_table_has_a_caption_and_scoped_header_cells(pages, name):
    tables = pages[name].tables
    assert tables, "the page has tables"
    for table in tables:
        assert table["caption"], "a <caption> as the table's first child"
        assert table["th"] and all(scope in ("col", "row", "rowgroup")
                                   for scope in table["th"]), table["th"]


@pytest.mark.parametrize("name", ["modena", "valleverde", "compare"])
def test_headings_start_at_h1_and_never_skip_a_level(pages, name):
    levels = pages[name].headings
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, levels


def test_every_chart_is_an_image_with_a_text_alternative(pages):
    for name in ("modena", "valleverde"):
        images = pages[name].images
        assert images
        assert all(image.get("role") == "img" and image.get("aria-label") for image in images)
