"""Issue 19, part B: `link "CODE" P%` — an objective or area defined elsewhere in the tree,
counted in another block too with its own weight ("objectives linked from elsewhere").

Figures worked out by hand in the comments (docs/language.md §5.4 shows the same).
"""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scorelang
from scorelang.api import check_text
from scorelang.report.explain import explain_text
from scorelang.report.json import to_json
from scorelang.syntax.format import format_text
from scorelang.tools.explain import explain

from .conftest import ROOT
from .test_rules_aggregation import by_hand

# 802 scores 0.5 × 90 (33 days against <= 30) + 0.5 × 75 (150 against >= 200) = 82.5 %.
# 301 = 0.7 × 100 (660 against >= 600, capped) + 0.3 × 82.5 (802, linked) = 94.75 %.
# The plan: 0.5 × 94.75 + 0.5 × 82.5 = 88.625 % → 88.63.
PLAN = """\
plan demo "Piano demo 2020" {
  period H1 "Monitoraggio intermedio" ends 2020-06-30
}

indicator partecipanti "Partecipanti alle iniziative" { unit N target >= 600 }
indicator tempi_pagamento "Tempi medi di pagamento" { unit gg target <= 30 }
indicator imprese "Imprese raggiunte" { unit N target >= 200 }

area "1" "Competitività delle imprese" weight 50% {
  objective "301" "Internazionalizzazione" weight 100% {
    partecipanti 70%
    link "802" 30%  # the same objective, counted in area 3 too
  }
}

area "3" "Competitività dell'Ente" weight 50% {
  objective "802" "Efficienza" weight 100% {
    tempi_pagamento 50%
    imprese 50%
  }
}
"""
JUNE = {"partecipanti": 660, "tempi_pagamento": 33, "imprese": 150}


def test_a_linked_objective_counts_with_its_weight_where_it_is_linked():
    plan = scorelang.loads(PLAN)
    result = plan.evaluate(JUNE)
    assert result["301/802"].score == pytest.approx(82.5)
    assert result["301"].score == pytest.approx(94.75)
    assert result.score == pytest.approx(88.625)
    for engine in ("numpy", "python"):
        batch = plan.evaluate_many([JUNE], engine=engine)
        for node in result:
            assert batch.score(0, node.id) == pytest.approx(node.score), (engine, node.id)
        assert batch.plan_score(0) == pytest.approx(88.625)


def test_a_link_reads_a_node_defined_before_it_too():
    # The same tree with the areas in the other order: 802 is scored before area 1 either way.
    first, second = PLAN.split('area "1"')[1], PLAN.split('area "3"')[1]
    text = PLAN.split('area "1"')[0] + 'area "3"' + second + '\narea "1"' + \
        first.split('area "3"')[0]
    result = scorelang.loads(text).evaluate(JUNE)
    assert result["301"].score == pytest.approx(94.75)


def test_a_link_to_a_node_that_links_another_is_scored_after_both():
    # 901 links 301, which links 802: 901 = 301 = 94.75 %.
    text = PLAN.replace('area "3"', 'area "9" "Trasversale" weight 0% {\n'
                        '  objective "901" "Obiettivi condivisi" weight 100% {\n'
                        '    link "301" 100%\n  }\n}\n\narea "3"', 1)
    plan = scorelang.loads(text)
    assert plan.evaluate(JUNE)["901"].score == pytest.approx(94.75)
    assert plan.evaluate_many([JUNE], engine="numpy").score(0, "901") == pytest.approx(94.75)


def test_a_link_to_an_nd_node_is_nd_and_counts_by_the_missing_policy():
    values = dict(JUNE, tempi_pagamento=None, imprese=None)
    result = scorelang.loads(PLAN).evaluate(values)
    assert result["301/802"].status == "missing"
    assert result["301"].score == pytest.approx(70.0)  # counts_zero: 0.7 × 100 + 0.3 × 0
    for engine in ("numpy", "python"):
        batch = scorelang.loads(PLAN).evaluate_many([values], engine=engine)
        assert batch.status(0, "301/802") == "missing"


def test_a_link_under_another_aggregation_is_one_child_among_the_others():
    text = PLAN.replace("    partecipanti 70%\n", "    aggregate minimum\n    partecipanti 70%\n")
    assert scorelang.loads(text).evaluate(JUNE)["301"].score == pytest.approx(82.5)


