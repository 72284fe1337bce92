"""CI: a Python client generated from the OpenAPI schema alone (openapi-python-client) drives the API, and
every raw response is validated against the schema. A schema that lies fails here.

Run by `.ci/generated_client.sh`, which generates the package `hub_client` from the schema the server serves,
starts the server on loopback and passes, in the environment: HUB_URL, HUB_TOKEN (a CSA's), HUB_SCHEMA (the
schema as JSON), HUB_UCRN (a customer with an address), HUB_FORM (the slug of a form whose Update sends the
mobile number). The calls: search, Get, Create, Update in both address modes (PUT with
`update_primary_address` 0, PATCH with 1), a stale If-Match (412), an unknown key (400), an import, an event
and a form submission; and the lists, the history, duplicates, a merge and its undo, the export. Each
response, whatever its status, is checked against the operation's documented responses: the status is
documented, the content type is, the body validates (OpenAPI 3.0 rules, formats included) and the documented
`Location` of a 201 is there.
"""
from __future__ import annotations

import json
import os
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from hub_client import AuthenticatedClient
from hub_client.api.duplicates import profiles_duplicates, profiles_merge, profiles_merge_get, profiles_merge_undo
from hub_client.api.events import events_create, events_get
from hub_client.api.forms import forms_get, forms_submit
from hub_client.api.import_ import profiles_import
from hub_client.api.lists import lists_get
from hub_client.api.profiles import (
    profiles_addresses,
    profiles_create,
    profiles_export,
    profiles_get,
    profiles_history,
    profiles_partial_update,
    profiles_update,
)
from hub_client.api.search import profiles_search
from hub_client.models import (
    Error,
    EventInput,
    FormsSubmitBody,
    ImportInput,
    ImportInputRecordsItem,
    ListsGetListName,
    MatchingEnum,
    MergeInput,
    PatchedProfilePatchInput,
    ProfileCreateInput,
    ProfilesSearchStatus,
    ProfileUpdateInput,
)
from hub_client.types import UNSET, Response
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

SCHEMA: dict[str, Any] = json.loads(open(os.environ["HUB_SCHEMA"], encoding="utf-8").read())
problems: list[str] = []
checked: list[str] = []


def _operations() -> list[tuple[str, re.Pattern[str], dict[str, Any]]]:
    """(method, path pattern, operation) of every documented operation, literal paths before templated ones
    (`/profiles/duplicates` before `/profiles/{ucrn}`, as the server routes them); a path matches with or
    without its trailing slash, as the API answers."""
    found = []
    for template, item in sorted(SCHEMA["paths"].items(), key=lambda entry: entry[0].count("{")):
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template.rstrip("/")))
        for method, operation in item.items():
            if method in ("get", "put", "patch", "post", "delete"):
                found.append((method.upper(), re.compile(f"^{pattern}/?$"), operation))
    return found


OPERATIONS = _operations()


def validate(response: httpx.Response) -> None:
    """httpx's response hook: the raw response against the operation's documented answers."""
    response.read()
    request = response.request
    where = f"{request.method} {request.url.path} -> {response.status_code}"
    checked.append(where)
    matching = [op for method, pattern, op in OPERATIONS
                if method == request.method and pattern.match(request.url.path)]
    if not matching:
        problems.append(f"{where}: no documented operation")
        return
    declared = matching[0]["responses"].get(str(response.status_code)) or matching[0]["responses"].get("default")
    if declared is None:
        problems.append(f"{where}: status not documented (documented: {sorted(matching[0]['responses'])})")
        return
    content = declared.get("content") or {}
    if not content:
        if response.content:
            problems.append(f"{where}: a body, where the schema documents none")
        return
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if media_type not in content:
        problems.append(f"{where}: Content-Type {media_type!r}, documented {sorted(content)}")
        return
    schema = content[media_type].get("schema")
    if schema is not None:
        validator = OAS30ReadValidator({**schema, "components": SCHEMA["components"]},
                                       format_checker=oas30_format_checker)
        for error in validator.iter_errors(response.json()):
            path = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"{where}: body at {path or '(root)'}: {error.message[:300]}")
    headers = declared.get("headers") or {}
    if "Location" in headers and not response.headers.get("Location"):
        problems.append(f"{where}: no Location header, which the schema documents")


