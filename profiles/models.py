"""The customer record, its address history, the reference lists and the change log.

Rules live in `profiles.services`; these models hold data and the few invariants that the database
itself must guarantee (one primary address per customer, unique UCRN, unique email ignoring case).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, Upper

from profiles.indexes import PrefixIndex

TEXT_MAX = 100
CUSTOM_MAX = 255
CUSTOM_FIELD_COUNT = 28
UK_COUNTRY_ID = 826  # ISO 3166-1 numeric: the default country of an address
MERGED_STATUS = "Merged"  # the status (a `Status` id) of a customer merged into another


# --- Reference lists -------------------------------------------------------------------------------


class ReferenceItem(models.Model):
    """An item of a reference list: data installed by migrations and editable in the admin."""

    name = models.CharField(max_length=TEXT_MAX)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Title(ReferenceItem):
    id = models.PositiveIntegerField(primary_key=True)


class Suffix(ReferenceItem):
    id = models.PositiveIntegerField(primary_key=True)

    class Meta(ReferenceItem.Meta):
        verbose_name_plural = "suffixes"


class Country(ReferenceItem):
    """A country; the id is the ISO 3166-1 numeric code (United Kingdom = 826, shown as 0826)."""

    id = models.PositiveIntegerField(primary_key=True)
    alpha_2 = models.CharField(max_length=2, unique=True)

    class Meta(ReferenceItem.Meta):
        verbose_name_plural = "countries"


class Language(ReferenceItem):
    """An ISO 639-1 language with an integer id issued by the hub."""

    id = models.PositiveIntegerField(primary_key=True)
    code = models.CharField(max_length=2, unique=True)


class Location(ReferenceItem):
    id = models.PositiveIntegerField(primary_key=True)


class ContactMethod(ReferenceItem):
    id = models.PositiveIntegerField(primary_key=True)


# The values of the two lists whose id is the value itself (SPEC 1), as migration 0002 installs them: the
# rules name them (a merge sets `Merged`), so they are the API's contract, documented as enums.
CONTACT_TYPES = ("Individual", "Organization")
STATUSES = ("Active", "Inactive", "Deceased", "Merged")


class ContactType(ReferenceItem):
    id = models.CharField(max_length=30, primary_key=True)


class Status(ReferenceItem):
    id = models.CharField(max_length=30, primary_key=True)

    class Meta(ReferenceItem.Meta):
        verbose_name_plural = "statuses"


# --- The customer ----------------------------------------------------------------------------------


class CustomFieldsMixin(models.Model):
    """custom_1 .. custom_28: extra profile data, never shown on the customer record page."""

    class Meta:
        abstract = True


for _n in range(1, CUSTOM_FIELD_COUNT + 1):
    CustomFieldsMixin.add_to_class(f"custom_{_n}", models.CharField(max_length=CUSTOM_MAX, blank=True, default=""))


# --- Contact permissions (SPEC 8.1) ---------------------------------------------------------------

PERMISSION_CHANNELS = ("email", "phone", "sms", "post")


class Permission(models.TextChoices):
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"
    UNKNOWN = "unknown", "Unknown"


class ContactPermissionsMixin(models.Model):
    """permission_email .. permission_post: whether the customer may be contacted on each channel.

    Only the value is kept on the row; when, how and by whom it was given are its change records'
    (`profiles.selectors.permissions.permission_details`), which also keep every earlier value."""

    class Meta:
        abstract = True


for _channel in PERMISSION_CHANNELS:
    ContactPermissionsMixin.add_to_class(
        f"permission_{_channel}",
        models.CharField(max_length=8, choices=Permission.choices, default=Permission.UNKNOWN),
    )


# A customer with an email: the condition of the unique index `customer_email_unique_ci`, which a query by
# LOWER(email_address) must repeat for PostgreSQL to use that index. The '' is a literal in the SQL, not a
# parameter: a prepared statement's generic plan (server-side binding, hub.settings) is made without the
# parameters' values, so with a parameter it could not match the index's condition and read every customer.
HAS_EMAIL = ~models.Q(email_address=RawSQL("''", (), output_field=models.CharField()))


def display_name(*, contact_type: str | None, organisation_name: str, prefix: str, first_name: str, last_name: str,
                 suffix: str) -> str:
    """A customer's name as every page shows it (`Customer.display_name`), from its parts: a search page
    that reads its rows as plain values makes it without a model instance."""
    if contact_type == "Organization" and organisation_name:
        return organisation_name
    return " ".join(p for p in (prefix, first_name, last_name, suffix) if p) or organisation_name


class Customer(CustomFieldsMixin, ContactPermissionsMixin):
    ucrn = models.CharField("UCRN", max_length=9, unique=True, editable=False)
    # The reference lists' foreign keys carry no index of their own, except where a search filters by them
    # (`Meta.indexes`): every index is one more entry written by each UPDATE of a customer that is not HOT
    # (a name change), and a list value is deleted (PROTECT's check: one scan) about never.
    contact_type = models.ForeignKey(ContactType, on_delete=models.PROTECT, db_index=False)
    prefix = models.ForeignKey(Title, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    first_name = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    last_name = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    suffix = models.ForeignKey(Suffix, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    organisation_name = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, default="Active", db_index=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, default=1, db_index=False)
    email_address = models.CharField(max_length=254, blank=True, default="")
    alternative_email = models.CharField(max_length=254, blank=True, default="")
    phone_number = models.CharField(max_length=32, blank=True, default="", help_text="E.164")
    mobile_number = models.CharField(max_length=32, blank=True, default="", help_text="E.164")
    twitter = models.CharField(max_length=15, blank=True, default="", help_text="without the @")
    preferred_contact_method = models.ForeignKey(ContactMethod, on_delete=models.PROTECT, related_name="+",
                                                 db_index=False)
    notification_preference = models.JSONField(default=list, blank=True)
    consent_to_share = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(0, "No"), (1, "Yes")])
    preferred_language = models.ForeignKey(Language, on_delete=models.PROTECT, null=True, blank=True,
                                           db_index=False)
    data_location = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    region = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        help_text="The citizen's portal account linked to this customer.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When an administrator erased this customer's personal data (the UCRN is kept).",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="merged_from",
        db_index=False,  # `customer_merged_into_idx`: the merged customers only
        help_text="The surviving customer this one was merged into: its UCRN resolves there.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "ucrn"]
        constraints = [
            models.UniqueConstraint(
                Lower("email_address"),
                condition=~models.Q(email_address=""),
                name="customer_email_unique_ci",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="customer_name_idx"),
            # The search (profiles.filters): names by case-insensitive prefix (Django's istartswith
            # compares UPPER(col)), phones by their E.164 form.
            PrefixIndex(Upper("last_name"), name="customer_last_name_prefix_idx"),
            PrefixIndex(Upper("first_name"), name="customer_first_name_prefix_idx"),
            PrefixIndex(Upper("organisation_name"), name="customer_org_name_prefix_idx"),
            models.Index(fields=["phone_number"], name="customer_phone_idx"),
            models.Index(fields=["mobile_number"], name="customer_mobile_idx"),
            # The duplicates' "same name and date of birth" (`profiles.selectors.duplicates`): about one
            # entry per date and surname, where the two name indexes matched thousands each. The date
            # first: an organisation's variant and SQLite (whose `iexact` is a LIKE) use it alone.
            models.Index(models.F("birth_date"), Upper("last_name"), name="customer_birth_date_name_idx"),
            # The search's `status` and `contact_type` filters (plain btrees: no `LIKE` ever reads them).
            models.Index(fields=["status"], name="customer_status_idx"),
            models.Index(fields=["contact_type"], name="customer_contact_type_idx"),
            # Who was merged into a customer (`profiles.registry`): a few rows, untouched by the writes
            # of the other customers.
            models.Index(fields=["merged_into"], name="customer_merged_into_idx",
                         condition=models.Q(merged_into__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ucrn} {self.display_name}".strip()

    @property
    def display_name(self) -> str:
        """The full name with prefix and suffix (`Dr Jane Smith Jr`), or the organisation's name."""
        return display_name(
            contact_type=self.contact_type_id, organisation_name=self.organisation_name,
            prefix=self.prefix.name if self.prefix_id else "", first_name=self.first_name,
            last_name=self.last_name, suffix=self.suffix.name if self.suffix_id else "",
        )

    @property
    def sort_name(self) -> str:
        """`Smith, Jane`, or the organisation's name."""
        if self.contact_type_id == "Organization" and self.organisation_name:
            return self.organisation_name
        names = [n for n in (self.last_name, self.first_name) if n]
        return ", ".join(names) or self.organisation_name


