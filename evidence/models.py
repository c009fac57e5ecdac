"""The knowledge base: studies and what they support.

Every indication, protocol, screening rule and grading scale points at the study behind it, and
every item keeps the provenance tag of DOMAIN.md so a clinician can see how firm it is. Rows are
loaded from `evidence/data/knowledge.toml` by `manage.py load_knowledge` and keyed by stable codes.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from evidence.limits import MAX_DEPTH_MM, MIN_INTERVAL_DAYS


class Provenance(models.TextChoices):
    """How far a fact was checked (DOMAIN.md legend). Combined tags are kept as written there."""

    SD = "SD", "[SD] starting document, not re-checked"
    SD_V = "SD/V", "[SD/V] starting document, checked"
    SD_U = "SD/U", "[SD/U] starting document, not found"
    V = "V", "[V] checked against source text"
    V_P = "V/P", "[V/P] checked, some fields partly checked"
    V_U = "V/U", "[V/U] checked, some fields unchecked"
    P = "P", "[P] partly checked"
    U = "U", "[U] not checked"
    D = "D", "[D] design inference"


#: Tags whose facts a clinician should confirm before relying on them.
UNCONFIRMED_PROVENANCE = frozenset({"SD", "SD/U", "V/P", "V/U", "P", "U", "D"})

#: A score as people type it: ASCII digits, an optional decimal part, at most 6 digits before it.
NUMBER = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,2})?")


class ProvenanceMixin(models.Model):
    provenance = models.CharField(max_length=4, choices=Provenance.choices)
    provenance_note = models.CharField(
        max_length=300, blank=True, help_text="Which fields are only partly checked or unchecked."
    )

    class Meta:
        abstract = True

    @property
    def provenance_tag(self) -> str:
        return f"[{self.provenance}]"

    @property
    def is_unconfirmed(self) -> bool:
        return self.provenance in UNCONFIRMED_PROVENANCE


def provenance_constraint(model_name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(provenance__in=Provenance.values), name=f"{model_name}_provenance_valid"
    )


class StudyDesign(models.TextChoices):
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    META_ANALYSIS = "meta_analysis", "Meta-analysis"
    RCT = "rct", "Randomised controlled trial"
    CONTROLLED_TRIAL = "controlled_trial", "Controlled trial (non-randomised)"
    COHORT = "cohort", "Cohort / open-label study"
    CASE_SERIES = "case_series", "Case series / pilot"
    CASE_REPORT = "case_report", "Case report"
    NARRATIVE_REVIEW = "narrative_review", "Narrative review"
    IN_VITRO = "in_vitro", "In vitro"
    DEVICE_LABEL = "device_label", "Device labelling"
    REGULATION = "regulation", "Regulation"
    CONSENSUS = "consensus", "Consensus statement"
    GUIDELINE = "guideline", "Guideline"
    TRIAL_REGISTRATION = "trial_registration", "Trial registration"
    EXPERT_OPINION = "expert_opinion", "Expert opinion"
    CLASSIFICATION = "classification", "Classification / scale paper"


class Study(ProvenanceMixin):
    Design = StudyDesign

    class Level(models.IntegerChoices):
        """Oxford CEBM-style level of evidence; blank where it does not apply (labels, rules)."""

        ONE = 1, "1 — systematic review / meta-analysis of RCTs"
        TWO = 2, "2 — randomised trial"
        THREE = 3, "3 — controlled or cohort study"
        FOUR = 4, "4 — case series / case report"
        FIVE = 5, "5 — expert opinion, narrative review, mechanism"

    code = models.SlugField(max_length=80, unique=True, help_text="Stable key used by the loader.")
    reference_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Number in DOMAIN.md's reference list."
    )
    authors = models.CharField(max_length=500)
    title = models.CharField(max_length=500)
    journal = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=30, blank=True)
    issue = models.CharField(max_length=30, blank=True)
    pages = models.CharField(max_length=30, blank=True)
    doi = models.CharField(max_length=200, blank=True, verbose_name="DOI")
    pmid = models.CharField(max_length=12, blank=True, verbose_name="PMID")
    pmcid = models.CharField(max_length=16, blank=True, verbose_name="PMCID")
    url = models.URLField(max_length=300, blank=True)
    design = models.CharField(max_length=30, choices=Design.choices)
    level_of_evidence = models.PositiveSmallIntegerField(
        choices=Level.choices, null=True, blank=True
    )
    source_document = models.BooleanField(
        default=False, help_text="One of the seven studies of the article the project started from."
    )
    summary = models.CharField(max_length=400, help_text="One line, in our own words.")

    class Meta:
        verbose_name_plural = "studies"
        ordering = ["authors", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["doi"],
                condition=~Q(doi=""),
                name="study_doi_unique_when_present",
                violation_error_message="Another study already has this DOI.",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="study_year_plausible",
                violation_error_message="The year must lie between 1900 and 2100.",
            ),
            models.CheckConstraint(
                condition=Q(level_of_evidence__isnull=True)
                | Q(level_of_evidence__gte=1, level_of_evidence__lte=5),
                name="study_level_1_to_5",
                violation_error_message="The level of evidence runs from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(design__in=StudyDesign.values), name="study_design_valid"
            ),
            models.CheckConstraint(
                condition=~Q(doi__startswith="http"),
                name="study_doi_bare",
                violation_error_message=(
                    "Enter the DOI without 'https://doi.org/' (it starts with '10.')."
                ),
            ),
            provenance_constraint("study"),
        ]

    def __str__(self) -> str:
        return self.short_citation

    @property
    def first_author(self) -> str:
        return self.authors.split(",")[0].strip()

    @property
    def first_author_surname(self) -> str:
        """'von Dalwig-Nolda DF' -> 'von Dalwig-Nolda'; 'English RS Jr' -> 'English'."""
        tokens = self.first_author.split()
        while len(tokens) > 1 and (
            tokens[-1].rstrip(".") == "Jr" or tokens[-1].replace(".", "").isupper()
        ):
            tokens.pop()
        return " ".join(tokens)

    @property
    def authors_known(self) -> bool:
        return "not captured" not in self.authors.split("(")[0].lower()

    @property
    def short_citation(self) -> str:
        """'Ablon 2018', 'Mujahid et al. 2020'; by title where the authors were not captured."""
        if not self.authors_known:
            lead = self.title.split(":")[0].split(" (")[0]
            words = lead.split()
            if len(words) > 8:
                lead = " ".join(words[:8]) + "…"
            return f"{lead} {self.year}" if self.year else lead
        lead = self.first_author_surname
        if "," in self.authors or " et al" in self.authors:
            lead = f"{lead} et al."
        return f"{lead} {self.year or 'n.d.'}"

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def pmc_url(self) -> str:
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{self.pmcid}/" if self.pmcid else ""

    def clean(self) -> None:
        if self.doi and not self.doi.startswith("10."):
            raise ValidationError(
                {"doi": "A DOI starts with '10.' (enter it without 'doi:' or a URL)."}
            )
        if self.pmid and not self.pmid.isdigit():
            raise ValidationError({"pmid": "A PMID is digits only."})


class Indication(models.Model):
    """A condition microneedling may treat (wrinkles, atrophic acne scars, melasma...)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    #: Whether a patient can come with it: a condition of the skin (scalp and hair included).
    #: Off for uses of the technique that are no condition, such as transdermal drug delivery,
    #: which a protocol may serve but a patient's concern never names.
    is_skin_concern = models.BooleanField(
        "skin concern",
        default=True,
        help_text=(
            "A condition of the skin (scalp and hair included) a patient comes with; off for a "
            "use of the technique that is no condition, such as transdermal drug delivery."
        ),
    )
    studies: models.ManyToManyField[Study, Finding] = models.ManyToManyField(
        Study, through="Finding", related_name="indications"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Finding(ProvenanceMixin):
    """What one study showed for one indication, in our words."""

    indication = models.ForeignKey(Indication, on_delete=models.CASCADE, related_name="findings")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="findings")
    claim = models.CharField(max_length=500)
    population = models.CharField(max_length=200, blank=True)
    regimen = models.CharField(max_length=200, blank=True)
    depth = models.CharField(max_length=100, blank=True)
    adjunct = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["indication__name", "study__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indication", "study"],
                name="finding_one_per_study",
                violation_error_message=(
                    "This study already has a finding for this indication; edit that one."
                ),
            ),
            provenance_constraint("finding"),
        ]

    def __str__(self) -> str:
        return f"{self.study.short_citation}: {self.claim[:60]}"