def test_the_json_report_says_what_a_link_reads_and_fits_the_schema():
    document = json.loads(to_json(scorelang.loads(PLAN).evaluate(JUNE)))
    link = next(n for n in document["nodes"] if n["id"] == "301/802")
    assert link["link"] == "802" and link["kind"] == "objective" and link["parent"] == "301"
    assert link["title"] == "Efficienza" and link["weight"] == 30.0
    schema = json.loads((ROOT / "src" / "scorelang" / "schemas" / "score.schema.json")
                        .read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_explain_sends_the_reader_to_the_linked_node():
    plan = scorelang.loads(PLAN)
    text = explain_text(explain(plan, plan.evaluate(JUNE), "301"))
    assert "objective 301/802 \"Efficienza\": 82.50 %, weight 30 % → 24.75 points of 301" in text
    assert "linked: the figure of 802, scored where it is defined" in text


def test_the_score_table_marks_a_link():
    from scorelang.report.views import label

    result = scorelang.loads(PLAN).evaluate(JUNE)
    assert label(result["301/802"]) == "802 Efficienza (link)"


def test_fmt_aligns_a_link_with_the_indicator_uses_and_keeps_its_comment():
    source = PLAN.replace("    link \"802\" 30%", "    link   \"802\"   30%")
    once = format_text(source)
    assert '    partecipanti 70%\n    link "802"   30%  # the same objective' in once
    assert format_text(once) == once
    assert scorelang.loads(once).definition == scorelang.loads(PLAN).definition


# ---- checks --------------------------------------------------------------------------------

def codes(text: str) -> list[str]:
    return [d.code for d in check_text(text)]


def test_a_link_to_an_unknown_code_says_which_code_was_meant():
    (found,) = check_text(PLAN.replace('link "802"', 'link "803"'))
    assert found.code == "SL251" and found.hint == "did you mean `802`?"
    assert (found.span.line, found.span.column) == (12, 5)


def test_a_link_to_an_indicator_says_to_use_it_by_name():
    (found,) = check_text(PLAN.replace('link "802"', 'link "imprese"'))
    assert found.code == "SL251" and "`imprese 30%`" in (found.hint or "")


@pytest.mark.parametrize("code", ["301", "1"])
def test_a_link_to_itself_or_a_node_above_it_is_a_cycle(code):
    assert codes(PLAN.replace('link "802"', f'link "{code}"')) == ["SL252"]


def test_a_circle_of_links_is_a_cycle():
    text = PLAN.replace("    imprese 50%\n", "    imprese 20%\n    link \"301\" 30%\n")
    assert codes(text) == ["SL252", "SL252"]


def test_a_link_to_a_node_already_below_warns_that_it_counts_twice():
    text = PLAN.replace("    imprese 50%\n", "    imprese 20%\n    link \"802\" 30%\n", 1)
    text = text.replace('objective "802" "Efficienza" weight 100% {',
                        'objective "802" "Efficienza" weight 100% {', 1)
    # area 3 links its own 802: already below it.
    text = text.replace('area "3" "Competitività dell\'Ente" weight 50% {\n'
                        '  objective "802" "Efficienza" weight 100% {\n'
                        '    tempi_pagamento 50%\n    imprese 20%\n    link "802" 30%\n  }',
                        'area "3" "Competitività dell\'Ente" weight 50% {\n'
                        '  objective "802" "Efficienza" weight 70% {\n'
                        '    tempi_pagamento 50%\n    imprese 50%\n  }\n  link "802" 30%')
    assert codes(text) == ["SL253"]


def test_the_same_node_linked_twice_under_one_parent_is_a_duplicate():
    text = PLAN.replace('    link "802" 30%  # the same objective, counted in area 3 too\n',
                        '    link "802" 15%\n    link "802" 15%\n')
    found = check_text(text)
    assert [d.code for d in found] == ["SL207"]
    assert "linked at most once" in (found[0].hint or "")


def test_link_is_a_keyword():
    text = PLAN.replace("indicator imprese", "indicator link").replace("imprese 50%", "link 50%")
    (found,) = check_text(text)  # used in the tree, `link 50%` reads as a link without a code
    assert found.code == "SL103"
    declared = PLAN.replace('indicator imprese "Imprese raggiunte" { unit N target >= 200 }',
                            'indicator imprese "Imprese raggiunte" { unit N target >= 200 }\n'
                            'indicator link "Collegamento" { unit N target >= 1 }')
    assert "SL215" in codes(declared)


def test_whatif_drops_and_re_weights_a_link_like_any_child():
    from scorelang.tools.whatif import Drop, SetWeight, whatif

    values = scorelang.Values.from_mapping(JUNE)
    dropped = whatif(PLAN, "plan.score", values, [Drop("301/802")])
    # 301 without the link: partecipanti alone, re-weighted to 100 %.
    assert {c.node: c.after for c in dropped.changes}["301"] == pytest.approx(100.0)
    heavier = whatif(PLAN, "plan.score", values, [SetWeight("301/802", 50.0)])
    # 0.5 × 100 + 0.5 × 82.5 = 91.25 %
    assert {c.node: c.after for c in heavier.changes}["301"] == pytest.approx(91.25)


# ---- every engine and the reference on random monitorings ------------------------------------

monitorings = st.fixed_dictionaries({
    "partecipanti": st.one_of(st.none(), st.integers(0, 1200)),
    "tempi_pagamento": st.one_of(st.none(), st.integers(0, 90)),
    "imprese": st.one_of(st.none(), st.integers(0, 400)),
})


@settings(max_examples=40, deadline=None)
@given(rule=st.sampled_from(["weighted", "sum", "minimum", "all_reached", "share_reached"]),
       missing=st.sampled_from(["counts_zero", "excluded"]),
       rollup=st.sampled_from(["unrounded", "rounded"]),
       rows=st.lists(monitorings, min_size=1, max_size=3))
def test_a_plan_with_links_scores_alike_in_every_engine_and_by_hand(rule, missing, rollup, rows):
    text = PLAN.replace("}\n\nindicator partecipanti",
                        f"  policy {{\n    missing {missing}\n    rollup {rollup}\n  }}\n}}\n\n"
                        "indicator partecipanti", 1).replace(
        "    partecipanti 70%\n", f"    aggregate {rule}\n    partecipanti 70%\n")
    plan = scorelang.loads(text)
    batches = [plan.evaluate_many(rows, engine=engine) for engine in ("numpy", "python")]
    for number, row in enumerate(rows):
        result = plan.evaluate(row)
        for node_id, expected in by_hand(plan, row).items():
            assert (result[node_id].score is None) == (expected is None), node_id
            if expected is not None:
                assert result[node_id].score == pytest.approx(expected, abs=1e-9), node_id
            for batch in batches:
                got = batch.score(number, node_id)
                assert (got is None) == (expected is None), node_id
                if got is not None:
                    assert got == pytest.approx(expected, abs=1e-9), node_id


def test_verify_reconciles_published_figures_of_a_link_and_of_the_node_it_reads():
    from scorelang.tools.published import loads_published
    from scorelang.tools.verify import verify

    plan = scorelang.loads(PLAN)
    values = scorelang.Values.from_mapping(JUNE)
    published = loads_published('plan: demo\nperiod: H1\nscores:\n  "301": "94,75%"\n'
                                '  "301/802": "82,50%"\n  "802": "82,5%"\n')
    outcome = verify(plan, plan.evaluate(values), published, values)
    assert len(outcome.checks) == 3 and outcome.discrepancies == ()


def test_a_plan_with_links_and_aggregations_comes_back_whole_from_the_checked_plan_cache(
        tmp_path, monkeypatch):
    from scorelang.check import cache

    text = PLAN.replace("    partecipanti 70%\n", "    aggregate minimum\n    partecipanti 70%\n"
                        ).replace("  period H1", "  policy { rollup rounded aggregate sum }\n"
                                  "  period H1")
    monkeypatch.setenv("SCORELANG_CACHE_DIR", str(tmp_path))
    first = scorelang.loads(text)
    stored = cache.load(text, "<string>")
    assert stored is not None and stored[0] == first.definition
    assert scorelang.loads(text).evaluate(JUNE).score == pytest.approx(82.5)
