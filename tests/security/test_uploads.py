"""Hostile uploads: judged by content, capped in size, stored under a name the portal makes (ASVS 5.2, 5.3)."""

import re
import struct
import tempfile
import uuid
import zlib
from pathlib import Path

import pytest

from casework.models import Attachment
from tests.casework.conftest import docx_bytes, pdf_bytes, png_bytes, zip_bytes
from tests.security.conftest import World

BOUNDARY = "----portal-security-test-boundary"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def multipart(filename: str, content: bytes, **fields: str) -> bytes:
    """A multipart body written by hand, so the file name arrives exactly as an attacker would send it."""
    parts = []
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="'.encode()
        + filename.encode("utf-8", "surrogatepass")
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def upload(world: World, filename: str, content: bytes):
    case = world.case("ehat", "draft")
    body = multipart(filename, content, category="professional_report", description="Evidence")
    return world.client_for("author").post(
        f"/assessments/{case.pk}/evidence/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims enormous dimensions (a decompression bomb needs no more)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def small_cap(settings):
    """A 4 KB cap, so the oversize case needs no large body."""
    settings.PORTAL_ATTACHMENT_MAX_BYTES = 4096
    return 4096


REFUSED = [
    pytest.param("report.pdf", EXECUTABLE, "must be a PDF", id="executable-named-pdf"),
    pytest.param("report.pdf", HTML, "must be a PDF", id="html-named-pdf"),
    pytest.param("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "must be", id="svg-png"),
    pytest.param("report.docx", zip_bytes({"evil.html": HTML}), "must be a PDF", id="plain-zip-named-docx"),
    pytest.param("photo.png", b"just some text", "must be", id="text-named-png"),
    pytest.param("photo.png", pdf_bytes(), "name does not match", id="pdf-named-png"),
    pytest.param("report.pdf", docx_bytes(), "name does not match", id="docx-named-pdf"),
    pytest.param("report", pdf_bytes(), "name does not match", id="no-extension"),
    pytest.param("empty.pdf", b"", "empty", id="zero-bytes"),
    pytest.param("photo.png", png_claiming(8_000, 8_000), "too large", id="huge-image-dimensions"),
    pytest.param("photo.png", png_claiming(100_000, 100_000), "too large", id="decompression-bomb-dimensions"),
    pytest.param("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "damaged", id="damaged-png"),
    pytest.param("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "damaged", id="jpeg-header-only"),
    # Polyglots: the PDF signature first, and something a browser or unzip would read as well.
    pytest.param("report.pdf", b"%PDF-1.4\n" + HTML, "", id="polyglot-pdf-html"),
    pytest.param("report.pdf", pdf_bytes() + zip_bytes({"evil.html": HTML}), "", id="polyglot-pdf-zip"),
    pytest.param("report.pdf", b"%PDF-1.7\n" + EXECUTABLE, "", id="pdf-signature-then-executable"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_hostile_upload_is_refused_with_a_clear_error_and_nothing_is_stored(world, media, name, content, message):
    """Wrong content under an allowed name, polyglots, empty files, image bombs: refused, said why, nothing kept."""
    before = Attachment.objects.count()
    response = upload(world, name, content)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert message in page
    assert Attachment.objects.count() == before
    assert files_under(media) == set()


def test_an_oversize_upload_is_refused_with_the_limit_in_the_message(world, media, small_cap):
    response = upload(world, "report.pdf", pdf_bytes("x" * (small_cap + 100)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "must be smaller than 4.0" in page
    assert files_under(media) == set()


HOSTILE_NAMES = [
    pytest.param("../../../../../../tmp/{marker}.pdf", id="dot-dot-slash"),
    pytest.param("..\\..\\..\\..\\tmp\\{marker}.pdf", id="dot-dot-backslash"),
    pytest.param("/tmp/{marker}.pdf", id="absolute"),  # noqa: S108 - the attack, not a file the test uses
    pytest.param("C:\\Windows\\Temp\\{marker}.pdf", id="windows-drive"),
    pytest.param("....//....//{marker}.pdf", id="doubled-dots"),
    pytest.param("%2e%2e%2f%2e%2e%2f{marker}.pdf", id="percent-encoded"),
    pytest.param("{marker}.pdf\x00.exe", id="nul-then-exe"),
    pytest.param("\x00{marker}.pdf", id="leading-nul"),
    pytest.param("{marker}\u202efdp.exe", id="right-to-left-override"),
    pytest.param("{marker}" + "a" * 400 + ".pdf", id="overlong"),
    pytest.param(".{marker}.pdf", id="hidden-file"),
    pytest.param("{marker}.PDF", id="upper-case-extension"),
]


@pytest.mark.parametrize("pattern", HOSTILE_NAMES)
def test_a_hostile_file_name_is_harmless(world, media, tmp_path, pattern):
    """Whatever the name, the file lands inside MEDIA_ROOT under a generated name; the label is plain text."""
    marker = f"evil-{uuid.uuid4().hex[:8]}"
    response = upload(world, pattern.format(marker=marker), pdf_bytes())
    assert response.status_code in (200, 302), response.status_code
    outside = {path for path in files_under(tmp_path) if media not in path.parents}
    assert outside == set(), f"written outside MEDIA_ROOT: {outside}"
    assert not list(Path(tempfile.gettempdir()).glob(f"{marker}*"))
    for attachment in Attachment.objects.filter(original_name__contains=marker[-8:]):
        assert re.fullmatch(r"attachments/\d+/[0-9a-f]{32}\.pdf", attachment.file.name), attachment.file.name
        assert (media / attachment.file.name).is_file()
        assert not re.search(r"[/\\\x00-\x1f\x7f\u202e]", attachment.original_name), attachment.original_name
        assert len(attachment.original_name) <= 200
        download = world.client_for("author").get(
            f"/assessments/{attachment.assessment_id}/evidence/{attachment.pk}/download/"
        )
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith("attachment;")
        assert not re.search(r"[\r\n\x00]", download["Content-Disposition"])
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Type"] == "application/pdf"


def test_every_stored_file_is_inside_media_root_under_a_generated_name(world, media):
    """A good upload: stored under attachments/<case>/<random>.pdf inside MEDIA_ROOT, and nowhere else."""
    response = upload(world, "Report from Dr Ahmed.pdf", pdf_bytes())
    assert response.status_code == 302
    stored = files_under(media)
    assert len(stored) == 1
    (path,) = stored
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", path.name)
    assert path.parent.parent.name == "attachments"


def test_a_real_image_is_still_accepted(world, media):
    """The checks above refuse hostile files, not ordinary ones."""
    assert upload(world, "photo.png", png_bytes()).status_code == 302
