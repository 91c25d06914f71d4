"""The scored plan as an Excel workbook, for the Chamber's offices to filter, sort and re-use.

One sheet per view: "Summary" (areas and strategic objectives, the seed's table), "Tree" (every
node, titles indented, rows grouped by outline level so Excel folds them like Allegato 1),
"Indicators" (one row per indicator use, with the values file's note and data source in two
columns at the end when some indicator has one), "Scorecards" (the managers' individual
objectives) and "Findings" (the advice rules'); a sheet that would hold no row (a plan without
scorecards or findings) is not written, so that nothing prints an empty page. Sheet names,
headings and words in the cells follow the plan's locale (SHEET_NAMES: "Riepilogo", "Albero",
...).

Printed, every sheet is A4 landscape with its heading row repeated on each page; a text longer
than its column wraps, and each row is as tall as its longest wrapped cell (heights are
written, not left to the program that opens the file: LibreOffice does not grow a row for a
wrapped heading, which then overprints the first data row).

Numbers stay numbers. Achievements and weights are fractions with a percent format (0.6296 shown
62.96 %), unrounded: the format rounds what is shown, and an OIV who re-adds the column in Excel
gets the engine's figure, not the sum of rounded ones. Measured values and targets are numbers
in their unit (the unit in its own column; "%" values as fractions too), deadlines dates. N/D is
an empty cell with a comment saying why, and the Status column says "N/D" in words.

Text is text: scorelang writes no formulas, so every text cell is a string cell, whatever it
starts with (a title `=HYPERLINK(...)` or a code "=1+1" from a rule file would otherwise be a
live formula); one that starts like a formula is also marked quote-prefixed, so editing the
cell in Excel keeps it text. Characters a workbook cannot hold (control characters) become
U+FFFD rather than a crash.

What it must not do: compute or round a figure, or need openpyxl unless a workbook is asked for
(openpyxl is the optional extra `scorelang[xlsx]`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..diagnostics import ScorelangError, error
from ..files import write_bytes_atomic
from ..model import Band, TargetUsed
from ..engine.result import NodeResult, Result, ScorecardResult
from .cells import reward_band_text
from .views import Note, note_text
from .words import FLAG_WORDS, PAGE_WORDS, severity_word

SHEETS = ("Summary", "Tree", "Indicators", "Scorecards", "Findings")
# The name each sheet has in the plan's language (SHEETS are the keys, and the English names).
SHEET_NAMES: dict[str, dict[str, str]] = {
    "it": {"Summary": "Riepilogo", "Tree": "Albero", "Indicators": "Indicatori",
           "Scorecards": "Obiettivi individuali", "Findings": "Indicazioni"},
    "en": {name: name for name in SHEETS},
}

# Printing (A4 landscape, LibreOffice and Excel alike). A column's width is in characters of
# the default font; at 100 % about PRINTABLE_WIDTH of them fit across the page between the
# margins below. A sheet narrower than that at MIN_SCALE is fitted to the page's width; a
# wider one prints at MIN_SCALE over several pages across, its first columns repeated on each,
# rather than shrinking to a size nobody can read.
PRINTABLE_WIDTH = 150
MIN_SCALE = 65
_LINE_HEIGHT = 15.0  # points: one line of the default 11 pt font, as Excel sizes a row
_MARGIN = 0.4  # inches, left and right

_WORDS: dict[str, dict[str, str]] = {
    "it": {
        "category": "Categoria", "severity": "Gravità", "finding": "Indicazione",
        "rule": "Regola",
        "area": "Ambito strategico", "objective": "Obiettivo strategico",
        "achievement": "Grado di raggiungimento", "band": "Valutazione", "weight": "Peso",
        "status": "Stato", "node": "Nodo", "kind": "Tipo", "flags": "Note", "id": "Id",
        "indicator": "Indicatore", "title": "Titolo", "unit": "Unità", "direction": "Direzione",
        "description": "Descrizione e metodo di calcolo",
        "target": "Target", "source": "Fonte del target", "due": "Scadenza",
        "value": "Valore rilevato", "raw": "Grado grezzo", "scorecard": "Scheda",
        "entry": "Obiettivo individuale", "ref": "Riferimento",
        "scored": "valutato", "missing": "N/D (non rilevato)",
        "not_due": "N/D (non ancora scaduto)", "neutralised": "neutralizzato",
        "no_target": "target da definire", "limit": "limite minimo (target da definire)",
        "baseline": "Valore di partenza", "points": "Punti", "points_max": "Punti massimi",
        "annual": "annuale", "periodic": "periodico",
        "deadline": "scadenza", "total": "totale",
        "area_kind": "ambito", "objective_kind": "obiettivo",
        "group_kind": "gruppo",
        "indicator_kind": "indicatore", "node_kind": "obiettivo",
        "component_kind": "componente", "plan_kind": "ente", "behaviours_kind": "comportamenti",
        "behaviour_kind": "comportamento", "rating": "Giudizio",
        "reward_band": "Fascia premiale", "reward": "Quota premio",
        "value_note": PAGE_WORDS["it"]["value_note"],
        "data_source": PAGE_WORDS["it"]["data_source"],
    },
    "en": {
        "category": "Category", "severity": "Severity", "finding": "Finding", "rule": "Rule",
        "area": "Area", "objective": "Strategic objective", "achievement": "Achievement",
        "band": "Rating", "weight": "Weight", "status": "Status", "node": "Node",
        "kind": "Kind", "flags": "Flags", "id": "Id", "indicator": "Indicator",
        "title": "Title", "unit": "Unit", "direction": "Direction", "target": "Target",
        "description": "Description and method of calculation",
        "source": "Target source", "due": "Deadline", "value": "Measured value",
        "raw": "Raw achievement", "scorecard": "Scorecard", "entry": "Individual objective",
        "ref": "Reference", "scored": "scored", "missing": "N/D (not reported)",
        "not_due": "N/D (not yet due)", "neutralised": "neutralised",
        "no_target": "target to be decided", "limit": "minimum limit (target tbd)",
        "baseline": "Baseline", "points": "Points", "points_max": "Points max",
        "annual": "annual", "periodic": "periodic",
        "deadline": "deadline", "total": "total",
        "area_kind": "area", "objective_kind": "objective",
        "group_kind": "group",
        "indicator_kind": "indicator", "node_kind": "objective",
        "component_kind": "component", "plan_kind": "plan", "behaviours_kind": "behaviours",
        "behaviour_kind": "behaviour", "rating": "Evaluator's rating",
        "reward_band": "Reward band", "reward": "Reward",
        "value_note": PAGE_WORDS["en"]["value_note"],
        "data_source": PAGE_WORDS["en"]["data_source"],
    },
}
_DIRECTION = {">=": "≥", "<=": "≤", "=": "="}
# Colours a band may be written with besides #rgb / #rrggbb: the basic CSS names.
_NAMED = {"black": "000000", "white": "FFFFFF", "red": "FF0000", "green": "008000",
          "blue": "0000FF", "yellow": "FFFF00", "orange": "FFA500", "gray": "808080",
          "grey": "808080", "silver": "C0C0C0", "maroon": "800000", "olive": "808000",
          "lime": "00FF00", "teal": "008080", "navy": "000080", "purple": "800080",
          "gold": "FFD700", "seagreen": "2E8B57"}
_OUTLINE_MAX = 7  # Excel's deepest outline level


def _openpyxl() -> Any:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError:
        raise ScorelangError([error("SL004", "openpyxl is not installed", None,
                                    "pip install 'scorelang[xlsx]'")]) from None
    return openpyxl


# Characters the workbook's XML cannot hold (openpyxl refuses them with IllegalCharacterError).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
# How a cell that Excel would read as a formula starts, were it typed in.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(value: Any) -> Any:
    """A cell value the workbook can hold: text without control characters, else as given."""
    return _ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def _text_only(book: Any) -> None:
    """Make sure no cell is a formula: scorelang writes none, so any a cell became (openpyxl
    reads a string starting with "=" as one) came from text in the rules or values."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
                    cell.quotePrefix = True


