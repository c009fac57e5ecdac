"""manage.py load_knowledge: load or refresh the knowledge base from its data file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.loader import DEFAULT_PATH, KnowledgeFileError, load_knowledge


class Command(BaseCommand):
    help = "Load studies, indications, protocols, rules and scales from the knowledge file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, default=DEFAULT_PATH, help=f"Data file (default {DEFAULT_PATH})."
        )
        parser.add_argument(
            "--check", action="store_true", help="Validate and report, but write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_knowledge(options["file"], dry_run=options["check"])
        except KnowledgeFileError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        if options["check"]:
            self.stdout.write(self.style.SUCCESS("File is valid; nothing written (--check)."))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS("Knowledge base updated."))
        else:
            self.stdout.write(self.style.SUCCESS("Knowledge base already up to date."))
