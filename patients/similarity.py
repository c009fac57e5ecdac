"""When two patients' names are likely the same person's. Pure: no ORM.

Registration warns of a likely duplicate before saving (same date of birth, similar name);
the selector narrows by date of birth in the database and asks this module about the names.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑–—.,]+")
#: Marks inside a word (O'Brien, O’Brien and OBrien are one name).
_INSIDE_WORDS = re.compile(r"['’`ʼ]")


def name_tokens(*parts: str) -> tuple[str, ...]:
    """The words of a name, case- and accent-free and in order of the alphabet, so that
    "José Núñez", "jose nunez" and "Nunez, Jose" read alike. Letters without a decomposition
    (ß, ø, ł) are folded by casefold or kept as they are."""
    folded = unicodedata.normalize("NFKD", " ".join(parts)).casefold()
    bare = _INSIDE_WORDS.sub("", "".join(c for c in folded if not unicodedata.combining(c)))
    return tuple(sorted(word for word in _SEPARATORS.split(bare) if word))


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


#: Below this many letters a name is too short for a typo to still say "the same person".
TYPO_MIN_LETTERS = 8


def likely_same_name(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """True when two names are likely one person's: the same words, whatever their case,
    accents, punctuation or order (a given and a family name swapped), or one typo apart in a
    name long enough for that to mean little."""
    a, b = name_tokens(given_a, family_a), name_tokens(given_b, family_b)
    if not a or not b:
        return False
    if a == b:
        return True
    joined_a, joined_b = "".join(a), "".join(b)
    return (
        len(a) == len(b)
        and min(len(joined_a), len(joined_b)) >= TYPO_MIN_LETTERS
        and _one_edit_apart(" ".join(a), " ".join(b))
    )
