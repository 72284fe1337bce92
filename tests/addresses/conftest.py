"""The API clients of tests/api, for the address search's door."""
from tests.api.conftest import anon_api, citizen_api, csa_api  # noqa: F401 (fixtures)
