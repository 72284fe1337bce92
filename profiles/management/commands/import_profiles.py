"""`manage.py import_profiles FILE [--matching ...]`: import customers from CSV or JSON Lines (seed 003),
matched by email unless `--matching` names another key.

Each row is a record of data names, run through `profiles.services.imports` in batches: the same
matching, rules and audit records as the API's import. Rejected rows go to a CSV beside the input file
(or `--rejects`), with their errors, so they can be corrected and sent again; a cell that a spreadsheet would
run as a formula is written as text.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.jsonlimits import load_json
from profiles.models import Channel
from profiles.services.imports import DEFAULT_MATCHING, MATCHING_MODES, MAX_BATCH, check_matching, import_records
from profiles.spreadsheets import write_rows


class Command(BaseCommand):
    help = "Import customers from a CSV or JSON Lines file, matching existing ones (update) or creating them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .csv (header row of data names) or .jsonl file.")
        parser.add_argument("--matching", default=DEFAULT_MATCHING, choices=MATCHING_MODES,
                            help=f"Which value of a row finds its customer (default {DEFAULT_MATCHING}).")
        parser.add_argument("--field-name", help="With --matching custom: custom_1 .. custom_28.")
        parser.add_argument("--ignore-empty-entries", action="store_true", help="Blank cells leave values as they are.")
        parser.add_argument("--dry-run", action="store_true", help="Match and report; change nothing.")
        parser.add_argument("--as-user", default=None, help="The user the changes are recorded as (a CSA or admin).")
        parser.add_argument("--rejects", type=Path, help="Where to write the rejected rows (default FILE.rejects.csv).")

    def handle(self, *args: Any, file: Path, matching: str, field_name: str | None, ignore_empty_entries: bool,
               dry_run: bool, as_user: str | None, rejects: Path | None, **options: Any) -> None:
        try:
            check_matching(matching, field_name)
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        user = self._user(as_user)
        rows = self._read(file)
        counts = {"created": 0, "updated": 0, "unchanged": 0, "error": 0}
        rejected: list[tuple[dict[str, Any], str]] = []
        options = {"ignore_empty_entries": ignore_empty_entries}
        with tqdm(total=len(rows), desc="Importing", unit="row", file=self.stderr._out) as bar:
            for start in range(0, len(rows), MAX_BATCH):
                batch = rows[start:start + MAX_BATCH]
                outcomes = import_records(records=batch, matching=matching, field_name=field_name, options=options,
                                          user=user, channel=Channel.IMPORT, dry_run=dry_run)
                for row, outcome in zip(batch, outcomes, strict=True):
                    counts[outcome.status] += 1
                    if outcome.status == "error":
                        rejected.append((row, _describe(outcome.errors)))
                bar.update(len(batch))
        verb = "would be" if dry_run else "were"
        self.stdout.write(", ".join(f"{n} {verb} {status}" for status, n in counts.items()) + f" ({len(rows)} rows).")
        if rejected:
            path = rejects or file.with_suffix(file.suffix + ".rejects.csv")
            self._write_rejects(path, rejected)
            self.stdout.write(f"Rejected rows and their errors: {path}")

    def _user(self, username: str | None):
        users = get_user_model().objects
        user = users.filter(username=username).first() if username else users.filter(is_superuser=True).first()
        if user is None:
            raise CommandError("Name a CSA or administrator with --as-user (the changes are recorded as theirs).")
        return user

    def _read(self, file: Path) -> list[dict[str, Any]]:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        if file.suffix.lower() == ".csv":
            with file.open(newline="", encoding="utf-8-sig") as handle:
                return [dict(row) for row in csv.DictReader(handle)]
        rows = []
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        rows.append(load_json(line, text=False))  # bad text: that record's error
                    except ValidationError as error:
                        raise CommandError(f"{file}, line {number}: {' '.join(error.messages)}") from None
        return rows

    def _write_rejects(self, path: Path, rejected: list[tuple[dict[str, Any], str]]) -> None:
        names = list(dict.fromkeys(name for row, _ in rejected if isinstance(row, dict) for name in row))
        # backslashreplace: a rejected row may hold text that is not Unicode (a lone surrogate). Cells that a
        # spreadsheet would run as formulas are written as text (profiles.spreadsheets).
        with path.open("w", newline="", encoding="utf-8", errors="backslashreplace") as handle:
            write_rows(handle, [*names, "errors"], (
                [*((row.get(name, "") if isinstance(row, dict) else "") for name in names), errors]
                for row, errors in rejected))


def _describe(errors: dict[str, list[dict[str, str]]]) -> str:
    return "; ".join(f"{name}: {' '.join(e['message'] for e in items)}" for name, items in errors.items())
