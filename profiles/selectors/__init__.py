"""Reads: the Get output, the address history, the change log, the reference lists; the other reads of the
customer domain are this package's modules (`subscriptions`, `permissions`, `extended`). No read calls a
service (import-linter holds it); a read a service needs too lives here.

The Get output is a flat mapping of data names (SPEC section 3), the primary address flattened into it;
the API's JSON, the form runner's lookup and the portal all render this one mapping.
"""
from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, Model, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404

from core.caching import PREFIX, cached, cached_locally
from core.prepared import Prepared
from core.roles import UserLike, is_csa
from profiles import caching
from profiles.access import check_may_access, check_may_ask, check_row, survivor_of
from profiles.datanames import ADDRESS_NAMES, PROFILE_NAMES
from profiles.indexes import SEARCH_ORDER
from profiles.models import (
    REFERENCE_LISTS,
    Address,
    ChangeRecord,
    Country,
    Customer,
    ExtendedData,
    ExtendedSource,
    Language,
    Merge,
    Suffix,
    Title,
)
from profiles.timestamps import api_datetime


def _output(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return float(value)
    return value


def address_data(address: Address | None) -> dict[str, Any]:
    """An address record as data names; all blank when there is none."""
    data: dict[str, Any] = {}
    for name, spec in ADDRESS_NAMES.items():
        data[name] = _output(getattr(address, spec.attr)) if address is not None else _blank_of(name)
    data["country"] = country_name(address) if address is not None else ""
    data["country_code"] = country_code(address) if address is not None else None
    return data


def country_code(address: Address) -> str | None:
    """The ISO 3166-1 alpha-2 code of the address's country: from the record when loaded with it (by a
    join, or primed from the cached lists), else from the cached lists."""
    if Address.country.is_cached(address) and address.country is not None \
            and "alpha_2" not in address.country.get_deferred_fields():
        return address.country.alpha_2
    return _code("countries", address.country_id)


def _code(list_name: str, item_id: Any) -> str | None:
    """The ISO code of a list item, from the cached lists (no query); None for no item."""
    if item_id is None:
        return None
    return next((item.get("code") for item in reference_lists()[list_name] if item["id"] == item_id), None)


def country_name(address: Address) -> str:
    """The name of the address's country: from the record when loaded with it, else from the cached lists
    (a new record's country costs no query)."""
    if Address.country.is_cached(address):
        return address.country.name
    for item in reference_lists()["countries"]:
        if item["id"] == address.country_id:
            return item["name"]
    return address.country.name


def _blank_of(name: str) -> Any:
    field = Address._meta.get_field(ADDRESS_NAMES[name].attr.removesuffix("_id"))
    return None if field.null or field.is_relation or name.endswith("_date") else ""


def profile_data(customer: Customer, primary: Address | None) -> dict[str, Any]:
    """The Get output: every data name of the profile, with the primary address flattened in."""
    data: dict[str, Any] = {"ucrn": customer.ucrn}
    for name, spec in PROFILE_NAMES.items():
        data[name] = _output(getattr(customer, spec.attr))
    data["preferred_language_code"] = _code("languages", customer.preferred_language_id)
    data["name"] = customer.display_name
    data["sort_name"] = customer.sort_name
    data.update(address_data(primary))
    data["created_at"] = api_datetime(customer.created_at)
    data["updated_at"] = api_datetime(customer.updated_at)
    data["version"] = customer.version  # bumped by every change: the ETag and the edit pages' check
    return data


def primary_address(customer: Customer) -> Address | None:
    return Address.objects.select_related("country").filter(customer=customer, is_primary=True).first()


def address_history(*, ucrn: Any, user: UserLike, customer_id: int | None = None) -> list[Address]:
    """Every address record of the customer, newest first.

    One query joined on the UCRN (not the customer's 60 columns read again first), or by `customer_id`
    when the caller has found the customer (a page that has its Get: `profile_get_with_id`); a second one,
    to tell "no addresses" from "no such customer", only when it finds none and the caller has not.
    """
    check_may_access(user, ucrn)
    records = _address_history(ucrn if customer_id is None else customer_id)
    if not records and customer_id is None:
        _check_exists(ucrn)
    return records


def change_history(*, ucrn: Any, user: UserLike) -> list[ChangeRecord]:
    """The change records of the customer, newest first (one query, as `address_history`)."""
    check_may_access(user, ucrn)
    records = list(
        ChangeRecord.objects.filter(customer__ucrn=ucrn).select_related("user").order_by("-created_at", "-id")
    )
    if not records:
        _check_exists(ucrn)
    return records


def recent_changes(*, ucrn: Any, customer_id: int, user: UserLike, count: int) -> tuple[list[ChangeRecord], bool]:
    """The customer's newest `count` change records, newest first, and whether there are older ones: one
    query (`count` + 1 rows), whatever the length of the history. For a page that has found the customer
    (its id: `profile_get_with_id`)."""
    check_may_access(user, ucrn)
    rows = _recent_changes(customer_id, count + 1)
    return rows[:count], len(rows) > count


def lasting_changes(*, ucrn: Any, customer_id: int, user: UserLike) -> list[ChangeRecord]:
    """The change records a record page needs whatever their age, newest first, in one query: those that
    changed a contact permission (when, how and by whom it was last set) and the erasure.

    The database keeps only the records whose JSON mentions a permission (the text match works on
    PostgreSQL and SQLite alike); `profiles.services.permissions.permission_details` reads the entries.
    """
    check_may_access(user, ucrn)
    return _lasting_changes(customer_id)


def lasting_among(records: list[ChangeRecord]) -> list[ChangeRecord]:
    """`lasting_changes` taken from the customer's records a page has read already, when they are all of
    them (the newest page of the history held the whole of it): no query. The database's test, in Python:
    the JSON text of the entries mentions a permission (`json.dumps` writes the same `"permission_` as
    PostgreSQL's and SQLite's text of the JSON), or the record is the erasure."""
    return [r for r in records if r.action == ChangeRecord.Action.ERASE or PERMISSION_MENTION in json.dumps(r.changes)]


def of_customer(key: str | int, relation: str = "customer") -> dict[str, Any]:
    """A filter on the customer `relation` by its id (an int: a page has it from its Get, and PostgreSQL
    plans a read by id in a third of the time a join on the UCRN takes) or by its UCRN (a text)."""
    return {f"{relation}_id": key} if isinstance(key, int) else {f"{relation}__ucrn": key}


PERMISSION_MENTION = '"permission_'  # in the JSON text of a change record that set a contact permission

# The record page's reads, compiled once (`core.prepared`): each is one query by id or UCRN.
_address_history = Prepared(lambda key: Address.objects.filter(**of_customer(key)).select_related("country")
                            .order_by("-start_date", "-id"))
_recent_changes = Prepared(lambda key, rows: ChangeRecord.objects.filter(**of_customer(key))
                           .select_related("user").order_by("-created_at", "-id")[:rows])
_lasting_changes = Prepared(
    lambda key: ChangeRecord.objects.alias(text=Cast("changes", TextField()))
    .filter(Q(text__contains=PERMISSION_MENTION) | Q(action=ChangeRecord.Action.ERASE), **of_customer(key))
    .select_related("user").order_by("-created_at", "-id")
)


# In the survivor's records of a merge, the side of each change that holds the merged record's values: what
# the merge took from it ("after"), what the undo gave back ("before").
MERGED_SIDE = {ChangeRecord.Action.MERGE: "after", ChangeRecord.Action.UNMERGE: "before"}


def survivor_records_of_merge(merge: Merge) -> QuerySet[ChangeRecord]:
    """The survivor's change records of `merge` (the merge, and its undo): they hold the values the survivor
    took from the merged record. Each one's first entry names the merge (`merge_id`)."""
    return ChangeRecord.objects.filter(
        customer_id=merge.survivor_id, action__in=[ChangeRecord.Action.MERGE, ChangeRecord.Action.UNMERGE],
        changes__0__merge_id=merge.pk,
    )


def _check_exists(ucrn: str) -> None:
    if not Customer.objects.filter(ucrn=ucrn).exists():
        raise Http404("No customer has this UCRN.")


# --- The Get (SPEC section 3): one query, cached -------------------------------------------------------


def profile_get(*, ucrn: Any, user: UserLike) -> dict[str, Any]:
    """The Get output of `ucrn` for `user` (SPEC section 3), 403 or 404 otherwise: the one Get of every door.

    One query (the customer, its title and suffix, its primary address and that address's country, joined)
    and no ORM query building; the result is cached (`profiles.caching`: Redis when configured) under the
    customer's generation, which every write of the customer renews in the code path of its change record,
    and the reference lists' generation (a renamed title changes `name`). So a hit costs no query at all
    and a read after a write, through any server, is never stale. A customer's profile is stored from its
    second read on (the first makes its generation), so a one-off read costs one cache write, not two.

    The access rule is `customer_for`'s: CSAs any customer (404 if unknown), a citizen only the one linked
    to them (403 otherwise, unknown or not). A merged customer is never cached: its UCRN resolves, for CSAs,
    to the survivor (its profile, with `merged_from` naming the UCRN asked for); a citizen still linked to
    a merged record sees that record, never another.
    """
    return profile_get_with_id(ucrn=ucrn, user=user)[0]


def profile_get_with_id(*, ucrn: Any, user: UserLike) -> tuple[dict[str, Any], int]:
    """`profile_get`, and the id of the customer it shows (the survivor's, for a merged UCRN): a page that
    reads more of the customer by id (the record page's duplicates) needs no other read to know it."""
    check_may_ask(user, ucrn)
    entry = cached(
        caching.profile_key(ucrn),
        [caching.profile_generation(ucrn), caching.LISTS_GENERATION],
        lambda: _profile_entry(ucrn),
        timeout=caching.PROFILE_TTL,
        store=lambda found: found is not None and not found["merged"],
        admit_on_second_read=True,  # most reads of a million customers are one-offs
    )
    check_row(user, found=entry is not None, portal_user_id=entry["portal_user_id"] if entry else None)
    if entry["merged"] and is_csa(user):
        survivor = survivor_of(Customer(pk=entry["id"], ucrn=ucrn, merged_into_id=entry["merged_into"]))
        return {**profile_data(survivor, primary_address(survivor)), "extended": extended_of(survivor.pk),
                "merged_from": ucrn}, survivor.pk
    return entry["profile"], entry["id"]


def _profile_entry(ucrn: str) -> dict[str, Any] | None:
    row = profile_row_with_extended(ucrn)
    if row is None:
        return None
    customer, primary, extended = row
    return {
        "profile": {**profile_data(customer, primary), "extended": extended},
        "portal_user_id": customer.portal_user_id,
        "merged": customer.merged_into_id is not None,
        "id": customer.pk,
        "merged_into": customer.merged_into_id,
    }


def extended_of(customer_id: int) -> dict[str, Any]:
    """The Get output's `extended`: the customer's object from each source, by slug (SPEC 8.3). One query
    for all the sources together; API clients see only the sources they may read (`systems.allowlists`)."""
    rows = ExtendedData.objects.filter(customer_id=customer_id).order_by("source__slug")
    return dict(rows.values_list("source__slug", "data"))


class _RowQuery:
    """The SQL of `profile_row`, made once from the models, with the ORM's own value converters.

    Two tables only: the names of the title, suffix and country come from the cached reference lists, not
    from joins (a five-table join cost PostgreSQL more to plan, 0.45 ms, than to run).
    """

    def __init__(self) -> None:
        qn = connection.ops.quote_name
        self.parts: list[tuple[type[Model], list[Any]]] = []
        selects: list[str] = []
        self.columns: list[Any] = []
        for model, alias in ((Customer, "c"), (Address, "a")):
            fields = list(model._meta.concrete_fields)  # in model order: `from_db` reads them so
            self.parts.append((model, fields))
            for f in fields:
                selects.append(f"{alias}.{qn(f.column)}")
                self.columns.append(f.get_col(alias))
        c, a = Customer._meta, Address._meta
        joined = (
            f" FROM {qn(c.db_table)} c"
            f" LEFT JOIN {qn(a.db_table)} a ON a.{qn(a.get_field('customer').column)} = c.{qn('id')}"
            f" AND a.{qn('is_primary')} = %s"
        )
        joins = f"{joined} WHERE c.{qn('ucrn')} = %s"
        self.sql = f"SELECT {', '.join(selects)}{joins}"
        self.sql_by_ids = f"SELECT {', '.join(selects)}{joined} WHERE c.{qn('id')} IN "  # + `(%s, ...)`
        self.converters = [
            connection.ops.get_db_converters(col) + col.get_db_converters(connection) for col in self.columns
        ]
        # The Get's variant: `extended_of` as one more column, a JSON object built by the database.
        aggregate = EXTENDED_AGGREGATES.get(connection.vendor)
        self.sql_with_extended = None
        if aggregate is not None:
            e, src = ExtendedData._meta, ExtendedSource._meta
            extended = (
                f"(SELECT {aggregate} FROM {qn(e.db_table)} e JOIN {qn(src.db_table)} s"
                f" ON s.{qn('id')} = e.{qn(e.get_field('source').column)}"
                f" WHERE e.{qn(e.get_field('customer').column)} = c.{qn('id')})"
            )
            self.sql_with_extended = f"SELECT {', '.join(selects)}, {extended}{joins}"

    def instances(self, row: tuple, lists: dict[str, list[dict[str, Any]]] | None = None,
                  ) -> tuple[Customer, Address | None]:
        """The customer and its primary address of `row`; `lists`: the reference lists, when the caller has
        them (reading them checks their generation in the shared cache: once per query, not per row)."""
        values = list(row)
        for i, converters in enumerate(self.converters):
            for convert in converters:
                values[i] = convert(values[i], self.columns[i], connection)
        (customer_model, customer_fields), (address_model, address_fields) = self.parts
        split = len(customer_fields)
        customer = customer_model.from_db(connection.alias, [f.attname for f in customer_fields], values[:split])
        address = None
        if values[split] is not None:  # the LEFT JOIN found a primary address
            address = address_model.from_db(connection.alias, [f.attname for f in address_fields], values[split:])
            Address.customer.field.set_cached_value(address, customer)
        lists = lists if lists is not None else reference_lists()
        _prime(customer, Customer.prefix.field, Title, lists["titles"], customer.prefix_id)
        _prime(customer, Customer.suffix.field, Suffix, lists["suffixes"], customer.suffix_id)
        if address is not None:
            _prime(address, Address.country.field, Country, lists["countries"], address.country_id)
        return customer, address


def name_parts_listed(customers: list[Customer]) -> None:
    """Give each customer its title and suffix from the cached reference lists, so `display_name` costs no
    query, and the read of the customers no join."""
    lists = reference_lists()
    for customer in customers:
        _prime(customer, Customer.prefix.field, Title, lists["titles"], customer.prefix_id)
        _prime(customer, Customer.suffix.field, Suffix, lists["suffixes"], customer.suffix_id)


def _prime(instance: Model, field: Any, model: type[Model], items: list[dict[str, Any]], pk: Any) -> None:
    """Cache on `instance` the list item `pk` (id and name) as its `field`, so reading its name costs no
    query; an id the cached list lacks is left to the ORM's own lazy read."""
    if pk is None:
        field.set_cached_value(instance, None)
        return
    for item in items:
        if item["id"] == pk:
            known = {"id": pk, "name": item["name"]}
            if model is Country and item.get("code"):
                known["alpha_2"] = item["code"]
            names = [f.attname for f in model._meta.concrete_fields if f.attname in known]  # `from_db`'s order
            field.set_cached_value(instance, model.from_db(connection.alias, names, [known[n] for n in names]))
            return


# Each database's aggregate of a customer's extended data into one JSON object (as text), by slug: the order
# `extended_of` gives. PostgreSQL's `json` (not `jsonb`) keeps the keys in the order aggregated.
EXTENDED_AGGREGATES = {
    "postgresql": "json_object_agg(s.slug, e.data ORDER BY s.slug)::text",
    "sqlite": "json_group_object(s.slug, json(e.data))",
}


_row_queries: dict[str, _RowQuery] = {}


def _row_query() -> _RowQuery:
    query = _row_queries.get(connection.vendor)
    if query is None:
        query = _row_queries[connection.vendor] = _RowQuery()
    return query


def profile_row(ucrn: str, *, lock: bool = False) -> tuple[Customer, Address | None] | None:
    """The customer `ucrn` and its primary address (title, suffix and country loaded), in one query;
    None if there is no such customer. `lock`: the customer's row lock (`SELECT ... FOR UPDATE OF`), inside
    the caller's transaction. No access check: callers make it (`profiles.access`)."""
    query = _row_query()
    sql = query.sql
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF c" if connection.features.has_select_for_update_of else " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, ucrn])
        row = cursor.fetchone()
    return None if row is None else query.instances(row)