def page_setup(sheet: Any, widths: Sequence[float], repeat: str = "A:A") -> None:
    """A4 landscape, the heading row on every page, fitted to the page's width unless that
    would print below MIN_SCALE (then at MIN_SCALE, with the `repeat` columns on every page)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_margins.left = sheet.page_margins.right = _MARGIN
    sheet.print_options.gridLines = True  # the cells' borders, as on screen
    sheet.print_title_rows = "1:1"
    if sum(widths) * MIN_SCALE / 100 <= PRINTABLE_WIDTH:
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        sheet.page_setup.scale = MIN_SCALE
        sheet.print_title_cols = repeat


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` takes in a column `width` characters wide, wrapped at spaces as a
    spreadsheet wraps it (a word longer than the column breaks where it must)."""
    room = max(1, int(width) - 1)  # a column's width includes a little padding
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split(" "):
            length = len(word)
            if used and used + 1 + length > room:
                lines += 1
                used = 0
            elif used:
                used += 1
            while length > room:  # a word wider than the column
                lines += 1
                length -= room
            used += length
    return lines


def fit_rows(xl: Any, sheet: Any) -> None:
    """Wrap every text longer than its column and make each row tall enough for its longest
    cell, so that printed text is neither cut by the next cell nor drawn over the next row."""
    for row in sheet.iter_rows():
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            width = sheet.column_dimensions[cell.column_letter].width or 8.43
            indent = cell.alignment.indent or 0
            needed = wrapped_lines(cell.value, width - 2 * indent)
            if needed > 1:
                cell.alignment = xl.styles.Alignment(wrap_text=True, vertical="top",
                                                     indent=indent)
            lines = max(lines, needed)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = lines * _LINE_HEIGHT


