"""The clinic's identity: one record a clinic admin edits, shown in the header, on the
printout and in calendar files; its logo is a re-encoded PNG or JPEG and nothing else."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from clinic import logo
from clinic.identity import clinic_identity
from clinic.models import ClinicProfile
from tests.conftest import Persona

pytestmark = pytest.mark.django_db

CHANGE = reverse("admin:clinic_clinicprofile_change", args=[ClinicProfile.SINGLETON_ID])


def image_bytes(size: tuple[int, int] = (300, 100), fmt: str = "PNG", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 90, 140)).save(out, format=fmt, **save)
    return out.getvalue()


def form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Harbour Skin Clinic",
        "address": "14 Quay Street\nBristol BS1 4DJ",
        "phone": "0117 496 0123",
        "email": "hello@harbourskin.example",
    }
    return data | changes


def profile() -> ClinicProfile:
    return ClinicProfile.objects.get(pk=ClinicProfile.SINGLETON_ID)


# --- The logo, without a database ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_is_re_encoded_to_fit_its_box(fmt: str) -> None:
    data, content_type = logo.logo_clean(image_bytes((1200, 300), fmt))
    assert content_type == f"image/{fmt.lower()}"
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == fmt
        assert kept.size == (600, 150)


def test_the_re_encoded_logo_keeps_no_trailing_bytes_or_metadata() -> None:
    source = image_bytes(fmt="JPEG", comment=b"secret note") + b"<script>alert(1)</script>"
    data, _ = logo.logo_clean(source)
    assert b"<script>" not in data and b"secret note" not in data


@pytest.mark.parametrize(
    "data",
    [
        b"plain text, not an image",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        image_bytes(fmt="GIF"),
        image_bytes()[:60],  # a truncated PNG
    ],
    ids=["text", "svg", "gif", "truncated"],
)
def test_anything_but_a_readable_png_or_jpeg_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        logo.logo_clean(data)
    assert "PNG or JPEG" in str(refused.value)


def test_an_oversize_upload_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(ValidationError, match="at most 1024 KB"):
        logo.logo_clean(b"\x89PNG" + b"\0" * logo.MAX_UPLOAD_BYTES)


def test_an_image_of_too_many_pixels_is_refused_from_its_header() -> None:
    out = io.BytesIO()
    Image.new("1", (4100, 4000)).save(out, format="PNG")  # small file, 16.4 million pixels
    assert len(out.getvalue()) < logo.MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError, match="4100×4000 pixels"):
        logo.logo_clean(out.getvalue())


# --- Who edits it ----------------------------------------------------------------------------


def test_a_clinic_admin_edits_the_identity_and_uploads_a_logo(clinic_admin: Persona) -> None:
    assert clinic_admin.get(reverse("admin:clinic_clinicprofile_changelist"))["Location"] == CHANGE
    upload = SimpleUploadedFile("logo.png", image_bytes(), content_type="image/png")
    response = clinic_admin.post(CHANGE, form(logo_upload=upload))
    assert response.status_code == 302, response.content.decode()
    saved = profile()
    assert saved.name == "Harbour Skin Clinic"
    assert saved.phone == "+441174960123"  # checked and stored in E.164
    assert saved.logo_content_type == "image/png"
    assert Image.open(io.BytesIO(bytes(saved.logo))).size == (300, 100)
    assert clinic_identity().logo_uri.startswith("data:image/png;base64,")
    assert clinic_admin.post(CHANGE, form(remove_logo="on")).status_code == 302
    assert profile().logo_content_type == "" and clinic_identity().logo_uri == ""


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (SimpleUploadedFile("logo.png", b"not an image", "image/png"), "not a PNG or JPEG image"),
        (
            SimpleUploadedFile("logo.png", b"\x89PNG" + b"\0" * logo.MAX_UPLOAD_BYTES, "image/png"),
            "at most 1024 KB",
        ),
        (SimpleUploadedFile("logo.gif", image_bytes(fmt="GIF"), "image/gif"), "PNG or JPEG"),
    ],
    ids=["not-an-image", "oversize", "gif"],
)
def test_a_bad_logo_is_refused_with_a_clear_error_and_changes_nothing(
    clinic_admin: Persona, upload: SimpleUploadedFile, error: str
) -> None:
    before = profile()
    response = clinic_admin.post(CHANGE, form(logo_upload=upload))
    assert response.status_code == 200
    assert error in response.content.decode()
    after = profile()
    assert (after.name, bytes(after.logo), after.updated_at) == (
        before.name,
        bytes(before.logo),
        before.updated_at,
    )


def test_a_phone_number_that_cannot_be_dialled_is_refused(clinic_admin: Persona) -> None:
    response = clinic_admin.post(CHANGE, form(phone="call me maybe"))
    assert response.status_code == 200
    assert "Enter a phone number that can be dialled" in response.content.decode()
    assert profile().phone == ""


def test_nobody_deletes_it_or_adds_a_second(clinic_admin: Persona) -> None:
    delete = reverse("admin:clinic_clinicprofile_delete", args=[ClinicProfile.SINGLETON_ID])
    assert clinic_admin.post(delete, {"post": "yes"}).status_code == 403
    assert clinic_admin.get(reverse("admin:clinic_clinicprofile_add")).status_code == 403
    assert ClinicProfile.objects.count() == 1


@pytest.mark.parametrize("role", ["front_desk", "dermatologist"])
def test_other_roles_may_not_change_it(role: str, request: pytest.FixtureRequest) -> None:
    client: Persona = request.getfixturevalue(role)
    assert not client.user.has_perm("clinic.change_clinicprofile")
    assert client.get(CHANGE).status_code == 403
    assert client.post(CHANGE, form()).status_code == 403
    assert profile().name == "Microneedling clinic"


def test_a_clinic_admin_finds_it_from_the_home_page(
    clinic_admin: Persona, front_desk: Persona
) -> None:
    # The identity was editable only by knowing the admin's address: the home page's
    # administration block listed every other clinic record but not this one.
    link = f'href="{reverse("admin:clinic_clinicprofile_changelist")}"'
    assert link in clinic_admin.get(reverse("home")).content.decode()
    assert link not in front_desk.get(reverse("home")).content.decode()


# --- Where it shows --------------------------------------------------------------------------


def test_the_header_shows_the_clinic_and_a_save_shows_at_once(
    front_desk: Persona, clinic_admin: Persona
) -> None:
    page = front_desk.get(reverse("home")).content.decode()
    assert '<a class="brand" href="/">Microneedling clinic</a>' in page
    clinic_admin.post(
        CHANGE,
        form(logo_upload=SimpleUploadedFile("logo.jpg", image_bytes(fmt="JPEG"), "image/jpeg")),
    )
    page = front_desk.get(reverse("home")).content.decode()
    brand = re.search(r'<a class="brand"[^>]*>(.*?)</a>', page, re.S)
    assert brand is not None
    assert "Harbour Skin Clinic" in brand.group(1)
    assert 'src="data:image/jpeg;base64,' in brand.group(1)
    uri = re.search(r'src="data:image/jpeg;base64,([^"]+)"', brand.group(1))
    assert uri is not None
    assert Image.open(io.BytesIO(base64.b64decode(uri.group(1)))).format == "JPEG"


def test_the_identity_costs_one_query_on_a_cold_cache_and_none_after(
    front_desk: Persona,
) -> None:
    def profile_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert front_desk.get(reverse("home")).status_code == 200
        return sum("clinic_clinicprofile" in q["sql"] for q in captured.captured_queries)

    assert profile_queries() == 1
    assert profile_queries() == 0


def test_pages_fall_back_to_defaults_without_the_row(front_desk: Persona) -> None:
    ClinicProfile.objects.all().delete()
    page = front_desk.get(reverse("home")).content.decode()
    assert "Microneedling clinic" in page
    assert not ClinicProfile.objects.exists(), "a page view must not write"


@pytest.fixture
def anonymous_login_page(anonymous: Client) -> Callable[[], str]:
    return lambda: anonymous.get(reverse("login")).content.decode()


def test_the_login_page_is_titled_with_the_clinic(
    clinic_admin: Persona, anonymous_login_page: Callable[[], str]
) -> None:
    clinic_admin.post(CHANGE, form())
    assert "<title>Log in — Harbour Skin Clinic</title>" in anonymous_login_page()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_write_commits_and_a_refused_one_changes_nothing_on_postgres(
    clinic_admin: Persona,
) -> None:
    bad = SimpleUploadedFile("logo.png", b"not an image", "image/png")
    assert clinic_admin.post(CHANGE, form(logo_upload=bad)).status_code == 200
    assert profile().name == "Microneedling clinic"
    assert clinic_admin.post(CHANGE, form()).status_code == 302
    assert profile().name == "Harbour Skin Clinic"
    assert clinic_identity().name == "Harbour Skin Clinic"
