"""A plan as offices keep it in a spreadsheet: `import` (sheet -> .score) and `export` (back).

The sheet (`Piano` / `Plan`, or a CSV file) has one row per node of the tree, in tree order:
its level (1 for an area; or, without a level column, the nesting of its code: `301.D1.1` sits
under `301.D1`), what it is (area, objective, group, indicator, link; guessed when the column is
absent), its code, the indicator's id, title, weight, and for an indicator's first row what
defines it: direction, target, periodic targets (`H1 >= 300`), unit, deadline, formula,
description, tags, and `other` — any rule of the indicator that has no column of its own
(tolerance, threshold, a score table, limits, baseline, late, floor, cap, missing), written
in scorelang. What is not one row per node comes from the settings: a second sheet
(`Impostazioni` / `Settings`, key | value) or the `# key: value` lines that open a CSV file —
the plan's id and title, `setting` lines (periods, policy, bands, tags: scorelang text of the
plan block) and `declaration` lines (scorecards, behaviours, roles, rewards, advice rules, and
indicators the tree does not use: scorelang text after the tree).

Import writes scorelang text from the rows, checks it (every problem of the plan, its
position turned back into the cell it came from) and formats it; any error and nothing is
returned. Export writes the same layout from a rule file, taking the rules that have no column
from the rule file's own text, so that importing an export scores every figure the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import attrs

from .. import api, model
from ..diagnostics import Diagnostic, Span, error
from ..files import read_bytes, read_text
from ..syntax.format import format_text
from .sheets import (SheetError, Row, Table, Where, csv_bytes, csv_text, date_of, figure, fit_rows,
                     open_workbook, openpyxl, read_csv, set_text, sheet_table, text_of,
                     workbook_bytes)

Format = Literal["xlsx", "csv"]

# Column keys in sheet order, and their headers by locale (the reader takes either language).
COLUMNS = ("level", "node", "code", "indicator", "title", "weight", "direction", "target",
           "periodic", "unit", "deadline", "formula", "description", "tags", "aggregate",
           "other")
HEADERS = {
    "it": {"level": "livello", "node": "nodo", "code": "codice", "indicator": "indicatore",
           "title": "titolo", "weight": "peso", "direction": "direzione", "target": "target",
           "periodic": "target periodico", "unit": "unità", "deadline": "scadenza",
           "formula": "formula", "description": "descrizione", "tags": "etichette",
           "aggregate": "aggregazione", "other": "altro"},
    "en": {"level": "level", "node": "node", "code": "code", "indicator": "indicator",
           "title": "title", "weight": "weight", "direction": "direction", "target": "target",
           "periodic": "periodic target", "unit": "unit", "deadline": "deadline",
           "formula": "formula", "description": "description", "tags": "tags",
           "aggregate": "aggregate", "other": "other"},
}
NODES = {
    "it": {"area": "area", "objective": "obiettivo", "group": "gruppo",
           "indicator": "indicatore", "link": "collegamento"},
    "en": {"area": "area", "objective": "objective", "group": "group",
           "indicator": "indicator", "link": "link"},
}
SHEETS = {"it": ("Piano", "Impostazioni"), "en": ("Plan", "Settings")}
KEYS = {
    "it": {"plan": "piano", "title": "titolo", "setting": "impostazione",
           "declaration": "dichiarazione", "number_format": "formato numeri",
           "key": "chiave", "value": "valore"},
    "en": {"plan": "plan", "title": "title", "setting": "setting",
           "declaration": "declaration", "number_format": "number_format",
           "key": "key", "value": "value"},
}
# What defines an indicator (its first row); a later row of it repeats them or leaves them empty.
DEFINING = ("title", "direction", "target", "periodic", "unit", "deadline", "formula",
            "description", "tags", "other")
_BRANCHES = ("area", "objective", "group")
_DIRECTIONS = {">=": ">=", "<=": "<=", "=": "=", "==": "=", "≥": ">=", "≤": "<="}
_TBD = {"tbd", "da definire"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PERIODIC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|=|≥|≤)\s*(.+?)\s*$")


def _lookup(words: dict[str, dict[str, str]]) -> dict[str, str]:
    """Header or word (either language, any case) -> key."""
    return {word.lower(): key for table in words.values() for key, word in table.items()}


_HEADER_KEYS = _lookup(HEADERS)
_NODE_KEYS = _lookup(NODES)
_SETTING_KEYS = _lookup({loc: {k: v for k, v in t.items() if k not in ("key", "value")}
                         for loc, t in KEYS.items()})


# ---- import ---------------------------------------------------------------------------------
@attrs.frozen
class Imported:
    """A plan read from a sheet: its formatted rule text, and the warnings its check gave."""

    text: str
    warnings: tuple[Diagnostic, ...] = ()


@attrs.define
class _Node:
    kind: str
    depth: int
    row: int
    where: dict[str, Where]
    cells: dict[str, str | None]
    children: list[_Node] = attrs.Factory(list)
    weight_text: str | None = None  # as scorelang writes it: 25%


@attrs.define
class _Settings:
    plan: str | None = None
    title: str | None = None
    number_format: str | None = None
    settings: list[tuple[str, Where]] = attrs.Factory(list)
    declarations: list[tuple[str, Where]] = attrs.Factory(list)
    where: Where | None = None


class _Reader:
    """The rows of one plan sheet, read into nodes; every problem kept as a diagnostic."""

    def __init__(self, table: Table, number_format: str):
        self.table, self.number_format = table, number_format
        self.problems: list[Diagnostic] = []
        self.columns: dict[str, int] = {}
        self.lost = False  # a row could not be placed: the rows under it cannot be either

    def bad(self, where: Where, code: str, message: str, hint: str | None = None) -> None:
        self.problems.append(where.diagnostic(code, message, hint))

    def header(self) -> list[Row]:
        rows = [row for row in self.table.rows if not row.blank()]
        if not rows:
            raise SheetError([error("SL704", f"{self.table.file}: the sheet is empty", None,
                                    "the first row names the columns: livello, nodo, "
                                    "codice, indicatore, titolo, peso, ...")])
        head, *body = rows
        for index, value in enumerate(head.cells):
            name = (text_of(value) or "").lower()
            key = _HEADER_KEYS.get(name)
            if key is not None and key not in self.columns:
                self.columns[key] = index
        missing = [k for k in ("title",) if k not in self.columns]
        if "level" not in self.columns and "code" not in self.columns:
            missing.insert(0, "level")
        if "weight" not in self.columns:
            missing.append("weight")
        for key in missing:
            self.bad(self.table.where(head.number, 1), "SL704",
                     f"no column `{HEADERS['it'][key]}` / `{HEADERS['en'][key]}` in the header "
                     "row", "name the columns in the first row: livello (or level), nodo, "
                     "codice, indicatore, titolo, peso, direzione, target, ...; the level may "
                     "be left out when codes nest (301.D1.1 under 301.D1)")
        return body

    def cell(self, row: Row, key: str) -> tuple[Any, Where]:
        index = self.columns.get(key)
        where = self.table.where(row.number, (index if index is not None else 0) + 1)
        return (row.cell(index) if index is not None else None), where

    def figure_text(self, row: Row, key: str, what: str, code: str) -> str | None:
        """A figure cell as scorelang writes it (`22%`, `13000000000`), or None if empty."""
        value, where = self.cell(row, key)
        if value is None:
            return None
        found = figure(value, self.number_format)
        if found is None:
            self.bad(where, code, f"{what} `{text_of(value)}` is not a number",
                     "write a number such as 30 or 30% (a percentage cell works too)")
            return None
        number, percent = found
        index = self.columns.get(key, -1)
        if row.is_percent(index) and not isinstance(value, str):
            number, percent = number * 100, True
        return _decimal(number) + ("%" if percent else "")

    def read(self) -> list[_Node]:
        body = self.header()
        if self.problems:
            return []
        roots: list[_Node] = []
        stack: list[_Node] = []
        codes: dict[str, int] = {}
        coded_depth: dict[str, int] = {}
        last_coded: _Node | None = None
        for row in body:
            if row.blank():
                continue
            node = self.node(row, codes, coded_depth, last_coded)
            if node is None:
                self.lost = True
                continue
            if node.kind in ("area", "objective") and node.cells["code"]:
                coded_depth[node.cells["code"]] = node.depth
                last_coded = node
            if node.depth == 1:
                if node.kind != "area":
                    self.bad(node.where["level"], "SL711", f"a {node.kind} at level 1, above "
                             "every area", "put it under an area (level 2 or more), or make "
                             "it an area")
                    continue
                self.lost = False
                roots.append(node)
                stack = [node]
                continue
            parent = stack[node.depth - 2] if node.depth - 2 < len(stack) else None
            if parent is None or parent.kind not in _BRANCHES:
                if self.lost:  # under a row that could not be placed: said already
                    continue
                above = "a row above it at level " + str(node.depth - 1)
                self.bad(node.where["level"], "SL711",
                         f"row at level {node.depth} has no parent: {above} that is an area, "
                         "an objective or a group is missing",
                         "give it the level of its parent plus one, or add the parent row "
                         "above it")
                self.lost = True  # the rows under it have no parent either: said once
                continue
            if node.kind == "area":
                self.bad(node.where["node"], "SL705", "an area below level 1",
                         "an area is level 1; a node inside one is an objective or a group")
                continue
            self.lost = False
            parent.children.append(node)
            del stack[node.depth - 1:]
            stack.append(node)
        return roots

    def node(self, row: Row, codes: dict[str, int], coded_depth: dict[str, int],
             last_coded: _Node | None) -> _Node | None:
        where: dict[str, Where] = {}
        cells: dict[str, str | None] = {}
        for key in COLUMNS:
            value, where[key] = self.cell(row, key)
            cells[key] = text_of(value) if key not in ("weight",) else None
        if cells["title"] is not None:
            cells["title"] = " ".join(cells["title"].split())
        kind_text = cells["node"]
        if kind_text is not None:
            kind = _NODE_KEYS.get(kind_text.lower())
            if kind is None:
                self.bad(where["node"], "SL705", f"unknown node `{kind_text}`",
                         "write area, obiettivo, gruppo, indicatore or collegamento (area, "
                         "objective, group, indicator, link)")
                return None
        elif cells["indicator"] is not None:
            kind = "indicator"
        elif cells["code"] is not None:
            kind = "objective"
        else:
            kind = "group"
        depth = self.depth(row, kind, cells, where, coded_depth, last_coded)
        if depth is None:
            return None
        if kind == "objective" and depth == 1 and kind_text is None:
            kind = "area"
        # A row with a problem still takes its place in the tree, so that the rows under it
        # are not reported as orphans too: one mistake, one diagnostic.
        node = _Node(kind, depth, row.number, where, cells)
        node.weight_text = self.figure_text(row, "weight", "weight", "SL706")
        self.complete(node)
        code = cells["code"]
        if kind in ("area", "objective") and code is not None:
            if code in codes:
                self.bad(where["code"], "SL710", f"code `{code}` given twice (first at row "
                         f"{codes[code]})", "give every area and objective its own code; to "
                         "count a node twice, add a row of node `collegamento` (link)")
            else:
                codes[code] = row.number
        return node

    def depth(self, row: Row, kind: str, cells: dict[str, str | None],
              where: dict[str, Where], coded_depth: dict[str, int],
              last_coded: _Node | None) -> int | None:
        if "level" in self.columns:
            value, _ = self.cell(row, "level")
            text = text_of(value)
            if text is None or not text.isdigit() or int(text) < 1:
                self.bad(where["level"], "SL705", f"unknown level `{text or ''}`",
                         "a level is a whole number: 1 for an area, 2 for what is inside "
                         "it, and so on")
                return None
            return int(text)
        code = cells["code"]
        if kind in ("area", "objective") and code is not None:
            if "." not in code:
                return 1
            parent = code.rsplit(".", 1)[0]
            if parent not in coded_depth:
                self.bad(where["code"], "SL711", f"code `{code}` nests under `{parent}`, "
                         "which no row above has", "add the row of its parent above it, or "
                         "add a level column")
                return None
            return coded_depth[parent] + 1
        if last_coded is None:
            self.bad(where["code"], "SL711", "row above every area: no coded row before it",
                     "put the rows of an area first; without a level column a row belongs "
                     "to the coded row above it")
            return None
        return last_coded.depth + 1

    def complete(self, node: _Node) -> None:
        """Report what the row lacks of what its kind needs (a code, a title, an id, a
        weight)."""
        cells, where = node.cells, node.where
        needs = {"area": ("code", "title"), "objective": ("code", "title"),
                 "group": ("title",), "indicator": ("indicator",), "link": ("code",)}
        for key in needs[node.kind]:
            if cells[key] is None:
                self.bad(where[key], "SL712", f"{node.kind} row without its "
                         f"{HEADERS['en'][key]}", f"fill in the `{HEADERS['it'][key]}` cell")
        if node.kind == "indicator" and cells["indicator"] is not None \
                and not _NAME.match(cells["indicator"]):
            self.bad(where["indicator"], "SL712", f"`{cells['indicator']}` cannot be an "
                     "indicator id", "an id is letters, digits and _, not starting with a "
                     "digit: e.g. export_provinciale")
        if node.kind in ("indicator", "link") and node.weight_text is None \
                and not self.problems_at(where["weight"]):
            self.bad(where["weight"], "SL712", f"{node.kind} row without its weight",
                     "give its weight in its parent, e.g. 25%")

    def problems_at(self, where: Where) -> bool:
        name = where.name()
        return any(name in d.message or (d.span is not None and d.span.line == where.row
                                         and d.span.file == where.file)
                   for d in self.problems)


def _decimal(number: Decimal) -> str:
    text = f"{number.normalize():f}" if number != 0 else "0"
    return text


def _quote(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{body.replace(chr(9), chr(92) + "t")}"'


@attrs.define
class _Writer:
    """Scorelang text, line by line, each line remembering the cell it came from."""

    lines: list[str] = attrs.Factory(list)
    origins: list[Where | None] = attrs.Factory(list)

    def add(self, text: str, where: Where | None) -> None:
        for line in text.split("\n"):
            self.lines.append(line)
            self.origins.append(where)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _indicator_lines(reader: _Reader, node: _Node, writer: _Writer) -> None:
    cells, where = node.cells, node.where
    ind = cells["indicator"]
    title = cells["title"] or ind or ""
    writer.add(f"indicator {ind} {_quote(title)} {{", where["indicator"])
    if cells["description"]:
        writer.add(f"  description {_quote(cells['description'])}", where["description"])
    if cells["unit"]:
        unit = cells["unit"]
        writer.add(f"  unit {unit if _NAME.match(unit) or unit == '%' else _quote(unit)}",
                   where["unit"])
    direction = None
    if cells["direction"] is not None:
        direction = _DIRECTIONS.get(cells["direction"].strip())
        if direction is None:
            reader.bad(where["direction"], "SL707", f"`{cells['direction']}` is not a "
                       "direction", "write >= (higher is better), <= (lower is better) or =")
    if cells["target"] is not None:
        if cells["target"].strip().lower() in _TBD:
            target = "tbd"
        else:
            found = reader.figure_text(_row_of(reader, node), "target", "target", "SL708")
            target = found or ""
        if cells["direction"] is None:
            reader.bad(where["direction"], "SL707", "a target without a direction",
                       "write >= , <= or = in the direction cell")
        elif direction is not None and target:
            writer.add(f"  target {direction} {target}", where["target"])
    elif cells["direction"] is not None and direction is not None and not cells["deadline"]:
        reader.bad(where["target"], "SL708", "a direction without a target",
                   "write the target figure, or tbd when it is still to be decided")
    if cells["periodic"]:
        for part in re.split(r"[;\n]", cells["periodic"]):
            if not part.strip():
                continue
            found_periodic = _PERIODIC.match(part)
            value = found_periodic[3] if found_periodic else ""
            figure_found = figure(value, reader.number_format) if found_periodic else None
            if found_periodic and value.strip().lower() in _TBD:
                writer.add(f"  periodic {found_periodic[1]} "
                           f"{_DIRECTIONS[found_periodic[2]]} tbd", where["periodic"])
            elif found_periodic is None or figure_found is None:
                reader.bad(where["periodic"], "SL708", f"cannot read the periodic target "
                           f"`{part.strip()}`", "write PERIOD DIRECTION FIGURE, e.g. H1 >= 300; "
                           "several separated by ;")
            else:
                number, percent = figure_found
                writer.add(f"  periodic {found_periodic[1]} {_DIRECTIONS[found_periodic[2]]} "
                           f"{_decimal(number)}{'%' if percent else ''}", where["periodic"])
    if cells["deadline"] is not None:
        value, _ = reader.cell(_row_of(reader, node), "deadline")
        due = date_of(value)
        if due is None:
            reader.bad(where["deadline"], "SL709", f"`{cells['deadline']}` is not a date",
                       "write the deadline as a date: 31/10/2020 or 2020-10-31")
        else:
            writer.add(f"  deadline {due.isoformat()}", where["deadline"])
    if cells["formula"]:
        writer.add(f"  formula {cells['formula']}", where["formula"])
    if cells["tags"]:
        writer.add(f"  tags {_tags(cells['tags'])}", where["tags"])
    if cells["other"]:
        writer.add(cells["other"], where["other"])
    writer.add("}", where["indicator"])


def _row_of(reader: _Reader, node: _Node) -> Row:
    return next(r for r in reader.table.rows if r.number == node.row)


def _tags(text: str) -> str:
    return ", ".join(t.strip() for t in re.split(r"[,;]", text) if t.strip())


def _tree_lines(node: _Node, writer: _Writer, depth: int) -> None:
    pad = "  " * depth
    cells, where = node.cells, node.where
    weight = node.weight_text
    if node.kind == "indicator":
        writer.add(f"{pad}{cells['indicator']} {weight}", where["weight"])
        return
    if node.kind == "link":
        writer.add(f"{pad}link {_quote(cells['code'] or '')} {weight}", where["weight"])
        return
    head = {"area": f"area {_quote(cells['code'] or '')} ",
            "objective": f"objective {_quote(cells['code'] or '')} ",
            "group": "group "}[node.kind]
    suffix = f" weight {weight}" if weight else ""
    writer.add(f"{pad}{head}{_quote(cells['title'] or '')}{suffix} {{", where["weight"]
               if weight else where["title"])
    if cells["aggregate"]:
        writer.add(f"{pad}  aggregate {cells['aggregate']}", where["aggregate"])
    if cells["tags"]:
        writer.add(f"{pad}  tags {_tags(cells['tags'])}", where["tags"])
    for child in node.children:
        _tree_lines(child, writer, depth + 1)
    writer.add(f"{pad}}}", where["title"])


def _indicators(reader: _Reader, roots: Sequence[_Node], writer: _Writer) -> None:
    first: dict[str, _Node] = {}

    def visit(node: _Node) -> None:
        if node.kind == "indicator":
            ind = node.cells["indicator"] or ""
            if ind not in first:
                first[ind] = node
                if node.cells["title"] is None:
                    reader.bad(node.where["title"], "SL712", f"the first row of indicator "
                               f"`{ind}` has no title", "fill in its title (and target) in "
                               "its first row; later rows may leave them empty")
                _indicator_lines(reader, node, writer)
            else:
                earlier = first[ind]
                for key in DEFINING:
                    mine, theirs = node.cells[key], earlier.cells[key]
                    if mine is not None and theirs is not None \
                            and _same(mine) != _same(theirs):
                        reader.bad(node.where[key], "SL713", f"indicator `{ind}` has "
                                   f"{HEADERS['en'][key]} `{mine}` here and `{theirs}` at "
                                   f"row {earlier.row}", "an indicator is one: give its "
                                   "definition once (the later rows may leave it empty), or "
                                   "give the second one its own id")
                    elif mine is not None and theirs is None:
                        reader.bad(node.where[key], "SL713", f"indicator `{ind}` has "
                                   f"{HEADERS['en'][key]} `{mine}` here but none at its first "
                                   f"row {earlier.row}", "define an indicator in its first row")
        for child in node.children:
            visit(child)

    for root in roots:
        visit(root)


def _same(text: str) -> str:
    return " ".join(text.split()).lower()


def _settings_from(pairs: Sequence[tuple[str, str | None, Where]], file: str) -> _Settings:
    settings = _Settings()
    problems = []
    for key_text, value, where in pairs:
        key = _SETTING_KEYS.get(key_text.strip().lower())
        if key is None:
            problems.append(where.diagnostic(
                "SL714", f"unknown setting `{key_text}`", "the settings are "
                "piano, titolo, impostazione, dichiarazione, formato numeri (plan, title, "
                "setting, declaration, number_format)"))
            continue
        if key == "setting" and value is not None:
            settings.settings.append((value, where))
        elif key == "declaration" and value is not None:
            settings.declarations.append((value, where))
        elif key == "plan":
            settings.plan, settings.where = value, where
        elif key == "title":
            settings.title = value
        elif key == "number_format":
            settings.number_format = (value or "").strip().lower() or None
    if settings.plan is None or not _NAME.match(settings.plan):
        problems.append(error("SL714", f"{file}: the settings do not give the plan's id"
                              if settings.plan is None else
                              f"{file}: `{settings.plan}` cannot be a plan id", None,
                              "add the setting `piano` (plan) with the plan's id, e.g. "
                              "cciaa_modena_2020"))
    if settings.number_format not in (None, "it", "en"):
        problems.append(error("SL714", f"{file}: number format `{settings.number_format}`",
                              None, "write it or en"))
    if problems:
        raise SheetError(problems)
    return settings


def _read_sheets(path: Path) -> tuple[Table, _Settings]:
    data = read_bytes(path, "plan sheet")
    if path.suffix.lower() == ".csv" or not data.startswith(b"PK"):
        table = read_csv(path, data)
        pairs = [(key, value.strip() or None if key.strip().lower() not in
                  ("setting", "impostazione", "declaration", "dichiarazione") else value,
                  Where(str(path), None, line, 1)) for key, value, line in table.comments]
        settings = _settings_from(pairs, str(path))
        if settings.number_format is None:
            head = next((r for r in table.rows if not r.blank()), None)
            settings.number_format = "en"
            raw = data.decode("utf-8-sig", "replace").splitlines()
            if head is not None and head.number <= len(raw) and ";" in raw[head.number - 1]:
                settings.number_format = "it"
        return table, settings
    book = open_workbook(path, data)
    tree = sheet_table(path, book, (SHEETS["it"][0], SHEETS["en"][0]))
    assert tree is not None
    found = sheet_table(path, book, (SHEETS["it"][1], SHEETS["en"][1]), required=False)
    if found is None:
        raise SheetError([error("SL703", f"{path} has no sheet `Impostazioni` (Settings)",
                                None, "add a sheet `Impostazioni` with the rows chiave | "
                                "valore: piano (the plan's id), titolo, impostazione ...")])
    pairs = []
    for row in found.rows:
        key, value = text_of(row.cell(0)), row.cell(1)
        if key is None or key.lower() in ("chiave", "key"):
            continue
        text = value if isinstance(value, str) else text_of(value)
        pairs.append((key, text, found.where(row.number, 2)))
    settings = _settings_from(pairs, str(path))
    settings.number_format = settings.number_format or "en"
    return tree, settings


def import_plan(path: str | Path) -> Imported:
    """Read a plan sheet (.xlsx or .csv) into formatted, checked rule text. Raises SheetError
    with a diagnostic for every row it cannot read and every problem of the plan it gives,
    each naming its cell; nothing is returned then, so nothing half-read is ever written."""
    path = Path(path)
    table, settings = _read_sheets(path)
    reader = _Reader(table, settings.number_format or "en")
    roots = reader.read()
    writer = _Writer()
    writer.add(f"plan {settings.plan} {_quote(settings.title or settings.plan or '')} {{",
               settings.where)
    for text, where in settings.settings:
        writer.add(text, where)
    writer.add("}", settings.where)
    if not reader.problems:
        _indicators(reader, roots, writer)
        for root in roots:
            _tree_lines(root, writer, 0)
    for text, where in settings.declarations:
        writer.add(text, where)
    if reader.problems:
        raise SheetError(reader.problems)
    text = writer.text()
    name = str(path.with_suffix(".score"))
    _, found = api.diagnose(text, name, keep=False)
    moved = [_moved(d, writer.origins, name) for d in found]
    errors = [d for d in moved if d.is_error]
    if errors:
        raise SheetError(errors)
    return Imported(format_text(text, name), tuple(moved))


def _moved(diagnostic: Diagnostic, origins: Sequence[Where | None], name: str) -> Diagnostic:
    """A diagnostic of the written text, pointed at the cell its line came from."""
    span = diagnostic.span
    if span is None or span.file != name or not 0 < span.line <= len(origins):
        return diagnostic
    where = origins[span.line - 1]
    if where is None:
        return attrs.evolve(diagnostic, span=None, fix=None, related=())
    moved = where.diagnostic(diagnostic.code, diagnostic.message, diagnostic.hint)
    return attrs.evolve(diagnostic, message=moved.message, span=moved.span, fix=None,
                        related=())


# ---- export ---------------------------------------------------------------------------------
class _Source:
    """The rule file's text, to copy the rules that have no column as they were written."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def slice(self, span: Span | None) -> str | None:
        if span is None:
            return None
        if span.line == span.end_line:
            return self.lines[span.line - 1][span.column - 1:span.end_column]
        return "\n".join([self.lines[span.line - 1][span.column - 1:],
                          *self.lines[span.line:span.end_line - 1],
                          self.lines[span.end_line - 1][:span.end_column]])


