"""Merges in the Django admin: shown with their snapshots, never added, changed or deleted by hand."""
from __future__ import annotations

import pytest

from profiles.models import Merge
from profiles.services.merge import profile_merge
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_merges_are_read_only_in_the_admin(csa, admin_user, survivor, duplicate):
    merge = profile_merge(survivor_ucrn=survivor.ucrn, merged_ucrn=duplicate.ucrn, choices=None, user=csa,
                          channel="api")
    client = signed_in(admin_user)
    listing = client.get("/admin/profiles/merge/")
    assert listing.status_code == 200 and duplicate.ucrn in listing.content.decode()
    page = client.get(f"/admin/profiles/merge/{merge.pk}/change/")
    assert page.status_code == 200
    assert "Smyth" in page.content.decode()  # the merged record's snapshot
    assert client.get("/admin/profiles/merge/add/").status_code == 403
    assert client.post(f"/admin/profiles/merge/{merge.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Merge.objects.count() == 1
