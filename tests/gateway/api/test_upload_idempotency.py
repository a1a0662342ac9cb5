"""Idempotency-Key on the uploads (gateway/idempotency.py, `@idempotent(upload=...)`), without a
broker: the gateway's decorator around a route that reads its file as the real ones do, with the
keys kept by the units service's own rules (services/units/idempotency.py). A retry that frames
the same form with another multipart boundary answers the first answer; another file, another
name or another field is refused (422); a file sent as the body is the same; an upload over the
limit takes no key; the replay of an import carries its Location."""
from __future__ import annotations

import json

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway.http import json_response
from gateway.idempotency import HEADER, REPLAYED, idempotent
from gateway.openapi import build
from gateway.service import GatewayService
from gateway.uploads import read_upload
from services.common.errors import Unprocessable
from services.units import idempotency

MOST = 1000
UPLOAD_ROUTES = [("/api/v1/items/{item_id}/attachments", "post"), ("/api/v1/units/import", "post"),
                 ("/api/v1/calendar/{year}/file", "post"), ("/api/v1/rectifications/{rectification_id}/photos", "post"),
                 ("/api/v1/inspection-records/{record_id}/photos", "post")]


class Units:
    """The units service's two RPCs, on its test database."""

    def __init__(self, session):
        self.session = session

    def claim_idempotency_key(self, caller, key, fingerprint):
        return idempotency.claim(self.session, caller, key, fingerprint)

    def settle_idempotency_key(self, caller, key, fingerprint, status=None, body=None):
        if status is None:
            idempotency.release(self.session, caller, key, fingerprint)
        else:
            idempotency.complete(self.session, caller, key, fingerprint, status, body)


class Gateway:
    config: dict = {}

    def __init__(self, units):
        self.units, self.made = units, []

    @idempotent(upload=lambda service: MOST, replay_headers=lambda job: {"Location": f"/jobs/{job['id']}"})
    def upload(self, request: Request) -> Response:
        """As the attachment and import routes do: read the file (form or body), make one thing."""
        upload = read_upload(request, MOST, "file.bin")
        self.made.append(upload)
        response = json_response({"id": len(self.made), "filename": upload.filename, "size": len(upload.content)}, 201)
        response.headers["Location"] = f"/jobs/{len(self.made)}"
        return response


@pytest.fixture
def gateway(uow_factory):
    uow = uow_factory("units")
    yield Gateway(Units(uow.session))
    uow.rollback()


def form(content: bytes, key: str = "k-1", filename: str = "公开栏.pdf", boundary: str = "b1",
         fields: dict | None = None) -> Request:
    """A multipart request as a client frames it: `boundary` differs between a client's retries."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in (fields or {}).items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f'Content-Type: application/pdf\r\n\r\n'.encode("utf-8") + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return routed(EnvironBuilder(method="POST", path="/api/v1/items/1/attachments", data=body, headers={
        HEADER: key, "Content-Type": f"multipart/form-data; boundary={boundary}"}))


def body(content: bytes, key: str = "k-2") -> Request:
    return routed(EnvironBuilder(method="POST", path="/api/v1/rectifications/1/photos", data=content,
                                 headers={HEADER: key, "Content-Type": "image/png"}))


def routed(builder: EnvironBuilder) -> Request:
    request = Request(builder.get_environ())
    request.params = {}  # the query as @api validated it (none here)
    return request


def test_a_retry_in_another_boundary_answers_the_first_answer(gateway):
    first = gateway.upload(form(b"%PDF-1.7 first", boundary="a" * 20))
    again = gateway.upload(form(b"%PDF-1.7 first", boundary="z" * 30))
    assert first.status_code == again.status_code == 201
    assert json.loads(again.get_data()) == json.loads(first.get_data()) and again.headers[REPLAYED] == "true"
    assert len(gateway.made) == 1 and gateway.made[0].content == b"%PDF-1.7 first"
    assert again.headers["Location"] == "/jobs/1"  # the import's 202 points at its job again


@pytest.mark.parametrize("changed", [{"content": b"%PDF-1.7 other"}, {"filename": "另一个.pdf"},
                                     {"fields": {"filename": "x.pdf"}}])
def test_the_same_key_with_another_upload_is_refused(gateway, changed):
    gateway.upload(form(b"%PDF-1.7 first"))
    with pytest.raises(Unprocessable):
        gateway.upload(form(**{"content": b"%PDF-1.7 first", **changed}))
    assert len(gateway.made) == 1


def test_a_file_sent_as_the_body_is_read_whole_by_the_route_and_replayed(gateway):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
    first = gateway.upload(body(png))
    assert gateway.made[0].content == png  # the fingerprint put the body back for the route
    again = gateway.upload(body(png))
    assert again.get_data() == first.get_data() and again.headers[REPLAYED] == "true" and len(gateway.made) == 1
    with pytest.raises(Unprocessable):
        gateway.upload(body(png[:-1]))


def test_an_upload_over_the_limit_takes_no_key(gateway):
    for _ in range(2):
        with pytest.raises(Exception, match="bytes"):
            gateway.upload(body(b"x" * (MOST + 1), key="big"))
    assert gateway.units.claim_idempotency_key("anonymous", "big", "f")["state"] == "claimed"  # never taken


def test_a_refused_upload_frees_its_key(gateway):
    with pytest.raises(Exception, match="empty"):
        gateway.upload(body(b"", key="k-3"))
    assert gateway.upload(body(b"now", key="k-3")).status_code == 201


def test_the_document_lists_the_header_on_every_upload():
    paths = build(GatewayService)["paths"]
    for path, method in UPLOAD_ROUTES:
        names = {p["name"] for p in paths[path][method].get("parameters", ())}
        assert HEADER in names, path

