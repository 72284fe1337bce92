"""The profile service: every rule of SPEC sections 3 and 4, called by every door (the Get, a read, is
`profiles.selectors.profile_get`)."""
from profiles.access import check_may_create, customer_for
from profiles.services.profiles import (
    ProfileResult,
    TooManyAttempts,
    VersionConflict,
    profile_change_email,
    profile_create,
    profile_update,
)

__all__ = [
    "ProfileResult",
    "TooManyAttempts",
    "VersionConflict",
    "check_may_create",
    "customer_for",
    "profile_change_email",
    "profile_create",
    "profile_update",
]
