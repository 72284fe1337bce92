"""The configurations the admin refuses (SPEC section 5)."""
from integrations.checks import mapping_errors, option_errors

FIELDS = ["Ucrn", "First_Name", "Contact_Type", "Contact_Method", "Email", "Moved"]
UPDATE_OK = {"ucrn": "{Ucrn}", "contact_type": "{Contact_Type}", "preferred_contact_method": "{Contact_Method}"}


def test_a_complete_update_mapping_is_accepted():
    assert mapping_errors(kind="update", mappings={**UPDATE_OK, "first_name": "{First_Name}"}, form_fields=FIELDS) == {}


def test_a_token_naming_no_field_of_the_form_is_refused():
    errors = mapping_errors(kind="update", mappings={**UPDATE_OK, "first_name": "{Forename}"}, form_fields=FIELDS)
    assert "first_name" in errors and "{forename}" in errors["first_name"][0]


def test_an_unknown_integration_field_is_refused():
    errors = mapping_errors(kind="update", mappings={**UPDATE_OK, "shoe_size": "{First_Name}"}, form_fields=FIELDS)
    assert list(errors) == ["shoe_size"]


def test_email_address_on_an_update_is_refused():
    errors = mapping_errors(kind="update", mappings={**UPDATE_OK, "email_address": "{Email}"}, form_fields=FIELDS)
    assert "email_address" in errors


def test_email_address_on_a_create_is_accepted():
    mappings = {"contact_type": "{Contact_Type}", "preferred_contact_method": "{Contact_Method}",
                "email_address": "{Email}"}
    assert mapping_errors(kind="create", mappings=mappings, form_fields=FIELDS) == {}


def test_an_update_must_map_ucrn_contact_type_and_preferred_contact_method():
    for missing in UPDATE_OK:
        mappings = {k: v for k, v in UPDATE_OK.items() if k != missing}
        errors = mapping_errors(kind="update", mappings=mappings, form_fields=FIELDS)
        assert missing in errors["__all__"][0]


def test_a_create_must_map_contact_type_and_preferred_contact_method():
    errors = mapping_errors(kind="create", mappings={"contact_type": "Individual"}, form_fields=FIELDS)
    assert "preferred_contact_method" in errors["__all__"][0]


def test_option_tokens():
    assert option_errors(option="update_primary_address", template="{Moved}", form_fields=FIELDS) == []
    assert option_errors(option="update_primary_address", template="1", form_fields=FIELDS) == []
    assert option_errors(option="address_is_primary", template="{Nope}", form_fields=FIELDS)
    assert option_errors(option="address_is_primary", template="maybe", form_fields=FIELDS)


def test_the_installed_create_customer_form_passes_the_checks(db):
    from integrations.models import Form

    form = Form.objects.get(slug="create-customer")
    integration = form.integrations.get()
    mappings = {m.field_name: m.template for m in integration.mappings.all()}
    fields = form.fields.values_list("data_name", flat=True)
    assert mapping_errors(kind="create", mappings=mappings, form_fields=fields) == {}