def profile_rows_by_ids(ids: list[int]) -> list[tuple[Customer, Address | None]]:
    """The customers `ids` and their primary addresses (title, suffix and country loaded), in one query
    and no ORM query building, in no particular order. No access check: callers make it."""
    if not ids:
        return []
    query = _row_query()
    with connection.cursor() as cursor:
        cursor.execute(f"{query.sql_by_ids}({', '.join(['%s'] * len(ids))})", [True, *ids])
        rows = cursor.fetchall()
    lists = reference_lists()
    return [query.instances(row, lists) for row in rows]


def profile_row_with_extended(ucrn: str) -> tuple[Customer, Address | None, dict[str, Any]] | None:
    """`profile_row` and `extended_of` the customer, in one query (the Get's miss); None if no such customer."""
    query = _row_query()
    if query.sql_with_extended is None:  # a database without a JSON object aggregate: two queries
        row = profile_row(ucrn)
        return None if row is None else (*row, extended_of(row[0].pk))
    with connection.cursor() as cursor:
        cursor.execute(query.sql_with_extended, [True, ucrn])
        row = cursor.fetchone()
    if row is None:
        return None
    customer, address = query.instances(row[:-1])
    return customer, address, json.loads(row[-1]) if row[-1] else {}


SEARCH_RESULT_NAMES = (
    "ucrn", "name", "sort_name", "contact_type", "status", "birth_date", "email_address", "phone_number",
    "mobile_number",
)


