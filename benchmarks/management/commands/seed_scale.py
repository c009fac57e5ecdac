"""manage.py seed_scale --patients N: clinic-chain-sized data for benchmarks (bulk inserts)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.seeding import BENCH_PASSWORD, seed_scale


class Command(BaseCommand):
    help = (
        "Fill an empty database with N patients, their concerns and plans, and three years of "
        "sessions in real slots, for benchmarks. Refuses with DEBUG off unless --benchmark-db "
        "is given: its logins have a published password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=100_000)
        parser.add_argument("--practitioners", type=int, default=40)
        parser.add_argument("--rooms", type=int, default=15)
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data.")
        parser.add_argument(
            "--benchmark-db",
            action="store_true",
            help="Allow DEBUG off: this database is a throw-away benchmark database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["benchmark_db"]):
            raise CommandError(
                "seed_scale refuses to run with DEBUG off (its logins have a published "
                "password); pass --benchmark-db for a throw-away benchmark database."
            )
        for name, low in (("patients", 1), ("practitioners", 3), ("rooms", 3)):
            if not low <= options[name] <= 10_000_000:
                raise CommandError(f"--{name} must be between {low} and 10,000,000.")
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"  {time.perf_counter() - started:6.1f} s  {message}")

        try:
            counts = seed_scale(
                options["patients"],
                seed=options["seed"],
                practitioners=options["practitioners"],
                rooms=options["rooms"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(counts.by_status.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded in {elapsed:.1f} s: {counts.patients:,} patients, "
                f"{counts.concerns:,} concerns, {counts.plans:,} plans, {counts.sessions:,} "
                f"sessions ({statuses}), {counts.screenings:,} screenings, "
                f"{counts.practitioners} practitioners, {counts.rooms} rooms."
            )
        )
        self.stdout.write(
            f"Logins: bench-desk-01..20 (front desk), bench-derm-01.. (dermatologists), "
            f"password {BENCH_PASSWORD}"
        )
