"""The REST API (`/api/v1/`) of SPEC section 6."""
