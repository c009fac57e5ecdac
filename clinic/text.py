"""Checks on free text that carries a clinical decision."""

from __future__ import annotations

import unicodedata


def is_meaningful(text: str, *, letters: int = 3) -> bool:
    """At least `letters` letters or digits once invisible characters are removed: a reason
    made of spaces or zero-width characters is no reason."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cf", "Cc", "Zs"})
    return sum(ch.isalnum() for ch in visible) >= letters