def hex_colour(text: str) -> str | None:
    """A band colour as Excel's RRGGBB, or None when it is not a colour we can read."""
    text = text.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        return text[1:].upper()
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return "".join(c * 2 for c in text[1:]).upper()
    return _NAMED.get(text)


def _dark(rgb: str) -> bool:
    red, green, blue = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 150


class _Book:
    """The workbook being written: styles made once, and how each kind of cell is written."""

    def __init__(self, result: Result, locale: str):
        self.xl = _openpyxl()
        self.result, self.locale = result, locale
        self.words = _WORDS.get(locale, _WORDS["en"])
        self.flag_words = FLAG_WORDS.get(locale, FLAG_WORDS["en"])
        self.date_format = "dd/mm/yyyy" if locale == "it" else "yyyy-mm-dd"
        self.book = self.xl.Workbook()
        self.book.remove(self.book.active)
        self.book.properties.title = _clean(result.plan_title)
        self.bold = self.xl.styles.Font(bold=True)
        self.bands = {band.id: band for band in result.bands}

    def sheet(self, name: str, headings: Sequence[str], widths: Sequence[int],
              freeze: str = "A2", repeat: str = "A:A") -> Any:
        sheet = self.book.create_sheet(SHEET_NAMES.get(self.locale, SHEET_NAMES["en"])[name])
        sheet.append([self.words[key] for key in headings])
        for cell, width in zip(sheet[1], widths):
            cell.font = self.bold
            cell.alignment = self.xl.styles.Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[cell.column_letter].width = width
        sheet.freeze_panes = freeze
        period = f" — {self.result.period}" if self.result.period else ""
        sheet.oddHeader.center.text = _clean(f"{self.result.plan_title}{period}").replace("&", "&&")
        page_setup(sheet, widths, repeat)
        return sheet

    def finish(self, sheet: Any) -> None:
        sheet.auto_filter.ref = sheet.dimensions
        fit_rows(self.xl, sheet)

    def percent(self, cell: Any, value: float | None, places: int, status: str = "") -> None:
        """A percentage (62.96 for 62.96 %) as the fraction 0.6296 shown with `places` decimals;
        N/D as an empty cell with a comment saying why."""
        if value is None:
            if status in ("missing", "not_due"):
                cell.comment = self.xl.comments.Comment(self.words[status], "scorelang")
            return
        cell.value = value / 100.0
        cell.number_format = "0." + "0" * places + "%" if places > 0 else "0%"

    def measure(self, cell: Any, value: float | dt.date | None, unit: str | None,
                status: str = "") -> None:
        if value is None:
            if status in ("missing", "not_due"):
                cell.comment = self.xl.comments.Comment(self.words[status], "scorelang")
            return
        if isinstance(value, dt.date):
            cell.value, cell.number_format = value, self.date_format
        elif unit == "%":
            cell.value, cell.number_format = value / 100.0, "0.00%"
        elif unit == "EUR":
            cell.value, cell.number_format = value, '#,##0.00 "€"'
        else:
            cell.value = value
            cell.number_format = "#,##0" if float(value).is_integer() else "#,##0.00##"

    def band(self, cell: Any, band_id: str | None, status: str) -> None:
        band: Band | None = self.bands.get(band_id) if band_id else None
        if band is None:
            cell.value = "N/D" if status in ("missing", "not_due") else _clean(band_id)
            return
        cell.value = _clean(band.title)
        rgb = hex_colour(band.colour)
        if rgb is not None:
            cell.fill = self.xl.styles.PatternFill(fill_type="solid", fgColor=rgb)
            cell.font = self.xl.styles.Font(color="FFFFFF" if _dark(rgb) else "000000")

    def note(self, cell: Any, node: NodeResult) -> None:
        """A neutralisation's or an override's reason, as a comment on the node's status cell."""
        if node.neutralised is not None or node.override is not None:
            text = note_text(Note(node.neutralised, node.override, node.places), self.locale)
            cell.comment = self.xl.comments.Comment(text, "scorelang")

    def flags(self, flags: Sequence[str]) -> str:
        return ", ".join(self.flag_words.get(flag, (flag, ""))[0] for flag in flags)

    def status(self, status: str) -> str:
        return self.words.get(status, status)

    def row(self, sheet: Any, values: Iterable[Any]) -> tuple[Any, ...]:
        sheet.append([_clean(value) for value in values])
        return tuple(sheet[sheet.max_row])


