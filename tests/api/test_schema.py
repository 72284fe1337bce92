"""The OpenAPI schema and its interactive docs, served without internet access."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_schema_documents_every_call_and_its_errors():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert set(paths) == {
        "/api/v1/profiles/",
        "/api/v1/profiles/{ucrn}/",
        "/api/v1/profiles/{ucrn}/addresses/",
        "/api/v1/profiles/{ucrn}/history/",
        "/api/v1/profiles/{ucrn}/export/",
        "/api/v1/profiles/{ucrn}/erase/",
        "/api/v1/profiles/{ucrn}/merge/",
        "/api/v1/profiles/{ucrn}/merge/{id}/",
        "/api/v1/profiles/{ucrn}/merge/{id}/undo/",
        "/api/v1/lists/{list_name}/",
        "/api/v1/events/",
        "/api/v1/events/{id}/",
        "/api/v1/forms/",
        "/api/v1/profiles/import/",
        "/api/v1/profiles/duplicates/",
        "/api/v1/profiles/{ucrn}/not-duplicate/",
        "/api/v1/forms/{slug}/",
        "/api/v1/forms/{slug}/submissions/",
    }
    assert {"400", "401", "403", "404"} <= set(paths["/api/v1/profiles/{ucrn}/"]["patch"]["responses"])
    search = {p["name"] for p in paths["/api/v1/profiles/"]["get"]["parameters"]}
    assert {"search", "postcode", "email_address", "phone_number", "uprn", "last_name", "status"} <= search
    create = schema["components"]["schemas"]["ProfileCreateInput"]
    assert set(create["required"]) == {"contact_type", "preferred_contact_method"}
    assert create["properties"]["birth_date"]["format"] == "date"


def test_swagger_ui_is_served_from_the_sidecar():
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html
