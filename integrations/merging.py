"""Cases follow their customer into a merge (`profiles.registry.register_merge`, from `IntegrationsConfig`)."""
from __future__ import annotations

from integrations.models import Case
from profiles.models import Customer

KEY = "cases"


def count_cases(customer: Customer) -> int:
    return Case.objects.filter(customer=customer).count()


def move_cases(merged: Customer, survivor: Customer) -> tuple[list[int], list[str]]:
    """The merged customer's cases go to the survivor: their ids and references, oldest first."""
    case_ids = list(Case.objects.filter(customer=merged).order_by("pk").values_list("pk", flat=True))
    references = list(Case.objects.filter(pk__in=case_ids).order_by("pk").values_list("reference", flat=True))
    Case.objects.filter(pk__in=case_ids).update(customer=survivor)  # not `updated_at`: undo is exact
    return case_ids, references


def move_cases_back(case_ids: list[int], survivor: Customer, merged: Customer) -> None:
    """An undone merge: the cases it moved that are still the survivor's go back."""
    Case.objects.filter(pk__in=case_ids, customer=survivor).update(customer=merged)