def _name(node: NodeResult) -> str:
    if node.kind == "indicator":
        return node.title
    if node.link is not None:  # read here, scored where it is defined
        return f"{node.code} - {node.title} (link)"
    return f"{node.code} - {node.title}" if node.code else node.title


def _summary(book: _Book) -> None:
    sheet = book.sheet("Summary", ("area", "objective", "achievement", "band", "weight", "status"),
                       (34, 56, 14, 16, 10, 20))
    if book.result.area_depth:  # the plan's total, the root, on the first row
        total = book.result.nodes[0]
        cells = book.row(sheet, [total.title, "", None, None, None, book.status(total.status)])
        book.percent(cells[2], total.score, total.places, total.status)
        book.band(cells[3], total.band, total.status)
        for cell in cells[:3]:
            cell.font = book.bold
    for area in book.result.areas():
        for node in [area] + book.result.children(area.id):
            is_area = node is area
            cells = book.row(sheet, [_name(area), "" if is_area else _name(node), None, None,
                                     None, book.status(node.status)])
            book.percent(cells[2], node.score, node.places, node.status)
            book.band(cells[3], node.band, node.status)
            book.percent(cells[4], node.weight, 2)
            if is_area:
                for cell in cells[:3]:
                    cell.font = book.bold
    book.finish(sheet)


def _tree(book: _Book) -> None:
    sheet = book.sheet("Tree", ("node", "kind", "weight", "achievement", "band", "status",
                                "flags", "id"), (56, 12, 10, 14, 16, 16, 18, 30), freeze="B2")
    sheet.sheet_properties.outlinePr.summaryBelow = False  # a parent sits above its children
    for node in book.result:
        cells = book.row(sheet, [_name(node), book.words[f"{node.kind}_kind"], None, None, None,
                                 book.status(node.status), book.flags(node.flags), node.id])
        cells[0].alignment = book.xl.styles.Alignment(indent=node.depth)
        if node.kind != "indicator":
            cells[0].font = book.bold
        book.percent(cells[2], node.weight, 2)
        book.percent(cells[3], node.score, node.places, node.status)
        book.band(cells[4], node.band, node.status)
        book.note(cells[5], node)
        if node.depth:
            sheet.row_dimensions[cells[0].row].outline_level = min(node.depth, _OUTLINE_MAX)
    book.finish(sheet)


def _source(book: _Book, target: TargetUsed | None) -> str:
    if target is None:
        return ""
    if target.source == "periodic":
        return f'{book.words["periodic"]} {target.period or ""}'.strip()
    return book.words.get(target.source, target.source)


