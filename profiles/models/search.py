"""The search keys and names kept by the triggers of migration 0014 (PostgreSQL only)."""
from __future__ import annotations

from django.db import models

from profiles.models.customer import Customer
from profiles.models.lists import TEXT_MAX


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
