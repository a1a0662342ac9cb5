"""Attachments (附件): stored once by hash, size and type checked by content, served back
with their type to whoever may read the item."""
import base64
import io
import zipfile

import pytest
import sqlalchemy as sa

from services.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.common.actor import Actor
from services.disclosure import attachments, reading, workflow
from services.disclosure.models import Attachment, Blob
from tests.disclosure.test_disclosure_workflow import OPERATOR, draft, operator_of, publish, uow  # noqa: F401

CONFIG = {"ATTACHMENT_MAX_BYTES": 4096}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
TEXT = "2026年第四季度党费收缴明细\n张三\t100.00\n".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64)


def office(main_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml",
                         f'<Types><Override PartName="/main.xml" ContentType="{main_type}"/></Types>')
        archive.writestr("main.xml", "<doc/>")
    return buffer.getvalue()


DOCX = office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def add(uow, item_id, filename, media_type, content, actor=OPERATOR, config=CONFIG):
    added = attachments.add(uow, actor, item_id, filename, media_type, b64(content), config)
    uow.commit()
    return added


def count(uow, model):
    return uow.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_allowed_files_are_stored_once_by_hash_and_served_back_with_their_type(uow):
    first, second = draft(uow), draft(uow)
    pdf = add(uow, first, "账目.pdf", "application/pdf", PDF)
    add(uow, first, "照片.png", "image/png", PNG)
    add(uow, first, "明细.txt", "text/plain; charset=utf-8", TEXT)
    add(uow, first, "合影.jpg", "image/jpg", JPEG)
    add(uow, first, "说明.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX)
    add(uow, first, "报表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XLSX)
    again = add(uow, second, "同一份账目.pdf", "application/pdf", PDF)
    assert pdf["sha256"] == again["sha256"] and pdf["size"] == len(PDF) and pdf["media_type"] == "application/pdf"
    assert count(uow, Blob) == 6 and count(uow, Attachment) == 7
    view = reading.get_item(uow.session, OPERATOR, first)
    assert [(a["filename"], a["media_type"]) for a in view["attachments"]][:3] == [
        ("账目.pdf", "application/pdf"), ("照片.png", "image/png"), ("明细.txt", "text/plain")]
    served = attachments.get(uow.session, OPERATOR, second, pdf["sha256"])
    assert served["media_type"] == "application/pdf" and served["filename"] == "同一份账目.pdf"
    assert base64.b64decode(served["content_b64"]) == PDF


def test_oversize_bad_base64_executables_and_mismatched_types_are_refused(uow):
    item_id = draft(uow)
    with pytest.raises(InvalidInput, match="over 0.00390625 MB"):
        add(uow, item_id, "big.txt", "text/plain", b"a" * 4097)
    with pytest.raises(InvalidInput, match="over 10 MB"):
        add(uow, item_id, "big.txt", "text/plain", b"a" * (10 * 1024 * 1024 + 1), config={})
    with pytest.raises(InvalidInput, match="base64"):
        attachments.add(uow, OPERATOR, item_id, "x.pdf", "application/pdf", "%%%not base64%%%", CONFIG)
    with pytest.raises(InvalidInput, match="type not allowed"):
        add(uow, item_id, "setup.pdf", "application/pdf", EXE)
    with pytest.raises(InvalidInput, match="type not allowed"):
        add(uow, item_id, "setup.exe", "application/x-msdownload", EXE)
    with pytest.raises(InvalidInput, match="declared application/pdf but the content is image/png"):
        add(uow, item_id, "photo.pdf", "application/pdf", PNG)
    with pytest.raises(InvalidInput, match="type not allowed"):
        add(uow, item_id, "a.zip", "application/zip", office("application/x-other"))
    with pytest.raises(InvalidInput, match="empty"):
        add(uow, item_id, "a.txt", "text/plain", b"")
    uow.rollback()
    assert count(uow, Blob) == 0 and count(uow, Attachment) == 0


def test_only_the_units_operator_changes_the_attachments_of_a_draft(uow):
    item_id = draft(uow)
    with pytest.raises(Forbidden, match="not A001"):
        add(uow, item_id, "a.pdf", "application/pdf", PDF, actor=operator_of("A002"))
    with pytest.raises(NotFound):
        add(uow, 999, "a.pdf", "application/pdf", PDF)
    added = add(uow, item_id, "a.pdf", "application/pdf", PDF)
    with pytest.raises(InvalidInput, match="already"):
        add(uow, item_id, "b.pdf", "application/pdf", PDF)
    uow.rollback()
    publish(uow, item_id)
    with pytest.raises(Conflict, match="only a draft"):
        add(uow, item_id, "c.txt", "text/plain", TEXT)
    with pytest.raises(Conflict, match="only a draft"):
        attachments.remove(uow, OPERATOR, item_id, added["sha256"])
    uow.rollback()
    assert count(uow, Attachment) == 1


def test_removing_an_attachment_keeps_the_blob_for_the_other_items(uow):
    first, second = draft(uow), draft(uow)
    sha = add(uow, first, "a.pdf", "application/pdf", PDF)["sha256"]
    add(uow, second, "a.pdf", "application/pdf", PDF)
    view = attachments.remove(uow, OPERATOR, first, sha)
    uow.commit()
    assert view["attachments"] == [] and count(uow, Attachment) == 1 and count(uow, Blob) == 1
    with pytest.raises(NotFound):
        attachments.remove(uow, OPERATOR, first, sha)
    assert base64.b64decode(attachments.get(uow.session, OPERATOR, second, sha)["content_b64"]) == PDF


def test_attachments_are_served_to_whoever_may_read_the_item(uow):
    item_id = draft(uow)
    party = draft(uow, audience="party")
    sha = add(uow, item_id, "a.pdf", "application/pdf", PDF)["sha256"]
    add(uow, party, "a.pdf", "application/pdf", PDF)
    with pytest.raises(NotFound):
        attachments.get(uow.session, None, item_id, sha)  # a draft is not public
    publish(uow, item_id)
    publish(uow, party)
    assert attachments.get(uow.session, None, item_id, sha)["media_type"] == "application/pdf"
    with pytest.raises(NotFound):
        attachments.get(uow.session, None, party, sha)
    member = Actor("m", "member", "A001")
    assert attachments.get(uow.session, member, party, sha)["size"] == len(PDF)
    with pytest.raises(NotFound):
        attachments.get(uow.session, None, item_id, "0" * 64)
    # a correction takes the attachments along, pointing to the same content
    new = workflow.correct(uow, OPERATOR, item_id, {"title": "更正"})
    uow.commit()
    assert [a["sha256"] for a in new["attachments"]] == [sha] and count(uow, Blob) == 1


def test_file_names_lose_their_path_and_stay_short():
    assert attachments.clean_filename("../../etc/passwd.txt") == "passwd.txt"
    assert attachments.clean_filename("C:\\Users\\me\\账目.pdf") == "账目.pdf"
    long = attachments.clean_filename("很长" * 150 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
    with pytest.raises(InvalidInput):
        attachments.clean_filename("../")
