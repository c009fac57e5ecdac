"""manage.py seed_demo: demo staff, clinic resources, patients and plans (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.demo import DEMO_LOGINS, DemoDataError, seed_demo


class Command(BaseCommand):
    help = "Create demo data for a developer's machine. Refuses to run with DEBUG off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo logins have published passwords."
            )
        try:
            counts, note = seed_demo()
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        if counts:
            made = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {made}."))
            if note:
                self.stdout.write(note)
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already present; nothing changed."))
        self.stdout.write("Demo logins (development only):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role:<14} {login.username:<14} {login.password}")
