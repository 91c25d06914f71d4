"""Every report and every command's human output speaks the plan's language (issue 18, point 6).

The words are not listed by hand: the English ones are those of the reports' English tables
(report.words, the workbook's headings, the explain/verify/whatif templates of report.italian)
and of the string literals of the report/ and tools/ modules, less any word the Italian tables
use too (the shared "target", "formula", the grammar's keywords in backticks); the Italian ones
the other way round. Each report of Modena and Valleverde (both `locale it`) is rendered in
Italian and must hold no English word, then in English and must hold no Italian word. A word
of the plan's own files (its titles, its advice messages) is the author's, not ours: it is
left out of both lists. Diagnostics' messages stay English by design (docs/diagnostics.md is
their catalogue), so the scoring notes the html page lists are left out too.
"""

from __future__ import annotations

import ast
import html
import io
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

import scorelang
from scorelang import report
from scorelang.report import explain as explain_report
from scorelang.report import individual as individual_report
from scorelang.report import verify as verify_report
from scorelang.report import whatif as whatif_report
from scorelang.report import words as words_table
from scorelang.report.html import to_html, view_html
from scorelang.report.italian import ITALIAN
from scorelang.report.views import comparison
from scorelang.tools.explain import explain
from scorelang.tools.individual import explain_scorecard
from scorelang.tools.verify import load_published, verify
from scorelang.tools.whatif import load_operations, parse_operations, whatif

from .conftest import MODENA_PUBLISHED, MODENA_RULES, MODENA_VALUES, ROOT

SRC = ROOT / "src" / "scorelang"
VALLEVERDE_RULES = ROOT / "rules" / "comune-valleverde-2023.score"
VALLEVERDE_VALUES = ROOT / "examples" / "comune-valleverde-2023" / "monitoraggio-2023-06.yaml"
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")


def _words(texts) -> set[str]:
    out: set[str] = set()
    for text in texts:
        for token in str(text).split():
            # an identifier, a path, a placeholder, a keyword in backticks: not a word
            if re.search(r"[_:/.@={}`<>#\\…]|\d", token):  # …: a word the table cut short
                continue
            out |= {w.strip("'").casefold() for w in WORD.findall(token) if len(w) >= 4}
    return out