def profile_search(*, user: UserLike, related: bool = True) -> QuerySet[Customer]:
    """The customers a search filters (`profiles.filters.CustomerFilterSet`): CSAs only (SPEC 6).

    The primary address comes in one prefetch query for the whole page (`primary_addresses`), however
    many address records each customer has. Erased customers have nothing left to find: left out (the
    search indexes of migration 0006 are partial on that condition). Without `related` (a caller that
    reads plain values, `values()`, and the addresses itself), no title, suffix or address is loaded.
    """
    if not is_csa(user):
        raise PermissionDenied("Only customer service agents may search customers.")
    if not related:
        return _searchable().all()
    primary = Address.objects.filter(is_primary=True).select_related("country")
    return (
        _searchable()
        .select_related("prefix", "suffix")
        .prefetch_related(Prefetch("addresses", queryset=primary, to_attr="primary_addresses"))
    )


_searchable_query: dict[str, QuerySet[Customer]] = {}


def _searchable() -> QuerySet[Customer]:
    """The customers not erased in the search's order, built once (a copy costs a thirtieth of building it:
    the search page makes one per request). A query, not data: never evaluated itself, only copied, so
    nothing in it can go stale."""
    query = _searchable_query.get("customers")
    if query is None:  # the surname index's order (migration 0006), case-insensitive
        query = _searchable_query["customers"] = Customer.objects.filter(erased_at__isnull=True).order_by(*SEARCH_ORDER)
    return query


