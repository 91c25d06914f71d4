"""Make docs/img/editor-highlighting.png: an excerpt of the Modena rules, coloured by the
Pygments lexer (scorelang.syntax.pygments_lexer), as headless Chromium shows it.

    PYTHONPATH=src python3 editors/screenshot.py [--chromium PATH]

Needs the `highlight` extra (Pygments) and a Chromium (Debian's `chromium` package).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter

from scorelang.syntax.pygments_lexer import ScorelangLexer

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "cciaa-modena-2020.score"
OUTPUT = ROOT / "docs" / "img" / "editor-highlighting.png"
# The excerpt: (first, last) lines of the rule file, 1-based; an elision comment between them.
EXCERPT = ((14, 28), (70, 78), (682, 693), (918, 923))
WINDOW = "1100,1130"


def excerpt() -> str:
    lines = RULES.read_text("utf-8").splitlines()
    parts = ["\n".join(lines[first - 1:last]) for first, last in EXCERPT]
    return "\n\n# ...\n\n".join(parts) + "\n"


def page() -> str:
    formatter = HtmlFormatter(style="friendly", noclasses=False)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><style>
body {{ margin: 0; padding: 16px; background: #f0f0f0; }}
{formatter.get_style_defs('.highlight')}
.highlight {{ border-radius: 6px; padding: 4px 16px; }}
.highlight pre {{ font: 14px/1.45 "DejaVu Sans Mono", monospace; white-space: pre-wrap; }}
</style></head><body>{highlight(excerpt(), ScorelangLexer(), formatter)}</body></html>
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scorelang-screenshot-") as folder:
        html = Path(folder) / "excerpt.html"
        html.write_text(page(), "utf-8")
        subprocess.run([args.chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={folder}/profile",
                        f"--window-size={WINDOW}", f"--screenshot={OUTPUT}", html.as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