def _percent_of(fraction: float) -> str:
    return _decimal(Decimal(repr(fraction)) * 100) + "%"


def _other(indicator: model.Indicator, source: _Source) -> str:
    """The indicator's rules that have no column, in scorelang."""
    out = []
    for rule in (indicator.tolerance, indicator.threshold, indicator.table, indicator.limits,
                 indicator.baseline):
        written = source.slice(rule.span) if rule is not None else None
        if written:
            out.append(written)
    if indicator.late is not None:
        out.append(f"late {source.slice(indicator.late.span) or indicator.late.kind.value}")
    if indicator.floor is not None:
        out.append(f"floor {_percent_of(indicator.floor)}")
    if indicator.cap is not None:
        out.append(f"cap {_percent_of(indicator.cap)}")
    if indicator.missing is not None:
        out.append(f"missing {indicator.missing.value}")
    if indicator.missing_target is not None:
        out.append(f"missing_target {indicator.missing_target.value}")
    return "\n".join(out)


def _figure_cell(value: float, percent: bool, book: bool, locale: str) -> Any:
    """A target or weight for a cell: a number (a percentage cell holds the fraction) in a
    workbook, text of the sheet's number format in a CSV file."""
    number = Decimal(repr(float(value)))
    if book:
        return float(number / 100) if percent else float(value)
    text = _decimal(number)
    if locale == "it":
        text = text.replace(".", ",")
    return text + ("%" if percent else "")


