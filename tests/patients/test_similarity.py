"""When two names are likely one person's (patients.similarity): pure, no database."""

from __future__ import annotations

import pytest

from patients.similarity import likely_same_name, name_tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("José", "Núñez"), ("jose", "nunez")),  # case and accents
        (("JOSÉ", "NÚÑEZ"), ("José", "Núñez")),
        (("José", "Núñez"), ("Núñez", "José")),  # given and family name swapped
        (("Anne-Marie", "O'Brien"), ("Anne Marie", "OBrien ")),  # punctuation
        (("Zoë", "Åberg"), ("Zoe", "Aberg")),
        (("Mary", "Smith-Jones"), ("mary smith", "jones")),  # the words split differently
        (("Christopher", "Wellington"), ("Christpher", "Wellington")),  # a typo in a long name
        (("Christopher", "Wellington"), ("Chrsitopher", "Wellington")),  # two letters swapped
    ],
)
def test_it_reads_these_as_the_same_name(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert likely_same_name(*a, *b)
    assert likely_same_name(*b, *a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("José", "Núñez"), ("José", "Nuño")),
        (("Ann", "Lee"), ("Ann", "Lea")),  # a short name one letter off is another name
        (("Ann", "Lee"), ("Anna", "Lee")),
        (("Ann", "Lee"), ("Ann", "Lee-Smith")),  # a word more
        (("Christopher", "Wellington"), ("Christina", "Wellington")),
        (("", ""), ("", "")),
    ],
)
def test_it_reads_these_as_different_names(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not likely_same_name(*a, *b)


def test_tokens_are_folded_and_ordered() -> None:
    assert name_tokens("Núñez", "José") == ("jose", "nunez")
    assert name_tokens("  STRAẞE ") == ("strasse",)