def _templates() -> list[str]:
    """Every `say("...")` template of report/, and the tables said through `say`."""
    found = []
    for path in sorted((SRC / "report").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.append(node.args[0].value)
    tables = (explain_report._POLICY, explain_report._TREATMENTS, explain_report._STATUS,
              explain_report.KINDS, verify_report._KIND)
    found += [text for table in tables for text in table.values()]
    found += [text for pair in verify_report._COUNTED.values() for text in pair]
    return found


def _literals(folder: str) -> list[str]:
    out = []
    for path in sorted((SRC / folder).glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        out += [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                and isinstance(node.value, str) and id(node) not in docstrings]
    return out


def _xlsx_words(locale: str) -> list[str]:
    from scorelang.report import xlsx

    return list(xlsx._WORDS[locale].values()) + list(xlsx.SHEET_NAMES[locale].values())


def _table_words(locale: str) -> list[str]:
    return (list(words_table.PAGE_WORDS[locale].values())
            + [text for pair in words_table.FLAG_WORDS[locale].values() for text in pair]
            + list(words_table.SEVERITY_WORDS[locale].values()) + _xlsx_words(locale))


def _authored(path: Path) -> list[str]:
    """What the plan's author wrote for readers: a rule file's quoted strings (titles, advice
    messages), a YAML file's text values; not the comments, which are English notes."""
    if path.suffix == ".score":
        return re.findall(r'"((?:[^"\\]|\\.)*)"', path.read_text(encoding="utf-8"))
    import yaml

    def texts(data):
        if isinstance(data, str):
            yield data
        elif isinstance(data, dict):
            for value in data.values():  # the keys are the format's, not the author's
                yield from texts(value)
        elif isinstance(data, list):
            for value in data:
                yield from texts(value)
    return list(texts(yaml.safe_load(path.read_text(encoding="utf-8"))))


PLAN_WORDS = _words(text for path in (
    MODENA_RULES, MODENA_VALUES, MODENA_PUBLISHED, VALLEVERDE_RULES, VALLEVERDE_VALUES,
    ROOT / "examples" / "cciaa-modena-2020" / "rimodulazione-ocri.yaml")
    for text in _authored(path))
def _findings() -> list[str]:
    """The advice rules' messages: the author's sentences, their figures filled in the plan's
    locale when it was scored, whatever language the report is then rendered in."""
    return [finding.message for rules, values in ((MODENA_RULES, MODENA_VALUES),
                                                   (VALLEVERDE_RULES, VALLEVERDE_VALUES))
            for finding in scorelang.load(rules).evaluate(scorelang.load_values(values)).findings]


def _italian_literals() -> list[str]:
    """The Italian a module of report/ writes inline: the `titolo` of a view or a column, and
    the Italian side of `... if locale == "it" else ...`."""
    out = []
    for path in sorted((SRC / "report").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("Column", "View") \
                    and len(node.args) >= 3 and isinstance(node.args[2], ast.Constant):
                out.append(node.args[2].value)
            if isinstance(node, ast.IfExp) and re.search(r'"it"|italian|\bit\b',
                                                         ast.get_source_segment(source, node.test)
                                                         or ""):
                out += [n.value for n in ast.walk(node.body)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    from scorelang.report.cells import STATUS_IT

    return out + list(STATUS_IT.values())


# A keyword of the language a report prints as the plan writes it, in either language: a node
# read through `link` is marked "(link)" (views.label, html._name); a scorecard's parts are
# named `plan` and `behaviours X` as its component writes them; `limits minimum 55 maximum 75
# excellent 80` names its limits.
KEYWORDS = {"link", "plan", "behaviours", "minimum", "maximum", "excellent"}
assert KEYWORDS <= set(re.findall(r'"([a-z_]+)"', (SRC / "syntax" / "grammar.lark").read_text(
    encoding="utf-8")))
PLAN_WORDS |= _words(_findings()) | KEYWORDS
ITALIAN_WORDS = _words([*ITALIAN.values(), *_table_words("it"), *_italian_literals()])
ENGLISH_WORDS = (_words([*ITALIAN.keys(), *_table_words("en"), *_literals("report"),
                         *_literals("tools")]) - ITALIAN_WORDS - PLAN_WORDS)
ITALIAN_ONLY = ITALIAN_WORDS - _words([*ITALIAN.keys(), *_table_words("en")]) - PLAN_WORDS


def test_the_word_lists_are_long_enough_to_mean_something():
    assert {"operations", "weight", "achievement", "scores", "warning", "deadline",
            "summary"} <= ENGLISH_WORDS
    assert {"avviso", "grezzo", "tolto", "verificati"} <= ITALIAN_ONLY
    assert len(ENGLISH_WORDS) > 300 and len(ITALIAN_ONLY) > 150


@pytest.mark.parametrize("template", sorted(set(_templates())))
def test_every_sentence_of_the_reports_has_its_italian(template):
    assert template in ITALIAN, "add it to report/italian.py"
    fields = set(string.Formatter().parse(template))
    names = {name for _, name, _, _ in fields if name}
    assert {name for _, name, _, _ in string.Formatter().parse(ITALIAN[template])
            if name} <= names | set(), "the Italian uses only the template's fields"


# ---- what each report says ---------------------------------------------------------------------

class Visible(HTMLParser):
    """The text a reader of the page sees or hears: text nodes, titles and labels."""

    def __init__(self, text: str, skip: set[str]):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.skip = skip
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.texts += [v for k, v in attrs if k in ("title", "aria-label") and v]

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if "style" not in self.stack and data.strip() not in self.skip:
            self.texts.append(data)


def _outputs(locale: str) -> dict[str, str]:
    """Every report and command output of both bundled plans, in `locale`."""
    openpyxl = pytest.importorskip("openpyxl")
    from scorelang.report.xlsx import to_xlsx_bytes

    out: dict[str, str] = {}
    for name, rules, values in (("modena", MODENA_RULES, MODENA_VALUES),
                                ("valleverde", VALLEVERDE_RULES, VALLEVERDE_VALUES)):
        plan = scorelang.load(rules)
        result = plan.evaluate(scorelang.load_values(values))
        notes = {d.message for d in result.diagnostics}
        for fmt in ("table", "markdown", "csv"):
            # Markdown is read rendered: its `&nbsp;` indentation is a space, not a word.
            shown = html.unescape if fmt == "markdown" else str
            for view in report.VIEWS:
                out[f"{name} {fmt} {view}"] = shown(report.render(result, fmt, view, None,
                                                                  locale))
            out[f"{name} advise {fmt}"] = shown(report.render_findings(result, fmt, locale))
            out[f"{name} compare {fmt}"] = shown(report.render_comparison(
                [result, result], ["a", "b"], fmt, None, locale))
        out[f"{name} html"] = " ".join(Visible(to_html(result, locale, plan=plan.definition),
                                               notes).texts)
        out[f"{name} compare html"] = " ".join(Visible(view_html(
            result, comparison([result, result], ["a", "b"]), locale), notes).texts)
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(result, locale)))
        out[f"{name} xlsx"] = " ".join(
            [*book.sheetnames, *(str(c.value) for sheet in book for row in sheet.iter_rows()
                                 for c in row if isinstance(c.value, str))])
        for area in result.areas():
            out[f"{name} explain {area.id}"] = explain_report.explain_text(
                explain(plan, result, area.id), locale)
        for card in result.scorecards:
            out[f"{name} explain scorecard {card.id}"] = individual_report.explain_scorecard_text(
                explain_scorecard(plan, result, f"scorecard:{card.id}"), locale)
    plan = scorelang.load(MODENA_RULES)
    values = scorelang.load_values(MODENA_VALUES)
    result = plan.evaluate(values)
    found = verify(plan, result, load_published(MODENA_PUBLISHED), values)
    out["modena verify"] = verify_report.verify_text(found, locale)
    text = MODENA_RULES.read_text(encoding="utf-8")
    for number, operations in enumerate((
            load_operations(ROOT / "examples" / "cciaa-modena-2020" / "rimodulazione-ocri.yaml"),
            parse_operations((), ["formazione_ocri@H1=20"], ["701.C2.7/formazione_ocri=40"],
                             ["tempi_avvio_mediazioni=9"]))):
        outcome = whatif(text, str(MODENA_RULES), values, operations, None, None)
        out[f"modena whatif {number}"] = whatif_report.whatif_text(outcome, locale)
    return out


@pytest.fixture(scope="module")
def italian() -> dict[str, str]:
    return _outputs("it")


@pytest.fixture(scope="module")
def english() -> dict[str, str]:
    return _outputs("en")


def test_every_report_and_command_is_rendered(italian):
    assert len(italian) > 50
    assert all(text.strip() for text in italian.values())


def test_under_locale_it_no_report_says_an_english_word(italian):
    found = {name: sorted(_words([text]) & ENGLISH_WORDS) for name, text in italian.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_under_locale_en_no_report_says_an_italian_word(english):
    found = {name: sorted(_words([text]) & ITALIAN_ONLY) for name, text in english.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_italian_figures_have_decimal_commas_and_day_first_dates(italian):
    assert "30/06/2020" in italian["modena explain 1"]
    assert "2020-06-30" not in italian["modena explain 1"]
    assert re.search(r"\d,\d\d %", italian["modena explain 1"])
    assert not re.search(r"\d\.\d\d %", italian["modena explain 1"])
