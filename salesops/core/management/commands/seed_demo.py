"""Load the demo data of every floor (salesops.core.demo): one user per role, teams, customers, products, a price list,
quotations, a contract and orders in several states, so every inbox has work. Safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from salesops.core.demo import DEMO_PASSWORD, DEMO_USERS, seed_all


class Command(BaseCommand):
    help = "Load demo data (idempotent): users for each role (password demo12345), teams, customers, products, documents."

    def handle(self, *args, **options):
        seed_all()
        usernames = ", ".join(username for username, *_ in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in as any of {usernames} / {DEMO_PASSWORD}"))