class Address(models.Model):
    """One address record of a customer. Records are never deleted: they are the address history."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="addresses")
    flat = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    house = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    street = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    locality = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    town = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    post_town = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    county = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    postcode = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    uprn = models.CharField("UPRN", max_length=12, blank=True, default="")
    ward = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, default=UK_COUNTRY_ID)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_primary=True),
                name="one_primary_address_per_customer",
            ),
        ]
        indexes = [
            # The search matches the primary address: a postcode exactly or by prefix (`M1 %`), a UPRN.
            models.Index(
                fields=["postcode"],
                condition=models.Q(is_primary=True),
                opclasses=["varchar_pattern_ops"],
                name="address_primary_postcode_idx",
            ),
            models.Index(fields=["uprn"], condition=models.Q(is_primary=True), name="address_primary_uprn_idx"),
        ]

    def __str__(self) -> str:
        return ", ".join(
            p for p in (self.flat, self.house, self.street, self.town or self.post_town, self.postcode) if p
        )

    def clean(self) -> None:
        """SPEC 4.3.6 for a record edited outside the service (the admin): see `check_address_dates`."""
        check_address_dates(self.start_date, self.end_date)


def check_address_dates(start: dt.date | None, end: dt.date | None) -> None:
    """SPEC 4.3.6: an address record never ends before it starts (the same day is allowed).

    The one statement of the rule: `profiles.services.addresses` applies it to every record a write makes
    or changes, and `Address.clean` to a record validated as a model."""
    if start is not None and end is not None and end < start:
        raise ValidationError({"end_date": ValidationError(
            f"The end date ({end.isoformat()}) is before the start date ({start.isoformat()}): "
            "an address cannot end before it starts.", code="end_before_start")})


# --- The change log --------------------------------------------------------------------------------


class Channel(models.TextChoices):
    FORM = "form", "Form"
    PORTAL = "portal", "Portal"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command"
    HUB = "hub", "Hub page"
    EVENT = "event", "Event rule"
    IMPORT = "import", "Import"


class ChangeRecord(models.Model):
    """Who changed which customer, when, through which door, and each field's before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        EMAIL_CHANGE = "email_change", "Email changed"
        EXPORT = "export", "Exported (subject access)"
        ERASE = "erase", "Erased"
        MERGE = "merge", "Merged"
        UNMERGE = "unmerge", "Merge undone"
        CASE_LINK = "case_link", "Case linked"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="change_records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    changes = models.JSONField(default=list, help_text='[{"field", "before", "after"[, "address_id"]}]')
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.customer.ucrn} via {self.channel}"


