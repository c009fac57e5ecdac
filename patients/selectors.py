"""Reads of patients, checked against the requesting user."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404

from clinic.ids import parse_public_id
from patients.models import Patient, SkinConcern
from patients.similarity import likely_same_name

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def parse_search_date(term: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(term.strip(), fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def _require(user: User | AnonymousUser, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def patients_search(
    user: User | AnonymousUser, query: str = "", *, include_archived: bool = False
) -> QuerySet[Patient]:
    """Patients matching a name, an MRN or a date of birth (2001-04-30 or 30/04/2001), in
    alphabetical order."""
    _require(user, "patients.view_patient")
    patients = Patient.objects.all()
    if not include_archived:
        patients = patients.filter(status=Patient.Status.ACTIVE)
    query = query.strip()[:100]
    if not query:
        # The whole list pages through the (family_name, given_name) index.
        return patients.order_by("family_name", "given_name", "pk")
    born = parse_search_date(query)
    if born is not None:
        return patients.filter(date_of_birth=born).order_by("family_name", "given_name", "pk")
    # Matches are sorted by an expression no index holds, on purpose: offered the name index,
    # PostgreSQL walks it from "A" hoping to meet 25 matches early, and for "Khan" reads half
    # the table (38 ms); from the trigram indexes it fetches the matches and sorts them (< 1 ms).
    # Every word must appear in a name ("ann lee" finds Ann Lee), or the whole is an MRN.
    every_word = Q()
    for word in query.split()[:4]:
        every_word &= Q(family_name__icontains=word) | Q(given_name__icontains=word)
    # MRNs are stored upper-case: an exact match on the upper-cased query uses the unique index.
    condition = Q(mrn=query.upper()) | every_word
    return patients.filter(condition).order_by(Upper("family_name"), Upper("given_name"), "pk")


def patient_get_for_user(
    user: User | AnonymousUser, public_id: uuid.UUID | str
) -> Patient:
    _require(user, "patients.view_patient")
    try:
        return Patient.objects.get(public_id=parse_public_id(public_id))
    except Patient.DoesNotExist:
        raise Http404("No such patient.") from None


def concern_get_for_user(
    user: User | AnonymousUser, public_id: uuid.UUID | str
) -> SkinConcern:
    _require(user, "patients.view_skinconcern")
    try:
        return SkinConcern.objects.select_related("patient", "indication", "grading_scale").get(
            public_id=parse_public_id(public_id)
        )
    except SkinConcern.DoesNotExist:
        raise Http404("No such concern.") from None


def patients_likely_duplicates(
    *, given_name: str, family_name: str, date_of_birth: dt.date
) -> list[Patient]:
    """Registered patients (archived ones too) likely to be this person: one query by date of
    birth (indexed), the names compared by patients.similarity."""
    born_that_day = Patient.objects.filter(date_of_birth=date_of_birth).order_by(
        "family_name", "pk"
    )
    return [
        patient
        for patient in born_that_day
        if likely_same_name(given_name, family_name, patient.given_name, patient.family_name)
    ]
