"""Evidence documents: what may be uploaded, how it is stored, and who may read it.

A document is accepted only when its content is one of the kinds evidence comes in (PDF, images,
office documents, plain text), whatever its name says, and no larger than `EVIDENCE_MAX_BYTES`. It is
stored under a random name, never the uploader's, and never served from the storage's own address:
`tracker.views.documents` serves it once it has checked that the reader may see the action.
"""

import os
import re
import uuid

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The kinds evidence comes in, by their content, with the extension each is stored under.
ACCEPTED = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/tiff": ".tif",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/rtf": ".rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/vnd.oasis.opendocument.presentation": ".odp",
    "text/plain": ".txt",
}
# Shown in the browser; everything else is downloaded (`Content-Disposition: attachment`).
SHOWN_INLINE = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"}
# Read to tell the kind from the content, and to check that text is text.
SNIFFED_BYTES = 8192
# Markup is not plain text: a page, an SVG or an XML document is refused even when it reads as text.
MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|!--)", re.IGNORECASE)


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFFED_BYTES)
    upload.seek(0)
    return head


def _is_plain_text(head: bytes) -> bool:
    if b"\x00" in head or MARKUP.search(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def check_upload(upload) -> str:
    """The content type of an uploaded document, or a ValidationError saying why it is refused."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The document is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    head = _head(upload)
    kind = filetype.guess(head)
    if kind is not None and kind.mime in ACCEPTED:
        return kind.mime
    if kind is None and head and _is_plain_text(head):
        return "text/plain"
    raise ValidationError(
        _("This document is not one of the kinds accepted as evidence: %(kinds)s.")
        % {"kinds": _("PDF, an image, an office document or plain text")},
        code="kind",
    )


def stored_name(instance, filename) -> str:
    """Where a document is stored: a random name, with the extension of the kind its content is."""
    return f"evidence/{uuid.uuid4().hex}{ACCEPTED.get(instance.content_type, '')}"


def shown_name(evidence) -> str:
    """The file name a reader's browser saves the document under."""
    base = os.path.basename(evidence.original_name or evidence.document.name) or "document"
    stem, _extension = os.path.splitext(base)
    return f"{stem[:100] or 'document'}{ACCEPTED.get(evidence.content_type, '')}"
