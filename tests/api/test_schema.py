"""The OpenAPI schema and its interactive docs, served without internet access; and what the schema says,
property by property, so that an integrator can trust it alone."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from openapi_schema_validator import OAS30Validator
from rest_framework.test import APIClient

from tests.api.conftest import token_client
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

METHODS = ("get", "put", "patch", "post", "delete")
WRITES = ("post", "put", "patch")
TAGS = {"profiles", "search", "lists", "forms", "events", "import", "duplicates", "subscriptions"}


@pytest.fixture
def schema() -> dict:
    return APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def validator(schema: dict, component: str) -> OAS30Validator:
    """A validator of one component, resolving its references within the schema."""
    return OAS30Validator({**schema["components"]["schemas"][component], "components": schema["components"]})


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_schema_documents_every_call_and_its_errors(schema):
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/profiles",
        "/api/v1/profiles/{ucrn}",
        "/api/v1/profiles/{ucrn}/addresses",
        "/api/v1/profiles/{ucrn}/history",
        "/api/v1/profiles/{ucrn}/export",
        "/api/v1/profiles/{ucrn}/erase",
        "/api/v1/profiles/{ucrn}/merge",
        "/api/v1/profiles/{ucrn}/merge/{id}",
        "/api/v1/profiles/{ucrn}/merge/{id}/undo",
        "/api/v1/lists/{list_name}",
        "/api/v1/events",
        "/api/v1/events/{id}",
        "/api/v1/forms",
        "/api/v1/profiles/import",
        "/api/v1/profiles/duplicates",
        "/api/v1/profiles/{ucrn}/not-duplicate",
        "/api/v1/profiles/{ucrn}/extended/{source}",
        "/api/v1/forms/{slug}",
        "/api/v1/forms/{slug}/submissions",
        "/api/v1/profiles/{ucrn}/subscriptions",
        "/api/v1/profiles/{ucrn}/subscriptions/{id}",
        "/api/v1/topics/{slug}/subscribers",
        "/api/v1/addresses",
    }
    assert {"400", "401", "403", "404"} <= set(paths["/api/v1/profiles/{ucrn}"]["patch"]["responses"])
    search = {p["name"] for p in paths["/api/v1/profiles"]["get"]["parameters"]}
    assert {"search", "postcode", "email_address", "phone_number", "uprn", "last_name", "status"} <= search
    create = schema["components"]["schemas"]["ProfileCreateInput"]
    assert set(create["required"]) == {"contact_type", "preferred_contact_method"}
    assert create["properties"]["birth_date"]["format"] == "date"


def test_paths_are_written_without_their_trailing_slash_and_answer_so(schema):
    """Spectral's `path-keys-no-trailing-slash`: the schema writes each path without it; both forms answer."""
    assert all(not path.endswith("/") for path in schema["paths"])
    api = token_client(UserFactory(username="lister", role="csa"))
    assert api.get("/api/v1/lists/titles").status_code == api.get("/api/v1/lists/titles/").status_code == 200


def test_portal_account_is_nullable_as_oas_3_0_validators_read_it(schema):
    account = {"username": "jane", "email": "", "first_name": "", "last_name": "", "last_login": None,
               "date_joined": "2026-11-30T08:00:00.000000Z", "is_active": True}
    for component in ("ProfileExport", "MergedRecordExport"):
        prop = schema["components"]["schemas"][component]["properties"]["portal_account"]
        assert "allOf" not in prop and "nullable" not in prop, prop  # `nullable` beside `allOf` is ignored
        check = OAS30Validator({**prop, "components": schema["components"]})
        assert check.is_valid(None) and check.is_valid(account)
        assert not check.is_valid({"username": 1})
    for name, component in schema["components"]["schemas"].items():  # no nullable reference left anywhere
        for prop_name, prop in (component.get("properties") or {}).items():
            assert not ("allOf" in prop and prop.get("nullable") and "type" not in prop), (name, prop_name)


