"""Reports: each a pure function of a Result, returning text."""

from .json import to_json
from .table import to_table

FORMATS = {"table": to_table, "json": to_json}

__all__ = ["FORMATS", "to_json", "to_table"]
