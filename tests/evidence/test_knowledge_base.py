"""The shipped knowledge base is complete and every item is cited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evidence.models import (
    UNCONFIRMED_PROVENANCE,
    ContraindicationRule,
    GradingScale,
    Indication,
    Protocol,
    Study,
)

pytestmark = pytest.mark.django_db

RULE_CODES = {f"C{n:02d}" for n in range(1, 27)} - {"C05"} | {"C05a", "C05b"}


def test_every_indication_of_domain_md_has_its_protocol() -> None:
    assert set(Protocol.objects.values_list("code", flat=True)) == {
        f"IND-{n:02d}" for n in range(1, 13)
    }
    assert Indication.objects.count() == 9


def test_only_drug_delivery_is_no_skin_concern() -> None:
    # A use of the technique, not a condition a patient comes with; hair loss is a skin
    # (scalp) concern, as dermatology treats it.
    assert set(
        Indication.objects.filter(is_skin_concern=False).values_list("slug", flat=True)
    ) == {"drug-delivery"}
    assert Indication.objects.filter(is_skin_concern=True).count() == 8


def test_every_rule_and_scale_is_present() -> None:
    assert set(ContraindicationRule.objects.values_list("code", flat=True)) == RULE_CODES
    assert set(GradingScale.objects.values_list("code", flat=True)) == {
        f"S{n:02d}" for n in range(1, 21)
    }


def test_every_reference_of_domain_md_is_a_study() -> None:
    numbers = set(
        Study.objects.exclude(reference_number=None).values_list("reference_number", flat=True)
    )
    assert numbers == set(range(1, 79))


def test_the_seven_studies_of_the_source_article_are_there() -> None:
    source = Study.objects.filter(source_document=True)
    assert set(source.values_list("reference_number", flat=True)) == set(range(1, 8))
    assert {s.first_author.split(" ")[0] for s in source} >= {
        "Ablon",
        "Mujahid",
        "Elawar",
        "Iriarte",
        "Schmitt",
    }


def test_every_indication_is_supported_by_a_finding() -> None:
    for indication in Indication.objects.prefetch_related("findings__study"):
        findings = list(indication.findings.all())
        assert findings, indication.slug
        assert all(f.claim and f.study.title for f in findings)


def test_protocols_rules_and_scales_cite_studies_of_their_own_topic() -> None:
    # A protocol's study is among its indication's findings or its supporting studies, so the
    # citation shown next to a protocol is evidence about that indication.
    for protocol in Protocol.objects.select_related("study", "indication"):
        finding_studies = set(protocol.indication.findings.values_list("study", flat=True))
        assert protocol.study_id in finding_studies, protocol.code
    unverified = Study.objects.get(code="unverified-clinic-pages")
    assert set(unverified.rules.values_list("code", flat=True)) == {
        "C11",
        "C14",
        "C16",
        "C18",
        "C19",
    }


def test_every_seeded_protocol_needs_clinician_review() -> None:
    assert not Protocol.objects.filter(requires_clinician_review=False).exists()


def test_the_wrinkles_protocol_is_four_sessions_30_days_apart_from_ablon_2018() -> None:
    protocol = Protocol.objects.select_related("study", "indication").get(code="IND-01")
    assert protocol.indication.slug == "wrinkles"
    assert protocol.modality == "mn"
    assert (protocol.default_sessions, protocol.default_interval_days) == (4, 30)
    assert protocol.study.first_author.startswith("Ablon")
    assert protocol.study.year == 2018


def test_protocol_depths_stay_within_three_millimetres() -> None:
    for protocol in Protocol.objects.exclude(depth_min_mm=None):
        assert protocol.depth_min_mm is not None and protocol.depth_max_mm is not None
        assert Decimal("0") < protocol.depth_min_mm <= protocol.depth_max_mm <= Decimal("3.0")


def test_keloid_tension_is_data_on_rule_c09() -> None:
    rule = ContraindicationRule.objects.get(code="C09")
    assert rule.severity == "absolute"
    assert rule.exception_severity == "relative"
    assert set(rule.exception_indications.values_list("slug", flat=True)) == {
        "hypertrophic-scars",
        "keloids",
    }
    assert rule.exception_action


def test_rf_only_rules_are_marked_and_apply_only_to_rf() -> None:
    rf_only = set(
        ContraindicationRule.objects.filter(applies_to="rf_only").values_list("code", flat=True)
    )
    assert rf_only == {"C16", "C18", "C19"}
    pacemaker = ContraindicationRule.objects.get(code="C18")
    assert not pacemaker.applies_to_modality("mn")
    assert pacemaker.applies_to_modality("rfmn")


def test_unverified_items_stay_visibly_marked() -> None:
    diabetes = ContraindicationRule.objects.get(code="C11")
    assert diabetes.provenance == "U"
    assert diabetes.is_unconfirmed
    assert Study.objects.filter(provenance__in=UNCONFIRMED_PROVENANCE).count() >= 10


def test_dois_and_pmids_render_as_links() -> None:
    study = Study.objects.get(reference_number=12)  # English 2022
    assert study.doi_url == f"https://doi.org/{study.doi}"
    assert study.pubmed_url == "https://pubmed.ncbi.nlm.nih.gov/34854067/"


@pytest.mark.parametrize(
    ("authors", "year", "citation"),
    [
        ("Ablon G", 2018, "Ablon 2018"),
        ("von Dalwig-Nolda DF, Ablon G", 2020, "von Dalwig-Nolda et al. 2020"),
        ("English RS Jr, Ruiz S, DoAmaral P", 2022, "English et al. 2022"),
        ("U.S. Food and Drug Administration", None, "U.S. Food and Drug Administration n.d."),
    ],
)
def test_short_citations_name_the_first_author(authors: str, year: int, citation: str) -> None:
    assert Study(authors=authors, year=year).short_citation == citation


def test_sources_without_captured_authors_are_cited_by_title() -> None:
    registration = Study(authors="Authors not captured", title="Trial registration NCT1: x")
    assert registration.short_citation == "Trial registration NCT1"
