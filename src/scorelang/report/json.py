"""The JSON contract of a scored tree (format_version 1), locale-free, scores unrounded."""

from __future__ import annotations

import json

from ..result import Result


def to_json(result: Result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
