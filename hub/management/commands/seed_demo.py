"""`manage.py seed_demo [--customers N]`: demo customers, users and forms for a developer's machine (SPEC 7).

Customers are made through the profile service (channel "command"), so each has its change records and
obeys every rule, and older addresses are added as a real move would add them. The demo customers are
known by their email domain: running the command again only tops them up to N, and the demo users are
updated in place, never duplicated.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from faker import Faker
from tqdm import tqdm

from core.roles import Role, assign_role
from integrations.demo import install_demo_forms
from profiles import values
from profiles.models import Channel, Customer, Language
from profiles.services import profile_create, profile_update

DEMO_EMAIL_DOMAIN = "demo.example.org"

# Fixed on purpose: printed at the end and in the README, for a demo on a developer's machine only.
DEMO_USERS: list[tuple[str, Role, str]] = [
    ("demo-admin", Role.ADMIN, "demo-admin-password"),
    ("demo-csa", Role.CSA, "demo-csa-password"),
    ("demo-citizen", Role.CITIZEN, "demo-citizen-password"),
]

# Real outward codes with their towns, so a search by district or town finds demo people.
OUTWARD_CODES: dict[str, tuple[str, str]] = {
    "SW1A": ("London", "Greater London"),
    "CR2": ("Croydon", "Greater London"),
    "M1": ("Manchester", "Greater Manchester"),
    "B33": ("Birmingham", "West Midlands"),
    "DN4": ("Doncaster", "South Yorkshire"),
    "S1": ("Sheffield", "South Yorkshire"),
    "LS1": ("Leeds", "West Yorkshire"),
    "BS1": ("Bristol", "Bristol"),
    "NE1": ("Newcastle upon Tyne", "Tyne and Wear"),
    "L1": ("Liverpool", "Merseyside"),
    "NG1": ("Nottingham", "Nottinghamshire"),
    "OX1": ("Oxford", "Oxfordshire"),
    "CF10": ("Cardiff", "South Glamorgan"),
    "EH1": ("Edinburgh", "Midlothian"),
    "G1": ("Glasgow", "Lanarkshire"),
    "BT1": ("Belfast", "County Antrim"),
}
STREET_KINDS = ["Road", "Street", "Lane", "Avenue", "Close", "Drive", "Gardens", "Crescent", "Way", "Grove",
                "Terrace", "Place"]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
LANGUAGE_CODES = ["en"] * 17 + ["cy", "pl", "ur", "pa", "bn", "ro", "so", "ar"]


def demo_customers() -> Any:
    return Customer.objects.filter(email_address__iendswith="@" + DEMO_EMAIL_DOMAIN)


class DemoData:
    """Realistic UK customer data (Faker en_GB), as data names ready for the profile service."""

    def __init__(self) -> None:
        self.fake = Faker("en_GB")
        self.rng = random.Random()
        self.languages = dict(Language.objects.filter(code__in=LANGUAGE_CODES).values_list("code", "id"))

    def profile(self) -> dict[str, Any]:
        fake, rng = self.fake, self.rng
        local_part = ""
        if rng.random() < 0.08:
            data: dict[str, Any] = {"contact_type": "Organization", "organisation_name": fake.company()}
            local_part = "enquiries"
        else:
            female = rng.random() < 0.5
            first = fake.first_name_female() if female else fake.first_name_male()
            last = fake.last_name()
            title = rng.choice(["Mrs", "Ms", "Miss"] if female else ["Mr"]) if rng.random() < 0.9 else "Dr"
            data = {
                "contact_type": "Individual",
                "prefix_id": {"Mr": 1, "Mrs": 2, "Miss": 3, "Ms": 4, "Dr": 6}[title],
                "first_name": first,
                "last_name": last,
                "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=95),
            }
            local_part = f"{first}.{last}"
            if rng.random() < 0.03:
                data["suffix_id"] = rng.choice([1, 7, 8])  # Jr, OBE, MBE
        local_part = re.sub(r"[^a-z.]", "", local_part.lower())
        data["email_address"] = f"{local_part}.{rng.randrange(10**6):06d}@{DEMO_EMAIL_DOMAIN}"
        methods = [3, 4]
        if rng.random() < 0.7:
            data["phone_number"] = f"0117 496 {rng.randrange(1000):04d}"  # Ofcom's numbers for drama
            methods.append(1)
        if rng.random() < 0.8:
            data["mobile_number"] = f"07700 900{rng.randrange(1000):03d}"
            methods.append(2)
        data["preferred_contact_method"] = rng.choice(methods)
        others = [m for m in methods if m != data["preferred_contact_method"]]
        extra = rng.sample(others, k=rng.randint(0, min(2, len(others))))
        data["notification_preference"] = [data["preferred_contact_method"], *extra]
        data["consent_to_share"] = rng.randint(0, 1)
        data["status"] = rng.choices(["Active", "Inactive", "Deceased"], weights=[92, 5, 3])[0]
        data["location"] = rng.choices([1, 2, 3, 4, 5], weights=[85, 8, 3, 2, 2])[0]
        if language := self.languages.get(rng.choice(LANGUAGE_CODES)):
            data["preferred_language_id"] = language
        if rng.random() < 0.1:
            data["twitter"] = "@" + re.sub(r"\W", "", fake.user_name())[:15]
        return data

    def address(self) -> dict[str, Any]:
        fake, rng = self.fake, self.rng
        outward = rng.choice(list(OUTWARD_CODES))
        town, county = OUTWARD_CODES[outward]
        address = {
            "house": fake.building_number(),
            "street": f"{fake.last_name()} {rng.choice(STREET_KINDS)}",
            "town": town,
            "post_town": town.upper(),
            "county": county,
            "postcode": f"{outward} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}",
            "uprn": str(rng.randint(10**8, 10**11)),
        }
        if rng.random() < 0.15:
            address["flat"] = f"Flat {rng.randint(1, 24)}"
        return address

    def addresses(self, today: dt.date) -> list[dict[str, Any]]:
        """Oldest first: the current address and, for about a third, one or two earlier ones that ended."""
        moves = self.rng.choices([0, 1, 2], weights=[67, 25, 8])[0]
        start = today - dt.timedelta(days=self.rng.randint(60, 15 * 365))
        history = [{**self.address(), "start_date": start}]
        for _ in range(moves):
            end = history[0]["start_date"] - dt.timedelta(days=1)
            start = end - dt.timedelta(days=self.rng.randint(365, 8 * 365))
            history.insert(0, {**self.address(), "start_date": start, "end_date": end})
        return history


class Command(BaseCommand):
    help = "Load demo customers (through the profile service) and the demo users; safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=200, help="How many demo customers (default 200).")

    def handle(self, *args, customers: int, **options) -> None:
        users = {username: self._demo_user(username, role, password) for username, role, password in DEMO_USERS}
        missing = max(customers - demo_customers().count(), 0)
        self._create_customers(missing, acting_user=users["demo-admin"], data=DemoData())
        self.stdout.write(f"Demo customers: {missing} created, {demo_customers().count()} in all.")
        linked = self._link_citizen(users["demo-citizen"])
        forms = install_demo_forms()
        added = ", ".join(f.name for f in forms) or "all there already"
        self.stdout.write(f"Demo forms: {len(forms)} added ({added}).")
        self.stdout.write("Demo users (for a developer's machine only):")
        for username, role, password in DEMO_USERS:
            self.stdout.write(f"  {username:<14} password {password:<24} role {role.value}")
        if linked:
            self.stdout.write(f"demo-citizen is linked to the customer {linked}.")

    def _demo_user(self, username: str, role: Role, password: str):
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        assign_role(user, role)
        return user

    def _create_customers(self, count: int, *, acting_user, data: DemoData) -> None:
        today = values.today()
        # The raw stream under Django's wrapper: the wrapper would end each of tqdm's redraws with a newline.
        for _ in tqdm(range(count), desc="Demo customers", unit="customer", file=self.stderr._out):
            history = data.addresses(today)
            with transaction.atomic():  # a customer and its moves, or nothing: the count stays true
                result = profile_create(data={**data.profile(), **history[0]}, user=acting_user,
                                        channel=Channel.COMMAND)
                for address in history[1:]:
                    profile_update(ucrn=result.customer.ucrn, data=address, user=acting_user,
                                   channel=Channel.COMMAND, full=False)

    def _link_citizen(self, citizen) -> str | None:
        """Link demo-citizen to an active demo person, unless it already has a customer."""
        current = Customer.objects.filter(portal_user=citizen).values_list("ucrn", flat=True).first()
        if current:
            return current
        customer = (
            demo_customers()
            .filter(portal_user=None, contact_type_id="Individual", status_id="Active")
            .order_by("ucrn")
            .first()
        )
        if customer is None:
            return None
        customer.portal_user = citizen
        customer.save(update_fields=["portal_user"])
        return customer.ucrn
