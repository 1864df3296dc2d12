"""What an uploaded document really is, judged by its content rather than its name (ASVS 5.2)."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED = {
    # detected kind: (extensions accepted for it, content type it is served as)
    "pdf": ((".pdf",), "application/pdf"),
    "docx": ((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ((".doc",), "application/msword"),
    "odt": ((".odt",), "application/vnd.oasis.opendocument.text"),
    "png": ((".png",), "image/png"),
    "jpeg": ((".jpg", ".jpeg"), "image/jpeg"),
}
ALLOWED_DESCRIPTION = "a PDF, Word document (DOC or DOCX), OpenDocument text (ODT), PNG or JPG"
# Images larger than this many pixels are refused (a "decompression bomb" can be tiny on disk).
MAX_IMAGE_PIXELS = 50_000_000


class EvidenceRejected(Exception):
    """The upload is refused; the message says why and what to do, for the person uploading."""


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    extension: str
    content_type: str
    sha256: str
    original_name: str


def safe_display_name(name: str) -> str:
    """The uploaded name, as a label only: no folders, no control characters, not too long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(character for character in base if character.isprintable()).strip().strip(".")
    return (cleaned or "document")[:200]


def _detected_kind(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if content.startswith(b"PK\x03\x04"):
        return _office_zip_kind(content)
    return None


def _office_zip_kind(content: bytes) -> str | None:
    """Word and OpenDocument files are zip archives; only their insides tell them from any other zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                return "odt"
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    return None


TOO_LARGE_IMAGE = "The image is too large: save it at a smaller size (under 50 megapixels)"
NOT_A_PDF = "The PDF is damaged or is not only a PDF: save it again as a PDF and upload it"
# What a browser or an unzip tool would read in a file that only starts like a PDF (a polyglot).
_NOT_IN_A_PDF_HEAD = (b"<html", b"<!doctype", b"<script", b"<svg", b"pk\x03\x04")


def _check_pdf(content: bytes) -> None:
    """A PDF ends with its end-of-file marker (within the last 1,024 bytes, as readers allow) with nothing
    after it, and its first kilobyte holds no web page or archive: a file that merely starts with
    %PDF- and carries something else is refused."""
    tail = content[-1024:]
    marker = tail.rfind(b"%%EOF")
    # Some scanners pad the end with spaces or NUL bytes; anything else after the marker is another file.
    if marker == -1 or tail[marker + len(b"%%EOF") :].strip(b" \t\r\n\x00\x0c"):
        raise EvidenceRejected(NOT_A_PDF)
    head = content[5:1024].lower()
    if any(sign in head for sign in _NOT_IN_A_PDF_HEAD):
        raise EvidenceRejected(NOT_A_PDF)


def _check_image(content: bytes) -> None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise EvidenceRejected(TOO_LARGE_IMAGE)
            image.verify()
    except Image.DecompressionBombError as error:
        # Pillow refuses the very largest before the check above can; it is the same answer.
        raise EvidenceRejected(TOO_LARGE_IMAGE) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise EvidenceRejected("The image is damaged or not really an image: save it again and upload it") from error


def document_check(*, name: str, content: bytes) -> CheckedDocument:
    """Accept only allowed kinds of document whose name matches what they are, within the size limit."""
    limit = settings.PORTAL_ATTACHMENT_MAX_BYTES
    if not content:
        raise EvidenceRejected("The selected file is empty")
    if len(content) > limit:
        raise EvidenceRejected(f"The selected file must be smaller than {filesizeformat(limit)}")
    display_name = safe_display_name(name)
    extension = ("." + display_name.rsplit(".", 1)[-1].lower()) if "." in display_name else ""
    kind = _detected_kind(content)
    if kind is None:
        # puremagic names what it is, so the message can say more than "not allowed".
        try:
            guess = puremagic.from_string(content, mime=True)
        except (puremagic.PureError, ValueError):
            guess = ""
        detail = f" (it looks like {guess})" if guess else ""
        raise EvidenceRejected(f"The selected file must be {ALLOWED_DESCRIPTION}{detail}")
    extensions, content_type = ALLOWED[kind]
    if extension not in extensions:
        raise EvidenceRejected(
            f"The file's name does not match what it contains: it is a {kind.upper()} file, so its name should end "
            f"{extensions[0]}"
        )
    if kind in ("png", "jpeg"):
        _check_image(content)
    if kind == "pdf":
        _check_pdf(content)
    return CheckedDocument(
        content=content,
        extension=extension,
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=display_name,
    )
