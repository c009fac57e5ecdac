"""The evidence browser: read-only pages for every role."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from evidence.models import (
    ContraindicationRule,
    Finding,
    GradingScale,
    Indication,
    Protocol,
    Study,
)

STUDY_RELATED = ("study",)


@require_GET
@permission_required("evidence.view_indication", raise_exception=True)
def indication_list(request: HttpRequest) -> HttpResponse:
    indications = Indication.objects.annotate(
        n_protocols=Count("protocols", distinct=True), n_findings=Count("findings", distinct=True)
    ).order_by("name")
    return render(request, "evidence/indication_list.html", {"indications": indications})


@require_GET
@permission_required("evidence.view_indication", raise_exception=True)
def indication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    indication = get_object_or_404(
        Indication.objects.prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("study")),
            Prefetch(
                "protocols",
                queryset=Protocol.objects.select_related("study")
                .prefetch_related("supporting_studies", "outcome_scales")
                .order_by("modality", "code"),
            ),
            Prefetch("grading_scales", queryset=GradingScale.objects.select_related("study")),
        ),
        slug=slug,
    )
    exceptions = ContraindicationRule.objects.filter(
        exception_indications=indication
    ).select_related("study")
    return render(
        request,
        "evidence/indication_detail.html",
        {"indication": indication, "exceptions": exceptions},
    )


@require_GET
@permission_required("evidence.view_protocol", raise_exception=True)
def protocol_detail(request: HttpRequest, code: str) -> HttpResponse:
    protocol = get_object_or_404(
        Protocol.objects.select_related("indication", "study").prefetch_related(
            "supporting_studies",
            Prefetch("outcome_scales", queryset=GradingScale.objects.select_related("study")),
        ),
        code=code,
    )
    return render(request, "evidence/protocol_detail.html", {"protocol": protocol})


@require_GET
@permission_required("evidence.view_contraindicationrule", raise_exception=True)
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = ContraindicationRule.objects.select_related("study").prefetch_related(
        "exception_indications", "supporting_studies"
    )
    return render(request, "evidence/rule_list.html", {"rules": rules})


@require_GET
@permission_required("evidence.view_study", raise_exception=True)
def study_list(request: HttpRequest) -> HttpResponse:
    studies = Study.objects.order_by("authors", "year")
    return render(request, "evidence/study_list.html", {"studies": studies})


@require_GET
@permission_required("evidence.view_study", raise_exception=True)
def study_detail(request: HttpRequest, code: str) -> HttpResponse:
    study = get_object_or_404(Study, code=code)
    context: dict[str, Any] = {
        "study": study,
        "findings": study.findings.select_related("indication"),
        "protocols": Protocol.objects.filter(study=study)
        | Protocol.objects.filter(supporting_studies=study),
        "rules": (
            ContraindicationRule.objects.filter(study=study)
            | ContraindicationRule.objects.filter(supporting_studies=study)
        ),
        "scales": GradingScale.objects.filter(study=study)
        | GradingScale.objects.filter(supporting_studies=study),
    }
    for key in ("protocols", "rules", "scales"):
        context[key] = context[key].distinct().order_by("code")
    return render(request, "evidence/study_detail.html", context)
