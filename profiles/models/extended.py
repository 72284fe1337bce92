"""Other systems' data: sources, each customer's extended data by source, and their references (SPEC 8.3)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from profiles.models.customer import Customer
from profiles.models.lists import CUSTOM_MAX, TEXT_MAX

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