# --- Duplicates and merges -------------------------------------------------------------------------


class NotSamePerson(models.Model):
    """A pair a CSA said are two different people, so the pair is never suggested as duplicates again.

    Stored once per pair, the lower customer id first.
    """

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "not the same person"
        verbose_name_plural = "not the same person"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_same_person_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="not_same_person_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first.ucrn} is not {self.second.ucrn}"


class Merge(models.Model):
    """One customer merged into another, with both records as they were, so the merge can be undone."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_lost")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    choices = models.JSONField(default=dict, help_text='{data name: "survivor" | "merged"}')
    survivor_before = models.JSONField(help_text="The survivor's row and addresses before the merge.")
    merged_before = models.JSONField(help_text="The merged customer's row and addresses before the merge.")
    moved = models.JSONField(default=dict, help_text='What moved to the survivor: {"addresses": [ids], ...}')
    survivor_version = models.PositiveIntegerField(help_text="The survivor's version right after the merge.")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged.ucrn} merged into {self.survivor.ucrn}"


# --- Subscriptions (SPEC 8.2) ----------------------------------------------------------------------


def _default_topic_channels() -> list[str]:
    return ["email"]


class Topic(models.Model):
    """What a customer may subscribe to ("Bin collection reminders"), on the channels it may use."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=TEXT_MAX)
    channels = models.JSONField(
        default=_default_topic_channels,
        help_text=f"The channels it may use, among {', '.join(PERMISSION_CHANNELS)}: such as [\"email\", \"sms\"].",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        channels = self.channels if isinstance(self.channels, list) else None
        if not channels or any(c not in PERMISSION_CHANNELS for c in channels) or len(set(channels)) != len(channels):
            raise ValidationError({"channels": ValidationError(
                f"Give a list of channels among {', '.join(PERMISSION_CHANNELS)}, each once.", code="invalid")})


class Subscription(models.Model):
    """A customer subscribed to a topic on a channel, with the address used then (email or mobile).

    Ending one keeps the row (`ended_at`): the history of who was sent what; a current subscription has
    none, and there is at most one current subscription per customer, topic and channel."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="subscriptions")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="subscriptions")
    channel = models.CharField(max_length=8, choices=[(c, c) for c in PERMISSION_CHANNELS])
    address = models.CharField(max_length=254, blank=True, default="",
                               help_text="The email address or mobile number used when subscribing.")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "topic", "channel"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_subscription",
            ),
        ]
        indexes = [models.Index(fields=["topic", "channel"], name="subscription_topic_idx",
                                condition=models.Q(ended_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.customer.ucrn} {self.topic.slug} by {self.channel}"


# The reference lists by their API name (`GET /api/v1/lists/{name}`), read whole and cached together.
REFERENCE_LISTS: dict[str, type[models.Model]] = {
    "titles": Title,
    "suffixes": Suffix,
    "countries": Country,
    "languages": Language,
    "locations": Location,
    "contact_methods": ContactMethod,
    "contact_types": ContactType,
    "statuses": Status,
}


# --- Placeholders ----------------------------------------------------------------------------------


class Placeholder(models.Model):
    """A value that stands for "no data" (`test@test.com`, `N/A`): refused on every door (SPEC 8.4).

    Installed with the built-in values by a migration and edited in the admin; `profiles.placeholders`
    reads the list (cached) and checks each email, phone and name against it."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        PHONE = "phone", "Phone number"
        NAME = "name", "Name"
        ANY = "any", "Any of these"

    class Match(models.TextChoices):
        EXACT = "exact", "The whole value (any case, spaces folded)"
        LOCAL_PART = "local_part", "An email's local part, at any domain (`noemail` matches noemail@any.org)"

    value = models.CharField(max_length=254)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANY)
    match = models.CharField(max_length=16, choices=Match.choices, default=Match.EXACT)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["value", "kind", "match"], name="placeholder_unique"),
        ]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        self.value = " ".join(self.value.split())
        if not self.value:
            raise ValidationError({"value": "Give the placeholder value."})
        if self.match == self.Match.LOCAL_PART:
            if self.kind not in (self.Kind.EMAIL, self.Kind.ANY):
                raise ValidationError({"match": "Only an email address has a local part: choose Email address."})
            self.value = self.value.rstrip("@")
            if "@" in self.value or not self.value:
                raise ValidationError({"value": "Give the local part only (the text before the @)."})


