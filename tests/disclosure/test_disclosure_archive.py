"""The archive (登记归档): a unit's year as a zip, and sealing an ended year."""
import base64
import hashlib
import io
import json
import zipfile
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.workdays import county_today
from services.disclosure import archive, attachments, reading, workflow
from services.disclosure.models import Item, SealedYear
from tests.disclosure.test_disclosure_attachments import CONFIG, PDF, b64
from tests.disclosure.test_disclosure_workflow import (INSPECTOR, OPERATOR, REVIEWER, draft, operator_of, publish,  # noqa: F401
                                            uow)

LAST = county_today().year - 1


def backdate(uow, item_id, month=6):
    """Make the item one of last year's (published or created then)."""
    item = uow.session.get(Item, item_id)
    moment = datetime(LAST, month, 1, 2, 0, tzinfo=timezone.utc)
    item.created_at = moment
    if item.published_at is not None:
        item.published_at = moment
    uow.commit()


@pytest.fixture
def last_year(uow):
    """Last year's items of A001: published with an attachment, corrected (both versions),
    withdrawn, and a draft; one of A002; and one of A001 published this year."""
    made = {"published": draft(uow), "old": draft(uow), "withdrawn": draft(uow), "draft": draft(uow),
            "elsewhere": draft(uow, unit_code="A002")}
    sha = attachments.add(uow, OPERATOR, made["published"], "账目.pdf", "application/pdf", b64(PDF), CONFIG)["sha256"]
    attachments.add(uow, OPERATOR, made["old"], "账目.pdf", "application/pdf", b64(PDF), CONFIG)
    uow.commit()
    for key in ("published", "old", "withdrawn", "elsewhere"):
        publish(uow, made[key])
    workflow.withdraw(uow, REVIEWER, made["withdrawn"], "有误")
    made["new"] = workflow.correct(uow, OPERATOR, made["old"], {"title": "更正"})["id"]
    uow.commit()
    publish(uow, made["new"])
    for key, item_id in made.items():
        backdate(uow, item_id, month=12 if key == "new" else 6)
    made["this_year"] = draft(uow)
    publish(uow, made["this_year"])
    return made, sha


def unzip(exported):
    archive_file = zipfile.ZipFile(io.BytesIO(base64.b64decode(exported["content_b64"])))
    return {name: archive_file.read(name) for name in archive_file.namelist()}


def test_the_export_holds_every_version_with_its_trail_and_each_attachment_once(uow, last_year):
    made, sha = last_year
    exported = archive.export(uow.session, OPERATOR, "A001", LAST)
    assert exported["filename"] == f"A001-{LAST}-archive.zip"
    files = unzip(exported)
    manifest = json.loads(files.pop("manifest.json"))
    expected_items = {f"items/{made[k]}-v{v}.json" for k, v in
                      (("published", 1), ("old", 1), ("new", 2), ("withdrawn", 1), ("draft", 1))}
    assert set(files) == expected_items | {f"attachments/{sha}"}
    assert (manifest["unit"], manifest["year"], manifest["sealed"], manifest["item_count"]) == ("A001", LAST, False, 5)
    assert manifest["generated_at"]
    assert {f["path"]: (f["sha256"], f["size"]) for f in manifest["files"]} == {
        path: (hashlib.sha256(content).hexdigest(), len(content)) for path, content in files.items()}
    assert files[f"attachments/{sha}"] == PDF
    withdrawn = json.loads(files[f"items/{made['withdrawn']}-v1.json"])
    assert [t["to_status"] for t in withdrawn["trail"]][-1] == "withdrawn"
    assert withdrawn["trail"][-1]["reason"] == "有误" and withdrawn["author"] == OPERATOR.username
    new = json.loads(files[f"items/{made['new']}-v2.json"])
    assert new["previous_id"] == made["old"] and new["attachments"][0]["sha256"] == sha
    # this year's export of the same unit holds this year's item only
    this_year = unzip(archive.export(uow.session, INSPECTOR, "A001", LAST + 1))
    assert set(this_year) - {"manifest.json"} == {f"items/{made['this_year']}-v1.json"}