class Modality(models.TextChoices):
    MICRONEEDLING = "mn", "Microneedling"
    RF_MICRONEEDLING = "rfmn", "RF microneedling"


class ScaleKind(models.TextChoices):
    LEVELS = "levels", "Named grades"
    RANGE = "range", "Numeric score"
    DESCRIPTIVE = "descriptive", "Descriptive / composite"


class GradingScale(ProvenanceMixin):
    Kind = ScaleKind

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=200)
    records = models.CharField(max_length=400, help_text="What the scale records.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    levels = models.JSONField(
        default=list, blank=True, help_text='Ordered grades: [{"value": "1", "label": "..."}].'
    )
    range_min = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    range_max = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    indications = models.ManyToManyField(Indication, related_name="grading_scales", blank=True)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="grading_scales")
    supporting_studies = models.ManyToManyField(
        Study, related_name="supported_grading_scales", blank=True
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ScaleKind.values), name="scale_kind_valid"),
            models.CheckConstraint(
                condition=Q(range_min__isnull=True)
                | Q(range_max__isnull=True)
                | Q(range_min__lt=F("range_max")),
                name="scale_range_ordered",
                violation_error_message="The lowest score must be below the highest.",
            ),
            provenance_constraint("gradingscale"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def level_values(self) -> list[str]:
        return [str(level["value"]) for level in self.levels]

    def clean(self) -> None:
        if self.kind == self.Kind.LEVELS:
            if (
                not isinstance(self.levels, list)
                or not self.levels
                or not all(
                    isinstance(level, dict) and {"value", "label"} <= level.keys()
                    for level in self.levels
                )
            ):
                raise ValidationError(
                    {"levels": 'Named grades need a list of {"value": ..., "label": ...} items.'}
                )
            values = self.level_values()
            if len(set(values)) != len(values):
                raise ValidationError({"levels": "Grade values must be unique."})
        if self.kind == self.Kind.RANGE and self.range_min is None:
            raise ValidationError({"range_min": "A numeric score needs at least its minimum."})

    def grade_error(self, grade: str) -> str | None:
        """Why `grade` is not a value of this scale, or None when it is."""
        grade = grade.strip()
        if not grade:
            return None
        if self.kind == self.Kind.LEVELS:
            values = self.level_values()
            if grade not in values:
                return (
                    f"{grade!r} is not a grade of {self.name}; choose one of {', '.join(values)}."
                )
        elif self.kind == self.Kind.RANGE:
            if not NUMBER.fullmatch(grade):
                return f"{self.name} takes a number such as 12 or 12.5; got {grade!r}."
            value = Decimal(grade)
            if self.range_min is not None and value < self.range_min:
                return f"{self.name} starts at {self.range_min.normalize():f}; got {grade}."
            if self.range_max is not None and value > self.range_max:
                return f"{self.name} goes up to {self.range_max.normalize():f}; got {grade}."
        elif self.kind == self.Kind.DESCRIPTIVE:
            return f"{self.name} has no single grade; record the findings in the notes."
        return None


class Protocol(ProvenanceMixin):
    """An evidence-informed starting protocol for one indication and modality.

    Defaults are starting values, not guidelines: every seeded protocol needs clinician review.
    Protocols without defaults (`physician_defined`) leave the numbers to the dermatologist.
    """

    code = models.CharField(max_length=10, unique=True, help_text="IND-xx id from DOMAIN.md.")
    indication = models.ForeignKey(Indication, on_delete=models.PROTECT, related_name="protocols")
    modality = models.CharField(max_length=4, choices=Modality.choices)
    title = models.CharField(max_length=200)
    physician_defined = models.BooleanField(
        default=False, help_text="No evidence-based default: the dermatologist sets the numbers."
    )
    specialist_only = models.BooleanField(default=False)
    default_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_min = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_max = models.PositiveSmallIntegerField(null=True, blank=True)
    default_interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    interval_min_days = models.PositiveSmallIntegerField(null=True, blank=True)
    interval_max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    depth_min_mm = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    depth_max_mm = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    depth_note = models.CharField(max_length=400, blank=True)
    adjuncts = models.JSONField(default=list, blank=True)
    outcome_scales = models.ManyToManyField(GradingScale, related_name="protocols", blank=True)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="protocols")
    supporting_studies = models.ManyToManyField(
        Study, related_name="supported_protocols", blank=True
    )
    requires_clinician_review = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="protocol_modality_valid"
            ),
            models.CheckConstraint(
                condition=Q(physician_defined=True)
                | Q(
                    default_sessions__isnull=False,
                    sessions_min__isnull=False,
                    sessions_max__isnull=False,
                    default_interval_days__isnull=False,
                    interval_min_days__isnull=False,
                    interval_max_days__isnull=False,
                    depth_min_mm__isnull=False,
                    depth_max_mm__isnull=False,
                ),
                name="protocol_defaults_unless_physician_defined",
                violation_error_message=(
                    "Give the default and range of sessions, interval and depth, or mark "
                    "the protocol as physician-defined."
                ),
            ),
            # Column by column too: the ordering checks below pass when a value is NULL.
            models.CheckConstraint(
                condition=(Q(sessions_min__isnull=True) | Q(sessions_min__gte=1))
                & (Q(default_sessions__isnull=True) | Q(default_sessions__gte=1))
                & (Q(sessions_max__isnull=True) | Q(sessions_max__gte=1)),
                name="protocol_session_counts_positive",
                violation_error_message="Session counts are at least 1.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(interval_min_days__isnull=True) | Q(interval_min_days__gte=MIN_INTERVAL_DAYS)
                )
                & (
                    Q(default_interval_days__isnull=True)
                    | Q(default_interval_days__gte=MIN_INTERVAL_DAYS)
                )
                & (Q(interval_max_days__isnull=True) | Q(interval_max_days__gte=MIN_INTERVAL_DAYS)),
                name="protocol_intervals_at_least_7_days",
                violation_error_message=f"Intervals are at least {MIN_INTERVAL_DAYS} days.",
            ),
            models.CheckConstraint(
                condition=Q(sessions_min__gte=1)
                & Q(default_sessions__gte=F("sessions_min"))
                & Q(sessions_max__gte=F("default_sessions")),
                name="protocol_sessions_at_least_one_and_ordered",
                violation_error_message="Sessions: at least 1, and minimum ≤ default ≤ maximum.",
            ),
            models.CheckConstraint(
                condition=Q(interval_min_days__gte=MIN_INTERVAL_DAYS)
                & Q(default_interval_days__gte=F("interval_min_days"))
                & Q(interval_max_days__gte=F("default_interval_days")),
                name="protocol_interval_at_least_7_days_and_ordered",
                violation_error_message=(
                    f"Interval: at least {MIN_INTERVAL_DAYS} days between sessions, and minimum "
                    "≤ default ≤ maximum."
                ),
            ),
            models.CheckConstraint(
                condition=Q(depth_min_mm__gt=0)
                & Q(depth_max_mm__gte=F("depth_min_mm"))
                & Q(depth_max_mm__lte=MAX_DEPTH_MM),
                name="protocol_depth_between_0_and_3mm",
                violation_error_message=(
                    f"Needle depth: more than 0 mm, at most {MAX_DEPTH_MM} mm, minimum ≤ maximum."
                ),
            ),
            models.CheckConstraint(
                condition=Q(depth_min_mm__isnull=True, depth_max_mm__isnull=True)
                | Q(depth_min_mm__isnull=False, depth_max_mm__isnull=False),
                name="protocol_depth_both_or_neither",
                violation_error_message="Give both depth limits or neither.",
            ),
            provenance_constraint("protocol"),
        ]
        indexes = [models.Index(fields=["indication", "modality"], name="protocol_indication_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def label(self) -> str:
        """The protocol in plain words, its code after ("Atrophic acne scars ... (IND-10)"):
        what the front desk and the patient read."""
        return f"{self.title} ({self.code})"

    @property
    def depth_range_text(self) -> str:
        if self.depth_min_mm is None or self.depth_max_mm is None:
            return "physician-defined"
        low, high = self.depth_min_mm.normalize(), self.depth_max_mm.normalize()
        return f"{low} mm" if low == high else f"{low}–{high} mm"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.modality and self.modality not in Modality.values:
            errors["modality"] = "Unknown modality."
        if not self.physician_defined:
            for name in (
                "default_sessions",
                "sessions_min",
                "sessions_max",
                "default_interval_days",
                "interval_min_days",
                "interval_max_days",
                "depth_min_mm",
                "depth_max_mm",
            ):
                if getattr(self, name) is None:
                    errors[name] = "Required unless the protocol is physician-defined."
        for name in ("default_sessions", "sessions_min", "sessions_max"):
            value = getattr(self, name)
            if value is not None and value < 1:
                errors[name] = "A series has at least one session."
        for name in ("default_interval_days", "interval_min_days", "interval_max_days"):
            value = getattr(self, name)
            if value is not None and value < MIN_INTERVAL_DAYS:
                errors[name] = (
                    f"Sessions on the same area are at least {MIN_INTERVAL_DAYS} days apart."
                )
        if (
            self.sessions_min is not None
            and self.default_sessions is not None
            and self.sessions_max is not None
            and not (self.sessions_min <= self.default_sessions <= self.sessions_max)
        ):
            errors["default_sessions"] = "The default must lie between the minimum and maximum."
        if (
            self.interval_min_days is not None
            and self.default_interval_days is not None
            and self.interval_max_days is not None
            and not (self.interval_min_days <= self.default_interval_days <= self.interval_max_days)
        ):
            errors["default_interval_days"] = (
                "The default must lie between the minimum and maximum."
            )
        if (self.depth_min_mm is None) != (self.depth_max_mm is None):
            errors["depth_max_mm"] = "Give both depth limits or neither."
        elif self.depth_min_mm is not None and self.depth_max_mm is not None:
            if self.depth_min_mm <= 0:
                errors["depth_min_mm"] = "Depth must be more than 0 mm."
            elif self.depth_max_mm > MAX_DEPTH_MM:
                errors["depth_max_mm"] = f"Depth cannot exceed {MAX_DEPTH_MM} mm."
            elif self.depth_min_mm > self.depth_max_mm:
                errors["depth_max_mm"] = "The maximum depth is below the minimum."
        if errors:
            raise ValidationError(errors)


class RuleSeverity(models.TextChoices):
    ABSOLUTE = "absolute", "Absolute — blocks"
    RELATIVE = "relative", "Relative — dermatologist override"
    FLAG = "flag", "Flag — shown and acknowledged"


class RuleAppliesTo(models.TextChoices):
    ALL = "all", "Microneedling and RF microneedling"
    RF_ONLY = "rf_only", "RF microneedling only"


class ContraindicationRule(ProvenanceMixin):
    """A screening question; a 'yes' fires the rule with its severity.

    The keloid tension (C09 against scar indications) is data: when the plan's indication is one
    of `exception_indications`, the rule takes `exception_severity` and `exception_action`.
    """

    Severity = RuleSeverity

    AppliesTo = RuleAppliesTo

    code = models.CharField(max_length=8, unique=True)
    condition = models.CharField(max_length=200)
    question = models.CharField(max_length=400)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_note = models.CharField(max_length=200, blank=True)
    temporary = models.BooleanField(default=False, help_text="Expected to pass: defer, not refuse.")
    applies_to = models.CharField(max_length=8, choices=AppliesTo.choices)
    action = models.TextField()
    basis = models.JSONField(default=list, blank=True, help_text="Kinds of source behind it.")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="rules")
    supporting_studies = models.ManyToManyField(Study, related_name="supported_rules", blank=True)
    exception_indications = models.ManyToManyField(
        Indication, related_name="rule_exceptions", blank=True
    )
    only_indications = models.ManyToManyField(
        Indication,
        related_name="indication_rules",
        blank=True,
        help_text="Asked only for plans for these indications (C25: TXA, melasma); "
        "empty: every indication.",
    )
    exception_severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    exception_action = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=RuleSeverity.values), name="rule_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(applies_to__in=RuleAppliesTo.values), name="rule_applies_to_valid"
            ),
            models.CheckConstraint(
                condition=Q(exception_severity="") | Q(exception_severity__in=RuleSeverity.values),
                name="rule_exception_severity_valid",
            ),
            provenance_constraint("contraindicationrule"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.condition}"

    @property
    def label(self) -> str:
        """The rule in plain words, its code after ("Active cold sore in the area (C08)")."""
        return f"{self.condition} ({self.code})"

    @property
    def exception_indication_ids(self) -> frozenset[int]:
        """Indications the exception covers (read through `prefetch_related` when screening)."""
        return frozenset(indication.pk for indication in self.exception_indications.all())

    @property
    def only_indication_ids(self) -> frozenset[int]:
        """Indications the rule is confined to; empty for all (read through a prefetch)."""
        return frozenset(indication.pk for indication in self.only_indications.all())

    def applies_to_modality(self, modality: str) -> bool:
        return self.applies_to == self.AppliesTo.ALL or modality == Modality.RF_MICRONEEDLING

    def clean(self) -> None:
        if bool(self.exception_severity) != bool(self.exception_action.strip()):
            raise ValidationError(
                {"exception_action": "An exception needs both its severity and its action."}
            )
