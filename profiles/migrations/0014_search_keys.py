"""Search keys: the name, outward-code and sector searches, and the fuzzy name search, answered from narrow
tables kept by triggers (PostgreSQL only; SQLite searches the customer table, `profiles.filters`).

- `profiles_search_key`: one row per (customer, key) for every customer not erased. A key is `n:` and the
  first 1 to `NAME_KEY_LENGTH` characters of a first, last or organisation name, upper-cased (`n:S`,
  `n:SM`, `n:SMI`); `p:` and the first `NAME_KEY_LENGTH` characters of two of its names that start
  differently, each way round (`p:JOH`, a \\x1f, `SMI`), for two words of the box together; `o:` and the
  primary address's outward code (`o:M1`), `s:` and its sector (`s:M1 1`).
  Each row carries the page's order (`last_key`, `first_key`, `ucrn`: the expressions of `SEARCH_ORDER`)
  and the upper-cased names (`names`, each after a \\x1f) to recheck longer words and the other words of
  the box. The btree on (key, last_key, first_key, ucrn) INCLUDE (customer_id, names) is an in-order
  index range for `key = 'n:SMI' ORDER BY last_key, first_key, ucrn LIMIT 25`, rechecked in the index.
- `profiles_customer_name`: customer id, UCRN and the three names of every customer not erased, with the
  trigram GIN indexes of the fuzzy name search, so its recheck reads this narrow table, not the customer,
  and a btree per name in the page's order.
- `profiles_search_name`: the distinct last (`l`) and organisation (`o`) names: a surname alone is
  matched among them, then each similar name's first customers are read in order (`profiles.filters`).

Both are filled by `profiles_refresh_search(customer_id)`, which triggers on the customer (insert; update
of a name or `erased_at`) and the address (a primary's postcode, or which record is primary) call in the
same transaction as the write, whatever wrote it (services, import, merge, erasure, a bulk update). The
tables are filled from the existing rows here; on a large live table run this migration in a quiet hour.
"""
from django.db import migrations, models
import django.db.models.deletion

NAME_KEY_LENGTH = 3
SEPARATOR = "\\x1f"

