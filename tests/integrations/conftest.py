"""Forms built as an administrator would build them."""
import pytest

from integrations.models import Form, FormField, Integration, Mapping


def build_form(slug, fields, integrations, **form_kwargs):
    form = Form.objects.create(name=slug.replace("-", " ").title(), slug=slug, **form_kwargs)
    for n, (data_name, type_) in enumerate(fields):
        FormField.objects.create(form=form, data_name=data_name, label=data_name.replace("_", " "), type=type_, sort_order=n)
    for kind, when, mappings, options in integrations:
        integration = Integration.objects.create(form=form, kind=kind, when=when, **options)
        for field_name, template in mappings.items():
            Mapping.objects.create(integration=integration, field_name=field_name, template=template)
    return form


ADDRESS_FIELDS = [("Ucrn", "ucrn_lookup"), ("Contact_Type", "select"), ("Preferred_Contact_Method", "select"),
                  ("First_Name", "text"), ("House", "text"), ("Street", "text"), ("Postcode", "text"), ("Moved", "select")]
UPDATE_MAPPING = {"ucrn": "{Ucrn}", "contact_type": "{Contact_Type}", "preferred_contact_method": "{Preferred_Contact_Method}",
                  "first_name": "{First_Name}", "house": "{House}", "street": "{Street}", "postcode": "{Postcode}"}


@pytest.fixture
def change_of_address(db):
    """Update on submission, with the moved / correct choice as a token (0 moved, 1 correct)."""
    return build_form(
        "change-of-address",
        ADDRESS_FIELDS,
        [("get", "lookup", {"ucrn": "{Ucrn}"}, {}),
         ("update", "submission", UPDATE_MAPPING, {"update_primary_address": "{Moved}", "ignore_empty_entries": True})],
    )


@pytest.fixture
def register(db):
    return build_form(
        "register",
        [("Contact_Type", "select"), ("Preferred_Contact_Method", "select"), ("First_Name", "text"),
         ("Last_Name", "text"), ("Email", "email"), ("Postcode", "text"), ("Street", "text")],
        [("create", "submission", {"contact_type": "{Contact_Type}", "preferred_contact_method": "{Preferred_Contact_Method}",
                                   "first_name": "{First_Name}", "last_name": "{Last_Name}", "email_address": "{Email}",
                                   "postcode": "{Postcode}", "street": "{Street}"}, {})],
        audience="both",
    )
