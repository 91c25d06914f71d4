"""No input can become code: the package never evaluates text, never unpickles, never loads
YAML with a loader that builds Python objects.

The source of every module of `scorelang` is read as Python (its syntax tree, so comments and
docstrings that say "never pickle" do not count) and fails the test on: a call of `eval`,
`exec`, `compile` (the built-in) or `__import__`; an import of `pickle`, `marshal`, `shelve`,
`dill` or `cloudpickle`; any use of `yaml.load`, `yaml.load_all`, `yaml.unsafe_load`,
`yaml.full_load`, `yaml.Loader`, `yaml.UnsafeLoader`, `yaml.FullLoader`, `yaml.CLoader`,
`yaml.CUnsafeLoader`, `yaml.CFullLoader`.

The exceptions, each precisely:

* `__import__(f"{__name__}.{name}")` in `scorelang/__init__.py` and `scorelang/report/__init__.py`:
  the lazy import of the package's own submodules, named from fixed tables (`_HOMES`, `MOVED`,
  the literal "views"), never from input.
* Lark's parser cache, which is a pickle that Lark writes and reads itself (the package never
  imports pickle): only `syntax/parser.py` may pass `cache=` to `Lark`, and the file it names
  is in the private per-user cache directory (`files.cache_directory`, checked by
  tests/test_parser_cache.py and tests/test_yaml_hostile.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import scorelang

PACKAGE = Path(scorelang.__file__).resolve().parent
CALLS = {"eval", "exec", "compile", "__import__"}
MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
YAML_NAMES = {"load", "load_all", "unsafe_load", "unsafe_load_all", "full_load", "full_load_all",
              "Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader"}
ALLOWED_CALLS = {("__init__.py", "__import__"), ("report/__init__.py", "__import__")}
LARK_CACHE = "syntax/parser.py"


def findings(path: Path) -> list[str]:
    name = path.relative_to(PACKAGE).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in CALLS and (name, node.func.id) not in ALLOWED_CALLS:
            found.append(f"{name}:{node.lineno} calls {node.func.id}")
        if isinstance(node, ast.Call) and name != LARK_CACHE and any(
                k.arg == "cache" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                for k in node.keywords) and getattr(node.func, "id", "") == "Lark":
            found.append(f"{name}:{node.lineno} gives Lark a cache outside syntax/parser.py")
        if isinstance(node, ast.Import):
            found += [f"{name}:{node.lineno} imports {a.name}" for a in node.names
                      if a.name.split(".")[0] in MODULES]
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module.split(".")[0] in MODULES:
                found.append(f"{name}:{node.lineno} imports from {node.module}")
            if node.module == "yaml":
                found += [f"{name}:{node.lineno} imports yaml.{a.name}" for a in node.names
                          if a.name in YAML_NAMES]
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "yaml" and node.attr in YAML_NAMES:
            found.append(f"{name}:{node.lineno} uses yaml.{node.attr}")
    return found


def test_no_module_turns_input_into_code():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 40  # the whole package is read, not an empty folder
    assert [f for path in sources for f in findings(path)] == []


def test_the_scan_finds_what_it_looks_for(tmp_path, monkeypatch):
    """The scan is not blind: each forbidden form in a module is found."""
    module = PACKAGE / "engine" / "yamlsource.py"
    bad = ("import pickle\nfrom marshal import loads\nimport yaml\nyaml.load(t, yaml.Loader)\n"
           "eval('1')\nexec('x')\n__import__('os')\nLark(g, cache=True)\n")
    original = Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        return bad if self == module else original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    found = findings(module)
    assert len(found) == 8, found
