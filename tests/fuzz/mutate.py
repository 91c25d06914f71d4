"""Hostile variants of real input files: byte flips, token edits, NUL, BOM, CRLF, huge numbers,
deep nesting, truncation, splices of two files.

Every mutation is a function of a `random.Random` and the bytes, so a seeded generator gives
the same inputs on every machine: a crash found in CI is found again by its seed and index.
Mutations work on bytes, not text: invalid UTF-8, a lone surrogate's encoding or a NUL byte
must reach the readers exactly as a damaged file would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from random import Random

# A token of any of our formats: a word, a number, a quoted text, a run of spaces, one
# punctuation character. Good enough to delete, repeat or swap "a thing" in rules and YAML.
_TOKEN = re.compile(rb'"(?:[^"\\\n]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|-?\d[\d_.]*|\s+|.', re.S)
_NUMBER = re.compile(rb"-?\d[\d_]*(?:\.\d[\d_]*)?")

# Bytes that damage files in the wild: NUL, a BOM anywhere, lone CR, invalid or truncated
# UTF-8, an encoded surrogate, control characters, look-alike Unicode (no-break space, line
# separator, Arabic-Indic and full-width digits, a minus sign, a curly quote).
SPECIAL = [b"\x00", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x1b",
           b"\x0c", b"\x85", b"\t", "\u00a0".encode(), "\u2028".encode(), "\u0663".encode(),
           "\uff11".encode(), "\u2212".encode(), "\u201c".encode(), "\U0001f600".encode(),
           b"\\", b'"', b"'", b"#", b"%", b"{", b"}", b"[", b"]", b":", b"-", b"&a", b"*a", b"!!",
           b"? ", b"|", b">", b"~", b",", b"\n  ", b"\n- "]

# Numbers at and past the edges: overflow, underflow, NaN and infinity in YAML's and Python's
# spellings, signed zero, underscores, hex, a 400-digit integer, locale look-alikes.
HUGE = [b"1e309", b"-1e309", b"1e-400", b"9" * 400, b"-" + b"9" * 400, b".inf", b"-.inf", b".nan",
        b"nan", b"inf", b"NaN", b"-0", b"-0.0", b"0", b"1_000_000", b"0x10", b"0o17", b"1e308",
        b"179769313486231570000000000000000000000000000000000000000000000000000000000000000"
        b"0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        b"0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        b"0000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        b"0.0000000000000000000001", b"2.5e-324", b"1,5", b"1.234,56", b"3.111.720.000,00",
        b"99999999999999999999.5", b"-1", b"100%", b"1e3", b"12:30:00", b"2020-02-30",
        b"0000-00-00", b"9999-12-31", b"2020-06-31T25:00:00"]

# Words of the rule language and of the YAML files, inserted to make near-valid text.
WORDS = [b"plan", b"period", b"ends", b"policy", b"band", b"tag", b"tags", b"indicator",
         b"target", b"periodic", b"deadline", b"weight", b"area", b"objective", b"group",
         b"link", b"aggregate", b"rollup", b"floor", b"cap", b"missing", b"missing_target",
         b"formula", b"late", b"steps", b"points", b"scores", b"below", b"from", b"to",
         b"scorecard", b"component", b"behaviours", b"role", b"reward", b"pays", b"rule",
         b"when", b"flag", b"and", b"or", b"not", b"tbd", b">=", b"<=", b"=", b"==", b"!=",
         b"limits", b"minimum", b"maximum", b"baseline", b"tolerance", b"threshold",
         b"values:", b"periods:", b"as_of:", b"plan:", b"period:", b"tests:", b"expect:",
         b"rules:", b"neutralised:", b"overrides:", b"previous:", b"behaviours:", b"null",
         b"N/D", b"yes", b"no", b"~", b"scores:", b"summary:", b"locale:", b"drop:",
         b"set_target:", b"set_weight:", b"set_value:", b"!!python/object:os.system",
         b"!!binary", b"!!timestamp", b"!!float", b"!!set", b"<<: *a", b"&a [*a, *a]"]


def _spot(rng: Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def flip_bit(rng: Random, data: bytes) -> bytes:
    if not data:
        return b"\x01"
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]


def random_bytes(rng: Random, data: bytes) -> bytes:
    i = _spot(rng, data)
    return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 4))) + data[i + 1:]


def insert_special(rng: Random, data: bytes) -> bytes:
    i = _spot(rng, data)
    return data[:i] + rng.choice(SPECIAL) + data[i:]


def insert_word(rng: Random, data: bytes) -> bytes:
    i = _spot(rng, data)
    return data[:i] + b" " + rng.choice(WORDS) + b" " + data[i:]


def bom(rng: Random, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def line_endings(rng: Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n", b"\x0b", "\u2028".encode()]))


def nul_bytes(rng: Random, data: bytes) -> bytes:
    i = _spot(rng, data)
    return data[:i] + b"\x00" * rng.choice([1, 1, 2, 64]) + data[i:]


def truncate(rng: Random, data: bytes) -> bytes:
    return data[:_spot(rng, data)]


def cut_range(rng: Random, data: bytes) -> bytes:
    i = _spot(rng, data)
    return data[:i] + data[i + rng.choice([1, 2, 5, 20, 200]):]


def _tokens(data: bytes) -> list[bytes]:
    return _TOKEN.findall(data)


def token_edit(rng: Random, data: bytes) -> bytes:
    tokens = _tokens(data)
    if len(tokens) < 2:
        return data + data
    i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
    action = rng.randrange(4)
    if action == 0:
        del tokens[i]
    elif action == 1:
        tokens.insert(i, tokens[i])
    elif action == 2:
        tokens[i], tokens[j] = tokens[j], tokens[i]
    else:
        tokens[i] = tokens[j]
    return b"".join(tokens)


def huge_number(rng: Random, data: bytes) -> bytes:
    found = list(_NUMBER.finditer(data))
    if not found:
        return data + rng.choice(HUGE)
    match = rng.choice(found)
    return data[:match.start()] + rng.choice(HUGE) + data[match.end():]


def duplicate_lines(rng: Random, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    j = min(len(lines), i + rng.choice([1, 1, 3, 10]))
    return b"".join(lines[:j] + lines[i:j] * rng.choice([1, 2, 50]) + lines[j:])


def swap_lines(rng: Random, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    if len(lines) < 2:
        return data
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"".join(lines)


def indent(rng: Random, data: bytes) -> bytes:
    """Shift one line's indentation: what breaks YAML's structure most often by hand."""
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    i = rng.randrange(len(lines))
    lines[i] = rng.choice([b"", b" ", b"  ", b"\t", b"      "]) + lines[i].lstrip(b" ")
    return b"".join(lines)


def deep_nesting(rng: Random, data: bytes) -> bytes:
    """Blocks, lists or mappings nested hundreds or thousands deep at one spot."""
    depth = rng.choice([30, 100, 300, 1000, 3000])
    i = _spot(rng, data)
    opener, closer = rng.choice([
        (b'group "g" { ', b"} "), (b'objective "o" "O" { ', b"} "), (b"(", b")"),
        (b"not ", b""), (b"[", b"]"), (b"{a: ", b"}"), (b"- ", b""), (b"(", b""),
        (b"{", b""), (b"[", b"")])
    return data[:i] + opener * depth + closer * depth + data[i:]


def long_text(rng: Random, data: bytes) -> bytes:
    """One very long word, text or line."""
    i = _spot(rng, data)
    piece = rng.choice([b"a", b"9", b" ", b'"', b"x_", b"\\n"]) * rng.choice([1000, 20000, 200000])
    return data[:i] + piece + data[i:]


MUTATIONS: dict[str, Callable[[Random, bytes], bytes]] = {
    "flip_bit": flip_bit, "random_bytes": random_bytes, "insert_special": insert_special,
    "insert_word": insert_word, "bom": bom, "line_endings": line_endings,
    "nul_bytes": nul_bytes, "truncate": truncate, "cut_range": cut_range,
    "token_edit": token_edit, "huge_number": huge_number, "duplicate_lines": duplicate_lines,
    "swap_lines": swap_lines, "indent": indent, "deep_nesting": deep_nesting,
    "long_text": long_text,
}
# How often each is drawn: token edits and special bytes most, the costly ones rarely.
_WEIGHTS = {"token_edit": 8, "insert_special": 5, "insert_word": 5, "huge_number": 4,
            "cut_range": 3, "flip_bit": 3, "random_bytes": 2, "duplicate_lines": 2,
            "swap_lines": 2, "indent": 3, "truncate": 1, "nul_bytes": 1, "bom": 1,
            "line_endings": 1, "deep_nesting": 1, "long_text": 0.3}
_NAMES = list(_WEIGHTS)
_CUMULATIVE = [sum(list(_WEIGHTS.values())[:i + 1]) for i in range(len(_WEIGHTS))]


def splice(rng: Random, data: bytes, other: bytes) -> bytes:
    """The head of one file and the tail of another."""
    return data[:_spot(rng, data)] + other[_spot(rng, other):]


def mutate(rng: Random, data: bytes, others: Sequence[bytes] = ()) -> tuple[bytes, list[str]]:
    """`data` damaged by one to six mutations (or a splice with one of `others`); the names of
    the mutations applied, for the crash report."""
    applied: list[str] = []
    if others and rng.random() < 0.05:
        data = splice(rng, data, rng.choice(others))
        applied.append("splice")
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4, 6])):
        name = rng.choices(_NAMES, cum_weights=_CUMULATIVE)[0]
        data = MUTATIONS[name](rng, data)
        applied.append(name)
    return data, applied


# ---- structure-aware: a JSON document (the checked-plan cache's entries) ----------------------
def _json_spots(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    spots = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            spots += _json_spots(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            spots += _json_spots(item, path + (index,))
    return spots


_JSON_VALUES: list[object] = [None, True, 0, -1, 1e308, 10 ** 30, "", "x", "2020-02-30", [], {},
                              {"@": "Span"}, {"@": "PlanDefinition"}, {"@enum": "Severity", "v": "x"},
                              {"@date": "2020-02-30"}, {"@date": 3}, {"@": "Nonexistent"},
                              {"@enum": "Nonexistent", "v": 1}, [[[[[]]]]], "\x00", "\ud800"]


def mutate_json(rng: Random, data: bytes) -> tuple[bytes, list[str]]:
    """A JSON document with one of its values replaced, removed or copied elsewhere; bytes
    that are not JSON get byte mutations instead."""
    try:
        document = json.loads(data)
    except ValueError:
        return mutate(rng, data)
    spots = _json_spots(document)
    applied = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        path = rng.choice(spots)
        if not path:
            continue
        parent: object = document
        for step in path[:-1]:
            parent = parent[step]  # type: ignore[index]
        last = path[-1]
        action = rng.randrange(3)
        try:
            if action == 0:
                parent[last] = rng.choice(_JSON_VALUES)  # type: ignore[index]
                applied.append("json_replace")
            elif action == 1:
                del parent[last]  # type: ignore[attr-defined]
                applied.append("json_delete")
            else:
                source = rng.choice(spots)
                value: object = document
                for step in source:
                    value = value[step]  # type: ignore[index]
                parent[last] = json.loads(json.dumps(value))  # type: ignore[index]
                applied.append("json_copy")
        except (KeyError, IndexError, TypeError):
            continue  # the path went away with an earlier edit
        spots = _json_spots(document)
    return json.dumps(document, ensure_ascii=rng.random() < 0.5).encode("utf-8",
                                                                         "surrogatepass"), applied