CREATE = [
    """
    CREATE TABLE profiles_search_key (
        id bigserial PRIMARY KEY,
        customer_id bigint NOT NULL,
        key text COLLATE "C" NOT NULL,
        last_key text COLLATE "C" NOT NULL,
        first_key text COLLATE "C" NOT NULL,
        ucrn varchar(9) NOT NULL,
        names text NOT NULL
    )
    """,
    """
    CREATE TABLE profiles_customer_name (
        customer_id bigint PRIMARY KEY,
        ucrn varchar(9) NOT NULL,
        first_name varchar(100) NOT NULL,
        last_name varchar(100) NOT NULL,
        organisation_name varchar(100) NOT NULL
    )
    """,
    # The distinct last names (`l`) and organisation names (`o`) of the customers: the fuzzy name search
    # finds similar names here (thousands, not a million customers), then reads each one's customers in
    # order. Insert-only on writes (no lock on a common name); an erasure takes its names out when no one
    # else has them, under a short table lock so that no write adding the same name slips past.
    """
    CREATE TABLE profiles_search_name (
        kind char(1) NOT NULL,
        name varchar(100) NOT NULL,
        PRIMARY KEY (kind, name)
    )
    """,
    # The keys of one customer (its names and its primary address's postcode): also what the benchmark's
    # loader inserts for every customer at once.
    f"""
    CREATE FUNCTION profiles_search_keys(first_name text, last_name text, organisation_name text,
                                         postcode text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT DISTINCT k FROM (
            SELECT 'n:' || left(upper(n), l) AS k
            FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n,
                 generate_series(1, {NAME_KEY_LENGTH}) AS l
            WHERE l <= length(n)
            UNION ALL
            SELECT 'p:' || a.k || E'{SEPARATOR}' || b.k
            FROM (SELECT left(upper(n), {NAME_KEY_LENGTH}) AS k
                  FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n
                  WHERE length(n) >= {NAME_KEY_LENGTH}) AS a,
                 (SELECT left(upper(n), {NAME_KEY_LENGTH}) AS k
                  FROM unnest(ARRAY[first_name, last_name, organisation_name]) AS n
                  WHERE length(n) >= {NAME_KEY_LENGTH}) AS b
            WHERE a.k <> b.k
            UNION ALL
            SELECT 'o:' || split_part(postcode, ' ', 1) WHERE strpos(postcode, ' ') > 1
            UNION ALL
            SELECT 's:' || left(postcode, strpos(postcode, ' ') + 1)
            WHERE strpos(postcode, ' ') > 1 AND length(postcode) > strpos(postcode, ' ')
        ) AS keys
    $$
    """,
    f"""
    CREATE FUNCTION profiles_search_names(first_name text, last_name text, organisation_name text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT E'{SEPARATOR}' || upper(first_name) || E'{SEPARATOR}' || upper(last_name)
            || E'{SEPARATOR}' || upper(organisation_name)
    $$
    """,
    """
    CREATE FUNCTION profiles_refresh_search(cid bigint) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
        old_last text;
        old_organisation text;
        had_names boolean := false;
    BEGIN
        SELECT last_name, organisation_name, true INTO old_last, old_organisation, had_names
        FROM profiles_customer_name WHERE customer_id = cid;
        -- Only the rows that change are written: a new primary address rewrites its two postcode keys,
        -- not the customer's ten name keys.
        WITH fresh AS (
            SELECT k AS key, upper(c.last_name) AS last_key, upper(c.first_name) AS first_key, c.ucrn,
                   profiles_search_names(c.first_name, c.last_name, c.organisation_name) AS names
            FROM profiles_customer c
            LEFT JOIN profiles_address a ON a.customer_id = c.id AND a.is_primary
            CROSS JOIN profiles_search_keys(c.first_name, c.last_name, c.organisation_name, a.postcode) AS k
            WHERE c.id = cid AND c.erased_at IS NULL
        ), gone AS (
            DELETE FROM profiles_search_key k WHERE k.customer_id = cid AND NOT EXISTS (
                SELECT 1 FROM fresh f WHERE (f.key, f.last_key, f.first_key, f.ucrn, f.names)
                                            = (k.key, k.last_key, k.first_key, k.ucrn, k.names))
        )
        INSERT INTO profiles_search_key (customer_id, key, last_key, first_key, ucrn, names)
        SELECT cid, f.key, f.last_key, f.first_key, f.ucrn, f.names FROM fresh f
        WHERE NOT EXISTS (
            SELECT 1 FROM profiles_search_key k WHERE k.customer_id = cid
            AND (f.key, f.last_key, f.first_key, f.ucrn, f.names) = (k.key, k.last_key, k.first_key, k.ucrn, k.names));

        IF NOT EXISTS (SELECT 1 FROM profiles_customer c WHERE c.id = cid AND c.erased_at IS NULL) THEN
            DELETE FROM profiles_customer_name WHERE customer_id = cid;
            IF had_names THEN  -- erased or deleted: its names go if no one else has them
                LOCK TABLE profiles_search_name IN SHARE ROW EXCLUSIVE MODE;
                DELETE FROM profiles_search_name
                WHERE (kind = 'l' AND name = old_last
                       AND NOT EXISTS (SELECT 1 FROM profiles_customer_name WHERE last_name = old_last))
                   OR (kind = 'o' AND name = old_organisation
                       AND NOT EXISTS (SELECT 1 FROM profiles_customer_name
                                       WHERE organisation_name = old_organisation));
            END IF;
            RETURN;
        END IF;
        INSERT INTO profiles_customer_name AS n (customer_id, ucrn, first_name, last_name, organisation_name)
        SELECT c.id, c.ucrn, c.first_name, c.last_name, c.organisation_name
        FROM profiles_customer c WHERE c.id = cid
        ON CONFLICT (customer_id) DO UPDATE
        SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
            organisation_name = EXCLUDED.organisation_name
        WHERE (n.first_name, n.last_name, n.organisation_name)
              IS DISTINCT FROM (EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.organisation_name);
        INSERT INTO profiles_search_name (kind, name)
        SELECT kind, name FROM profiles_customer_name n,
               LATERAL (VALUES ('l', n.last_name), ('o', n.organisation_name)) AS v (kind, name)
        WHERE n.customer_id = cid AND name <> ''
        ON CONFLICT DO NOTHING;
    END
    $$
    """,
    """
    CREATE FUNCTION profiles_customer_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM profiles_refresh_search(NEW.id);
        RETURN NULL;
    END
    $$
    """,
    # No foreign keys (a TRUNCATE of the customers, as Django's test flush runs, would be refused): a
    # deleted customer's rows go with it by trigger, and a TRUNCATE empties both tables.
    """
    CREATE FUNCTION profiles_customer_deleted_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM profiles_refresh_search(OLD.id);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION profiles_customer_truncated_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE profiles_search_key, profiles_customer_name, profiles_search_name;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION profiles_address_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM profiles_refresh_search(OLD.customer_id);
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.customer_id <> OLD.customer_id) THEN
            PERFORM profiles_refresh_search(NEW.customer_id);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER profiles_customer_search_insert AFTER INSERT ON profiles_customer
    FOR EACH ROW EXECUTE FUNCTION profiles_customer_search_trigger()
    """,
    """
    CREATE TRIGGER profiles_customer_search_update AFTER UPDATE ON profiles_customer
    FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name
                       OR OLD.last_name IS DISTINCT FROM NEW.last_name
                       OR OLD.organisation_name IS DISTINCT FROM NEW.organisation_name
                       OR OLD.erased_at IS DISTINCT FROM NEW.erased_at)
    EXECUTE FUNCTION profiles_customer_search_trigger()
    """,
    """
    CREATE TRIGGER profiles_customer_search_delete AFTER DELETE ON profiles_customer
    FOR EACH ROW EXECUTE FUNCTION profiles_customer_deleted_trigger()
    """,
    """
    CREATE TRIGGER profiles_customer_search_truncate AFTER TRUNCATE ON profiles_customer
    FOR EACH STATEMENT EXECUTE FUNCTION profiles_customer_truncated_trigger()
    """,
    """
    CREATE TRIGGER profiles_address_search_insert AFTER INSERT ON profiles_address
    FOR EACH ROW WHEN (NEW.is_primary) EXECUTE FUNCTION profiles_address_search_trigger()
    """,
    """
    CREATE TRIGGER profiles_address_search_update AFTER UPDATE ON profiles_address
    FOR EACH ROW WHEN (OLD.is_primary IS DISTINCT FROM NEW.is_primary
                       OR (NEW.is_primary AND OLD.postcode IS DISTINCT FROM NEW.postcode)
                       OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
    EXECUTE FUNCTION profiles_address_search_trigger()
    """,
    """
    CREATE TRIGGER profiles_address_search_delete AFTER DELETE ON profiles_address
    FOR EACH ROW WHEN (OLD.is_primary) EXECUTE FUNCTION profiles_address_search_trigger()
    """,
]