def _indicators(book: _Book) -> None:
    # The baseline and the points of a `points N` table in columns of their own, at the end,
    # only when some indicator has them: Modena's sheet stays as it was.
    nodes = [node for node in book.result if node.kind == "indicator"]
    extra: tuple[str, ...] = ()
    if any(node.baseline is not None for node in nodes):
        extra += ("baseline",)
    if any(node.points_max is not None for node in nodes):
        extra += ("points", "points_max")
    # The values file's note and data source, likewise only when some indicator has one.
    if any(node.note is not None for node in nodes):
        extra += ("value_note", "data_source")
    described = book.result.descriptions
    if any(node.indicator in described for node in nodes):
        extra += ("description",)
    sheet = book.sheet("Indicators", ("node", "indicator", "title", "unit", "direction",
                                      "target", "source", "due", "value", "raw", "achievement",
                                      "band", "status", "flags", "weight") + extra,
                       (22, 20, 36, 6, 5, 12, 12, 11, 13, 10, 13, 16, 14, 16, 9)
                       + tuple(30 if key == "value_note" else 40 if key == "description"
                               else 11 for key in extra),
                       freeze="D2", repeat="A:C")
    for node in book.result:
        if node.kind != "indicator":
            continue
        target = node.target
        direction = target.direction.value if target and target.direction else None
        cells = book.row(sheet, [node.id, node.indicator, node.title, node.unit,
                                 _DIRECTION.get(direction or "", None), None,
                                 _source(book, target), None, None, None, None, None,
                                 book.status(node.status), book.flags(node.flags), None,
                                 *(described.get(node.indicator or "") if key == "description"
                                   else None for key in extra)])
        if target is not None and target.value is not None:
            book.measure(cells[5], target.value, node.unit)
        if target is not None and target.due is not None:
            book.measure(cells[7], target.due.due, None)
        book.measure(cells[8], node.value, node.unit, node.status)
        book.percent(cells[9], node.raw, node.places)
        book.percent(cells[10], node.score, node.places, node.status)
        book.band(cells[11], node.band, node.status)
        book.note(cells[12], node)
        book.percent(cells[14], node.weight, 2)
        for key, cell in zip(extra, cells[15:]):
            if key == "baseline" and node.baseline is not None:
                book.measure(cell, node.baseline, node.unit)
            elif key == "points" and node.points is not None:
                cell.value, cell.number_format = node.points, "0." + "0" * node.places
            elif key == "points_max" and node.points_max is not None:
                cell.value, cell.number_format = node.points_max, "0.##"
            elif key in ("value_note", "data_source") and node.note is not None:
                # Text as written (line breaks kept, wrapped); one starting like a formula
                # stays text (_text_only).
                written = node.note.get("note" if key == "value_note" else "source")
                cell.value = _clean(written)
                cell.alignment = book.xl.styles.Alignment(wrap_text=True, vertical="top")
    book.finish(sheet)


def _scorecards(book: _Book) -> None:
    cards = book.result.scorecards
    if not cards:
        return  # no sheet rather than an empty one that prints a page
    # The rating and reward columns only when a card has them: Modena's sheet stays as it was.
    extra = (("rating",) if any(c.components for c in cards) else ()) + \
        (("reward_band", "reward") if any(c.reward is not None for c in cards) else ())
    sheet = book.sheet("Scorecards", ("scorecard", "entry", "ref", "kind", "weight",
                                      "achievement", "band", "status") + extra,
                       (24, 50, 20, 12, 9, 13, 16, 16) + (13,) * len(extra))
    sheet.sheet_properties.outlinePr.summaryBelow = False
    for card in cards:
        cells = book.row(sheet, [card.title, book.words["total"], card.id, None, None, None,
                                 None, book.status(card.status)] + [None] * len(extra))
        for cell in cells[:2]:
            cell.font = book.bold
        book.percent(cells[5], card.score, card.places, card.status)
        book.band(cells[6], card.band, card.status)
        if card.reward is not None:
            at = 8 + extra.index("reward_band")
            cells[at].value = reward_band_text(card.reward_bounds, book.locale)
            book.percent(cells[at + 1], card.reward_share, card.places, card.status)
        _components(book, sheet, card, extra)
        for entry in card.entries:
            cells = book.row(sheet, [card.title, entry.title, entry.ref,
                                     book.words[f"{entry.kind}_kind"], None, None, None,
                                     book.status(entry.status)])
            book.percent(cells[4], entry.weight, 2)
            book.percent(cells[5], entry.score, card.places, entry.status)
            book.band(cells[6], entry.band, entry.status)
            sheet.row_dimensions[cells[0].row].outline_level = 1
    book.finish(sheet)