def _number_text(number: Decimal, locale: str) -> str:
    text = _decimal(number)
    return text.replace(".", ",") if locale == "it" else text


def _rows(plan: model.PlanDefinition, source: _Source, locale: str, book: bool
          ) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    nodes = NODES[locale]
    seen: set[str] = set()
    for placed in model.walk(plan):
        node = placed.node
        row: dict[str, Any] = {"level": placed.depth + 1}
        weight = getattr(node, "weight", None)
        if weight is not None:
            row["weight"] = _figure_cell(weight.percent, True, book, locale)
        if isinstance(node, (model.Area, model.Objective, model.Group)):
            row["node"] = nodes["area" if isinstance(node, model.Area) else
                                "objective" if isinstance(node, model.Objective) else "group"]
            if not isinstance(node, model.Group):
                row["code"] = node.code
            row["title"] = node.title
            if node.aggregate is not None:
                row["aggregate"] = node.aggregate.rule.value
            if node.tags:
                row["tags"] = ", ".join(t.name for t in node.tags)
        elif isinstance(node, model.Link):
            row["node"], row["code"] = nodes["link"], node.code
        else:
            row["node"], row["indicator"] = nodes["indicator"], node.indicator
            indicator = plan.indicator(node.indicator)
            if indicator is not None and indicator.id not in seen:
                seen.add(indicator.id)
                row.update(_definition(indicator, source, locale, book))
        rows.append(row)
    return rows


