"""docs/embedding.md works as written: each python block runs, in order, from the repo root.

The WSGI block defines the service without starting it; the test serves it on a free local
port and posts the Modena monitoring to it. pandas, which the DataFrame block needs, is a test
dependency (the `test` extra), not a dependency of scorelang.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "embedding.md"
VALUES = ROOT / "examples" / "cciaa-modena-2020" / "monitoraggio-2020-06.yaml"


def blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), re.M | re.S)


def run(code: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "embedding_example"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def block_with(text: str) -> str:
    found = [b for b in blocks() if text in b]
    assert len(found) == 1, text
    return found[0]


def test_the_page_has_the_six_examples():
    assert len(blocks()) == 6


def test_the_plan_diff_example_runs(monkeypatch):
    namespace = run(block_with("outcome = plan_diff(old, new, june)"), monkeypatch)
    assert namespace["markdown"].startswith("# Plans compared")


def test_goal_seek_and_sensitivity_run(monkeypatch, capsys):
    namespace = run(block_with("goal_seek(plan, june"), monkeypatch)
    answer, top = namespace["answer"], namespace["top"]
    figures = dict(namespace["june"].values, partecipanti_internaz=answer.value)
    again = namespace["plan"].evaluate(figures, period="H1", as_of=namespace["june"].as_of)
    assert f"{again['301'].score:.2f}" == "80.00" == f"{answer.score:.2f}"
    assert top.indicator == "partecipanti_internaz"
    assert capsys.readouterr().out.splitlines()[-1] == "SL801"


def test_the_api_overview_runs(monkeypatch):
    run(block_with("contract = result.to_dict()"), monkeypatch)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def test_the_wsgi_service_scores_posted_values(monkeypatch):
    app = run(block_with("def app(environ, start_response)"), monkeypatch)["app"]
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/score"
    try:
        document = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
        document["as_of"] = document["as_of"].isoformat()
        request = urllib.request.Request(url, json.dumps(document).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        assert response.status == 200
        assert {n["id"]: n["display"] for n in body["nodes"]}["301"] == "62.96"
        document["values"]["export_provincale"] = 1.0
        request = urllib.request.Request(url, json.dumps(document).encode(), method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 400
        assert json.loads(refused.value.read())["diagnostics"][0]["code"] == "SL307"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_pandas_example_scores_a_table_of_offices(monkeypatch, capsys):
    namespace = run(block_with("import pandas as pd"), monkeypatch)
    assert list(namespace["scores"].index) == ["Modena", "Ufficio A", "Ufficio B"]
    assert "Ufficio B" in capsys.readouterr().out
    # the N/D and the deadline the example sets are scored as one evaluation of that row
    plan, batch, offices = namespace["plan"], namespace["batch"], namespace["offices"]
    row = {k: (None if v != v else v) for k, v in offices.loc["Ufficio A"].items()}
    row["report_costi"] = row["report_costi"].date()
    alone = plan.evaluate(row, period="H1", as_of=namespace["june"].as_of)
    for node in alone:
        assert batch.status(1, node.id) == node.status, node.id


def test_the_what_if_loop_and_its_monte_carlo_run(monkeypatch, capsys):
    namespace = run(block_with("for recovery in"), monkeypatch)
    out = capsys.readouterr().out
    assert out.count("601") == 6 and "median" in out
    assert len(namespace["batch"]) == 10_000
