"""A queryset's SQL compiled once, then run again with other text: for the hot pages' reads, where Django's
query building and compiling (joins, lookups, `select_related`) cost more than the database itself.

`Prepared(build)`: `build(text, *shape)` makes the queryset. The first call for a database and a `shape`
builds it with a stand-in text, compiles it and finds the stand-in among the SQL's parameters; every call
then runs that SQL with the real text and makes the model instances as `QuerySet.__iter__` does
(`select_related` objects, deferred fields and annotations included), through the compiler kept from the
first time. Only for querysets that yield model instances and whose SQL depends on the text only through
equalities (`customer__ucrn=text`): `shape` carries what changes the SQL itself (a `LIMIT`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)

STAND_IN = "\x1fprepared-text\x1f"  # no real value is this


class _Compiled:
    """The SQL of one queryset, where its text goes, and what turns its rows into model instances."""

    def __init__(self, queryset: QuerySet) -> None:
        compiler: SQLCompiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [i for i, p in enumerate(self.params) if isinstance(p, str) and p == STAND_IN]
        if not self.slots:
            raise ValueError("The queryset does not compare anything with its text by equality.")
        self.db = queryset.db
        self.compiler = compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, self.db)
        self.annotations = compiler.annotation_col_map
        self.converters = compiler.get_converters([s[0] for s in select[:compiler.col_count]])

    def run(self, text: str) -> list[Model]:
        params = list(self.params)
        for slot in self.slots:
            params[slot] = text
        with connections[self.db].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        found = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.start:self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in (self.annotations or {}).items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found


class Prepared(Generic[M]):
    """`build(text, *shape)`'s queryset compiled once per database and shape; calling it runs it (a list)."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self.compiled: dict[tuple[Any, ...], _Compiled] = {}

    def __call__(self, text: Any, *shape: Any) -> list[M]:
        key = (connection.vendor, *shape)
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self.compiled[key] = _Compiled(self.build(STAND_IN, *shape))
        return compiled.run(str(text))  # type: ignore[return-value]
