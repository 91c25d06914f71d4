"""grammar.lark -> the LALR tables `lalr` runs, computed by Lark and kept as JSON in the package.

Lark is the grammar's authority: it checks the grammar, computes the LALR(1) automaton and
lexes and parses every text `fmt` formats and every text with a syntax error. Building that
automaton costs Lark about half a second per process, and its general-purpose parse loop is
slower than reading the same plan as YAML; so the automaton is computed once, here, and
stored beside the grammar (`grammar_tables.json`), for the small driver in `lalr` to run.

    python3 -m scorelang.tables          # regenerate grammar_tables.json after a grammar change

The file records the grammar's SHA-256: `load` refuses tables of another grammar, and the tests
regenerate the tables and compare them with the file, so they cannot drift apart silently.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

FORMAT = 1
TABLES_FILE = "grammar_tables.json"
END = "$END"


class Rule(NamedTuple):
    """One production, as the driver reduces it (Lark's tree-building rules, precomputed)."""

    origin: str  # the nonterminal it produces: the goto key
    size: int  # how many stack entries it pops
    callback: str | None  # the builder method called (alias or rule name); None: a spliced list
    expand_single: bool  # `?rule`: one kept child is passed up as it is
    keep: tuple[tuple[int, bool], ...]  # (index of a popped child, splice its list) kept children


class Tables(NamedTuple):
    grammar_sha256: str
    terminals: tuple[tuple[str, str], ...]  # (name, regex) in Lark's lexing order
    ignore: frozenset[str]
    keywords: dict[str, dict[str, str]]  # regex terminal -> {word it matches: keyword terminal}
    kept: frozenset[str]  # terminals passed to the builder (the others are punctuation)
    states: tuple[dict[str, int], ...]  # symbol -> n >= 0: shift to state n; n < 0: reduce rule ~n
    rules: tuple[Rule, ...]
    start: int
    end: int


def grammar_text() -> str:
    return resources.files(__package__).joinpath("syntax/grammar.lark").read_text(encoding="utf-8")


def grammar_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def generate() -> dict[str, Any]:
    """The tables of the current grammar, computed by Lark (imported only here)."""
    from lark.parsers.lalr_analysis import Shift

    from .syntax.parser import grammar_parser

    lark = grammar_parser()
    text = grammar_text()
    table = lark.parser.parser.parser.parse_table
    # Lark's lexer tries terminals in this order (lark.lexer.BasicLexer): the first that
    # matches wins, so the order is part of the language.
    ordered = sorted(lark.terminals, key=lambda t: (-t.priority, -t.pattern.max_width,
                                                     -len(t.pattern.value), t.name))
    words = [t for t in ordered if t.pattern.type == "str"]
    if any(t.pattern.flags for t in ordered):
        raise ValueError("the driver does not support regex flags on terminals")
    keywords: dict[str, dict[str, str]] = {}
    for terminal in ordered:
        if terminal.pattern.type != "re":
            continue
        # Lark's _create_unless: a word a regex terminal matches whole is lexed by the regex and
        # renamed to the keyword when the parser accepts the keyword there.
        folded = {w.pattern.value: w.name for w in words
                  if w.priority == terminal.priority
                  and re.fullmatch(terminal.pattern.to_regexp(), w.pattern.value)}
        if folded:
            keywords[terminal.name] = folded
    rule_index = {rule: i for i, rule in enumerate(lark.rules)}
    kept: set[str] = set()
    out_rules = []
    for rule in lark.rules:
        keep = []
        for i, symbol in enumerate(rule.expansion):
            if symbol.is_term and getattr(symbol, "filter_out", False):
                continue
            if symbol.is_term:
                kept.add(symbol.name)
            keep.append((i, not symbol.is_term and symbol.name.startswith("_")))
        name = rule.origin.name
        if rule.options.keep_all_tokens:
            raise ValueError(f"the driver does not support keep_all_tokens ({name})")
        spliced = name.startswith("_")
        expand_single = bool(rule.options.expand1 and not rule.alias)
        spliced_from = [rule.expansion[i].name for i, splice in keep if splice]
        if expand_single and spliced_from and (len(keep) == len(spliced_from) or any(
                not _keeps_something(r) for r in lark.rules if r.origin.name in spliced_from)):
            # The driver passes a single kept child up with its own position; a child taken out
            # of a spliced list would need positions the driver does not keep. A `?rule` with
            # a child of its own beside a never-empty repeated part always has two or more.
            raise ValueError(f"the driver does not support ?{name} with a repeated part")
        out_rules.append([name, len(rule.expansion),
                          None if spliced else str(rule.alias or name), expand_single, keep])
    # Lark numbers states in an order that changes from run to run; renumbered breadth-first
    # from the start state, symbols in sorted order, the file is the same for the same grammar.
    number = {table.start_states["start"]: 0}
    queue = [table.start_states["start"]]
    for state in queue:
        for symbol, (action, argument) in sorted(table.states[state].items()):
            if action is Shift and argument not in number:
                number[argument] = len(number)
                queue.append(argument)
    if len(number) != len(table.states):
        raise ValueError("some LALR states cannot be reached from the start state")
    states: list[dict[str, int]] = [{} for _ in number]
    for state, index in number.items():
        states[index] = {symbol: number[argument] if action is Shift else ~rule_index[argument]
                         for symbol, (action, argument) in sorted(table.states[state].items())}
    return {
        "format": FORMAT,
        "grammar_sha256": grammar_digest(text),
        "terminals": [[t.name, t.pattern.to_regexp()] for t in ordered],
        "ignore": sorted(lark.ignore_tokens),
        "keywords": keywords,
        "kept": sorted(kept),
        "states": states,
        "rules": out_rules,
        "start": number[table.start_states["start"]],
        "end": number[table.end_states["start"]],
    }


def _keeps_something(rule: Any) -> bool:
    return any(not (symbol.is_term and symbol.filter_out) for symbol in rule.expansion)


def render(tables: dict[str, Any]) -> str:
    """The JSON text of the tables file: one state or rule per line, so diffs stay readable."""
    lines = ["{"]
    items = list(tables.items())
    for position, (field, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        if field in ("states", "rules", "terminals"):
            lines.append(f"  {json.dumps(field)}: [")
            lines.extend(f"    {json.dumps(entry, ensure_ascii=False)}"
                         f"{',' if i < len(value) - 1 else ''}" for i, entry in enumerate(value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(field)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


class StaleTables(Exception):
    """The tables file was generated from another grammar."""


@functools.lru_cache(maxsize=1)
def load() -> Tables:
    data = json.loads(resources.files(__package__).joinpath(TABLES_FILE)
                      .read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or data["grammar_sha256"] != grammar_digest(grammar_text()):
        raise StaleTables(f"{TABLES_FILE} does not match grammar.lark: "
                          "run `python3 -m scorelang.tables`")
    return Tables(
        grammar_sha256=data["grammar_sha256"],
        terminals=tuple((name, regex) for name, regex in data["terminals"]),
        ignore=frozenset(data["ignore"]),
        keywords=data["keywords"],
        kept=frozenset(data["kept"]),
        states=tuple(data["states"]),
        rules=tuple(Rule(origin, size, callback, expand, tuple((i, s) for i, s in keep))
                    for origin, size, callback, expand, keep in data["rules"]),
        start=data["start"],
        end=data["end"],
    )


@functools.lru_cache(maxsize=1)
def reserved_words() -> frozenset[str]:
    """The words the language reserves (plan, indicator, objective, weight, ...)."""
    return frozenset(word for words in load().keywords.values() for word in words)


def main(argv: list[str] | None = None) -> int:
    target = Path(__file__).resolve().parent / TABLES_FILE
    rendered = render(generate())
    if argv and "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != rendered:
            print(f"{target} is out of date: run `python3 -m scorelang.tables`", file=sys.stderr)
            return 1
        return 0
    target.write_text(rendered, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
