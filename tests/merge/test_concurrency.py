"""Merges at the same time on PostgreSQL: both customers are locked in id order, so two opposite merges
of one pair (A into B, B into A) queue up instead of deadlocking, and one undo of a merge wins.

SQLite has no row locks: PostgreSQL only, as tests/concurrency.
"""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from profiles.models import Customer, Merge
from profiles.services.merge import merge_undo, profile_merge
from tests.concurrency.test_concurrent_updates import reference_lists, run_threads  # noqa: F401 - a fixture
from tests.factories import CustomerFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks: PostgreSQL only (SQLite has none)"),
]

PAIRS = 8


def test_opposite_merges_of_a_pair_queue_up_and_one_wins(reference_lists):  # noqa: F811
    csa = UserFactory(username="csa-merge-race", role="csa")
    pairs = [(CustomerFactory(), CustomerFactory()) for _ in range(PAIRS)]
    refusals: list[ValidationError] = []

    def merge(survivor, merged):
        def run():
            try:
                profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=merged.ucrn, choices=None, user=csa,
                              channel="api")
            except ValidationError as error:
                refusals.append(error)
        return run

    targets = [merge(a, b) for a, b in pairs] + [merge(b, a) for a, b in pairs]
    errors = run_threads(targets)
    assert errors == []  # no deadlock, no other failure
    assert Merge.objects.count() == PAIRS and len(refusals) == PAIRS
    assert {e.code for r in refusals for e in r.error_dict["merge"]} <= {"merge_chain", "already_merged"}
    for a, b in pairs:
        assert Customer.objects.filter(pk__in=[a.pk, b.pk], merged_into__isnull=False).count() == 1


def test_two_undos_of_one_merge_at_once_undo_it_once(reference_lists):  # noqa: F811
    csa = UserFactory(username="csa-undo-race", role="csa")
    survivor, merged = CustomerFactory(), CustomerFactory()
    merge = profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=merged.ucrn, choices=None, user=csa, channel="api")
    refusals: list[ValidationError] = []

    def undo():
        try:
            merge_undo(merge_id=merge.pk, user=csa, channel="api")
        except ValidationError as error:
            refusals.append(error)

    assert run_threads([undo, undo, undo]) == []
    assert [e.code for r in refusals for e in r.error_dict["merge"]] == ["already_undone", "already_undone"]
    assert Customer.objects.get(pk=merged.pk).merged_into is None
    assert Customer.objects.get(pk=merged.pk).version == merged.version + 2
