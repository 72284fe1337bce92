"""The values that stand for "no data", refused at every door (SPEC 8.4)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

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
