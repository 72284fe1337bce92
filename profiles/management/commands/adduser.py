"""`manage.py adduser USERNAME --role {admin,csa,citizen} [--password PW] [--ucrn UCRN]` (SPEC section 7).

Idempotent, so the README and black-box tests can run it again: an existing user is updated (role,
password if given, link) rather than refused.
"""
from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.roles import Role, assign_role
from profiles.models import Customer
from profiles.ucrn import is_valid_ucrn


def generate_password() -> str:
    """A strong random password that survives copying from a terminal (URL-safe characters only)."""
    return secrets.token_urlsafe(18)


class Command(BaseCommand):
    help = "Create or update a user with a role; a citizen may be linked to a customer with --ucrn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", help="Without it, a new user gets a random password, printed once.")
        parser.add_argument("--ucrn", help="Link this citizen to the customer with this UCRN.")

    def handle(self, *args, username: str, role: str, password: str | None, ucrn: str | None, **options) -> None:
        role = Role(role)
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            customer = self._customer_to_link(ucrn, role, user) if ucrn else None
            created = user is None
            if created:
                user = User(username=username)
            generated = password is None and created
            if generated:
                password = generate_password()
            if password is not None:
                self._warn_if_weak(password, user)
                user.set_password(password)
            user.save()
            assign_role(user, role)
            if customer is not None and customer.portal_user_id != user.pk:
                customer.portal_user = user
                customer.save(update_fields=["portal_user"])

        self.stdout.write(f"{'Created' if created else 'Updated'} user {username!r} with the role {role.value}.")
        if customer is not None:
            self.stdout.write(f"Linked to the customer {customer.ucrn}.")
        if generated:
            self.stdout.write(f"Password: {password}")
        elif password is None:
            self.stdout.write("Password unchanged.")

    def _customer_to_link(self, ucrn: str, role: Role, user) -> Customer:
        """The customer a citizen is to be linked to, or a CommandError saying why not."""
        if role != Role.CITIZEN:
            raise CommandError("--ucrn links a citizen to their customer: use it only with --role citizen.")
        ucrn = ucrn.strip()
        if not is_valid_ucrn(ucrn):
            raise CommandError(f"{ucrn!r} is not a valid UCRN (9 digits with a check digit).")
        customer = Customer.objects.select_related("portal_user").filter(ucrn=ucrn).first()
        if customer is None:
            raise CommandError(f"No customer has the UCRN {ucrn}.")
        if customer.portal_user_id is not None and (user is None or customer.portal_user_id != user.pk):
            raise CommandError(
                f"The customer {ucrn} is already linked to the user {customer.portal_user.username!r}."
            )
        linked = Customer.objects.filter(portal_user=user).exclude(pk=customer.pk).first() if user else None
        if linked is not None:
            # A citizen has at most one customer (SPEC section 7): moving the link is a deliberate admin act.
            raise CommandError(
                f"The user {user.username!r} is already linked to the customer {linked.ucrn}; "
                "unlink it in the admin first."
            )
        return customer

    def _warn_if_weak(self, password: str, user) -> None:
        """Demo and test passwords are allowed, but said to be weak."""
        try:
            validate_password(password, user)
        except ValidationError as error:
            self.stderr.write("Warning: weak password: " + " ".join(error.messages))
