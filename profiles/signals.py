"""Signals of the customer domain, for apps that listen (webhooks: `systems`). Never business rules.

`profile_changed` is sent by `profiles.services.audit.record_change`, so by every write of a customer
(create, update, email change, erase, merge, unmerge; export too), **inside** the writing transaction,
with `record` (the `ChangeRecord`). A receiver that writes rows (an outbox) writes them in that
transaction: they commit or roll back with the change.

`profile_changes` is the same for many records at once (`record_changes`, the bulk import), with
`records`: a listener can then look up what it needs once per batch instead of once per record.
"""
from django.dispatch import Signal

profile_changed = Signal()
profile_changes = Signal()