# What the benchmark's loader runs too, after COPY (it bypasses the triggers): every customer's rows.
FILL = [
    """
    INSERT INTO profiles_customer_name (customer_id, ucrn, first_name, last_name, organisation_name)
    SELECT id, ucrn, first_name, last_name, organisation_name FROM profiles_customer WHERE erased_at IS NULL
    """,
    """
    INSERT INTO profiles_search_name (kind, name)
    SELECT DISTINCT kind, name FROM profiles_customer_name n,
           LATERAL (VALUES ('l', n.last_name), ('o', n.organisation_name)) AS v (kind, name)
    WHERE name <> ''
    """,
    """
    INSERT INTO profiles_search_key (customer_id, key, last_key, first_key, ucrn, names)
    SELECT c.id, k, upper(c.last_name), upper(c.first_name), c.ucrn,
           profiles_search_names(c.first_name, c.last_name, c.organisation_name)
    FROM profiles_customer c
    LEFT JOIN profiles_address a ON a.customer_id = c.id AND a.is_primary
    CROSS JOIN profiles_search_keys(c.first_name, c.last_name, c.organisation_name, a.postcode) AS k
    WHERE c.erased_at IS NULL
    """,
]

INDEXES = [
    "CREATE INDEX search_key_order_idx ON profiles_search_key (key, last_key, first_key, ucrn)"
    " INCLUDE (customer_id, names)",
    "CREATE INDEX search_key_customer_idx ON profiles_search_key (customer_id)",
    "CREATE INDEX customer_name_last_trgm_idx ON profiles_customer_name USING gin (last_name gin_trgm_ops)",
    "CREATE INDEX customer_name_org_trgm_idx ON profiles_customer_name USING gin (organisation_name gin_trgm_ops)",
    "CREATE INDEX search_name_trgm_idx ON profiles_search_name USING gin (name gin_trgm_ops)",
    # each similar name's customers in the page's order
    'CREATE INDEX customer_name_last_order_idx ON profiles_customer_name (last_name, (upper(last_name) COLLATE "C"),'
    ' (upper(first_name) COLLATE "C"), ucrn)',
    'CREATE INDEX customer_name_org_order_idx ON profiles_customer_name (organisation_name,'
    ' (upper(last_name) COLLATE "C"), (upper(first_name) COLLATE "C"), ucrn)',
]