def _definition(indicator: model.Indicator, source: _Source, locale: str, book: bool
                ) -> dict[str, Any]:
    row: dict[str, Any] = {"title": indicator.title}
    if indicator.description:
        row["description"] = indicator.description
    if indicator.unit:
        row["unit"] = indicator.unit
    if indicator.target is not None:
        row["direction"] = indicator.target.direction.value
        row["target"] = "tbd" if indicator.target.tbd else _figure_cell(
            indicator.target.value, indicator.target.percent, book, locale)
    periodic = []
    for each in indicator.periodic_targets:
        figure_text = "tbd" if each.target.tbd else (
            _number_text(Decimal(repr(each.target.value)), locale)
            + ("%" if each.target.percent else ""))
        periodic.append(f"{each.period} {each.target.direction.value} {figure_text}")
    if periodic:
        row["periodic"] = "; ".join(periodic)
    if indicator.deadline is not None:
        row["deadline"] = indicator.deadline.due if book else indicator.deadline.due.isoformat()
    if indicator.formula is not None:
        row["formula"] = indicator.formula.value
    if indicator.tags:
        row["tags"] = ", ".join(t.name for t in indicator.tags)
    other = _other(indicator, source)
    if other:
        row["other"] = other
    return row


def _settings_rows(plan: model.PlanDefinition, source: _Source, locale: str
                   ) -> list[tuple[str, str]]:
    keys = KEYS[locale]
    out = [(keys["plan"], plan.id), (keys["title"], plan.title),
           (keys["number_format"], locale)]
    spans: list[Span | None] = [plan.policy.span]
    spans += [item.span for item in plan.periods] + [item.span for item in plan.bands]
    spans += [item.span for item in plan.tags]
    out += [(keys["setting"], text) for text in _as_written(source, spans)]
    used = {p.node.indicator for p in model.walk(plan) if isinstance(p.node, model.Reference)}
    spans = [i.span for i in plan.indicators if i.id not in used]
    spans += [card.span for card in plan.scorecards] + [b.span for b in plan.behaviours]
    spans += [role.span for role in plan.roles] + [reward.span for reward in plan.rewards]
    spans += [rule.span for rule in plan.rules]
    out += [(keys["declaration"], text) for text in _as_written(source, spans)]
    return out


