"""Cases in erasure and the subject access export (registered in `profiles.registry` by `IntegrationsConfig`).

A case is the subject's when it is about one of their records, or when it names no customer (an anonymous
case) but carries their email address or phone number in what was entered.
"""
from __future__ import annotations

from typing import Any

from integrations.models import Case
from profiles.registry import Subject
from profiles.services.erasure import scrub
from profiles.timestamps import api_datetime

SECTION = "cases"


def export_cases(subject: Subject) -> list[dict[str, Any]]:
    """The export's `cases`: the form's data as submitted and what its integrations did, newest first."""
    cases = Case.objects.select_related("form", "submitted_by").order_by("-created_at", "-id")
    return [
        {
            "reference": case.reference,
            "form": case.form.name,
            "status": case.status,
            "submitted_by": case.submitted_by.get_username() if case.submitted_by else None,
            "created_at": api_datetime(case.created_at),
            "updated_at": api_datetime(case.updated_at),
            "data": case.data,
            "results": case.results,
        }
        for case in subject.rows(cases, read=("data", "results"), search=("data",))
    ]


def erase_cases(subject: Subject) -> None:
    """The cases stay (their reference, form and dates); every value entered or reported is erased."""
    for case in subject.rows(Case.objects.all(), read=("data", "results"), search=("data",)):
        case.data = scrub(case.data, keep=frozenset())  # its keys are the form's own field names
        case.results = scrub(case.results)
        case.looked_up = None  # the values a form's lookup showed: a copy of the profile
        case.save(update_fields=["data", "results", "looked_up", "updated_at"])