def expect(name: str, response: Response[Any], status: int, check: Callable[[Any], bool] = lambda parsed: True
           ) -> Any:
    """The generated client's parsed answer, if it has the expected status and passes `check`."""
    if response.status_code != status:
        problems.append(f"{name}: status {response.status_code}, expected {status}: {response.content[:300]!r}")
        return None
    parsed = response.parsed
    if parsed is None:
        problems.append(f"{name}: the generated client parsed nothing")
    elif not check(parsed):
        problems.append(f"{name}: unexpected answer {response.content[:300]!r}")
    return parsed


def error_codes(parsed: Any) -> dict[str, list[str]]:
    """`{name: [codes]}` of the generated client's `Error`."""
    if not isinstance(parsed, Error):
        return {}
    return {name: [item.code for item in items] for name, items in parsed.additional_properties.items()}


def main() -> int:
    client = AuthenticatedClient(
        base_url=os.environ["HUB_URL"], token=os.environ["HUB_TOKEN"], prefix="Token",
        httpx_args={"event_hooks": {"response": [validate]}}, raise_on_unexpected_status=False,
    )
    ucrn = os.environ["HUB_UCRN"]
    with client as api:
        # Reference lists: integer ids, and value lists whose id is the value.
        expect("countries", lists_get.sync_detailed(ListsGetListName.COUNTRIES, client=api), 200,
               lambda items: any(getattr(i, "id", None) == 826 for i in items))
        expect("statuses", lists_get.sync_detailed(ListsGetListName.STATUSES, client=api), 200,
               lambda items: any(getattr(i, "id", None) == "Active" for i in items))

        # Search
        found = profiles_search.sync_detailed(client=api, postcode="m11ae", status=ProfilesSearchStatus.ACTIVE)
        expect("search", found, 200, lambda page: any(result.ucrn == ucrn for result in page.results))
        refused = profiles_search.sync_detailed(client=api, page_size=101)
        if refused.status_code != 400 or error_codes(refused.parsed) != {"page_size": ["max_value"]}:
            problems.append(f"search with page_size 101: {refused.status_code} {refused.content[:200]!r}")

        # Get: the profile with its ISO codes and its ETag
        got = expect("get", profiles_get.sync_detailed(ucrn, client=api), 200,
                     lambda p: p.ucrn == ucrn and p.country_code == "GB")

        # Create (idempotent: the same key answers the same)
        key = str(uuid.uuid4())
        body = ProfileCreateInput(contact_type="Individual", preferred_contact_method=3, first_name="Gen",
                                  last_name="Client", email_address=f"gen-{key[:8]}@example.org", house="1",
                                  street="Generated Street", postcode="M1 1AE")
        created = profiles_create.sync_detailed(client=api, body=body, idempotency_key=key)
        new = expect("create", created, 201, lambda p: p.country_code == "GB" and p.warnings is not UNSET)
        again = profiles_create.sync_detailed(client=api, body=body, idempotency_key=key)
        if new is not None and (again.status_code != 201 or json.loads(again.content)["ucrn"] != new.ucrn):
            problems.append("create replayed with its Idempotency-Key: not the first answer")
        if new is None:
            return report()
        new_ucrn = new.ucrn

        # Full Update, update_primary_address 0: a new address record, the old one ended
        put = ProfileUpdateInput(contact_type="Individual", preferred_contact_method=3, house="2",
                                 street="Moved Street", postcode="M1 2AB", update_primary_address=False)
        expect("put (new address)", profiles_update.sync_detailed(new_ucrn, client=api, body=put), 200,
               lambda p: p.street == "Moved Street")
        expect("addresses after the move", profiles_addresses.sync_detailed(new_ucrn, client=api), 200,
               lambda records: len(records) == 2 and records[0].is_primary and records[0].street == "Moved Street")

        # Partial Update, update_primary_address 1: the primary address changed in place
        current = expect("get before patch", profiles_get.sync_detailed(new_ucrn, client=api), 200)
        version = current.version if current is not None else 0
        patch = PatchedProfilePatchInput(street="Corrected Street", update_primary_address=True)
        patched = profiles_partial_update.sync_detailed(new_ucrn, client=api, body=patch, if_match=f'"v{version}"')
        expect("patch (in place)", patched, 200, lambda p: p.street == "Corrected Street" and p.house == "2")
        expect("addresses after the correction", profiles_addresses.sync_detailed(new_ucrn, client=api), 200,
               lambda records: len(records) == 2 and records[0].street == "Corrected Street")

        # A stale If-Match: 412, nothing changed
        stale = profiles_partial_update.sync_detailed(new_ucrn, client=api, body=PatchedProfilePatchInput(
            first_name="Lost"), if_match=f'"v{version}"')
        if stale.status_code != 412 or "precondition_failed" not in str(error_codes(stale.parsed)):
            problems.append(f"stale If-Match: {stale.status_code} {stale.content[:200]!r}")

        # An email is not changeable by an Update: 400 email_not_updatable
        email = profiles_partial_update.sync_detailed(new_ucrn, client=api, body=PatchedProfilePatchInput(
            email_address="other@example.org"))
        if email.status_code != 400 or error_codes(email.parsed) != {"email_address": ["email_not_updatable"]}:
            problems.append(f"email in an Update: {email.status_code} {email.content[:200]!r}")

        # The change history
        expect("history", profiles_history.sync_detailed(new_ucrn, client=api), 200,
               lambda records: len(records) >= 3 and records[0].when.tzinfo is not None)

        # An import: one record updated by email, one created, one refused for its unknown key
        records = []
        for data in ({"email_address": body.email_address, "first_name": "Imported"},
                     {"email_address": f"import-{key[:8]}@example.org", "contact_type": "Individual",
                      "preferred_contact_method": 3, "last_name": "Imported"},
                     {"email_address": f"odd-{key[:8]}@example.org", "contact_type": "Individual",
                      "preferred_contact_method": 3, "colour": "red"}):
            item = ImportInputRecordsItem()
            item.additional_properties.update(data)
            records.append(item)
        imported = expect("import", profiles_import.sync_detailed(
            client=api, body=ImportInput(matching=MatchingEnum.EMAIL_ADDRESS, records=records),
            idempotency_key=str(uuid.uuid4())), 200,
            lambda out: [r.status.value for r in out.results] == ["updated", "created", "error"])

        # An event about the customer, and the event as stored
        event = expect("event", events_create.sync_detailed(
            client=api, body=EventInput(type_="visit", ucrn=new_ucrn), idempotency_key=str(uuid.uuid4())), 201,
            lambda event: event.ucrn == new_ucrn)
        if event is not None:
            expect("event as stored", events_get.sync_detailed(event.id, client=api), 200,
                   lambda stored: stored.received_at.tzinfo is not None)

        # Duplicates, a merge of the imported customer into the new one, the merge, its undo, the export
        expect("duplicates", profiles_duplicates.sync_detailed(client=api, ucrn=new_ucrn), 200,
               lambda out: out.ucrn == new_ucrn)
        other = imported.results[1].ucrn if imported is not None else None
        if isinstance(other, str):
            merge = expect("merge", profiles_merge.sync_detailed(new_ucrn, client=api, body=MergeInput(merge=other),
                                                                 idempotency_key=str(uuid.uuid4())), 201,
                           lambda out: out.merged == other)
            if merge is not None:
                expect("merge as stored", profiles_merge_get.sync_detailed(new_ucrn, merge.id, client=api), 200)
                expect("undo", profiles_merge_undo.sync_detailed(new_ucrn, merge.id, client=api), 200,
                       lambda out: out.merged_profile.ucrn == other)
        expect("export", profiles_export.sync_detailed(new_ucrn, client=api), 200,
               lambda out: out.ucrn == new_ucrn and len(out.change_history) >= 3)

        # A form submission: the Update sends only what is given (the mobile)
        form = os.environ["HUB_FORM"]
        expect("form", forms_get.sync_detailed(form, client=api), 200, lambda f: f.slug == form)
        values = FormsSubmitBody()
        values.additional_properties.update({"Ucrn": new_ucrn, "Contact_Type": "Individual",
                                             "Preferred_Contact_Method": "3", "Mobile_Number": "07700 900123"})
        expect("form submission", forms_submit.sync_detailed(form, client=api, body=values,
                                                             idempotency_key=str(uuid.uuid4())), 201,
               lambda out: out.customer == new_ucrn)
        expect("get after the form", profiles_get.sync_detailed(new_ucrn, client=api), 200,
               lambda p: p.mobile_number == "+447700900123" and p.street == "Corrected Street")

        # An unknown key: 400 naming it (a form has no such field)
        unknown = FormsSubmitBody()
        unknown.additional_properties.update({"Ucrn": new_ucrn, "Colour": "red"})
        refused = forms_submit.sync_detailed(form, client=api, body=unknown, idempotency_key=str(uuid.uuid4()))
        if refused.status_code != 400 or "Colour" not in error_codes(refused.parsed):
            problems.append(f"unknown key: {refused.status_code} {refused.content[:200]!r}")

        if got is not None and got.updated_at.tzinfo is None:
            problems.append("get: updated_at without a time zone")
    return report()


def report() -> int:
    print(f"{len(checked)} responses validated against the schema")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
