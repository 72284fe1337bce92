"""The customer record, its address history, the reference lists, the change log, contact permissions and
subscriptions, placeholders, other systems' data and the search keys: one module per room, all importable
from here (`from profiles.models import Customer`; migrations name `profiles.models.<function>`).

Rules live in `profiles.services`; these models hold data and the few invariants that the database
itself must guarantee (one primary address per customer, unique UCRN, unique email ignoring case).
"""
from profiles.models.customer import (
    CUSTOM_FIELD_COUNT,
    HAS_EMAIL,
    PERMISSION_CHANNELS,
    Address,
    ContactPermissionsMixin,
    Customer,
    CustomFieldsMixin,
    Permission,
    check_address_dates,
    display_name,
)
from profiles.models.extended import (
    RESERVED_SOURCE,
    ExtendedData,
    ExtendedReference,
    ExtendedSource,
    validate_source_slug,
)
from profiles.models.history import (
    ChangeRecord,
    Channel,
    Merge,
    NotSamePerson,
)
from profiles.models.lists import (
    CONTACT_TYPES,
    CUSTOM_MAX,
    MERGED_STATUS,
    REFERENCE_LISTS,
    STATUSES,
    TEXT_MAX,
    UK_COUNTRY_ID,
    ContactMethod,
    ContactType,
    Country,
    Language,
    Location,
    ReferenceItem,
    Status,
    Suffix,
    Title,
)
from profiles.models.placeholders import (
    Placeholder,
)
from profiles.models.search import (
    CustomerName,
    SearchKey,
)
from profiles.models.subscriptions import (
    Subscription,
    Topic,
    _default_topic_channels,
)

__all__ = [
    "CONTACT_TYPES",
    "CUSTOM_FIELD_COUNT",
    "CUSTOM_MAX",
    "HAS_EMAIL",
    "MERGED_STATUS",
    "PERMISSION_CHANNELS",
    "REFERENCE_LISTS",
    "RESERVED_SOURCE",
    "STATUSES",
    "TEXT_MAX",
    "UK_COUNTRY_ID",
    "Address",
    "ChangeRecord",
    "Channel",
    "ContactMethod",
    "ContactPermissionsMixin",
    "ContactType",
    "Country",
    "CustomFieldsMixin",
    "Customer",
    "CustomerName",
    "ExtendedData",
    "ExtendedReference",
    "ExtendedSource",
    "Language",
    "Location",
    "Merge",
    "NotSamePerson",
    "Permission",
    "Placeholder",
    "ReferenceItem",
    "SearchKey",
    "Status",
    "Subscription",
    "Suffix",
    "Title",
    "Topic",
    "_default_topic_channels",
    "check_address_dates",
    "display_name",
    "validate_source_slug",
]
