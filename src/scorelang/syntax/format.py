"""Rule text -> canonical rule text (`scorelang fmt`), every comment kept where it was.

The formatter prints from the Lark parse tree, not from the model: the tree keeps the literal
text of numbers and strings, which the model has already turned into floats and unescaped text.
Comments are not in the tree (the grammar ignores them), so they are found by a per-line scan
and attached to the printed lines by source line number. Text that does not parse raises
`ParseError`; broken text is never formatted. This module never writes files.

The canonical layout:

- Two spaces of indentation per block level. One declaration or statement per line: the `plan`
  header, each `period`, `policy {` with one setting per line, each `indicator` statement, each
  `area` / `objective` / `group` header ending with `{`, each `name weight%` reference. `}` on
  its own line, also for an empty block. Inline blocks are exploded, one statement per line.
  Statements keep their source order: the methodologist's order is part of the document.
- References: within one block, a run of consecutive references (broken only by a nested
  `objective` or `group`, not by comments or blank lines) pads the names so that the weights
  end in one column (right-aligned, like a printed table), one space after the longest name.
- Numbers: underscores removed, then the integer part regrouped by thousands with `_` when it
  has 4 or more digits (13_000_000_000, 6_500; 650 stays 650). Decimal digits stay as written: 4.60
  is what the document prints and methodologists compare against it. `%` attached: `50%`.
  Strings, names, dates and directions exactly as written, one space between tokens.
- Blank lines: one where the source had one or more between two statements or comment lines;
  exactly one between top-level declarations; none right after `{` or right before `}`. No
  trailing whitespace; lines end with "\n" (CRLF becomes LF); the file ends with exactly one
  newline (a file of only whitespace becomes empty).
- Comments: a comment on its own line stays before the line that followed it, at that line's
  indentation (at the block's inner indentation before a `}`, at column 0 at the end of the
  file). A comment after code stays at the end of the line of the last statement that began at
  or before it, two spaces after the code. When several such comments land on one printed line
  (a statement written over several lines), all but the last move onto their own lines above it.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
from lark import Token, Tree

from ..files import read_text
from .parser import parse

__all__ = ["FormatOutcome", "format_file", "format_text", "unified_diff"]

INDENT = "  "
_BLOCKS = {"plan", "policy", "indicator", "area", "objective", "group", "scorecard"}
# Lines printed as aligned columns (name, weight[, label]), like a printed weight table.
_WEIGHTED_LINES = {"reference", "card_indicator", "card_node", "link"}


@attrs.frozen
class FormatOutcome:
    path: Path
    changed: bool
    original: str
    formatted: str


def format_text(text: str, filename: str = "<string>") -> str:
    """The canonical form of rule text; raise ParseError when the text does not parse."""
    tree = parse(text, filename)
    code = list(_block_body(tree.children, depth=0))
    comments, blank = _scan(text)
    lines = _render(_weave(code, comments), blank)
    return "\n".join(lines) + "\n" if lines else ""


def format_file(path: str | Path) -> FormatOutcome:
    """Format one rule file in memory; the caller decides whether to write it back."""
    path = Path(path)
    original = read_text(path, "rule file")
    formatted = format_text(original, str(path))
    return FormatOutcome(path, formatted != original, original, formatted)


def unified_diff(outcome: FormatOutcome, context: int = 3) -> str:
    """What formatting would change, as a unified diff (empty when nothing changes)."""
    before, after = _diff_lines(outcome.original), _diff_lines(outcome.formatted)
    # difflib.unified_diff treats lines frequent in a long file (every "}") as junk and then
    # shows unchanged closing braces as removed and re-added; match them as ordinary lines.
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- {outcome.path}\n", f"+++ {outcome.path} (formatted)\n"]
        (_, a_start, _, b_start, _), (_, _, a_stop, _, b_stop) = group[0], group[-1]
        out.append(f"@@ -{_hunk_range(a_start, a_stop)} +{_hunk_range(b_start, b_stop)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in before[a1:a2]]
                continue
            out += ["-" + line for line in before[a1:a2]]
            out += ["+" + line for line in after[b1:b2]]
    return "".join(out)


def _hunk_range(start: int, stop: int) -> str:
    # As diff writes it: 1-based first line and length; an empty range names the line before.
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _diff_lines(text: str) -> list[str]:
    # Split on "\n" only (as the parser counts lines) and flag a missing final newline the way
    # diff does; otherwise a file differing only there would show an empty diff.
    *lines, last = text.split("\n")
    out = [line + "\n" for line in lines]
    if last:
        out.append(last + "\n\\ No newline at end of file\n")
    return out


# ---- the code lines, printed from the tree ------------------------------------------------

@attrs.frozen
class _Line:
    """One printed line; `first`/`last` are the source lines of its first and last token."""

    depth: int
    text: str
    first: int
    last: int
    opens: bool = False  # ends with "{": no blank line may follow
    closes: bool = False  # is a "}": no blank line may precede


def _number(token: Token | str) -> str:
    """13000000000 -> 13_000_000_000, 2000 -> 2_000; 4.60 keeps its decimals; the sign is kept."""
    text = str(token).replace("_", "")
    sign = "-" if text.startswith("-") else ""
    whole, dot, decimals = text.removeprefix("-").partition(".")
    if len(whole) >= 4:
        head = len(whole) % 3 or 3
        whole = "_".join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    return sign + whole + dot + decimals


def _inline(node: Tree[Token] | Token) -> str:
    """Tokens of a statement joined by one space; `%` sticks to its number."""
    if isinstance(node, Token):
        return _number(node) if node.type == "NUMBER" else str(node)
    if node.data in ("percent", "quantity"):
        return "".join(_inline(child) for child in node.children)
    return " ".join(_inline(child) for child in node.children)


def _statement(node: Tree[Token]) -> str:
    # Every one-line statement rule is named after its keyword (floor, unit, target, late...),
    # so one function prints them all, including statements added to the grammar later.
    if node.data == "period":
        name, *title, date = node.children
        return " ".join(["period", _inline(name), *map(_inline, title), "ends", _inline(date)])
    if node.data == "band":
        name, *texts, lower = node.children
        label = [_inline(texts[0])] if len(texts) == 2 else []
        return " ".join(["band", _inline(name), *label, "colour", _inline(texts[-1]), "from",
                         _inline(lower)])
    if node.data == "tags":
        return "tags " + ", ".join(_inline(child) for child in node.children)
    if node.data == "limits":
        words = ("minimum", "maximum", "excellent")
        return "limits " + " ".join(f"{word} {_inline(child)}"
                                    for word, child in zip(words, node.children))
    if node.data in _INDIVIDUAL_LINES:
        return _individual_line(node)
    if node.data in ("target_tbd", "periodic_tbd"):  # the keyword `tbd` is not in the tree
        return f"{node.data.removesuffix('_tbd')} {_inline(node)} tbd"
    return f"{node.data} {_inline(node)}".rstrip()


def _end_line(node: Tree[Token] | Token) -> int:
    if isinstance(node, Token):
        return node.end_line or node.line or 1
    return node.meta.end_line


def _in_header(child: Tree[Token] | Token) -> bool:
    return isinstance(child, Token) or child.data == "weight"


def _block(node: Tree[Token], depth: int) -> Iterator[_Line]:
    header = [child for child in node.children if _in_header(child)]
    body = [child for child in node.children if not _in_header(child)]
    words = [str(node.data)] + [_inline(part) if isinstance(part, Token) else f"weight {_inline(part)}"
                                for part in header]
    last = max([node.meta.line] + [_end_line(part) for part in header])
    yield _Line(depth, " ".join(words) + " {", node.meta.line, last, opens=True)
    yield from _block_body(body, depth + 1)
    yield _Line(depth, "}", node.meta.end_line, node.meta.end_line, closes=True)


def _block_body(children: Sequence[Tree[Token] | Token], depth: int) -> Iterator[_Line]:
    nodes = [child for child in children if isinstance(child, Tree)]
    for is_reference, run in itertools.groupby(nodes, key=lambda n: n.data in _WEIGHTED_LINES):
        if is_reference:
            yield from _references(list(run), depth)
            continue
        for node in run:
            if node.data in _INDIVIDUAL_BLOCKS:
                yield from _individual_block(node, depth)
            elif node.data in _BLOCKS:
                yield from _block(node, depth)
            elif node.data == "rule":
                yield from _rule(node, depth)
            elif node.data in ("steps", "points"):
                yield from _table(node, depth)
            else:
                yield _Line(depth, _statement(node), node.meta.line, node.meta.end_line)


# Binding strength of condition operators: a weaker one inside a stronger one needs brackets.
_PRECEDENCE = {"either": 1, "both": 2, "negate": 3}


def _condition(node: Tree[Token] | Token, outer: int = 0) -> str:
    if isinstance(node, Token):
        return _inline(node)
    strength = _PRECEDENCE.get(str(node.data), 4)
    if node.data == "either":
        text = " or ".join(_condition(c, 1) for c in node.children)
    elif node.data == "both":
        text = " and ".join(_condition(c, 2) for c in node.children)
    elif node.data == "negate":
        text = "not " + _condition(node.children[0], 3)
    elif node.data in ("tagged", "flagged"):
        text = f"{node.data} {_inline(node.children[0])}"
    elif node.data == "compare":
        left, operator, right = node.children
        text = f"{_condition(left)} {operator} {_condition(right)}"
    else:  # an operand: symbol, literal, text
        text = "".join(_inline(c) for c in node.children)
    return f"({text})" if strength < outer else text


def _rule(node: Tree[Token], depth: int) -> Iterator[_Line]:
    name, *rest = node.children
    header = ["rule", _inline(name)]
    if isinstance(rest[0], Token):
        header.append(_inline(rest.pop(0)))
    condition, category, severity, message = rest
    assert isinstance(condition, Tree) and isinstance(category, Token)
    assert isinstance(message, Token)
    yield _Line(depth, " ".join(header) + " {", node.meta.line, node.meta.line, opens=True)
    yield _Line(depth + 1, "when " + _condition(condition), condition.meta.line,
                condition.meta.end_line)
    yield _Line(depth + 1, f"flag {category} {severity} {message}", category.line or 1,
                message.end_line or 1)
    yield _Line(depth, "}", node.meta.end_line, node.meta.end_line, closes=True)


def _table(node: Tree[Token], depth: int) -> Iterator[_Line]:
    """A `steps` or `points N` table: one row per line, as the SMVP prints it."""
    rows = [child for child in node.children if isinstance(child, Tree)]
    header = [_inline(child) for child in node.children if isinstance(child, Token)]
    yield _Line(depth, " ".join([str(node.data), *header, "{"]), node.meta.line, node.meta.line,
                opens=True)
    for row in rows:
        *bounds, scores = row.children
        assert isinstance(scores, Tree)
        written = " to ".join(_inline(child) for child in scores.children)
        if row.data == "row_below":
            text = f"below {_inline(bounds[0])}"
        elif row.data == "row_from":
            text = f"from {_inline(bounds[0])}"
        else:
            text = f"{_inline(bounds[0])} to {_inline(bounds[1])}"
        yield _Line(depth + 1, f"{text} scores {written}", row.meta.line, row.meta.end_line)
    yield _Line(depth, "}", node.meta.end_line, node.meta.end_line, closes=True)


# The keyword a weighted line starts with, before its name (`link "802" 30%`).
_WEIGHTED_PREFIX = {"card_node": "objective ", "link": "link "}


def _references(run: list[Tree[Token]], depth: int) -> Iterator[_Line]:
    # Names padded and weights right-aligned, as in the printed tables: a reader checks that a
    # block sums to 100% down one column.
    # Scorecard lines may name a tree node (`objective "803.A1.2"`) and end with a label.
    names = [_WEIGHTED_PREFIX.get(str(ref.data), "") + _inline(ref.children[0]) for ref in run]
    weights = [_inline(ref.children[1]) for ref in run]
    labels = ["".join(f" {_inline(label)}" for label in ref.children[2:]) for ref in run]
    name_width = max(map(len, names))
    weight_width = max(map(len, weights))
    for ref, name, weight, label in zip(run, names, weights, labels):
        text = f"{name:<{name_width}} {weight:>{weight_width}}{label}"
        yield _Line(depth, text, ref.meta.line, ref.meta.end_line)


# ---- individual evaluation: scorecards with components, behaviours, roles, rewards ---------
# Their headers and lines carry keywords the tree does not keep (`scale 1 to 5`, `pays`), so
# they are printed here, each from its own rule.
_INDIVIDUAL_BLOCKS = {"scorecard", "component", "behaviours", "role", "reward"}
_INDIVIDUAL_LINES = {"card_reward", "part_plan", "part_indicator", "part_node",
                     "part_behaviours", "behaviour", "role_weight", "role_reward", "pays_below",
                     "pays_between", "pays_from"}


def _words(children: Sequence[Tree[Token] | Token]) -> list[str]:
    return [_inline(child) for child in children]


def _individual_header(node: Tree[Token]) -> tuple[list[str], list[Tree[Token]]]:
    tokens = [c for c in node.children if isinstance(c, Token)]
    trees = [c for c in node.children if isinstance(c, Tree)]
    if node.data == "scorecard":
        role = [t for t in trees if t.data == "card_role"]
        words = ["scorecard", *_words(tokens)] + [f"role {_inline(r.children[0])}" for r in role]
        return words, [t for t in trees if t.data != "card_role"]
    if node.data == "component":
        weight = [_inline(t) for t in trees if t.data == "percent"]
        return ["component", *_words(tokens), *weight], [t for t in trees if t.data != "percent"]
    if node.data == "behaviours":
        name, title, low, high = _words(tokens)
        step = [f"step {_inline(t.children[0])}" for t in trees if t.data == "scale_step"]
        return (["behaviours", name, title, "scale", low, "to", high, *step],
                [t for t in trees if t.data != "scale_step"])
    return [str(node.data), *_words(tokens)], trees


def _individual_block(node: Tree[Token], depth: int) -> Iterator[_Line]:
    words, body = _individual_header(node)
    last = max([node.meta.line] + [_end_line(c) for c in node.children if c not in body])
    yield _Line(depth, " ".join(words) + " {", node.meta.line, last, opens=True)
    yield from _block_body(body, depth + 1)
    yield _Line(depth, "}", node.meta.end_line, node.meta.end_line, closes=True)


def _individual_line(node: Tree[Token]) -> str:
    words = _words(node.children)
    if node.data == "pays_below":
        return f"below {words[0]} pays {words[1]}"
    if node.data == "pays_from":
        return f"from {words[0]} pays {words[1]}"
    if node.data == "pays_between":
        return " ".join([words[0], "to", words[1], "pays", " to ".join(words[2:])])
    keyword = {"card_reward": "reward", "role_reward": "reward", "part_plan": "plan",
               "part_node": "objective", "part_behaviours": "behaviours"}.get(str(node.data))
    return " ".join(([keyword] if keyword else []) + words)


# ---- comments and blank lines, found by scanning the text ----------------------------------

@attrs.frozen
class _Comment:
    line: int
    text: str
    after_code: bool  # code precedes it on its line


def _scan(text: str) -> tuple[list[_Comment], set[int]]:
    """The comments and the numbers of the blank lines. Strings never span lines, so walking
    each line and skipping "..." (with its backslash escapes) finds every `#` that starts a
    comment, exactly as the lexer does."""
    comments: list[_Comment] = []
    blank: set[int] = set()
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            blank.add(line_number)
            continue
        column = _comment_column(line)
        if column is not None:
            comments.append(_Comment(line_number, line[column:].rstrip(), bool(line[:column].strip())))
    return comments, blank


def _comment_column(line: str) -> int | None:
    in_string = False
    index = 0
    while index < len(line):
        char = line[index]
        if in_string and char == "\\":
            index += 1  # the escaped character cannot end the string
        elif char == '"':
            in_string = not in_string
        elif char == "#" and not in_string:
            return index
        index += 1
    return None


# ---- weaving comments into the code lines, then the blank lines ----------------------------

def _weave(code: list[_Line], comments: list[_Comment]) -> list[_Line]:
    """Code lines and comment lines in print order (code lines carry their trailing comment)."""
    firsts = [line.first for line in code]  # non-decreasing: the tree is printed in source order
    before: dict[int, list[_Comment]] = defaultdict(list)
    trailing: dict[int, list[_Comment]] = defaultdict(list)
    for comment in comments:
        if comment.after_code:
            # The last printed line that began at or before the comment holds the code it follows.
            trailing[max(bisect.bisect_right(firsts, comment.line) - 1, 0)].append(comment)
        else:
            before[bisect.bisect_right(firsts, comment.line)].append(comment)
    out: list[_Line] = []
    for index, line in enumerate(code):
        # Before a "}" a comment belongs to the block it was written in.
        depth = line.depth + 1 if line.closes else line.depth
        out.extend(_comment_line(comment, depth) for comment in before[index])
        attached = trailing[index]
        out.extend(_comment_line(comment, line.depth) for comment in attached[:-1])
        if attached:
            line = attrs.evolve(line, text=f"{line.text}  {attached[-1].text}")
        out.append(line)
    out.extend(_comment_line(comment, 0) for comment in before[len(code)])
    return out


def _comment_line(comment: _Comment, depth: int) -> _Line:
    return _Line(depth, comment.text, comment.line, comment.line)


def _render(lines: list[_Line], blank: set[int]) -> list[str]:
    out: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if previous is not None and _blank_between(previous, line, blank):
            out.append("")
        out.append(INDENT * line.depth + line.text)
        previous = line
    return out


def _blank_between(previous: _Line, line: _Line, blank: set[int]) -> bool:
    if previous.opens or line.closes:
        return False
    if previous.closes and previous.depth == 0:
        return True  # top-level declarations are always one blank line apart
    return any(line_number in blank for line_number in range(previous.last + 1, line.first))
