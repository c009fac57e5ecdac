"""Checks on free text: bounded lengths for notes and reasons, and reasons that say something."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

from clinic.errors import InvalidInput

#: A clinical note is a paragraph or a page, not a book: longer input is a paste gone wrong.
NOTE_MAX_LENGTH = 5000
#: A reason (departure, override, cancellation) is a sentence or two.
REASON_MAX_LENGTH = 2000


def bounded_text(max_length: int = NOTE_MAX_LENGTH, **kwargs: Any) -> models.TextField:
    """A TextField whose bound holds everywhere: forms and serializers read `max_length`, and
    the validator makes `full_clean` (and so every service) enforce it too."""
    return models.TextField(
        max_length=max_length,
        validators=[MaxLengthValidator(max_length), ProhibitNullCharactersValidator()],
        **kwargs,
    )


def checked_text(text: str, *, field: str, max_length: int = REASON_MAX_LENGTH) -> str:
    """Text typed straight into a service (not through a form): stripped, bounded, no NUL,
    which PostgreSQL cannot store."""
    if "\x00" in text:
        message = "This text contains a NUL character, which cannot be stored."
        raise InvalidInput(message, fields={field: [message]})
    text = text.strip()
    if len(text) > max_length:
        message = f"Keep this to {max_length:,} characters (it has {len(text):,})."
        raise InvalidInput(message, fields={field: [message]})
    return text


def is_meaningful(text: str, *, letters: int = 3) -> bool:
    """At least `letters` letters or digits once invisible characters are removed: a reason
    made of spaces or zero-width characters is no reason."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc", "Zs"})
    return sum(ch.isalnum() for ch in visible) >= letters


#: Characters that reorder or hide text: bidirectional embeddings, overrides and isolates,
#: marks, zero-width space, word joiner and byte-order mark. Joiners (U+200C, U+200D) stay: Persian,
#: Indic scripts and emoji need them.
HIDDEN_CHARACTERS = frozenset(
    "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def validate_visible_text(value: str) -> None:
    """A name shows what it says: no control characters and nothing that reorders or hides
    text (a right-to-left override can make "Smith" display as another name)."""
    for character in value:
        if character in HIDDEN_CHARACTERS or unicodedata.category(character) == "Cc":
            raise ValidationError(
                f"Remove the invisible character U+{ord(character):04X} from this name.",
                code="hidden_character",
            )
