"""The reference lists (titles, countries, statuses, ...): data installed by migrations and edited in the
admin; and the sizes the models' text fields share."""
from __future__ import annotations

from django.db import models

TEXT_MAX = 100
CUSTOM_MAX = 255
UK_COUNTRY_ID = 826  # ISO 3166-1 numeric: the default country of an address
MERGED_STATUS = "Merged"  # the status (a `Status` id) of a customer merged into another


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