def _components(book: _Book, sheet: Any, card: ScorecardResult, extra: tuple[str, ...]) -> None:
    """A card's components, their parts and the behaviour ratings, as outline levels 1-3."""
    def line(level: int, title: str, ref: str, kind: str, weight: float, score: float | None,
             band: str | None, status: str) -> tuple[Any, ...]:
        cells = book.row(sheet, [card.title, title, ref, book.words[f"{kind}_kind"], None, None,
                                 None, book.status(status)] + [None] * len(extra))
        book.percent(cells[4], weight, 2)
        book.percent(cells[5], score, card.places, status)
        book.band(cells[6], band, status)
        sheet.row_dimensions[cells[0].row].outline_level = level
        return cells

    for component in card.components:
        line(1, component.title, component.id, "component", component.weight, component.score,
             component.band, component.status)
        for part in component.parts:
            line(2, part.title, part.ref or "", part.kind, part.weight, part.score, part.band,
                 part.status)
            for rating in part.ratings:
                cells = line(3, rating.title, rating.id, "behaviour", rating.weight,
                             rating.score, None,
                             "scored" if rating.score is not None else "missing")
                cells[8].value = rating.rating


def _findings(book: _Book) -> None:
    result = book.result
    if not result.findings:
        return  # no sheet rather than an empty one that prints a page
    sheet = book.sheet("Findings", ("category", "node", "achievement", "severity", "finding",
                                    "rule"), (18, 30, 14, 12, 60, 24))
    for category in dict.fromkeys(f.category for f in result.findings):
        for finding in result.findings:
            if finding.category != category:
                continue
            node = result[finding.node]
            cells = book.row(sheet, [category, finding.node, None,
                                     severity_word(finding.severity, book.locale),
                                     finding.message, finding.title])
            book.percent(cells[2], node.score, node.places, node.status)
    book.finish(sheet)


def to_xlsx_bytes(result: Result, locale: str | None = None) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    book = _Book(result, locale or result.locale)
    for write in (_summary, _tree, _indicators, _scorecards, _findings):
        write(book)
    _text_only(book.book)
    buffer = io.BytesIO()
    book.book.save(buffer)
    return buffer.getvalue()


def to_xlsx(result: Result, path: Path, locale: str | None = None, *,
            force: bool = False) -> None:
    """Write the workbook to `path` in one step: the old file or the new, never half of one
    (files.write_bytes_atomic: a read-only file only with `force`)."""
    write_bytes_atomic(Path(path), to_xlsx_bytes(result, locale), force=force)


def view_xlsx_bytes(result: Result, view: Any, locale: str | None = None) -> bytes:
    """Any tabular view (e.g. a comparison of periods) as a one-sheet workbook; figures are
    numbers (fractions with percent format), the change in points as a plain number."""
    xl = _openpyxl()
    lang = locale or result.locale
    book = xl.Workbook()
    sheet = book.active
    # A sheet's name holds at most 31 characters and none of []:*?/\ (Excel's rule).
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", view.heading(lang))[:31]
    sheet.append([_clean(c.heading(lang)) for c in view.columns])
    widths = [56 if c.key == view.depth_key else 14 for c in view.columns]
    for cell, width in zip(sheet[1], widths):
        cell.font = xl.styles.Font(bold=True)
        cell.alignment = xl.styles.Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"
    page_setup(sheet, widths)
    for row in view.rows:
        values: list[Any] = []
        for column in view.columns:
            value = row.get(column.key)
            if column.kind == "percent":
                values.append(None if value is None else value / 100.0)
            elif column.kind == "points":
                values.append(value)
            else:
                text = value if isinstance(value, str) else ("" if value is None else str(value))
                values.append(("  " * int(row.get("depth", 0)) + text)
                              if column.key == view.depth_key else text)
        sheet.append([_clean(value) for value in values])
        for column, cell in zip(view.columns, sheet[sheet.max_row]):
            if column.kind == "percent":
                cell.number_format = "0.00%"
            elif column.kind == "points":
                cell.number_format = "+0.00;-0.00;0.00"
    fit_rows(xl, sheet)
    _text_only(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def view_xlsx(result: Result, view: Any, path: Path, locale: str | None = None, *,
              force: bool = False) -> None:
    """Write a view's workbook to `path` in one step."""
    write_bytes_atomic(Path(path), view_xlsx_bytes(result, view, locale), force=force)
