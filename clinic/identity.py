"""The clinic's identity (ClinicProfile) as pages, the printout and calendar files use it.

Read on every page (the header), so it is cached: one query on a cold cache, none after. A save
drops the entry (ClinicProfile.save); with a per-process cache and several processes, the others
see the change when their entry expires (TIMEOUT_SECONDS).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject

from clinic.logo import logo_data_uri
from clinic.models import ClinicProfile
from patients.phones import display_phone

KEY = "clinic:identity:v1"
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class ClinicIdentity:
    name: str
    address_lines: tuple[str, ...]
    phone: str  # as it reads (national format at home)
    phone_e164: str  # for tel: links
    email: str
    logo_uri: str  # a data: URI, or ""

    @property
    def address_one_line(self) -> str:
        return ", ".join(self.address_lines)

    @property
    def contact_line(self) -> str:
        """How a patient reaches the clinic, in one sentence ("" when nothing is on record)."""
        ways = [f"call {self.phone}"] if self.phone else []
        ways += [f"e-mail {self.email}"] if self.email else []
        if not ways:
            return ""
        return f"{self.name}: " + " or ".join(ways)


def _from_profile(profile: ClinicProfile) -> ClinicIdentity:
    return ClinicIdentity(
        name=profile.name,
        address_lines=tuple(
            line.strip() for line in profile.address.splitlines() if line.strip()
        ),
        phone=display_phone(profile.phone),
        phone_e164=profile.phone,
        email=profile.email,
        logo_uri=logo_data_uri(bytes(profile.logo or b""), profile.logo_content_type),
    )


def clinic_profile() -> ClinicProfile:
    """The one row, or the defaults before a clinic admin has saved it (never a write on a
    read: a GET must not create rows)."""
    return ClinicProfile.objects.filter(pk=ClinicProfile.SINGLETON_ID).first() or ClinicProfile()


def clinic_identity() -> ClinicIdentity:
    identity = cache.get(KEY)
    if not isinstance(identity, ClinicIdentity):
        identity = _from_profile(clinic_profile())
        cache.set(KEY, identity, TIMEOUT_SECONDS)
    return identity


def forget_identity() -> None:
    """Drop the cached identity now and once the change commits: a request reading the old row
    in between must not leave it behind."""
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


def template_context(request: object) -> dict[str, object]:
    """A context processor: `clinic_identity`, read (from the cache) only by a page that shows
    it."""
    return {"clinic_identity": SimpleLazyObject(clinic_identity)}
