"""A queryset's SQL compiled once, then run again with other text: for the hot pages' reads, where Django's
query building and compiling (joins, lookups, `select_related`) cost more than the database itself.

`Prepared(build)`: `build(key, *shape)` makes the queryset; the key is a text (a UCRN) or an id (an int).
The first call for a database, a kind of key and a `shape` builds it with a stand-in key, compiles it and
finds the stand-in among the SQL's parameters; every call then runs that SQL with the real key and makes
the model instances as `QuerySet.__iter__` does (`select_related` objects, deferred fields and annotations
included), through the compiler kept from the first time. Only for querysets that yield model instances and
whose SQL depends on the key only through equalities (`customer__ucrn=text`, `customer_id=id`): `shape`
carries what changes the SQL itself (a `LIMIT`).
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
STAND_IN_ID = -(2**62) - 20231  # nor this id (ids are positive)


class _Compiled:
    """The SQL of one queryset, where its text goes, and what turns its rows into model instances."""

    def __init__(self, queryset: QuerySet, stand_in: str | int) -> None:
        compiler: SQLCompiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [i for i, p in enumerate(self.params) if type(p) is type(stand_in) and p == stand_in]
        if not self.slots:
            raise ValueError("The queryset does not compare anything with its key by equality.")
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

    def run(self, key: str | int) -> list[Model]:
        params = list(self.params)
        for slot in self.slots:
            params[slot] = key
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
    """`build(key, *shape)`'s queryset compiled once per database, kind of key and shape; calling it runs it
    (a list). An int key is an id; anything else is compared as its text."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self.compiled: dict[tuple[Any, ...], _Compiled] = {}

    def __call__(self, key: Any, *shape: Any) -> list[M]:
        by_id = isinstance(key, int) and not isinstance(key, bool)
        found = self.compiled.get((connection.vendor, by_id, *shape))
        if found is None:
            stand_in = STAND_IN_ID if by_id else STAND_IN
            found = self.compiled[(connection.vendor, by_id, *shape)] = _Compiled(self.build(stand_in, *shape),
                                                                                  stand_in)
        return found.run(key if by_id else str(key))  # type: ignore[return-value]
