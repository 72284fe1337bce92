"""Generate N customers with 1 to 4 addresses each and load them with PostgreSQL COPY.

Rows are made in Python from fixed lists (seeded, so a run is repeatable) and streamed with psycopg 3's
`cursor.copy()` in text format. The values are what the hub itself stores: UCRNs of 9 digits with a Damm
check digit, normalised UK postcodes (`M1 1AE`), phones in E.164, lower-case unique emails, one primary
address per customer (the newest), the older ones ended the day the next one started.

Columns the generator does not know (added by later migrations) are filled with their type's blank when
they are NOT NULL, so the loader keeps working as the schema grows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator

import psycopg

# --- Fixed lists -------------------------------------------------------------------------------------
# Surnames with rough weights (England and Wales frequencies, heavily rounded): the prefix search sees
# the same skew a council's data has (many Smiths, few Yateses).
SURNAMES = {
    "Smith": 60,
    "Jones": 45,
    "Williams": 35,
    "Taylor": 30,
    "Brown": 30,
    "Davies": 28,
    "Evans": 22,
    "Wilson": 20,
    "Thomas": 20,
    "Johnson": 19,
    "Roberts": 19,
    "Robinson": 16,
    "Thompson": 16,
    "Wright": 16,
    "Walker": 15,
    "White": 15,
    "Edwards": 14,
    "Hughes": 14,
    "Green": 14,
    "Hall": 14,
    "Lewis": 13,
    "Harris": 13,
    "Clarke": 13,
    "Patel": 13,
    "Jackson": 12,
    "Wood": 12,
    "Turner": 12,
    "Martin": 11,
    "Cooper": 11,
    "Hill": 11,
    "Ward": 11,
    "Morris": 11,
    "Moore": 10,
    "Clark": 10,
    "Lee": 10,
    "King": 10,
    "Baker": 10,
    "Harrison": 10,
    "Morgan": 10,
    "Allen": 9,
    "James": 9,
    "Scott": 9,
    "Phillips": 9,
    "Watson": 9,
    "Davis": 9,
    "Parker": 8,
    "Price": 8,
    "Bennett": 8,
    "Young": 8,
    "Griffiths": 8,
    "Mitchell": 8,
    "Kelly": 8,
    "Cook": 8,
    "Carter": 8,
    "Richardson": 8,
    "Bailey": 7,
    "Collins": 7,
    "Bell": 7,
    "Shaw": 7,
    "Murphy": 7,
    "Miller": 7,
    "Cox": 7,
    "Richards": 7,
    "Khan": 7,
    "Marshall": 6,
    "Anderson": 6,
    "Simpson": 6,
    "Ellis": 6,
    "Adams": 6,
    "Singh": 6,
    "Begum": 6,
    "Wilkinson": 6,
    "Foster": 6,
    "Chapman": 6,
    "Powell": 6,
    "Webb": 6,
    "Rogers": 6,
    "Gray": 6,
    "Mason": 6,
    "Ali": 6,
    "Hunt": 5,
    "Hussain": 5,
    "Campbell": 5,
    "Matthews": 5,
    "Owen": 5,
    "Palmer": 5,
    "Holmes": 5,
    "Mills": 5,
    "Barnes": 5,
    "Knight": 5,
    "Lloyd": 5,
    "Butler": 5,
    "Russell": 5,
    "Barker": 5,
    "Fisher": 5,
    "Stevens": 5,
    "Jenkins": 5,
    "Murray": 5,
    "Dixon": 5,
    "Harvey": 5,
    "Graham": 4,
    "Pearson": 4,
    "Ahmed": 4,
    "Fletcher": 4,
    "Walsh": 4,
    "Kaur": 4,
    "Gibson": 4,
    "Howard": 4,
    "Andrews": 4,
    "Stewart": 4,
    "Elliott": 4,
    "Reynolds": 4,
    "Saunders": 4,
    "Payne": 4,
    "Fox": 4,
    "Ford": 4,
    "Pearce": 4,
    "Day": 4,
    "Brooks": 4,
    "West": 4,
    "Lawrence": 4,
    "Cole": 4,
    "Atkinson": 4,
    "Bradley": 4,
    "Spencer": 4,
    "Gill": 4,
    "Dawson": 4,
    "Ball": 3,
    "Burton": 3,
    "O'Brien": 3,
    "Watts": 3,
    "Rose": 3,
    "Booth": 3,
    "Perry": 3,
    "Ryan": 3,
    "Grant": 3,
    "Wells": 3,
    "Armstrong": 3,
    "Francis": 3,
    "Rees": 3,
    "Hayes": 3,
    "Hart": 3,
    "Hudson": 3,
    "Newman": 3,
    "Barrett": 3,
    "Webster": 3,
    "Hunter": 3,
    "Gregory": 3,
    "Carr": 3,
    "Lowe": 3,
    "Page": 3,
    "Marsh": 3,
    "Riley": 3,
    "Dunn": 3,
    "Woods": 3,
    "Parsons": 3,
    "Berry": 3,
    "Stone": 3,
    "Reid": 3,
    "Holland": 3,
    "Hawkins": 3,
    "Harding": 3,
    "Porter": 3,
    "Robertson": 3,
    "Newton": 3,
    "Oliver": 3,
    "Reed": 3,
    "Kennedy": 3,
    "Williamson": 3,
    "Bird": 3,
    "Gardner": 3,
    "Shah": 3,
    "Dean": 3,
    "Lane": 3,
    "Cooke": 3,
    "Bates": 3,
    "Henderson": 3,
    "Parry": 3,
    "Burgess": 3,
    "Bishop": 3,
    "Walton": 3,
    "Burns": 3,
    "Nicholson": 3,
    "Shepherd": 3,
    "Ross": 3,
    "Cross": 3,
    "Long": 3,
    "Freeman": 3,
    "Warren": 3,
    "Nicholls": 3,
    "Hamilton": 3,
    "Byrne": 2,
    "Sutton": 2,
    "McDonald": 2,
    "Yates": 2,
    "Hodgson": 2,
    "Robson": 2,
    "Curtis": 2,
    "Hopkins": 2,
    "O'Connor": 2,
    "Harper": 2,
    "Coleman": 2,
    "Watkins": 2,
    "Moss": 2,
    "McCarthy": 2,
    "Chambers": 2,
    "Smyth": 1,
    "Nowak": 1,
    "Kowalski": 1,
    "Okafor": 1,
    "Adeyemi": 1,
    "Nguyen": 1,
    "Chen": 1,
    "Wang": 1,
    "Mensah": 1,
    "Ibrahim": 1,
    "Rahman": 1,
    "Islam": 1,
    "Mahmood": 1,
}
FIRST_NAMES = [
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Jacob",
    "Noah",
    "Charlie",
    "Muhammad",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Leo",
    "Alfie",
    "Henry",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Edward",
    "Samuel",
    "Max",
    "Daniel",
    "Arthur",
    "Lucas",
    "Mohammed",
    "Logan",
    "David",
    "John",
    "Michael",
    "Paul",
    "Andrew",
    "Mark",
    "Richard",
    "Peter",
    "Stephen",
    "Robert",
    "Christopher",
    "Anthony",
    "Kevin",
    "Gary",
    "Ian",
    "Simon",
    "Matthew",
    "Adam",
    "Ryan",
    "Liam",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Isabella",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Grace",
    "Sophia",
    "Sophie",
    "Freya",
    "Chloe",
    "Jessica",
    "Ruby",
    "Daisy",
    "Alice",
    "Florence",
    "Sarah",
    "Susan",
    "Margaret",
    "Elizabeth",
    "Patricia",
    "Helen",
    "Karen",
    "Julie",
    "Claire",
    "Emma",
    "Rachel",
    "Laura",
    "Rebecca",
    "Hannah",
    "Charlotte",
    "Victoria",
    "Lucy",
    "Amy",
    "Natalie",
    "Fatima",
    "Aisha",
    "Priya",
    "Anna",
    "Zofia",
    "Chidi",
    "Wei",
    "Siobhan",
    "Niamh",
    "Rhys",
]
ORGANISATIONS = [
    "Community Trust",
    "Housing Association",
    "Tenants Group",
    "Food Bank",
    "Youth Club",
    "Sports Club",
    "Residents Association",
    "Allotment Society",
    "Arts Centre",
    "Credit Union",
    "Parish Council",
    "Church",
    "Surgery",
    "Primary School",
    "Academy",
    "Nursery",
    "Garage Ltd",
    "Builders Ltd",
]
STREETS = [
    "High Street",
    "Station Road",
    "Main Street",
    "Park Road",
    "Church Road",
    "Church Street",
    "London Road",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Church Lane",
    "Park Avenue",
    "The Avenue",
    "The Crescent",
    "Queens Road",
    "New Road",
    "Grange Road",
    "Kings Road",
    "Kingsway",
    "Windsor Road",
    "Highfield Road",
    "Mill Lane",
    "Alexandra Road",
    "York Road",
    "Main Road",
    "Broadway",
    "King Street",
    "The Green",
    "Springfield Road",
    "George Street",
    "Park Lane",
    "Victoria Street",
    "Albert Road",
    "Queensway",
    "New Street",
    "Queen Street",
    "West Street",
    "North Street",
    "Manchester Road",
    "The Grove",
    "Richmond Road",
    "Grove Road",
    "South Street",
    "School Lane",
    "The Drive",
    "North Road",
    "Stanley Road",
    "Chester Road",
    "Mill Road",
    "Oxford Road",
]
# Real outward codes (district -> post town). Postcodes are outward + " " + digit + two letters.
OUTWARD = {
    "Manchester": [
        "M1",
        "M2",
        "M3",
        "M4",
        "M8",
        "M9",
        "M11",
        "M12",
        "M13",
        "M14",
        "M15",
        "M16",
        "M19",
        "M20",
        "M21",
        "M22",
        "M23",
        "M40",
    ],
    "Bristol": ["BS1", "BS2", "BS3", "BS4", "BS5", "BS6", "BS7", "BS8", "BS9", "BS10", "BS13", "BS14", "BS16", "BS34"],
    "Leeds": ["LS1", "LS2", "LS4", "LS6", "LS7", "LS8", "LS9", "LS10", "LS11", "LS12", "LS15", "LS17"],
    "Birmingham": [
        "B1",
        "B5",
        "B6",
        "B8",
        "B10",
        "B11",
        "B12",
        "B13",
        "B14",
        "B15",
        "B16",
        "B17",
        "B18",
        "B20",
        "B21",
        "B23",
        "B29",
        "B31",
    ],
    "London": [
        "SW1A",
        "SW2",
        "SW4",
        "SW9",
        "SW11",
        "SE1",
        "SE5",
        "SE15",
        "E1",
        "E2",
        "E3",
        "E8",
        "E14",
        "N1",
        "N7",
        "N16",
        "NW1",
        "NW5",
        "W2",
        "W11",
        "EC1A",
        "WC2H",
        "W1A",
    ],
    "Sheffield": ["S1", "S2", "S3", "S5", "S6", "S7", "S8", "S10", "S11"],
    "Cardiff": ["CF10", "CF11", "CF14", "CF23", "CF24", "CF5"],
    "Edinburgh": ["EH1", "EH3", "EH6", "EH7", "EH8", "EH11", "EH12"],
    "Glasgow": ["G1", "G3", "G11", "G12", "G20", "G31", "G41", "G42"],
    "Newcastle upon Tyne": ["NE1", "NE2", "NE4", "NE6", "NE15"],
    "Liverpool": ["L1", "L3", "L4", "L8", "L15", "L17", "L18"],
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a UK inward code uses (no C, I, K, M, O, V)
LANDLINE_PREFIXES = [
    "+4420",
    "+44161",
    "+44117",
    "+44113",
    "+44121",
    "+44114",
    "+44151",
    "+44191",
    "+44131",
    "+44141",
    "+4429",
]
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk"]

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_digit(body: str) -> str:
    interim = 0
    for char in body:
        interim = _DAMM[interim][ord(char) - 48]
    return chr(48 + interim)


def ucrns(rng: random.Random, count: int) -> list[str]:
    """`count` distinct UCRNs: 8 random digits (no leading zero) and the Damm check digit."""
    bodies = rng.sample(range(10**7, 10**8), count)
    return [f"{b}{damm_digit(str(b))}" for b in bodies]


def _postcodes(rng: random.Random) -> list[tuple[str, str]]:
    """(postcode, post town) pairs: every outward code with 10 sectors of 60 units each."""
    result = []
    for town, outwards in OUTWARD.items():
        for outward in outwards:
            for sector in range(10):
                for _ in range(60):
                    result.append((f"{outward} {sector}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}", town))
    return result


# --- Loading -----------------------------------------------------------------------------------------


def _columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str, bool, bool]]:
    return conn.execute(
        "SELECT column_name, data_type, is_nullable = 'YES', (column_default IS NOT NULL OR is_identity = 'YES')"
        " FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    ).fetchall()


BLANK_BY_TYPE = {
    "character varying": "",
    "text": "",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "boolean": "f",
    "jsonb": "[]",
    "json": "[]",
    "date": "2020-01-01",
    "timestamp with time zone": "2020-01-01 00:00:00+00",
    "numeric": "0",
}


def _copy_plan(conn: psycopg.Connection, table: str, given: list[str]) -> tuple[list[str], str]:
    """The COPY column list (the given columns, then any other NOT NULL column without a default) and the
    constant tail of each row for the latter."""
    extra, tail = [], []
    for name, data_type, nullable, has_default in _columns(conn, table):
        if name in given or nullable or has_default:
            continue
        if data_type not in BLANK_BY_TYPE:
            raise SystemExit(f"bench: {table}.{name} ({data_type}) is NOT NULL and the generator has no blank for it")
        extra.append(name)
        tail.append(BLANK_BY_TYPE[data_type])
    return given + extra, ("\t" + "\t".join(tail)) if tail else ""


CUSTOMER_COLUMNS = [
    "id",
    "ucrn",
    "contact_type_id",
    "prefix_id",
    "first_name",
    "last_name",
    "organisation_name",
    "birth_date",
    "status_id",
    "location_id",
    "email_address",
    "phone_number",
    "mobile_number",
    "preferred_contact_method_id",
    "notification_preference",
    "version",
    "created_at",
    "updated_at",
]
ADDRESS_COLUMNS = [
    "id",
    "customer_id",
    "house",
    "street",
    "town",
    "post_town",
    "postcode",
    "uprn",
    "country_id",
    "start_date",
    "end_date",
    "is_primary",
    "created_at",
]


def generate(conn: psycopg.Connection, *, customers: int, seed: int = 8, log=print) -> dict[str, float]:
    """Load `customers` customers and their addresses into empty tables; returns timings and counts."""
    rng = random.Random(seed)
    surnames = list(SURNAMES)
    weights = list(SURNAMES.values())
    postcodes = _postcodes(rng)
    today = dt.date.today()
    now = "2025-01-01 09:00:00+00"
    titles = {row[0]: row[1] for row in conn.execute("SELECT name, id FROM profiles_title")}
    male_titles = [titles[t] for t in ("Mr", "Dr") if t in titles]
    female_titles = [titles[t] for t in ("Mrs", "Ms", "Miss", "Dr") if t in titles]

    customer_cols, customer_tail = _copy_plan(conn, "profiles_customer", CUSTOMER_COLUMNS)
    address_cols, address_tail = _copy_plan(conn, "profiles_address", ADDRESS_COLUMNS)

    t0 = time.perf_counter()
    numbers = ucrns(rng, customers)
    last_names = rng.choices(surnames, weights=weights, k=customers)
    counts = {"customers": customers, "addresses": 0}

    def customer_rows() -> Iterator[str]:
        for i in range(customers):
            cid = i + 1
            first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
            if rng.random() < 0.03:
                org = f"{rng.choice(STREETS).split()[0]} {rng.choice(ORGANISATIONS)}"
                contact_type, prefix, first, last = "Organization", r"\N", "", ""
                email = f"info{cid}@{rng.choice(EMAIL_DOMAINS)}"
            else:
                org, contact_type, last = "", "Individual", last_names[i]
                pool = male_titles if FIRST_NAMES.index(first) < 50 else female_titles
                prefix = str(rng.choice(pool)) if rng.random() < 0.8 else r"\N"
                local = f"{first}.{last}".lower().replace("'", "")
                email = f"{local}{cid}@{rng.choice(EMAIL_DOMAINS)}" if rng.random() < 0.95 else ""
            birth = (today - dt.timedelta(days=rng.randrange(18 * 365, 95 * 365))).isoformat()
            phone = f"{rng.choice(LANDLINE_PREFIXES)}{rng.randrange(10**6, 10**7)}" if rng.random() < 0.8 else ""
            if phone.startswith("+4420") or phone.startswith("+4429"):
                phone += str(rng.randrange(10))  # 10-digit national numbers there
            mobile = f"+447{rng.randrange(10**8, 10**9)}" if rng.random() < 0.7 else ""
            method = rng.randrange(1, 5)
            yield (
                f"{cid}\t{numbers[i]}\t{contact_type}\t{prefix}\t{first}\t{last}\t{org}\t{birth}\tActive\t1\t"
                f"{email}\t{phone}\t{mobile}\t{method}\t[{method}]\t1\t{now}\t{now}{customer_tail}\n"
            )

    def address_rows() -> Iterator[str]:
        aid = 0
        for i in range(customers):
            cid = i + 1
            n = rng.choice((1, 1, 1, 2, 2, 3, 4))
            start = today - dt.timedelta(days=rng.randrange(30, 40 * 365))
            starts = sorted(start + dt.timedelta(days=rng.randrange(0, (today - start).days + 1)) for _ in range(n - 1))
            starts = [start, *starts]
            for k in range(n):
                aid += 1
                postcode, town = postcodes[rng.randrange(len(postcodes))]
                primary = k == n - 1
                end = r"\N" if primary else starts[k + 1].isoformat()
                uprn = str(10**10 + aid * 7 + rng.randrange(7))
                yield (
                    f"{aid}\t{cid}\t{rng.randrange(1, 200)}\t{rng.choice(STREETS)}\t{town}\t{town.upper()}\t"
                    f"{postcode}\t{uprn}\t826\t{starts[k].isoformat()}\t{end}\t{'t' if primary else 'f'}\t{now}"
                    f"{address_tail}\n"
                )
        counts["addresses"] = aid

    with conn.transaction():
        # The rows are consistent by construction: skip the per-row FK triggers (superuser only).
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET LOCAL synchronous_commit = off")
        dropped = _drop_secondary_indexes(conn, ["profiles_customer", "profiles_address"])
        for table, cols, rows in (
            ("profiles_customer", customer_cols, customer_rows()),
            ("profiles_address", address_cols, address_rows()),
        ):
            t = time.perf_counter()
            with conn.cursor().copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                batch: list[str] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= 5000:
                        copy.write("".join(batch))
                        batch.clear()
                if batch:
                    copy.write("".join(batch))
            log(f"  COPY {table}: {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in dropped:
            conn.execute(statement)
        log(f"  indexes rebuilt: {time.perf_counter() - t:.1f} s")
        for table in ("profiles_customer", "profiles_address"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    load_seconds = time.perf_counter() - t0
    t = time.perf_counter()
    # VACUUM as well, as autovacuum does on a live database: the visibility map lets counts (a search's
    # `count`) be answered from the indexes alone.
    conn.execute("VACUUM ANALYZE")
    log(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s")
    return {
        **counts,
        "load_seconds": load_seconds,
        "rows_per_second": (counts["customers"] + counts["addresses"]) / load_seconds,
    }


def _drop_secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[str]:
    """Drop the indexes that back no constraint (rebuilt after COPY, much faster); their CREATE statements."""
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = ANY(%s::regclass[])"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [tables],
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in rows]