DROP = [
    "DROP TRIGGER IF EXISTS profiles_address_search_delete ON profiles_address",
    "DROP TRIGGER IF EXISTS profiles_address_search_update ON profiles_address",
    "DROP TRIGGER IF EXISTS profiles_address_search_insert ON profiles_address",
    "DROP TRIGGER IF EXISTS profiles_customer_search_truncate ON profiles_customer",
    "DROP TRIGGER IF EXISTS profiles_customer_search_delete ON profiles_customer",
    "DROP TRIGGER IF EXISTS profiles_customer_search_update ON profiles_customer",
    "DROP TRIGGER IF EXISTS profiles_customer_search_insert ON profiles_customer",
    "DROP FUNCTION IF EXISTS profiles_address_search_trigger()",
    "DROP FUNCTION IF EXISTS profiles_customer_search_trigger()",
    "DROP FUNCTION IF EXISTS profiles_customer_deleted_trigger()",
    "DROP FUNCTION IF EXISTS profiles_customer_truncated_trigger()",
    "DROP FUNCTION IF EXISTS profiles_refresh_search(bigint)",
    "DROP FUNCTION IF EXISTS profiles_search_names(text, text, text)",
    "DROP FUNCTION IF EXISTS profiles_search_keys(text, text, text, text)",
    "DROP TABLE IF EXISTS profiles_customer_name",
    "DROP TABLE IF EXISTS profiles_search_name",
    "DROP TABLE IF EXISTS profiles_search_key",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [*CREATE, *FILL, *INDEXES]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0013_address_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerName",
            fields=[
                ("customer", models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                                  primary_key=True, related_name="search_name", serialize=False,
                                                  to="profiles.customer")),
                ("ucrn", models.CharField(max_length=9)),
                ("first_name", models.CharField(max_length=100)),
                ("last_name", models.CharField(max_length=100)),
                ("organisation_name", models.CharField(max_length=100)),
            ],
            options={"db_table": "profiles_customer_name", "managed": False},
        ),
        migrations.CreateModel(
            name="SearchKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("customer", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                               related_name="search_keys", to="profiles.customer")),
                ("key", models.TextField()),
                ("last_key", models.TextField()),
                ("first_key", models.TextField()),
                ("ucrn", models.CharField(max_length=9)),
                ("names", models.TextField()),
            ],
            options={"db_table": "profiles_search_key", "managed": False},
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
