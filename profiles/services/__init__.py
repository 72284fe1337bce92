"""The profile service: every rule of SPEC sections 3 and 4, called by every door."""
from profiles.access import check_may_create, customer_for
from profiles.services.profiles import (
    ProfileResult,
    TooManyAttempts,
    VersionConflict,
    profile_change_email,
    profile_create,
    profile_get,
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
    "profile_get",
    "profile_update",
]