# --- Other systems' data: extended data by source (SPEC 8.3) -------------------------------------------

RESERVED_SOURCE = "internal"  # never a source: the hub's own data


def validate_source_slug(value: str) -> None:
    if value.strip().lower() == RESERVED_SOURCE:
        raise ValidationError(f"{RESERVED_SOURCE} cannot be used as an extended data source.", code="reserved_source")


class ExtendedSource(models.Model):
    """A system whose data the hub keeps per customer, as one JSON object, within the limits set here."""

    slug = models.SlugField(max_length=50, unique=True, validators=[validate_source_slug],
                            help_text="Lower case, as in the URL: council_tax, housing. `internal` is reserved.")
    name = models.CharField(max_length=TEXT_MAX, blank=True, default="")
    size_limit_kb = models.PositiveIntegerField(
        default=16, validators=[MinValueValidator(1), MaxValueValidator(1024)],
        help_text="At most this many KB (1,024 bytes each) of compact UTF-8 JSON per customer.")
    top_level_keys_limit = models.PositiveIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="At most this many top-level keys per customer.")
    reference_key = models.CharField(
        max_length=100, blank=True, default="",
        help_text="The top-level key holding the customer's reference in this system (an account number): "
                  "CSAs find the customer by `slug:value`, and the record page shows it. Blank: none.")
    reference_unique = models.BooleanField(
        default=False, help_text="The reference identifies one customer: refused on a second one, and found by "
                                 "its bare value in the search box.")

    class Meta:
        ordering = ["slug"]
        verbose_name = "extended data source"

    def __str__(self) -> str:
        return self.slug


