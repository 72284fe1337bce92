"""Cases and their customers: the service behind the case pages' writes."""
from __future__ import annotations

from typing import Any

from django.db import transaction

from core.roles import UserLike
from integrations.models import Case
from profiles.access import customer_for
from profiles.models import ChangeRecord
from profiles.services.audit import change, record_change


def case_link(*, reference: str, ucrn: Any, user: UserLike, channel: str) -> Case:
    """Link the case `reference` to the customer `ucrn`, once the caller is known (an anonymous case, or a
    correction): one transaction, with a change record on the customer naming the case, so its history says
    when and by whom. `Http404` for no such case or customer; 403 for a user who may not see the customer."""
    with transaction.atomic():
        customer = customer_for(user, ucrn)
        case = Case.objects.select_for_update().get(reference=reference)
        case.customer = customer
        case.save(update_fields=["customer", "updated_at"])
        record_change(customer=customer, user=user, channel=channel, action=ChangeRecord.Action.CASE_LINK,
                      changes=[change("cases", None, case.reference)])
    return case