def profile_summary(customer: Customer) -> dict[str, Any]:
    """A search result: who the customer is and their primary address, as data names."""
    data = profile_data(customer, None)
    summary = {name: data[name] for name in SEARCH_RESULT_NAMES}
    primaries = getattr(customer, "primary_addresses", None)
    primary = primaries[0] if primaries else (None if primaries is not None else primary_address(customer))
    summary.update(address_data(primary))
    return summary


def list_items(list_name: str) -> list[dict[str, Any]]:
    """A reference list as `[{"id", "name"}]` (countries and languages also carry their ISO `code`);
    KeyError if unknown."""
    return [dict(item) for item in reference_lists()[list_name]]  # the caller's own copy


def reference_lists() -> dict[str, list[dict[str, Any]]]:
    """Every reference list (as `list_items` gives each), from the shared cache.

    Lists change only when an administrator edits one: every save or delete of an item renews the lists'
    generation (`profiles.caching.connect_signals`), so the next read, on any server, reads them again.
    Callers must not change the lists returned (they are shared within the process).
    """
    return cached_locally(PREFIX + ":lists", caching.LISTS_GENERATION, _read_lists,
                                  timeout=caching.LISTS_TTL)


def _read_lists() -> dict[str, list[dict[str, Any]]]:
    lists = {}
    for name, model in REFERENCE_LISTS.items():
        items = model.objects.order_by("sort_order", "name")
        if model is Country:  # the alpha-2 code beside the numeric id: the Get output's `country_code`
            lists[name] = list(items.values("id", "name", code=F("alpha_2")))
        else:
            lists[name] = list(items.values("id", "name", "code") if model is Language else items.values("id", "name"))
    return lists
