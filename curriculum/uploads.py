"""Checks on uploaded certificates and policy documents: type by content (not by name) and size."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from .constants import MAX_UPLOAD_BYTES

# The first bytes of each accepted type: a renamed .exe is refused whatever its name or declared type.
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}
_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (.docx)",
}


def sniff(upload: UploadedFile, allowed: dict[str, str]) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type in allowed:
        if any(head.startswith(magic) for magic in _MAGIC.get(content_type, ())):
            return content_type
    return None


def check_upload(upload: UploadedFile, *, allowed: dict[str, str], max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The file's real content type, or a ValidationError saying what is accepted."""
    kinds = ", ".join(_LABELS[t] for t in allowed)
    if upload.size is not None and upload.size > max_bytes:
        raise ValidationError(
            f"“{upload.name}” is {upload.size / 1024 / 1024:.1f} MB; the limit is {max_bytes // 1024 // 1024} MB. "
            "Please save a smaller copy (a scan at lower resolution, or a PDF) and try again."
        )
    if not upload.size:
        raise ValidationError(f"“{upload.name}” is empty. Please choose the file again.")
    content_type = sniff(upload, allowed)
    if content_type is None:
        raise ValidationError(f"“{upload.name}” is not a file we accept. Please upload a {kinds} file.")
    return content_type
