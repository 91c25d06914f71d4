"""Rule texts generated from the grammar itself (`hypothesis.extra.lark.from_lark` over
src/scorelang/syntax/grammar.lark): text the parser accepts, so that what is fuzzed is build,
check, compile, evaluate and fmt, not only the parser's error path.

`from_lark` joins terminals without a separator and draws each terminal from its regular
expression: `plan` then a NAME would come out `planabc`, a NAME would almost never name an
indicator declared elsewhere, and a COMMENT would swallow the rest of its line. So every
terminal here has an `explicit` strategy: the keyword or the regex's strings followed by a
separator, names from a small pool (so that declarations and uses meet, and policy names are
ones the language knows), numbers from the ordinary to the absurd, real and impossible dates,
texts with escapes and any Unicode, comments ending their line.

Hypothesis spends some 40 ms drawing one such text (hundreds of draws, each tracked for
shrinking): right for the test suite's slice, too slow for the volume run's tens of thousands.
`derive` walks the same compiled grammar with `random.Random` and the same pools of terminals,
a hundred times faster; the volume run uses both (tests/fuzz/__main__.py).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from scorelang.syntax.parser import grammar_text

# Names the language gives a meaning to (policies, formulas, late rules, aggregations,
# locales, facts, flags, severities, units) and a few ids, so that declarations and uses meet.
_NAMES = ["a", "b", "c", "d", "H1", "H2", "FY", "p", "q", "weighted", "sum", "minimum",
          "all_reached", "share_reached", "counts_zero", "excluded", "value_zero", "error",
          "skip", "previous", "limit", "deviation", "ratio", "gap", "progress", "zero", "fixed",
          "linear", "rounded", "unrounded", "it", "en", "days", "score", "raw", "weight", "depth",
          "status", "kind", "band", "unit", "period", "id", "indicator", "title", "capped",
          "floored", "late", "missed", "value", "target", "info", "warning", "critical", "green",
          "red", "base", "manager", "staff", "bonus", "conduct", "plan", "area", "_", "x_1"]
_SEPARATOR = st.sampled_from([" ", " ", " ", "\n", "\t", "  ", "\r\n"])

# Numbers from the ordinary to the absurd (400 digits, a 30-digit power of ten, Unicode
# digits, which the grammar's \\d accepts), dates real and impossible, texts with escapes.
_ODD_NUMBERS = ["0", "100", "50", "33.33", "33.34", "0.5", "1_000", "-0", "00", "1__0", "9" * 400,
                "1" + "0" * 30, "0.000000001", "99999999999999999999.5", "٣", "１２"]
_ODD_DATES = ["2020-02-30", "2020-13-01", "0000-00-00", "2021-02-29", "9999-12-31", "2020-06-31",
              "٢٠٢٠-٠١-٠١"]
_ODD_STRINGS = ['"A"', '""', '"301"', '"1"', '"2"', '"a"', '"#1"', '"{score}"',
                '"{value} of {target}"', '"{nope}"', '"\\n"', '"\\""', '"\\\\"', '"\\u00e9"',
                '"\\x"', '"%"']

NUMBERS = st.one_of(
    st.integers(-5, 150).map(str),
    st.sampled_from(_ODD_NUMBERS),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
    .filter(lambda s: "E" not in s),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()).filter(lambda s: len(s) == 10),
    st.sampled_from(_ODD_DATES),
)
STRINGS = st.one_of(
    st.sampled_from(_ODD_STRINGS),
    st.text(st.characters(codec="utf-8", exclude_characters='"\\\n'), max_size=12)
    .map(lambda s: f'"{s}"'),
)
COMMENTS = st.text(st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=20) \
    .map(lambda s: f"#{s}\n")


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    # A Lark built here, not the package's cached parser: from_lark reads the grammar's rules,
    # which a parser loaded from Lark's cache does not keep.
    return Lark(grammar_text(), parser="lalr")


def _spaced(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(strategy, _SEPARATOR).map("".join)


@functools.lru_cache(maxsize=1)
def rule_texts() -> st.SearchStrategy[str]:
    """Rule files as the grammar writes them: whole plans, indicators, trees, scorecards,
    rewards and advice rules, with the odd comment."""
    lark = _lark()
    terminals, _, _ = lark.grammar.compile(["start"], ())
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for terminal in terminals:
        pattern = terminal.pattern
        if pattern.type == "str":  # a keyword or punctuation: itself
            explicit[terminal.name] = _spaced(st.just(pattern.value))
    explicit.update({
        "NAME": _spaced(st.one_of(st.sampled_from(_NAMES),
                                  st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))),
        "NUMBER": _spaced(NUMBERS),
        "DATE": _spaced(DATES),
        "STRING": _spaced(STRINGS),
        "DIRECTION": _spaced(st.sampled_from([">=", "<=", "="])),
        "COMPARE": _spaced(st.sampled_from(["==", "!=", ">=", "<=", ">", "<"])),
        "PERCENT_SIGN": _spaced(st.just("%")),
        "RESCALED": _spaced(st.just("rescaled")),
        "WS": _SEPARATOR,
        "COMMENT": COMMENTS,
    })
    return from_lark(lark, explicit=explicit)


# ---- the same grammar, walked with random.Random --------------------------------------------
def _any_text(rng: random.Random, size: int, exclude: str) -> str:
    # mostly printable ASCII, sometimes any code point (surrogates excluded: not UTF-8 text)
    out = []
    for _ in range(size):
        code = rng.randrange(32, 127) if rng.random() < 0.8 else rng.randrange(0x80, 0x30000)
        char = chr(code)
        if char not in exclude and not 0xD800 <= code <= 0xDFFF:
            out.append(char)
    return "".join(out)


def _number(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.5:
        return str(rng.randint(-5, 150))
    if pick < 0.8:
        return f"{rng.uniform(-1000, 1000):.{rng.randint(0, 4)}f}"
    return rng.choice(_ODD_NUMBERS)


def _date(rng: random.Random) -> str:
    if rng.random() < 0.85:
        year = rng.choice([2019, 2020, 2021, 2023, 1, 9999])
        return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return rng.choice(_ODD_DATES)


def _string(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(_ODD_STRINGS)
    return '"' + _any_text(rng, rng.randint(0, 12), '"\\\n') + '"'


_WORD_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def _name(rng: random.Random) -> str:
    if rng.random() < 0.9:
        return rng.choice(_NAMES)
    return rng.choice("abxyzAB_") + "".join(rng.choice(_WORD_CHARACTERS)
                                            for _ in range(rng.randint(0, 8)))


_TERMINALS: dict[str, Callable[[random.Random], str]] = {
    "NAME": _name, "NUMBER": _number, "DATE": _date, "STRING": _string,
    "DIRECTION": lambda rng: rng.choice([">=", "<=", "="]),
    "COMPARE": lambda rng: rng.choice(["==", "!=", ">=", "<=", ">", "<"]),
    "PERCENT_SIGN": lambda rng: "%", "RESCALED": lambda rng: "rescaled",
}
_SEPARATORS = [" ", " ", " ", "\n", "\t", "  ", "\r\n"]


@functools.lru_cache(maxsize=1)
def _productions() -> tuple[dict[str, list[tuple[tuple[bool, str], ...]]], dict[str, str],
                            dict[str, int]]:
    """Each nonterminal's expansions as (is terminal, name) pairs, the keywords' texts, and
    the fewest terminals each nonterminal can derive (to close a derivation that runs deep)."""
    terminals, rules, _ = _lark().grammar.compile(["start"], ())
    keywords = {t.name: t.pattern.value for t in terminals if t.pattern.type == "str"}
    productions: dict[str, list[tuple[tuple[bool, str], ...]]] = {}
    for rule in rules:
        productions.setdefault(rule.origin.name, []).append(
            tuple((symbol.is_term, symbol.name) for symbol in rule.expansion))
    smallest = {name: 10 ** 9 for name in productions}
    changed = True
    while changed:  # a fixed point: the fewest terminals over each nonterminal's expansions
        changed = False
        for name, expansions in productions.items():
            for expansion in expansions:
                size = sum(1 if term else smallest[symbol] for term, symbol in expansion)
                if size < smallest[name]:
                    smallest[name], changed = size, True
    return productions, keywords, smallest


def derive(rng: random.Random, depth: int = 12) -> str:
    """A random rule text the grammar accepts (up to the lexer's keyword rules), walking the
    expansions down to `depth` and the smallest ones below it. Most start with a plan block
    and hold a few items, as rule files do: a file without a plan stops at its first error."""
    productions, keywords, smallest = _productions()
    out: list[str] = []

    def walk(name: str, level: int) -> None:
        expansions = productions[name]
        if level >= depth:
            expansion = min(expansions, key=lambda e: sum(
                1 if term else smallest[symbol] for term, symbol in e))
        else:
            expansion = rng.choice(expansions)
        for term, symbol in expansion:
            if not term:
                walk(symbol, level + 1)
                continue
            out.append(keywords[symbol] if symbol in keywords else _TERMINALS[symbol](rng))
            out.append(rng.choice(_SEPARATORS))
            if rng.random() < 0.01:
                out.append("#" + _any_text(rng, rng.randint(0, 10), "\n\r") + "\n")

    if rng.random() < 0.8:
        walk("plan", 1)
        for _ in range(rng.randint(1, 8)):
            walk("item", 1)
    else:
        walk("start", 0)
    return "".join(out)
