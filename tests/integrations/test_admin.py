"""The admin refuses the configurations of SPEC section 5, and accepts a good one."""
import pytest
from django.urls import reverse

from integrations.models import Integration

from .conftest import ADDRESS_FIELDS, UPDATE_MAPPING, build_form


@pytest.fixture
def form(db):
    return build_form("address", ADDRESS_FIELDS, [])


@pytest.fixture
def admin_client_(client, admin_user):
    client.force_login(admin_user)
    return client


def post_integration(client, form, kind, mappings, **options):
    data = {
        "form": form.pk, "kind": kind, "when": "submission", "sort_order": 0,
        "update_primary_address": options.get("update_primary_address", "0"),
        "address_is_primary": options.get("address_is_primary", "1"),
        "mappings-TOTAL_FORMS": len(mappings), "mappings-INITIAL_FORMS": 0,
        "mappings-MIN_NUM_FORMS": 0, "mappings-MAX_NUM_FORMS": 1000,
    }
    for n, (field_name, template) in enumerate(mappings.items()):
        data[f"mappings-{n}-field_name"] = field_name
        data[f"mappings-{n}-template"] = template
    return client.post(reverse("admin:integrations_integration_add"), data)


def test_a_good_update_integration_is_saved(admin_client_, form):
    response = post_integration(admin_client_, form, "update", UPDATE_MAPPING, update_primary_address="{Moved}")
    assert response.status_code == 302
    assert Integration.objects.get(form=form).mappings.count() == len(UPDATE_MAPPING)


@pytest.mark.parametrize(
    "kind, mappings, options, message",
    [
        ("update", {**UPDATE_MAPPING, "first_name": "{Forename}"}, {}, "The form has no field {forename}"),
        ("update", {**UPDATE_MAPPING, "shoe_size": "{First_Name}"}, {}, "shoe_size is not a field"),
        ("update", {**UPDATE_MAPPING, "email_address": "{First_Name}"}, {}, "cannot map email_address"),
        ("update", {k: v for k, v in UPDATE_MAPPING.items() if k != "ucrn"}, {}, "must map ucrn"),
        ("update", {k: v for k, v in UPDATE_MAPPING.items() if k != "contact_type"}, {}, "must map contact_type"),
        ("create", {"contact_type": "Individual"}, {}, "must map preferred_contact_method"),
        ("update", UPDATE_MAPPING, {"update_primary_address": "{Nope}"}, "The form has no field {nope}"),
    ],
)
def test_refused_configurations(admin_client_, form, kind, mappings, options, message):
    response = post_integration(admin_client_, form, kind, mappings, **options)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Integration.objects.filter(form=form).exists()


def form_page_data(form, *, delete=(), display_only=(), new=()):
    """What the admin's form page posts: its fields as they are, some deleted or display only, some new."""
    fields = list(form.fields.all())
    data = {"name": form.name, "slug": form.slug, "description": "", "audience": "csa",
            "fields-TOTAL_FORMS": len(fields) + len(new), "fields-INITIAL_FORMS": len(fields),
            "fields-MIN_NUM_FORMS": 0, "fields-MAX_NUM_FORMS": 1000}
    rows = [(f.pk, f.data_name, f.label, f.type) for f in fields] + [("", name, name, "text") for name in new]
    for n, (pk, data_name, label, type_) in enumerate(rows):
        data.update({f"fields-{n}-id": pk, f"fields-{n}-form": form.pk, f"fields-{n}-sort_order": n,
                     f"fields-{n}-data_name": data_name, f"fields-{n}-label": label, f"fields-{n}-type": type_})
        if data_name in delete:
            data[f"fields-{n}-DELETE"] = "on"
        if data_name in display_only:
            data[f"fields-{n}-display_only"] = "on"
    return data


def test_removing_a_field_that_a_mapping_uses_is_refused(admin_client_, form):
    assert post_integration(admin_client_, form, "update", UPDATE_MAPPING,
                            update_primary_address="{Moved}").status_code == 302
    data = form_page_data(form, delete=["Street"])
    response = admin_client_.post(reverse("admin:integrations_form_change", args=[form.pk]), data)
    assert response.status_code == 200
    assert "{street}" in response.content.decode()
    assert form.fields.filter(data_name="Street").exists()


def test_the_admin_previews_a_form(admin_client_, form):
    response = admin_client_.get(reverse("admin:integrations_form_preview", args=[form.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="Postcode"' in page and "Preview: Address" in page
    change = admin_client_.get(reverse("admin:integrations_form_change", args=[form.pk])).content.decode()
    assert reverse("admin:integrations_form_preview", args=[form.pk]) in change


def test_a_field_no_integration_sends_is_refused_unless_display_only(admin_client_, form):
    """The person's edit of such a field would be lost silently: the admin names the fields instead."""
    response = post_integration(admin_client_, form, "update", {**UPDATE_MAPPING, "first_name": "{First_Name}"})
    assert response.status_code == 200
    assert "No integration sends these fields: Moved (Moved)" in response.content.decode()
    assert not Integration.objects.filter(form=form).exists()
    form.fields.filter(data_name="Moved").update(display_only=True)
    response = post_integration(admin_client_, form, "update", UPDATE_MAPPING)
    assert response.status_code == 302


def test_the_demo_forms_send_every_field_they_show(db):
    from integrations.checks import unsent_fields
    from integrations.demo import install_demo_forms

    for form in install_demo_forms():
        assert unsent_fields(form) == [], form.slug


def test_adding_a_field_no_integration_sends_is_refused_unless_display_only(admin_client_, form):
    assert post_integration(admin_client_, form, "update", UPDATE_MAPPING,
                            update_primary_address="{Moved}").status_code == 302
    url = reverse("admin:integrations_form_change", args=[form.pk])
    response = admin_client_.post(url, form_page_data(form, new=["Notes"]))
    assert response.status_code == 200
    assert "No integration sends these fields: Notes (Notes)" in response.content.decode()
    assert not form.fields.filter(data_name="Notes").exists()
    assert admin_client_.post(url, form_page_data(form, new=["Notes"], display_only=["Notes"])).status_code == 302
    assert form.fields.get(data_name="Notes").display_only


def test_a_field_an_integration_sends_cannot_be_display_only(admin_client_, form):
    assert post_integration(admin_client_, form, "update", UPDATE_MAPPING,
                            update_primary_address="{Moved}").status_code == 302
    url = reverse("admin:integrations_form_change", args=[form.pk])
    response = admin_client_.post(url, form_page_data(form, display_only=["Street"]))
    assert response.status_code == 200 and "a display only field is never sent" in response.content.decode()
    form.fields.filter(data_name="Moved").update(display_only=True)
    response = post_integration(admin_client_, form, "update", UPDATE_MAPPING, update_primary_address="{Moved}")
    assert response.status_code == 200 and "{moved} is a display only field" in response.content.decode()
    form.fields.filter(data_name="Moved").update(display_only=False)
    form.fields.filter(data_name="First_Name").update(display_only=True)
    response = post_integration(admin_client_, form, "update", UPDATE_MAPPING, update_primary_address="{Moved}")
    assert response.status_code == 200 and "{first_name} is a display only field" in response.content.decode()
