"""What the CSA search page spends besides the search itself: the filters' selects rendered once per process
for the same options, one read of the cache generations per page, and the same HTML as Django's own
rendering."""
from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django import forms
from django.core.cache import cache
from django.forms.renderers import get_default_renderer
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from profiles import caching, display, selectors
from profiles.filters import CustomerFilterSet
from profiles.forms import KeptSelect, PlainTextInput
from profiles.models import ExtendedSource, Status, Suffix, Title
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



def result_row(page: str, ucrn: str) -> list[str]:
    """The cells of the result row of `ucrn`, as text."""
    row = page.split(f'<a href="/hub/customers/{ucrn}/">{ucrn}</a>', 1)[1].split("</tr>", 1)[0]
    return [cell.split(">", 1)[1] for cell in row.split("</td>")[1:-1]]


def test_a_result_row_shows_what_the_customer_model_shows(csa_client):
    """The rows are read as plain values: the same name (title and suffix from the cached lists), address,
    phone and date as the model instances gave, and a dash for what is blank."""
    titled = CustomerFactory(last_name="Rowshow", prefix_id=Title.objects.first().pk,
                             suffix_id=Suffix.objects.first().pk, address__flat="Flat 2", address__house="10")
    organisation = CustomerFactory(last_name="Rowshow", contact_type_id="Organization",
                                   organisation_name="Rowshow & Sons", address=False, phone_number="")
    csa_client.get("/hub/customers/", {"q": "Rowshow"})  # the lists, read into this process
    page = csa_client.get("/hub/customers/", {"q": "Rowshow"}).content.decode()
    titled.refresh_from_db()
    name, address, phone, kind, status, updated = result_row(page, titled.ucrn)
    assert unescape(name) == titled.display_name and titled.prefix.name in name and titled.suffix.name in name
    assert unescape(address) == display.show_address(titled.addresses.get(is_primary=True)).strip()
    assert address.startswith("Flat 2, 10 ")
    assert phone == display.show_phone(titled.phone_number) and kind == "Individual"
    assert status == '<span class="tag tag--active">Active</span>'
    assert updated == date_filter(template_localtime(titled.updated_at), "j M Y H:i")
    name, address, phone, *_ = result_row(page, organisation.ucrn)
    assert (unescape(name), address, phone) == ("Rowshow & Sons", "—", "—")


def test_a_title_missing_from_the_cached_lists_is_read_from_its_table(csa_client):
    csa_client.get("/hub/customers/", {"q": "Newtitle"})  # the lists, read into this process
    Title.objects.bulk_create([Title(id=987, name="Brigadier", sort_order=99)])  # no signal: lists unchanged
    customer = CustomerFactory(first_name="Ann", last_name="Newtitle", prefix_id=987)
    page = csa_client.get("/hub/customers/", {"q": "Newtitle"}).content.decode()
    assert result_row(page, customer.ucrn)[0] == "Brigadier Ann Newtitle"


def test_each_filterset_has_its_own_filters_calling_itself():
    """The filters are copied shallowly per FilterSet (`SharedFilters`): each copy's method is its own
    FilterSet's, so two searches made at once never use each other's state (`key_rows`, the user)."""
    first, second = CustomerFilterSet({"search": "Smi"}), CustomerFilterSet({"search": "Jon"})
    for name in CustomerFilterSet.base_filters:
        assert first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
    assert first.filters["search"].filter.method.__self__ is first
    assert second.filters["search"].filter.method.__self__ is second
    assert not hasattr(CustomerFilterSet.base_filters["search"], "parent")
    assert first.is_valid() and second.is_valid() and first.form is not second.form


def test_a_result_row_escapes_what_it_shows(csa_client):
    customer = CustomerFactory(first_name="<b>Bo</b>", last_name="Escaped & Co", address__street="<i>Lane</i>")
    page = csa_client.get("/hub/customers/", {"q": "Escaped"}).content.decode()
    name, address, *_ = result_row(page, customer.ucrn)
    assert name == "&lt;b&gt;Bo&lt;/b&gt; Escaped &amp; Co" and "&lt;i&gt;Lane&lt;/i&gt;" in address
    assert "<b>" not in page and "<i>" not in page


@pytest.mark.parametrize("zone", ["Europe/London", "UTC", "America/St_Johns"])
def test_the_updated_moment_is_what_the_date_filter_shows(settings, zone):
    settings.TIME_ZONE = zone
    start = dt.datetime(1999, 12, 31, 23, 59, 30, tzinfo=dt.UTC)
    for hours in range(0, 24 * 800, 37):  # every month, day, hour and minute shape, both sides of a clock change
        when = start + dt.timedelta(hours=hours, minutes=hours % 60)
        assert display.show_moment(when) == date_filter(template_localtime(when), "j M Y H:i"), when
    if zone == "UTC":
        assert display.show_moment(dt.datetime(2026, 3, 9, 8, 5, tzinfo=dt.UTC)) == "9 Mar 2026 08:05"


@pytest.mark.parametrize("value", ["", None, "Smith", 'a<b>"c"&\'d\'', mark_safe("<b>kept</b>"), 12, "  spaced  "])
@pytest.mark.parametrize("attrs", [None, {"id": "id_q"}, {"id": "id_q", "aria-describedby": "id_q-hint id_q-error",
                                                          "aria-invalid": "true", "required": True, "hidden": False,
                                                          "maxlength": 254, "data-x": '"quoted" <x>'}])
@pytest.mark.parametrize("input_type", ["text", "search", "email", "date"])
def test_a_plain_text_input_is_the_input_django_renders(value, attrs, input_type):
    django_input, plain = (kind(attrs={"class": "input input--w30", "spellcheck": "false"})
                           for kind in (forms.TextInput, PlainTextInput))
    django_input.input_type = plain.input_type = input_type
    renderer = get_default_renderer()
    assert plain.render("q", value, attrs, renderer) == django_input.render("q", value, attrs, renderer)
    assert plain.render("q", value, attrs) == django_input.render("q", value, attrs)


def test_each_filterset_form_has_its_own_fields_and_errors():
    """The FilterSet's form copies its fields shallowly (`SharedFields`): two forms made at once still keep
    their own fields, values and errors, and the status filter still checks its list."""
    refused = CustomerFilterSet({"status": "Sleeping", "postcode": "XYZ"})
    accepted = CustomerFilterSet({"status": "Active", "postcode": "M1 1AE"})
    assert not refused.is_valid() and accepted.is_valid()
    assert set(refused.errors) == {"status", "postcode"} and not accepted.errors
    assert accepted.form.cleaned_data["status"] == Status.objects.get(pk="Active")
    assert refused.form.fields["status"] is not accepted.form.fields["status"]
    assert refused.form.fields["status"] is not type(refused.form).base_fields["status"]


def test_the_search_base_query_is_copied_never_run(csa_client):
    """`profile_search` hands out copies of one kept query: a search never fills it with results."""
    CustomerFactory(last_name="Kept")
    assert "1 customer found" in csa_client.get("/hub/customers/", {"q": "Kept"}).content.decode()
    CustomerFactory(last_name="Kept")
    assert "2 customers found" in csa_client.get("/hub/customers/", {"q": "Kept"}).content.decode()
    assert selectors._searchable()._result_cache is None