def _as_written(source: _Source, spans: Sequence[Span | None]) -> list[str]:
    """The rule file's own text of each construct that has some, in source order."""
    found = [(span, source.slice(span)) for span in spans if span is not None]
    return [text for span, text in sorted(found, key=lambda p: (p[0].line, p[0].column))
            if text]


def export_text(text: str, filename: str = "<string>", format: Format = "xlsx") -> bytes:
    """The plan of rule `text` as a plan sheet (the bytes of an .xlsx or .csv file). Raises
    CheckError for rules with errors (as `loads`), SheetError (SL004) without openpyxl."""
    plan = api.loads(text, filename).definition
    source = _Source(text)
    locale = plan.policy.locale if plan.policy.locale in HEADERS else "en"
    if format == "csv":
        return _csv(plan, source, locale)
    if format == "xlsx":
        return _xlsx(plan, source, locale)
    raise ValueError(f"unknown plan sheet format {format!r}: xlsx or csv")


def export_plan(rules: str | Path, format: Format = "xlsx") -> bytes:
    """The plan of a rule file as a plan sheet; see `export_text`."""
    path = Path(rules)
    return export_text(read_text(path, "rule file"), str(path), format)


def _csv(plan: model.PlanDefinition, source: _Source, locale: str) -> bytes:
    lead = []
    for key, value in _settings_rows(plan, source, locale):
        for line in value.split("\n"):
            lead.append(f"# {key}: {line}")
    header = [HEADERS[locale][c] for c in COLUMNS]
    body = [[csv_text(str(row.get(c, "")) if row.get(c) is not None else "")
             for c in COLUMNS] for row in _rows(plan, source, locale, book=False)]
    return csv_bytes(lead, [header, *body], locale)


