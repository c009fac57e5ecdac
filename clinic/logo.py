"""The clinic's logo: an uploaded PNG or JPEG, decoded and re-encoded before it is kept.

Re-encoding with Pillow keeps nothing of the upload but its pixels: no metadata (a phone's
location in EXIF), no trailing bytes, no SVG scripts (SVG is refused: it is a document, not an
image). Bounds come before decoding, so a decompression bomb is refused from its header. The
result is small enough to ride in every page as a data: URI (the CSP allows img-src data:), so
no media files are served.
"""

from __future__ import annotations

import base64
import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

#: An upload larger than this is refused before it is decoded.
MAX_UPLOAD_BYTES = 1024 * 1024
#: A declared size beyond this is refused from the header, before any pixel is decoded.
MAX_SOURCE_PIXELS = 4000 * 4000
#: The kept logo fits in this box (twice the printed size, for sharp print).
MAX_WIDTH, MAX_HEIGHT = 600, 200
ACCEPTED = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_check_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The logo is {size // 1024} KB; upload one of at most {MAX_UPLOAD_BYTES // 1024} KB.",
            code="logo_too_large",
        )


def logo_clean(data: bytes) -> tuple[bytes, str]:
    """(the re-encoded image, its content type); ValidationError for anything else."""
    logo_check_size(len(data))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED:
                raise ValidationError(
                    "Upload the logo as a PNG or JPEG image.", code="logo_not_png_or_jpeg"
                )
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                raise ValidationError(
                    f"The logo is {width}×{height} pixels; upload one of at most "
                    f"{MAX_SOURCE_PIXELS // 1_000_000} million pixels.",
                    code="logo_too_many_pixels",
                )
            source_format = image.format
            image.load()
            kept = image.copy()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "This file is not a PNG or JPEG image that can be read.", code="logo_unreadable"
        ) from error
    kept.thumbnail((MAX_WIDTH, MAX_HEIGHT))
    if source_format == "JPEG":
        mode = "RGB"
    else:
        mode = "RGBA" if kept.mode in {"RGBA", "LA", "P", "PA"} else "RGB"
    # A new image from the pixels alone: Pillow would otherwise write comments, EXIF and ICC
    # data from the upload back out.
    converted = kept.convert(mode)
    pixels = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if source_format == "JPEG":
        pixels.save(out, format="JPEG", quality=88, optimize=True)
    else:
        pixels.save(out, format="PNG", optimize=True)
    return out.getvalue(), ACCEPTED[source_format]


def logo_data_uri(data: bytes, content_type: str) -> str:
    if not data or content_type not in ACCEPTED.values():
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
