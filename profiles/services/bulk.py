"""Writing rows faster than the ORM: many at once on PostgreSQL (the bulk import), and one row by SQL made
once per model and fields (every Update: the customer and its change record).

No rules here: callers (`profiles.services.imports`, `profiles.services.audit`) decide what to write.
Elsewhere than PostgreSQL (SQLite in the tests) the bulk writes are the ORM's `bulk_create` and
`bulk_update`, so the same tests cover both ways; the one-row writes run on both.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, models
from django.db.models import Model

PG_MAX_PARAMS = 65535  # a PostgreSQL statement's bind parameters


def bulk_update(model: type[Model], objs: list[Model], attrs: Sequence[str]) -> None:
    """Write the model fields `attrs` of `objs` (instances read from their rows) in one statement.

    On PostgreSQL one `UPDATE ... FROM (VALUES ...)` per 65,535 parameters: Django's `bulk_update` builds
    a `CASE WHEN` per row and field, whose compiling costs more than the write itself; elsewhere (SQLite,
    the tests' other database) `bulk_update`. The values are converted as `save` converts them.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(objs, [model._meta.get_field(a).name for a in attrs])
        return
    pk = model._meta.pk
    fields = [pk, *(model._meta.get_field(a) for a in attrs)]
    converters = [_converter(f, saving=False) for f in fields]
    casts = [f"%s::{f.cast_db_type(connection)}" for f in fields]
    row_sql = f"({', '.join(casts)})"
    names = [connection.ops.quote_name(f.column) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    per_statement = max(1, PG_MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            part = objs[start:start + per_statement]
            params = [convert(obj) for obj in part for convert in converters]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM (VALUES {', '.join([row_sql] * len(part))}) "
                f"AS v({', '.join(names)}) WHERE t.{names[0]} = v.{names[0]}",
                params,
            )


def bulk_insert(model: type[Model], objs: list[Model]) -> None:
    """`bulk_create(objs)`, their ids set; on PostgreSQL with `COPY`, the ids drawn from the table's own
    sequence first (one query), which is several times faster than a multi-row INSERT built by the ORM.

    Values are prepared as `bulk_create` prepares them (`pre_save`, so `auto_now` dates; `get_db_prep_save`).
    Django's query log does not see a COPY: a test counting queries counts one fewer per call here.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *fields])
    converters = [_converter(f) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [connection.ops.quote_name(table), pk.column, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
        sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # IntegrityError as Django's
            for obj, pk_value in zip(objs, ids, strict=True):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                obj.pk = pk_value
                copy.write_row([pk_value, *(convert(obj) for convert in converters)])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.lru_cache(maxsize=256)  # a body may name any fields: the shapes kept are bounded
def _update_sql(vendor: str, model: type[Model], attrs: tuple[str, ...]) -> tuple[str, list[Callable[[Model], Any]]]:
    """The one-row UPDATE of `attrs` and its values' converters, made once per database, model and fields."""
    fields = [model._meta.get_field(a) for a in attrs]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"
    return sql, [*(_row_converter(f, adding=False) for f in fields), _pk]


@functools.lru_cache(maxsize=64)
def _insert_sql(vendor: str, model: type[Model]) -> tuple[str, list[Callable[[Model], Any]], bool]:
    """The one-row INSERT of every field but the id, its values' converters, and whether it returns the id."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    quote = connection.ops.quote_name
    returning = connection.features.can_return_columns_from_insert
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})" + (f" RETURNING {quote(pk.column)}" if returning else ""))
    return sql, [_row_converter(f, adding=True) for f in fields], returning


def _pk(obj: Model) -> Any:
    return obj.pk


def _row_converter(field: models.Field, *, adding: bool) -> Callable[[Model], Any]:
    """obj -> the field's value for the database, as `save` prepares it (`pre_save`: `auto_now` sets it on
    the instance; `auto_now_add` only when adding; then `get_db_prep_save`); on PostgreSQL by `_converter`'s
    shortcuts, which stamp as an insert does."""
    if connection.vendor == "postgresql" and (adding or not getattr(field, "auto_now_add", False)):
        return _converter(field)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, adding), connection)


def update_row(obj: Model, attrs: list[str]) -> None:
    """`obj.save(update_fields=attrs)` for a row the caller has locked, without the ORM's building and
    compiling of the UPDATE (0.65 -> 0.23 ms of CPU at each Update) and without `pre_save` / `post_save`
    signals: the caller's own code says what changed (`profiles.services.audit.write_customer`)."""
    sql, converters = _update_sql(connection.vendor, type(obj), tuple(attrs))
    with connection.cursor() as cursor:
        cursor.execute(sql, [convert(obj) for convert in converters])
        if cursor.rowcount != 1:
            raise DatabaseError(f"No {type(obj).__name__} {obj.pk} to update.")  # as `save` says it


def insert_row(obj: Model) -> None:
    """`obj.save()` of a new row (its id set), without the ORM's building and compiling of the INSERT and
    without `pre_save` / `post_save` signals: for the change records, written at every Update."""
    sql, converters, returning = _insert_sql(connection.vendor, type(obj))
    obj._prepare_related_fields_for_save(operation_name="save")
    with connection.cursor() as cursor:
        cursor.execute(sql, [convert(obj) for convert in converters])
        obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    obj._state.adding = False
    obj._state.db = connection.alias


def _converter(field: models.Field, *, saving: bool = True) -> Callable[[Model], Any]:
    """obj -> the field's value for the database, as `bulk_create` prepares it (`pre_save`, then
    `get_db_prep_save`; with `saving=False` as `bulk_update` does: the value in hand), skipping both in
    the common case where they change nothing on PostgreSQL: a text, integer, boolean, date or decimal
    column holding a value of its own type (or None), an aware `auto_now` timestamp."""
    attname = field.attname
    stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    # A DateField's own pre_save serves only auto_now / auto_now_add: otherwise it is the value in hand.
    own_pre_save = type(field).pre_save is not models.Field.pre_save and (
        stamped or not isinstance(field, models.DateField))
    if saving and own_pre_save:
        if isinstance(field, models.DateTimeField):
            def stamp(obj: Model) -> Any:
                value = field.pre_save(obj, True)
                if type(value) is dt.datetime and value.tzinfo is not None:
                    return value  # what get_db_prep_save makes of an aware datetime on PostgreSQL
                return field.get_db_prep_save(value, connection)

            return stamp
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    target = field.target_field if field.is_relation else field
    plain: type | None = None
    if isinstance(target, (models.CharField, models.TextField)):
        plain = str
    elif isinstance(target, models.BooleanField):
        plain = bool
    elif isinstance(target, models.IntegerField):
        plain = int
    elif type(target) is models.DateField:
        plain = dt.date
    elif type(target) is models.DecimalField:
        plain = Decimal
    if plain is None:
        return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)

    def convert(obj: Model) -> Any:
        value = getattr(obj, attname)
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(value, connection)

    return convert
