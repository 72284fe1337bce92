"""`manage.py apitoken USERNAME`: print the user's API token, making one if needed (SPEC section 7).

The token is alone on the last line, so scripts can take it with `tail -n 1`. A token past its lifetime
(`API_TOKEN_MAX_AGE_DAYS`, when set) is replaced by a new one.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.apitokens import current_token
from core.roles import is_citizen, is_csa


class Command(BaseCommand):
    help = "Print a user's API token (made if the user has none), alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}: create it with `manage.py adduser`.")
        token, created = current_token(user)
        if not user.is_active:
            self.stderr.write(f"Warning: {username!r} is inactive: the API will refuse this token.")
        elif not (is_csa(user) or is_citizen(user)):
            self.stderr.write(f"Warning: {username!r} has no role: give one with `manage.py adduser --role`.")
        self.stdout.write(f"{'New' if created else 'Existing'} API token of {username!r}:")
        self.stdout.write(token.key)