_WIDTHS = {"level": 7, "node": 11, "code": 10, "indicator": 24, "title": 48, "weight": 9,
           "direction": 9, "target": 16, "periodic": 18, "unit": 7, "deadline": 11,
           "formula": 9, "description": 48, "tags": 16, "aggregate": 12, "other": 24}


def _xlsx(plan: model.PlanDefinition, source: _Source, locale: str) -> bytes:
    xl = openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

    book = xl.Workbook()
    tree = book.active
    tree.title, settings_title = SHEETS[locale]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, key in enumerate(COLUMNS, start=1):
        cell = tree.cell(row=1, column=index)
        set_text(cell, HEADERS[locale][key])
        cell.font, cell.fill = bold, fill
        tree.column_dimensions[cell.column_letter].width = _WIDTHS[key]
    for number, row in enumerate(_rows(plan, source, locale, book=True), start=2):
        for index, key in enumerate(COLUMNS, start=1):
            value = row.get(key)
            if value is None:
                continue
            cell = tree.cell(row=number, column=index)
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
            if key == "weight" or (key == "target" and isinstance(value, float)
                                   and _is_percent_target(plan, row)):
                cell.number_format = "0.00##%"
            elif key == "target" and isinstance(value, float):
                cell.number_format = "#,##0.######"  # shown grouped; the figure is the same
            elif isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY" if locale == "it" else "YYYY-MM-DD"
            cell.alignment = wrap
        if row.get("node") in (NODES[locale]["area"], NODES[locale]["objective"]):
            for index in range(1, len(COLUMNS) + 1):
                tree.cell(row=number, column=index).font = bold
    fit_rows(tree, [_WIDTHS[c] for c in COLUMNS])
    tree.freeze_panes = "C2"
    tree.page_setup.orientation = "landscape"
    tree.page_setup.fitToWidth = 1
    tree.page_setup.fitToHeight = 0
    tree.sheet_properties.pageSetUpPr.fitToPage = True
    tree.print_title_rows = "1:1"
    sheet = book.create_sheet(settings_title)
    keys = KEYS[locale]
    for number, (key, value) in enumerate([(keys["key"], keys["value"]),
                                           *_settings_rows(plan, source, locale)], start=1):
        set_text(sheet.cell(row=number, column=1), key)
        set_text(sheet.cell(row=number, column=2), value)
        sheet.cell(row=number, column=2).alignment = wrap
        if number == 1:
            sheet.cell(row=1, column=1).font = sheet.cell(row=1, column=2).font = bold
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100
    return workbook_bytes(book)


def _is_percent_target(plan: model.PlanDefinition, row: dict[str, Any]) -> bool:
    indicator = plan.indicator(str(row.get("indicator", "")))
    return bool(indicator and indicator.target and indicator.target.percent)
