"""A file uploaded to the API, read once for every route that takes one: the request body or a
form's `file` part, refused with 413 once over the route's limit without reading the rest, and
with 400 when it is missing or empty. Messages in English, read in Chinese through the catalogues."""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from werkzeug.wrappers import Request

from .errors import ApiError, bad_request

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file


@dataclass(frozen=True)
class Upload:
    filename: str
    media_type: str
    content: bytes


def upload_too_large(max_bytes: int) -> ApiError:
    megabytes = f"{max_bytes / (1024 * 1024):.1f}"
    return ApiError(413, "too_large", f"the file is over {max_bytes} bytes ({megabytes} MB), the most this upload may be")


def read_upload(request: Request, max_bytes: int, default_name: str = "",
                missing: str = "send the file as the form field 'file'") -> Upload:
    """The upload. `default_name` names a body sent without ?filename= (a file's name is then
    required when empty); `missing` is the refusal when a form has no `file` part."""
    if request.content_length is not None and request.content_length > max_bytes + MULTIPART_OVERHEAD:
        raise upload_too_large(max_bytes)
    if request.mimetype == "multipart/form-data":
        request.max_content_length = max_bytes + MULTIPART_OVERHEAD
        upload = request.files.get("file")
        if upload is None:
            raise bad_request(missing)
        content = upload.read(max_bytes + 1)
        filename, media_type = upload.filename or request.params.get("filename") or default_name, upload.mimetype
    else:
        content = request.stream.read(max_bytes + 1)
        filename, media_type = request.params.get("filename") or default_name, request.mimetype
    if len(content) > max_bytes:
        raise upload_too_large(max_bytes)
    if not content:
        raise bad_request("the file is empty")
    if not filename.strip():
        raise bad_request("name the file: ?filename=... (or the form part's filename)")
    if not media_type or media_type == "application/octet-stream":  # a client that did not say: by the name
        media_type = mimetypes.guess_type(filename.strip())[0] or "application/octet-stream"
    return Upload(filename.strip(), media_type, content)
