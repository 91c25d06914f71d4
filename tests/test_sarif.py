"""`scorelang check --format sarif` is SARIF 2.1.0 as the OASIS schema and code scanning read it.

The broken corpus (tests/broken/, a file per mistake) goes through the CLI once and is validated
against the official schema, copied unchanged into tests/schemas/. Beyond the schema, what
GitHub code scanning and Microsoft's SARIF validator ask for: absolute `helpUri`s, a
description and help per rule, artifact locations relative to `%SRCROOT%`, and the first place
of a duplicate as a related location.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scorelang import DOCS_URL, PROJECT_URL, __version__
from scorelang.check.codes import CODES
from scorelang.diagnostics import Span, error
from scorelang.report.diagnostics import to_sarif

from .conftest import ROOT

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))


def sarif_of(*args: str, cwd: Path = ROOT) -> dict:
    done = subprocess.run([sys.executable, "-m", "scorelang", "check", "--format", "sarif", *args],
                          capture_output=True, text=True, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def corpus() -> dict:
    return sarif_of("tests/broken")


def schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft4Validator(SCHEMA,
                                           format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_broken_corpus_validates_against_the_official_schema(corpus):
    assert corpus["runs"][0]["results"], "the corpus gave no result: nothing was validated"
    assert schema_errors(corpus) == []


def test_the_schema_catches_a_broken_document(corpus):
    """The validation above can fail: a result without its message is rejected."""
    broken = json.loads(json.dumps(corpus))
    del broken["runs"][0]["results"][0]["message"]
    broken["runs"][0]["results"][1]["level"] = "fatal"
    assert len(schema_errors(broken)) == 2


def test_every_rule_has_an_absolute_help_uri_descriptions_and_help(corpus):
    driver = corpus["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == PROJECT_URL
    assert driver["version"] == __version__
    assert {r["ruleId"] for r in corpus["runs"][0]["results"]} == {r["id"] for r in driver["rules"]}
    for rule in driver["rules"]:
        code = rule["id"]
        assert rule["helpUri"] == f"{DOCS_URL}diagnostics.md#{code.lower()}"
        assert urlsplit(rule["helpUri"]).scheme == "https"
        assert rule["shortDescription"]["text"] == CODES[code]
        assert len(rule["fullDescription"]["text"]) > len(CODES[code])
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"] in rule["help"]["markdown"]
        # Links inside the help are absolute too: relative ones would point into the viewer.
        for target in re.findall(r"\]\(([^)]+)\)", rule["help"]["markdown"]):
            assert urlsplit(target).scheme == "https", (code, target)
        assert re.fullmatch(r"([A-Z][a-z0-9]+)+", rule["name"]), rule["name"]


def test_the_help_of_a_code_comes_from_its_section_of_the_docs(corpus):
    rule = next(r for r in corpus["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "SL206")
    assert rule["fullDescription"]["text"].startswith(
        "The tree uses an indicator id that no `indicator` block declares")
    assert "[SL213](" + DOCS_URL + "diagnostics.md#sl213)" in rule["help"]["markdown"]
    assert "SL213 comes too" in rule["help"]["text"]


def test_locations_are_relative_to_srcroot(corpus):
    run = corpus["runs"][0]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == ROOT.resolve().as_uri() + "/"
    for result in run["results"]:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert artifact["uri"].startswith("tests/broken/") and artifact["uri"].endswith(".score")


def test_a_path_with_a_space_is_a_uri_and_one_outside_srcroot_absolute(tmp_path):
    folder = tmp_path / "my rules"
    folder.mkdir()
    (folder / "plan.score").write_text("plan p \"P\" {\n", encoding="utf-8")
    inside = sarif_of("my rules/plan.score", cwd=tmp_path)["runs"][0]["results"][0]
    artifact = inside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20rules/plan.score", "uriBaseId": "%SRCROOT%"}
    outside = sarif_of(str(folder / "plan.score"))["runs"][0]["results"][0]
    artifact = outside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (folder / "plan.score").as_uri()}


def test_the_hint_is_not_in_the_message_text_but_in_its_markdown(corpus):
    for result in corpus["runs"][0]["results"]:
        assert "hint" not in result["message"]["text"]
        assert result["message"]["markdown"].startswith(result["message"]["text"] + "\n\nHint: ")


def test_a_duplicate_points_at_the_first_place_as_a_related_location(tmp_path):
    plan = tmp_path / "plan.score"
    plan.write_text('plan p "P" {\n  period H1 "H1" ends 2020-06-30\n'
                    '  period H1 "again" ends 2020-12-31\n}\n'
                    'indicator a "A" { unit N target >= 10 }\n'
                    'area "1" "A" { objective "10" "O" weight 100% { a 100% } }\n',
                    encoding="utf-8")
    (result,) = [r for r in sarif_of("plan.score", cwd=tmp_path)["runs"][0]["results"]
                 if r["ruleId"] == "SL201"]
    assert result["message"]["text"] == "duplicate period `H1` ([first at line 2](1))"
    (related,) = result["relatedLocations"]
    assert related["id"] == 1
    assert related["physicalLocation"]["region"]["startLine"] == 2
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert schema_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                                        "results": [result]}]}) == []


def test_a_code_missing_from_the_packaged_help_still_gets_a_description():
    """A code added after the help was generated (before `scripts/regenerate.py` runs)."""
    found = [error("SL999", "something new", Span.point("plan.score", 1, 1))]
    (rule,) = json.loads(to_sarif(found, "0"))["runs"][0]["tool"]["driver"]["rules"]
    assert rule["fullDescription"]["text"] and rule["help"]["text"]
    assert rule["helpUri"].endswith("diagnostics.md#sl999")


def test_columns_are_code_points(tmp_path):
    """`è` is one column: the run says so (SARIF's default would be UTF-16 units)."""
    (tmp_path / "plan.score").write_text('plan p "Più" { period H1 "H1" ends 2020-06-31 }\n',
                                         encoding="utf-8")
    run = sarif_of("plan.score", cwd=tmp_path)["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == len('plan p "Più" { period H1 "H1" ends ') + 1