def test_bodies_that_refuse_unknown_names_say_so(schema, csa, customer):
    components = schema["components"]["schemas"]
    for name in ("ProfileCreateInput", "ProfileUpdateInput", "PatchedProfilePatchInput", "MergeInput", "EventInput"):
        assert components[name]["additionalProperties"] is False, name
    api = token_client(csa)
    for path, body in ((f"/api/v1/profiles/{customer.ucrn}/merge", {"merge": CustomerFactory().ucrn, "colour": 1}),
                       ("/api/v1/events", {"type": "visit", "ucrn": customer.ucrn, "colour": 1})):
        refused = api.post(path, body, format="json")
        assert refused.status_code == 400 and refused.json()["colour"][0]["code"] == "unknown_field", path


def test_email_address_is_documented_as_not_changeable_by_update(schema):
    components = schema["components"]["schemas"]
    for component in ("ProfileUpdateInput", "PatchedProfilePatchInput"):
        description = components[component]["properties"]["email_address"]["description"]
        assert "email_not_updatable" in description and "Not changeable by an Update" in description
    assert "email_not_updatable" not in components["ProfileCreateInput"]["properties"]["email_address"].get(
        "description", "")


def test_patch_has_one_default_for_ignore_empty_entries_true_everywhere(schema):
    components = schema["components"]["schemas"]
    patch = components["PatchedProfilePatchInput"]["properties"]["ignore_empty_entries"]
    assert patch["default"] is True
    assert "Default true" in patch["description"] and "false" not in patch["description"].lower()
    put = components["ProfileUpdateInput"]["properties"]["ignore_empty_entries"]
    assert put["default"] is False and "Default false" in put["description"]
    operation = schema["paths"]["/api/v1/profiles/{ucrn}"]["patch"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert request.endswith("/PatchedProfilePatchInput")
    assert "defaults to true" in operation["description"]
    assert "default false" not in operation["description"].lower()


def test_status_and_contact_type_filters_are_enums(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/profiles"]["get"]["parameters"]}
    assert parameters["status"]["schema"] == {"type": "string", "enum": ["Active", "Inactive", "Deceased", "Merged"]}
    assert parameters["contact_type"]["schema"] == {"type": "string", "enum": ["Individual", "Organization"]}
    lists = APIClient()
    lists.force_authenticate(UserFactory(username="reader", role="csa"))
    assert [i["id"] for i in lists.get("/api/v1/lists/statuses").json()] == parameters["status"]["schema"]["enum"]
    types = [i["id"] for i in lists.get("/api/v1/lists/contact_types").json()]
    assert types == parameters["contact_type"]["schema"]["enum"]


def test_page_size_has_its_range(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/profiles"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}


@pytest.mark.parametrize(("page_size", "code"), [("101", "max_value"), ("5000", "max_value"), ("0", "min_value"),
                                                 ("ten", "invalid"), ("-1", "invalid"), ("2.5", "invalid")])
def test_page_size_outside_its_range_is_400_not_a_silent_cap(csa, page_size, code):
    CustomerFactory()
    response = token_client(csa).get("/api/v1/profiles/", {"page_size": page_size})
    assert response.status_code == 400, response.content
    assert response.json() == {"page_size": [{"message": response.json()["page_size"][0]["message"], "code": code}]}


def test_page_size_within_its_range_is_honoured(csa):
    for _ in range(3):
        CustomerFactory()
    api = token_client(csa)
    assert len(api.get("/api/v1/profiles/", {"page_size": "100"}).json()["results"]) == 3
    assert len(api.get("/api/v1/profiles/", {"page_size": "2"}).json()["results"]) == 2


def test_the_token_is_a_security_scheme_with_the_prefix_token(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert {k: scheme[k] for k in ("type", "in", "name")} == {"type": "apiKey", "in": "header", "name": "Authorization"}
    assert "`Authorization: Token <key>`" in scheme["description"] and "prefix `Token`" in scheme["description"]
    for path, method, operation in operations(schema):
        assert {"tokenAuth": []} in operation["security"], (method, path)


def test_every_operation_declares_the_answers_it_can_give(schema):
    for path, method, operation in operations(schema):
        responses = set(operation["responses"])
        assert {"401", "405", "406", "429"} <= responses, (method, path)
        if method in WRITES:
            assert {"413", "415"} <= responses, (method, path)
        if method in ("put", "patch"):
            assert "412" in responses, (method, path)
        for code in ("405", "406", "415", "429"):
            if code in responses:
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, code)


def test_405_406_and_415_happen_where_the_schema_declares_them(schema, admin_user, customer):
    """Each operation is sent what provokes the answer: another method, an Accept without JSON, a text body
    (with an Idempotency-Key, which reads the body of any POST); it gets it, and the schema declares it."""
    api = token_client(admin_user)
    for path, method, operation in operations(schema):
        url = path.replace("{ucrn}", customer.ucrn).replace("{id}", "1").replace("{slug}", "none") \
            .replace("{list_name}", "titles")
        if method == "get":
            refused = api.get(url, HTTP_ACCEPT="text/html")
            assert refused.status_code == 406 and "406" in operation["responses"], (path, refused.content)
        else:
            refused = getattr(api, method)(url, "name=x", content_type="text/plain", HTTP_IDEMPOTENCY_KEY=f"k-{path}")
            assert refused.status_code == 415 and "415" in operation["responses"], (method, path, refused.content)
            assert refused.json()["detail"][0]["code"] == "unsupported_media_type"
    for path, item in schema["paths"].items():
        url = path.replace("{ucrn}", customer.ucrn).replace("{id}", "1").replace("{slug}", "none") \
            .replace("{list_name}", "titles")
        if "delete" in item:  # the one DELETE (a subscription) answers it: 404 for the id 1 here
            assert api.delete(url).status_code == 404
            continue
        refused = api.delete(url)
        assert refused.status_code == 405, (path, refused.content)
        assert refused.json()["detail"][0]["code"] == "method_not_allowed"
        assert all("405" in operation["responses"] for method, operation in item.items() if method in METHODS)


def test_every_operation_has_a_summary_a_description_and_an_area_tag(schema):
    assert {tag["name"] for tag in schema["tags"]} == TAGS
    used = set()
    for path, method, operation in operations(schema):
        assert operation.get("summary", "").strip(), (method, path)
        assert operation.get("description", "").strip(), (method, path)
        assert len(operation["tags"]) == 1 and operation["tags"][0] in TAGS, (method, path, operation["tags"])
        used.add(operation["tags"][0])
    assert used == TAGS


def test_servers_and_contact(schema):
    assert schema["servers"] and all(server["url"] for server in schema["servers"])
    assert schema["info"]["contact"]["name"] and "@" in schema["info"]["contact"]["email"]


def test_reference_list_ids_are_typed(schema, csa):
    components = schema["components"]["schemas"]
    assert components["ListItem"]["properties"]["id"]["type"] == "integer"
    assert components["ValueListItem"]["properties"]["id"]["type"] == "string"
    response = schema["paths"]["/api/v1/lists/{list_name}"]["get"]["responses"]["200"]
    body = response["content"]["application/json"]["schema"]
    assert body["type"] == "array" and "$ref" in body["items"]
    items = OAS30Validator({**body, "components": schema["components"]})
    api = token_client(csa)
    for name in ("titles", "suffixes", "countries", "languages", "locations", "contact_methods"):
        found = api.get(f"/api/v1/lists/{name}/").json()
        assert found and all(isinstance(item["id"], int) for item in found), name
        items.validate(found)
    for name in ("contact_types", "statuses"):
        found = api.get(f"/api/v1/lists/{name}/").json()
        assert found and all(isinstance(item["id"], str) for item in found), name
        items.validate(found)
    assert not items.is_valid([{"id": 1.5, "name": "x"}])


def test_date_times_are_documented_in_one_style(schema):
    assert "`Z`" in schema["info"]["description"]
    profile = schema["components"]["schemas"]["Profile"]["properties"]
    assert profile["created_at"]["format"] == profile["updated_at"]["format"] == "date-time"


def test_country_and_language_codes_are_read_only_in_the_schema(schema):
    profile = schema["components"]["schemas"]["Profile"]["properties"]
    for name in ("country_code", "preferred_language_code"):
        assert profile[name]["readOnly"] is True and profile[name]["maxLength"] == 2
        for component in ("ProfileUpdateInput", "PatchedProfilePatchInput"):
            assert "Read-only: ignored" in schema["components"]["schemas"][component]["properties"][name]["description"]


def test_swagger_ui_is_served_from_the_sidecar():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html
