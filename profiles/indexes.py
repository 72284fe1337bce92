"""Indexes for prefix searches (`LIKE 'SMI%'`) right on PostgreSQL and harmless on SQLite, and the sort key
that lets one index serve a surname search's filter and its order."""
from __future__ import annotations

import copy

from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models.functions import Collate, Upper


class PrefixIndex(models.Index):
    """An expression index with the `text_pattern_ops` operator class on PostgreSQL.

    PostgreSQL uses a plain btree index for `LIKE 'abc%'` only under the C collation; the pattern operator
    class makes it work under any. SQLite has no operator classes (and its LIKE uses no index anyway), so
    there it is a plain index. Django skips `opclasses=` on SQLite only for column indexes, hence this.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        index = self
        if schema_editor.connection.vendor == "postgresql":
            index = copy.copy(self)
            index.expressions = tuple(OpClass(e, name="text_pattern_ops") for e in self.expressions)
        return super(PrefixIndex, index).create_sql(model, schema_editor, using=using, **kwargs)


class SortKey(Collate):
    """`UPPER(col) COLLATE "C"`: the key a surname search filters on (`LIKE 'SMI%'`) and orders by.

    Under the C collation one plain btree index serves both the prefix match and the order (migration
    0006's `customer_search_name_idx` on these very expressions, then `ucrn`), so the first page of a
    surname search is the first entries of the index range, whatever the number of matches. Names sort
    case-insensitively, by code point. SQLite has no "C" collation (its default, BINARY, is the same
    order), so there it is `UPPER(col)` alone.
    """

    def __init__(self, column: str) -> None:
        super().__init__(Upper(column), "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.get_source_expressions()[0])


def search_key_text(value: str) -> str:
    """`value` upper-cased as PostgreSQL's `upper()` does for a prefix match on `SortKey`: characters
    whose upper case is longer (`ß` -> `SS`) are kept as they are, as the database keeps them."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in value)


# The order of search results: the columns of `customer_search_name_idx`.
SEARCH_ORDER = (SortKey("last_name"), SortKey("first_name"), "ucrn")
