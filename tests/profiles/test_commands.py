"""The management commands of SPEC section 7: adduser, apitoken, seed_demo."""
from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from core.roles import is_admin, is_citizen, is_csa
from hub.management.commands.seed_demo import DEMO_USERS, demo_customers
from integrations.demo import DEMO_FORMS
from integrations.models import Form
from profiles.access import linked_ucrn
from profiles.models import Address, ChangeRecord, Customer
from profiles.ucrn import new_ucrn_candidate
from tests.factories import CustomerFactory, UserFactory

User = get_user_model()


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- adduser ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_adduser_creates_a_user_with_the_role_and_password():
    output = run("adduser", "agent", "--role", "csa", "--password", "s3cret-pass-phrase")
    user = User.objects.get(username="agent")
    assert is_csa(user) and not is_admin(user)
    assert user.check_password("s3cret-pass-phrase")
    assert "Created user 'agent'" in output
    assert "s3cret" not in output  # a password given is not echoed


@pytest.mark.django_db
def test_adduser_without_a_password_prints_a_strong_random_one():
    output = run("adduser", "boss", "--role", "admin")
    password = output.split("Password: ")[1].strip()
    assert len(password) >= 20
    user = User.objects.get(username="boss")
    assert user.check_password(password) and is_admin(user)


@pytest.mark.django_db
def test_adduser_is_idempotent_and_updates_the_role():
    run("adduser", "agent", "--role", "citizen", "--password", "first-pass-phrase")
    output = run("adduser", "agent", "--role", "csa")
    user = User.objects.get(username="agent")
    assert User.objects.filter(username="agent").count() == 1
    assert is_csa(user) and not is_citizen(user)
    assert user.check_password("first-pass-phrase")  # no --password: unchanged
    assert "Updated user 'agent'" in output and "Password unchanged" in output


@pytest.mark.django_db
def test_adduser_links_a_citizen_to_their_customer(customer):
    output = run("adduser", "jane", "--role", "citizen", "--ucrn", customer.ucrn, "--password", "pw-for-jane-1")
    user = User.objects.get(username="jane")
    assert is_citizen(user) and linked_ucrn(user) == customer.ucrn
    assert customer.ucrn in output
    run("adduser", "jane", "--role", "citizen", "--ucrn", customer.ucrn)  # again: fine
    customer.refresh_from_db()
    assert customer.portal_user == user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "citizen", "--ucrn", "12345"], "not a valid UCRN"),
        (["--role", "citizen", "--ucrn", "abc"], "not a valid UCRN"),
        (["--role", "csa", "--ucrn", "VALID"], "only with --role citizen"),
        (["--role", "citizen", "--ucrn", "UNKNOWN"], "No customer has the UCRN"),
        (["--role", "citizen", "--ucrn", "TAKEN"], "already linked to the user 'citizen'"),
    ],
)
def test_adduser_refuses_a_bad_ucrn_clearly(citizen, args, message):
    ucrn = {"VALID": CustomerFactory().ucrn, "UNKNOWN": new_ucrn_candidate(), "TAKEN": citizen.customer.ucrn}
    args = [ucrn.get(a, a) for a in args]
    with pytest.raises(CommandError, match=message):
        run("adduser", "newbie", *args)
    assert not User.objects.filter(username="newbie").exists()  # nothing half done


@pytest.mark.django_db
def test_adduser_refuses_a_second_customer_for_one_citizen(citizen):
    other = CustomerFactory()
    with pytest.raises(CommandError, match="already linked to the customer"):
        run("adduser", "citizen", "--role", "citizen", "--ucrn", other.ucrn)


def test_adduser_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="invalid choice"):
        run("adduser", "x", "--role", "boss")


# --- apitoken --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_apitoken_prints_the_token_alone_on_the_last_line(csa):
    first = run("apitoken", "csa").splitlines()[-1]
    assert first == Token.objects.get(user=csa).key
    assert run("apitoken", "csa").splitlines()[-1] == first  # the same token, not a new one each time


@pytest.mark.django_db
def test_apitoken_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user is called 'ghost'"):
        run("apitoken", "ghost")


# --- seed_demo -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_loads_customers_with_history_and_users():
    output = run("seed_demo", "--customers", "40")  # about a third have moved: all 40 unmoved is ~1e-7
    customers = demo_customers()
    assert customers.count() == 40
    # Made through the service: a create record each, with the command channel.
    assert ChangeRecord.objects.filter(action="create", channel="command").count() == 40
    assert Address.objects.filter(is_primary=True).count() == 40
    older = Address.objects.filter(is_primary=False)
    assert older.exists() and not older.filter(end_date=None).exists()
    for username, _role, password in DEMO_USERS:
        assert User.objects.get(username=username).check_password(password)
        assert username in output and password in output
    assert is_admin(User.objects.get(username="demo-admin"))
    assert is_csa(User.objects.get(username="demo-csa"))
    citizen = User.objects.get(username="demo-citizen")
    assert is_citizen(citizen) and customers.filter(ucrn=linked_ucrn(citizen)).exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    other = CustomerFactory()  # not a demo customer: left alone and not counted
    run("seed_demo", "--customers", "5")
    citizen_ucrn = linked_ucrn(User.objects.get(username="demo-citizen"))
    run("seed_demo", "--customers", "5")
    assert demo_customers().count() == 5
    assert Customer.objects.count() == 6 and Customer.objects.filter(pk=other.pk).exists()
    assert User.objects.filter(username__startswith="demo-").count() == 3
    assert linked_ucrn(User.objects.get(username="demo-citizen")) == citizen_ucrn
    run("seed_demo", "--customers", "7")
    assert demo_customers().count() == 7
    assert Form.objects.filter(slug__in=[f["slug"] for f in DEMO_FORMS]).count() == len(DEMO_FORMS)


@pytest.mark.django_db
def test_seed_demo_shows_a_progress_bar():
    err = StringIO()
    call_command("seed_demo", "--customers", "2", stdout=StringIO(), stderr=err)
    assert "2/2" in err.getvalue()


@pytest.mark.django_db
def test_seed_demo_puts_the_demo_users_back_in_their_roles():
    UserFactory(username="demo-csa", role="citizen")
    run("seed_demo", "--customers", "1")
    assert is_csa(User.objects.get(username="demo-csa"))
