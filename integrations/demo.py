"""The demo forms of `seed_demo`: what an administrator would build for a council's contact centre.

Installed idempotently (by slug), and each checked by `integrations.checks` exactly as the admin would.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction

from integrations import checks
from integrations.models import Form, FormField, Integration, Mapping
from profiles.display import END_DATE_HELP
from profiles.models import REFERENCE_LISTS

MOVED_OPTIONS = "0|The customer has moved (a new address)\n1|Correct the current address"
BIN_OPTIONS = "general|General waste\nrecycling|Recycling\ngarden|Garden waste"

# Contact permissions (SPEC 8.1): the lookup fills in the current answers; left blank, one is kept.
PERMISSION_OPTIONS = "unknown|Not answered\ngranted|Yes\nrefused|No"
PERMISSION_QUESTIONS = {"email": "by email", "phone": "by phone", "sms": "by text message (SMS)", "post": "by post"}

CORE = [
    ("Ucrn", "Customer reference (UCRN)", "ucrn_lookup", True, ""),
    ("Contact_Type", "Contact type", "select", True, "contact_types"),
    ("Preferred_Contact_Method", "Preferred contact method", "select", True, "contact_methods"),
]
CORE_MAPPING = {
    "ucrn": "{Ucrn}", "contact_type": "{Contact_Type}", "preferred_contact_method": "{Preferred_Contact_Method}",
}
LOOKUP = ("get", "lookup", {"ucrn": "{Ucrn}"}, {})
# The seed's address search helper: "Find address" lists the addresses the hub holds, picking one fills the
# address fields below it (`integrations.address_lookup`); never sent to the record.
FIND_ADDRESS = ("Search_For_Street_Postcode", "Find the address", "text", False, "",
                "A postcode (LS1 4AP), or a street with its number and town (12 Old Road, Leeds), then Find address.")

DEMO_FORMS: list[dict[str, Any]] = [
    {
        "slug": "change-of-address",
        "name": "Change of address",
        "description": "The customer has moved, or their current address needs correcting.",
        "audience": Form.Audience.CSA,
        "fields": [
            *CORE,
            ("First_Name", "First name", "text", False, ""),
            ("Last_Name", "Last name", "text", False, ""),
            ("Moved", "What has happened?", "select", True, MOVED_OPTIONS),
            FIND_ADDRESS,
            ("Flat", "Flat", "text", False, ""),
            ("House", "House name or number", "text", False, ""),
            ("Street", "Street", "text", True, ""),
            ("Town", "Town", "text", False, ""),
            ("Postcode", "Postcode", "text", True, ""),
            ("Start_Date", "Living there since", "date", False, "",
             "Leave it as it is for a move: the new address then starts today."),
            ("End_Date", "Living there until", "date", False, "", END_DATE_HELP),
        ],
        "integrations": [
            LOOKUP,
            (
                "update",
                "submission",
                {**CORE_MAPPING, "first_name": "{First_Name}", "last_name": "{Last_Name}",
                 **{n: f"{{{n.title()}}}" for n in ("flat", "house", "street", "town", "postcode")},
                 "start_date": "{Start_Date}", "end_date": "{End_Date}"},
                {"update_primary_address": "{Moved}"},
            ),
        ],
    },
    {
        "slug": "update-contact-preferences",
        "name": "Update contact preferences",
        "description": "Change how the customer wants to be contacted. Fields left blank are kept.",
        "audience": Form.Audience.BOTH,
        "fields": [
            *CORE,
            ("Phone_Number", "Telephone", "phone", False, ""),
            ("Mobile_Number", "Mobile", "phone", False, ""),
            ("Notification_Preference", "Contact me by (in this order)", "checkbox_list", False, "contact_methods"),
            ("Consent_To_Share", "I agree to my details being shared with council services", "checkbox", False, ""),
            ("Preferred_Language_Id", "Preferred language", "select", False, "languages"),
            *[(f"Permission_{c.title()}", f"May we contact you {how}?", "select", False, PERMISSION_OPTIONS)
              for c, how in PERMISSION_QUESTIONS.items()],
        ],
        "integrations": [
            LOOKUP,
            (
                "update",
                "submission",
                {**CORE_MAPPING, "phone_number": "{Phone_Number}", "mobile_number": "{Mobile_Number}",
                 "notification_preference": "{Notification_Preference}", "consent_to_share": "{Consent_To_Share}",
                 "preferred_language_id": "{Preferred_Language_Id}",
                 **{f"permission_{c}": f"{{Permission_{c.title()}}}" for c in PERMISSION_QUESTIONS}},
                {"ignore_empty_entries": True},
            ),
        ],
    },
    {
        "slug": "report-missed-bin",
        "name": "Report a missed bin",
        "description": "A missed collection. The caller does not need to be a customer.",
        "audience": Form.Audience.BOTH,
        "allow_anonymous": True,
        "fields": [
            ("Ucrn", "Customer reference (UCRN), if known", "ucrn_lookup", False, ""),
            ("First_Name", "First name", "text", False, ""),
            ("Last_Name", "Last name", "text", False, ""),
            ("House", "House name or number", "text", True, ""),
            ("Street", "Street", "text", True, ""),
            ("Postcode", "Postcode", "text", True, ""),
            ("Bin_Type", "Which bin was missed?", "select", True, BIN_OPTIONS),
            ("Details", "Anything else we should know", "textarea", False, ""),
        ],
        "integrations": [LOOKUP],
    },
    {
        "slug": "register",
        "name": "Register as a new customer",
        "description": "Create a customer record.",
        "audience": Form.Audience.CSA,  # a citizen without a profile creates it on the portal
        "fields": [
            ("Contact_Type", "Contact type", "select", True, "contact_types"),
            ("Prefix_Id", "Title", "select", False, "titles"),
            ("First_Name", "First name", "text", True, ""),
            ("Last_Name", "Last name", "text", True, ""),
            ("Email_Address", "Email address", "email", False, ""),
            ("Phone_Number", "Telephone", "phone", False, ""),
            ("Preferred_Contact_Method", "Preferred contact method", "select", True, "contact_methods"),
            ("House", "House name or number", "text", False, ""),
            ("Street", "Street", "text", False, ""),
            ("Town", "Town", "text", False, ""),
            ("Postcode", "Postcode", "text", False, ""),
        ],
        "integrations": [
            (
                "create",
                "submission",
                {n.lower(): f"{{{n}}}" for n in ("Contact_Type", "Prefix_Id", "First_Name", "Last_Name",
                                                  "Email_Address", "Phone_Number", "Preferred_Contact_Method",
                                                  "House", "Street", "Town", "Postcode")},
                {},
            )
        ],
    },
]


@transaction.atomic
def install_demo_forms() -> list[Form]:
    """Create the demo forms that do not exist yet; leave existing ones (an administrator may have edited them)."""
    installed = []
    for spec in DEMO_FORMS:
        if Form.objects.filter(slug=spec["slug"]).exists():
            continue
        form = Form.objects.create(
            slug=spec["slug"], name=spec["name"], description=spec["description"], audience=spec["audience"],
            allow_anonymous=spec.get("allow_anonymous", False),
        )
        for n, (data_name, label, type_, required, source, *help_text) in enumerate(spec["fields"]):
            is_list = source in REFERENCE_LISTS
            FormField.objects.create(
                form=form, data_name=data_name, label=label, type=type_, required=required, sort_order=n,
                hub_list=source if is_list else "", options="" if is_list else source, help_text="".join(help_text),
            )
        field_names = [f[0] for f in spec["fields"]]
        for kind, when, mappings, options in spec["integrations"]:
            errors = checks.mapping_errors(kind=kind, mappings=mappings, form_fields=field_names)
            if errors:  # a demo form must be one the admin would accept
                raise ValueError(f"demo form {spec['slug']}: {errors}")
            integration = Integration.objects.create(form=form, kind=kind, when=when, **options)
            Mapping.objects.bulk_create(
                Mapping(integration=integration, field_name=name, template=template)
                for name, template in mappings.items()
            )
        if unsent := checks.unsent_fields(form):  # nor any field whose change would be lost
            raise ValueError(f"demo form {spec['slug']}: no integration sends {unsent}")
        installed.append(form)
    return installed
