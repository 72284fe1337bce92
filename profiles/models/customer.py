"""The customer record (with its custom fields and contact permissions, SPEC 8.1) and its address history."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower, Upper

from profiles.indexes import PrefixIndex
from profiles.models.lists import (
    CUSTOM_MAX,
    TEXT_MAX,
    UK_COUNTRY_ID,
    ContactMethod,
    ContactType,
    Country,
    Language,
    Location,
    Status,
    Suffix,
    Title,
)

CUSTOM_FIELD_COUNT = 28


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