class ExtendedData(models.Model):
    """A customer's data from one source: replaced whole by each write (`profiles.services.extended`)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="extended_data")
    source = models.ForeignKey(ExtendedSource, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "extended data"
        constraints = [models.UniqueConstraint(fields=["customer", "source"], name="extended_data_one_per_source")]


class ExtendedReference(models.Model):
    """A source's reference of a customer, as its own small indexed row (written with the data) so a
    search by it is an index lookup: `key` is the value as searched (trimmed, upper case)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(ExtendedSource, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=CUSTOM_MAX)
    key = models.CharField(max_length=CUSTOM_MAX)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "source"], name="extended_reference_one")]
        indexes = [models.Index(fields=["source", "key"], name="extended_reference_source_key"),
                   models.Index(fields=["key"], name="extended_reference_key")]


class SearchKey(models.Model):
    """A search key of a customer (PostgreSQL only; migration 0014 makes the table and the triggers that
    keep it, in the same transaction as every write): `n:SMI`, a name's first 1 to 3 letters, upper case;
    `o:M1`, the primary address's outward code; `s:M1 1`, its sector. Each row carries the search order
    (`last_key`, `first_key`, `ucrn`) and the upper-cased names, each after a \\x1f (`names`), so that one
    index range gives a name or outward-code search's first page in order (`profiles.filters`)."""

    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, related_name="search_keys",
                                 db_constraint=False)
    key = models.TextField()
    last_key = models.TextField()
    first_key = models.TextField()
    ucrn = models.CharField(max_length=9)
    names = models.TextField()

    class Meta:
        managed = False
        db_table = "profiles_search_key"


class CustomerName(models.Model):
    """The names of a customer not erased (PostgreSQL only, kept by the triggers of migration 0014), with
    the trigram indexes of the fuzzy name search: its candidates are rechecked on this narrow row."""

    customer = models.OneToOneField(Customer, on_delete=models.DO_NOTHING, primary_key=True,
                                    related_name="search_name", db_constraint=False)
    ucrn = models.CharField(max_length=9)
    first_name = models.CharField(max_length=TEXT_MAX)
    last_name = models.CharField(max_length=TEXT_MAX)
    organisation_name = models.CharField(max_length=TEXT_MAX)

    class Meta:
        managed = False
        db_table = "profiles_customer_name"
