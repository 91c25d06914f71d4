"""Write examples/cciaa-modena-2020/piano-2020.xlsx: the Modena plan as an office's plan sheet.

    python3 scripts/export_modena_sheet.py

The workbook is `scorelang export rules/cciaa-modena-2020.score --format xlsx`, so it stays
true to the rules: tests/test_spreadsheets_plan.py checks that its cells are those of a fresh
export (the bytes differ by the workbook's timestamps) and that importing it scores every
Modena figure as the rule file does. Run it again after changing the Modena rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

RULES = ROOT / "rules" / "cciaa-modena-2020.score"
SHEET = ROOT / "examples" / "cciaa-modena-2020" / "piano-2020.xlsx"


def main() -> None:
    from scorelang.files import write_bytes_atomic
    from scorelang.tools.planbook import export_plan

    write_bytes_atomic(SHEET, export_plan(RULES, "xlsx"))
    print(f"wrote {SHEET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