def test_only_the_county_office_and_the_units_own_staff_export(uow, last_year):
    for actor in (Actor("m", "member", "A001"), operator_of("A002")):
        with pytest.raises(Forbidden):
            archive.export(uow.session, actor, "A001", LAST)
    with pytest.raises(NotFound):
        archive.export(uow.session, INSPECTOR, "Z999", LAST)
    assert archive.export(uow.session, REVIEWER, "A001", LAST)["content_b64"]


def test_a_year_is_sealed_only_once_it_has_ended(uow, last_year):
    with pytest.raises(Conflict, match="not ended"):
        archive.seal(uow, INSPECTOR, LAST + 1)
    uow.rollback()
    assert uow.session.get(SealedYear, LAST + 1) is None


def test_sealing_archives_what_was_disclosed_and_it_no_longer_changes(uow, last_year):
    made, sha = last_year
    sealed = archive.seal(uow, INSPECTOR, LAST)
    uow.commit()
    assert (sealed["year"], sealed["items_archived"]) == (LAST, 5)  # published, old, new, withdrawn, elsewhere
    with pytest.raises(Conflict, match="already sealed"):
        archive.seal(uow, INSPECTOR, LAST)
    uow.rollback()
    status = {key: uow.session.get(Item, item_id) for key, item_id in made.items()}
    assert {k: (i.status, i.archived_from) for k, i in status.items()} == {
        "published": ("archived", "published"), "old": ("archived", "corrected"), "new": ("archived", "published"),
        "withdrawn": ("archived", "withdrawn"), "elsewhere": ("archived", "published"),
        "draft": ("draft", None), "this_year": ("published", None)}
    trail = reading.get_item(uow.session, INSPECTOR, made["published"])["trail"][-1]
    assert (trail["to_status"], trail["reason"], trail["actor"]) == ("archived", "year sealed", "office")
    # what was disclosed stays readable; what was withdrawn does not
    assert reading.get_item(uow.session, None, made["new"])["status"] == "archived"
    assert attachments.get(uow.session, None, made["published"], sha)["size"] == len(PDF)
    with pytest.raises(NotFound):
        reading.get_item(uow.session, None, made["withdrawn"])
    assert made["new"] in [i["id"] for i in reading.list_items(uow.session, None, {"year": LAST})["items"]]
    # archived items no longer change
    with pytest.raises(Conflict, match="archived"):
        workflow.correct(uow, OPERATOR, made["new"], {"title": "再更正"})
    with pytest.raises(Conflict, match="archived"):
        workflow.withdraw(uow, REVIEWER, made["published"], "撤回")
    uow.rollback()
    # an unpublished draft of last year carries on into this year's record
    assert publish(uow, made["draft"])["status"] == "published"
    manifest = json.loads(unzip(archive.export(uow.session, INSPECTOR, "A001", LAST))["manifest.json"])
    assert manifest["sealed"] and manifest["item_count"] == 4


def test_an_item_published_in_a_sealed_year_cannot_change_even_if_not_archived(uow):
    item_id = draft(uow)
    publish(uow, item_id)
    backdate(uow, item_id)
    uow.session.add(SealedYear(year=LAST, sealed_by="office", sealed_at=datetime.now(timezone.utc),
                               items_archived=0))
    uow.commit()
    with pytest.raises(Conflict, match=f"year {LAST} is sealed"):
        workflow.withdraw(uow, REVIEWER, item_id, "撤回")


def test_the_timer_seals_last_year_once(uow, last_year):
    archive.seal_ended_years(uow)
    record = uow.session.get(SealedYear, LAST)
    assert (record.sealed_by, record.items_archived) == ("system", 5)
    archive.seal_ended_years(uow)  # already sealed: nothing happens
    assert uow.session.scalar(sa.select(sa.func.count()).select_from(SealedYear)) == 1
    roles = {t["role"] for t in reading.get_item(uow.session, INSPECTOR, last_year[0]["published"])["trail"]
             if t["to_status"] == "archived"}
    assert roles == {"system"}
