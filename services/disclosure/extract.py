"""The text of an attachment, extracted once when it is stored (attachments.py) so the search
can find an item by what its PDF or .docx says (pypdf, python-docx; plain text as it is).

Bounded: at most MAX_PAGES pages or paragraphs, MAX_CHARS characters and MAX_SECONDS of work
(checked between pages). A file the libraries cannot read is stored and shown all the same,
without its text: the failure is logged, never the uploader's error."""
from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import docx
import pypdf

from services.common.shapes.disclosure import DOCX, PDF, TEXT

log = logging.getLogger(__name__)
MAX_PAGES = 200
MAX_CHARS = 100_000
MAX_SECONDS = 5.0


def _pdf_pages(content: bytes) -> Iterator[str]:
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        yield page.extract_text() or ""


def _docx_paragraphs(content: bytes) -> Iterator[str]:
    document = docx.Document(io.BytesIO(content))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            yield " ".join(cell.text for cell in row.cells)


READERS = {PDF: _pdf_pages, DOCX: _docx_paragraphs,
           TEXT: lambda content: iter([content.decode("utf-8-sig", "replace")])}


def text_of(content: bytes, media_type: str, digest: str = "") -> str | None:
    """The file's text within the bounds; None for a kind without text (images) or a broken file."""
    reader = READERS.get(media_type)
    if reader is None:
        return None
    deadline, parts, size = time.monotonic() + MAX_SECONDS, [], 0
    try:
        for count, part in enumerate(reader(content)):
            parts.append(part)
            size += len(part)
            if count + 1 >= MAX_PAGES or size >= MAX_CHARS or time.monotonic() > deadline:
                break
    except Exception:  # a library's failure on a malformed file: stored without its text
        log.warning("attachment %s (%s): its text could not be extracted; stored without it", digest[:12],
                    media_type, exc_info=True)
        return None
    return "\n".join(parts)[:MAX_CHARS]
