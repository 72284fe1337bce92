"""What the CSA search page spends besides the search itself: the filters' selects rendered once per process
for the same options, one read of the cache generations per page, and the same HTML as Django's own
rendering."""
from __future__ import annotations

import pytest
from django import forms
from django.core.cache import cache

from profiles import caching
from profiles.forms import KeptSelect
from profiles.models import ExtendedSource, Status
from profiles.selectors.extended import SOURCES_GENERATION
from tests.cachespy import spy_cache_keys
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CHOICES = [("", "Any status"), ("Active", "Active"), ("Inactive", "In<active>"), ("Deceased", "Deceased")]


@pytest.mark.parametrize("value", ["", None, "Active", "Inactive", "Sleeping", ["Deceased"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_status"},
                                   {"id": "id_status", "aria-describedby": "id_status-error", "aria-invalid": "true",
                                    "class": "select input--error"}])
def test_a_kept_select_is_the_select_django_renders(value, attrs):
    django_select = forms.Select(choices=CHOICES, attrs={"class": "select"})
    kept = KeptSelect(choices=CHOICES, attrs={"class": "select"})
    expected = django_select.render("status", value, attrs)
    assert kept.render("status", value, attrs) == expected
    assert KeptSelect(choices=CHOICES, attrs={"class": "select"}).render("status", value, attrs) == expected


def test_a_kept_select_renders_changed_options_afresh():
    first = KeptSelect(choices=CHOICES).render("status", "Active")
    renamed = [(value, "Current" if value == "Active" else label) for value, label in CHOICES]
    assert ">Current</option>" in KeptSelect(choices=renamed).render("status", "Active")
    assert KeptSelect(choices=CHOICES).render("status", "Active") == first


def test_the_page_shows_the_chosen_filters_and_forgets_them_after(csa_client):
    CustomerFactory(last_name="Chooser", status_id="Inactive")
    page = csa_client.get("/hub/customers/", {"q": "Chooser", "status": "Inactive"}).content.decode()
    assert '<option value="Inactive" selected>Inactive</option>' in page and "1 customer found" in page
    page = csa_client.get("/hub/customers/", {"q": "Chooser"}).content.decode()
    assert '<option value="Inactive">Inactive</option>' in page
    assert '<option value="" selected>Any status</option>' in page


def test_a_renamed_status_shows_on_the_next_page(csa_client):
    csa_client.get("/hub/customers/", {"q": "Anyone"})
    Status.objects.filter(pk="Inactive").update(name="Dormant")
    cache.delete(caching.LISTS_GENERATION)  # as the admin's save does (`profiles.caching`)
    page = csa_client.get("/hub/customers/", {"q": "Anyone"}).content.decode()
    assert '<option value="Inactive">Dormant</option>' in page




@pytest.mark.parametrize("q", ["Smith", "M1 1AE", "12345678"])
def test_the_page_reads_each_generation_once(csa_client, monkeypatch, q):
    ExtendedSource.objects.create(slug="council_tax", reference_key="account", reference_unique=True)
    CustomerFactory(last_name="Smith", address__postcode="M1 1AE")
    csa_client.get("/hub/customers/", {"q": q})  # the lists and the sources, read into this process
    asked = spy_cache_keys(monkeypatch)
    assert csa_client.get("/hub/customers/", {"q": q}).status_code == 200
    assert asked.count(caching.LISTS_GENERATION) == 1
    assert asked.count(SOURCES_GENERATION) == 1

