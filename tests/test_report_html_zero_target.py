"""Issue 18, point 7: a met `= 0` indicator (no complaints) shows its mark, not an empty bar.

A value of 0 has no length from zero; drawn as a bar it was 1.5 px wide beside "100 %".
"""

from __future__ import annotations

import re

import scorelang
from scorelang.engine.values import Values
from scorelang.report.html import to_html

PLAN = """\
plan ufficio "Ufficio" {
  period Y "Anno" ends 2024-12-31
  band critico "Critico" colour "#dc2626" from 0%
  band raggiunto "Raggiunto" colour "#16a34a" from 100%
}
indicator reclami "Reclami fondati" { unit N target = 0 }
indicator pratiche "Pratiche evase" { unit N target >= 100 }
area "1" "Servizi" weight 100% {
  objective "1.1" "Qualità" weight 100% {
    reclami 50%
    pratiche 50%
  }
}
"""


def _row(page: str, node_id: str) -> str:
    start = page.index(f'data-node-id="{node_id}"')
    return page[start:page.index("</div>", start)]


def test_a_met_zero_target_shows_a_mark_in_its_band_colour():
    result = scorelang.loads(PLAN, "ufficio.score").evaluate(
        Values.from_mapping({"reclami": 0, "pratiche": 100}))
    assert result["1.1/reclami"].score == 100.0
    row = _row(to_html(result, "it"), "1.1/reclami")
    (mark,) = re.findall(r'<rect [^>]*class="value-mark"[^>]*>', row)
    assert 'fill="#16a34a"' in mark
    assert float(re.search(r'width="([\d.]+)"', mark).group(1)) >= 8
    # A value with a length keeps its bar.
    assert 'class="value-mark"' not in _row(to_html(result, "it"), "1.1/pratiche")
