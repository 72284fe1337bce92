"""The hub's own "Create customer" form: a form with a Create integration, editable by administrators.

Seed 004: "the custom create a customer functionality in the Customer Service Hub will require a profile
integration". Installed here so that a fresh database has it.
"""
from django.db import migrations

# (data name, label, type, required, hub list)
FIELDS = [
    ("Contact_Type", "Contact type", "select", True, "contact_types"),
    ("Prefix_Id", "Title", "select", False, "titles"),
    ("First_Name", "First name", "text", False, ""),
    ("Last_Name", "Last name", "text", False, ""),
    ("Suffix_Id", "Suffix", "select", False, "suffixes"),
    ("Organisation_Name", "Organisation name", "text", False, ""),
    ("Birth_Date", "Date of birth", "date", False, ""),
    ("Email_Address", "Email address", "email", False, ""),
    ("Phone_Number", "Telephone", "phone", False, ""),
    ("Mobile_Number", "Mobile", "phone", False, ""),
    ("Preferred_Contact_Method", "Preferred contact method", "select", True, "contact_methods"),
    ("Notification_Preference", "Contact me by (in this order)", "checkbox_list", False, "contact_methods"),
    ("Flat", "Flat", "text", False, ""),
    ("House", "House name or number", "text", False, ""),
    ("Street", "Street", "text", False, ""),
    ("Locality", "Locality", "text", False, ""),
    ("Town", "Town", "text", False, ""),
    ("Post_Town", "Post town", "text", False, ""),
    ("County", "County", "text", False, ""),
    ("Postcode", "Postcode", "text", False, ""),
    ("Country_Id", "Country", "select", False, "countries"),
    ("Uprn", "UPRN", "text", False, ""),
]


def install(apps, schema_editor):
    Form = apps.get_model("integrations", "Form")
    form = Form.objects.create(
        name="Create customer",
        slug="create-customer",
        description="The hub's Create customer page: a Create profile integration.",
        audience="csa",
        allow_anonymous=False,
    )
    FormField = apps.get_model("integrations", "FormField")
    FormField.objects.bulk_create(
        [
            FormField(form=form, data_name=name, label=label, type=type_, required=required, hub_list=hub_list, sort_order=n)
            for n, (name, label, type_, required, hub_list) in enumerate(FIELDS)
        ]
    )
    integration = apps.get_model("integrations", "Integration").objects.create(form=form, kind="create", when="submission")
    apps.get_model("integrations", "Mapping").objects.bulk_create(
        [
            apps.get_model("integrations", "Mapping")(integration=integration, field_name=name.lower(), template=f"{{{name}}}")
            for name, *_ in FIELDS
        ]
    )


def uninstall(apps, schema_editor):
    apps.get_model("integrations", "Form").objects.filter(slug="create-customer").delete()


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial"), ("profiles", "0002_reference_lists")]
    operations = [migrations.RunPython(install, uninstall)]
