"""The admin of other systems: clients with multi-selected allow-lists, tokens shown once, rules checked."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token

from core.roles import is_csa
from systems.models import ApiClient, Rule, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def rule_form(client_pk="", data_name="first_name", strategy="always_set") -> dict:
    return {
        "name": "myForm", "event_type": "form", "client": client_pk, "active": "on", "order": "0",
        "conditions-TOTAL_FORMS": "1", "conditions-INITIAL_FORMS": "0",
        "conditions-0-property": "formId", "conditions-0-operator": "equals", "conditions-0-value": "myForm",
        "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
        "actions-0-property": "theFirstName", "actions-0-data_name": data_name, "actions-0-strategy": strategy,
    }


def test_a_client_is_made_with_a_user_of_its_own_and_its_allow_lists(admin_client):
    response = admin_client.post("/admin/systems/apiclient/add/", {
        "name": "Waste system", "user": "", "active": "on", "readable": ["first_name", "postcode"],
        "writable": ["custom_3"], "notes": "",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    client = ApiClient.objects.get()
    assert client.readable == ["first_name", "postcode"] and client.writable == ["custom_3"]
    assert client.user.username == "api-waste-system" and not client.user.has_usable_password()
    assert is_csa(client.user) and not client.user.is_staff


def test_unknown_names_and_administrators_are_refused(admin_client, admin_user):
    response = admin_client.post("/admin/systems/apiclient/add/", {
        "name": "Bad", "user": admin_user.pk, "active": "on", "readable": ["shoe_size"], "writable": [],
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "readable" in errors and "user" in errors
    assert not ApiClient.objects.exists()


def test_rotate_shows_the_new_key_once_and_revoke_removes_it(admin_client, system_factory):
    system = system_factory()
    old = system.key
    response = admin_client.post("/admin/systems/apiclient/", {
        "action": "rotate_token", "_selected_action": [system.client.pk]})
    assert response.status_code == 200
    key = Token.objects.get(user=system.client.user).key
    assert key != old and key in response.content.decode() and "no-store" in response["Cache-Control"]
    assert key not in admin_client.get(f"/admin/systems/apiclient/{system.client.pk}/change/").content.decode()
    response = admin_client.post("/admin/systems/apiclient/", {
        "action": "revoke_token", "_selected_action": [system.client.pk]})
    assert response.status_code == 302
    assert not Token.objects.filter(user=system.client.user).exists()


def test_the_admin_saves_a_rule_with_its_conditions_and_actions(admin_client):
    response = admin_client.post("/admin/systems/rule/add/", rule_form())
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert [(a.property, a.data_name) for a in rule.actions.all()] == [("theFirstName", "first_name")]
    assert [(c.property, c.value) for c in rule.conditions.all()] == [("formId", "myForm")]


@pytest.mark.parametrize("data_name,strategy", [
    ("email_address", "always_set"),
    ("first_name", "add_to_list"),
])
def test_the_admin_refuses_rules_any_client_could_not_apply(admin_client, data_name, strategy):
    response = admin_client.post("/admin/systems/rule/add/", rule_form(data_name=data_name, strategy=strategy))
    assert response.status_code == 200
    assert not Rule.objects.exists()


def test_the_admin_refuses_a_rule_writing_what_its_client_may_not(admin_client, system_factory):
    system = system_factory(writable=["last_name"])
    response = admin_client.post("/admin/systems/rule/add/", rule_form(client_pk=system.client.pk))
    assert response.status_code == 200
    assert "may not write first_name" in response.content.decode()
    assert not Rule.objects.exists()
    response = admin_client.post("/admin/systems/rule/add/", rule_form(client_pk=system.client.pk,
                                                                       data_name="last_name"))
    assert response.status_code == 302


def test_the_logs_are_read_only_pages(admin_client):
    for model in ("event", "delivery"):
        assert admin_client.get(f"/admin/systems/{model}/").status_code == 200
        assert admin_client.get(f"/admin/systems/{model}/add/").status_code == 403
    assert admin_client.get("/admin/systems/subscription/add/").status_code == 200


# --- Webhook secrets: generated, shown once, never again; a typed one is long ---------------------------


def subscription_form(**extra: str) -> dict:
    return {"name": "crm", "url": "https://hooks.example.org/crm", "kinds": ["profile.updated"], "active": "on",
            "client": "", "paused_at_0": "", "paused_at_1": "", **extra}


def test_a_new_subscription_gets_a_generated_secret_shown_once(admin_client):
    response = admin_client.post("/admin/systems/subscription/add/", subscription_form())
    subscription = Subscription.objects.get()
    assert len(subscription.secret) >= 43  # 32 random bytes
    page = response.content.decode()
    assert response.status_code == 200 and subscription.secret in page and "not shown again" in page
    assert "no-store" in response["Cache-Control"]
    for url in (f"/admin/systems/subscription/{subscription.pk}/change/", "/admin/systems/subscription/"):
        assert subscription.secret not in admin_client.get(url).content.decode()


def test_a_typed_secret_must_be_long_and_is_never_shown(admin_client):
    response = admin_client.post("/admin/systems/subscription/add/", subscription_form(new_secret="s1"))
    assert "new_secret" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()
    typed = "correct-horse-battery-staple-0123456789"
    response = admin_client.post("/admin/systems/subscription/add/", subscription_form(new_secret=typed))
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.secret == typed
    assert typed not in admin_client.get(f"/admin/systems/subscription/{subscription.pk}/change/").content.decode()


def test_saving_a_change_keeps_the_secret_and_the_model_refuses_a_short_one(admin_client):
    admin_client.post("/admin/systems/subscription/add/", subscription_form())
    subscription = Subscription.objects.get()
    secret = subscription.secret
    response = admin_client.post(f"/admin/systems/subscription/{subscription.pk}/change/",
                                 subscription_form(name="crm (renamed)"))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.name == "crm (renamed)" and subscription.secret == secret
    subscription.secret = "s1"
    with pytest.raises(ValidationError) as refused:
        subscription.full_clean()
    assert "secret" in refused.value.message_dict


def test_the_generate_action_replaces_the_secret_and_shows_it_once(admin_client):
    admin_client.post("/admin/systems/subscription/add/", subscription_form())
    subscription = Subscription.objects.get()
    old = subscription.secret
    response = admin_client.post("/admin/systems/subscription/", {
        "action": "generate_secret", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.secret != old and len(subscription.secret) >= 43
    assert subscription.secret in response.content.decode() and "no-store" in response["Cache-Control"]
