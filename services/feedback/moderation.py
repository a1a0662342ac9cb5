"""Abuse controls beside the gateway's rate limit: the word screen (data/feedback_screen.txt,
reread when it changes), size and link limits, duplicates within a day, and readers' reports
on public answers. Plain functions, testable without a broker."""
from __future__ import annotations

import hashlib
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.actor import Actor
from services.common.errors import Conflict, InvalidInput, NotFound
from services.common.records import utcnow

from .models import Feedback, Report
from .roles import office_only
from .settings import Settings

LINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class WordScreen:
    """The screen's words, reloaded when the file's modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[float, int] | None = None
        self._words: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def words(self) -> tuple[str, ...]:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime, stat.st_size)
        except FileNotFoundError:
            return ()
        with self._lock:
            if stamp != self._stamp:
                lines = self.path.read_text(encoding="utf-8").splitlines()
                self._words = tuple(_normal(line) for line in lines if line.strip() and not line.lstrip().startswith("#"))
                self._stamp = stamp
            return self._words

    def matches(self, text: str) -> list[str]:
        normal = _normal(text)
        return [word for word in self.words() if word and word in normal]


_screens: dict[Path, WordScreen] = {}


def screen_for(settings: Settings) -> WordScreen:
    path = settings.screen_path
    if path not in _screens:
        _screens[path] = WordScreen(path)
    return _screens[path]


def _normal(text: str) -> str:
    return _SPACE.sub("", text).casefold()


def content_hash(target_kind: str, target_id: str, content: str) -> str:
    """The same text (spaces and case aside) to the same target."""
    return hashlib.sha256(f"{target_kind}:{target_id}:{_normal(content)}".encode()).hexdigest()


def check_limits(content: str, settings: Settings) -> None:
    if len(content) > settings.max_chars:
        raise InvalidInput(f"内容过长：最多 {settings.max_chars} 字，请精简后再提交",
                           {"fields": {"content": [f"at most {settings.max_chars} characters"]}})
    links = len(LINK.findall(content))
    if links > settings.max_links:
        raise InvalidInput(f"内容中的链接过多（{links} 个）：最多 {settings.max_links} 个，请删去多余的链接",
                           {"fields": {"content": [f"at most {settings.max_links} links"]}})


def refuse_duplicate(session: Session, digest: str, settings: Settings) -> None:
    """The same text to the same target within the window is refused without a word of whose
    it is (its tracking code would open the first sender's case); when the first one's answer
    is public, the refusal links to it on the unit's page."""
    since = utcnow() - timedelta(hours=settings.duplicate_hours)
    first = session.scalar(sa.select(Feedback).where(
        Feedback.content_hash == digest, Feedback.received_at >= since).order_by(Feedback.id).limit(1))
    if first is None:
        return
    if _publicly_answered(first) and not first.answer_hidden:
        answer = f"/units/{first.unit_code}#answer-{first.id}"
        raise Conflict(f"相同内容已于 {settings.duplicate_hours} 小时内提交过，并已公开答复，请查看该答复", {"answer": answer})
    raise Conflict(f"相同内容已于 {settings.duplicate_hours} 小时内提交过，正在办理，请不要重复提交", {})


# --- readers' reports on public answers -------------------------------------------------

def report_answer(session: Session, feedback_id: int, reporter: str, settings: Settings) -> dict[str, Any]:
    """One report per reader and answer; at `reports_to_hide` the answer is hidden until the
    county office reviews it (an answer the office kept after review stays shown)."""
    feedback = session.get(Feedback, feedback_id, with_for_update=True)
    if feedback is None or not _publicly_answered(feedback) or feedback.answer_hidden:
        raise NotFound("没有这条公开答复，或它已被隐藏待审")
    if session.get(Report, (feedback_id, reporter)) is None:
        session.add(Report(feedback_id=feedback_id, reporter=reporter, at=utcnow()))
        feedback.reports += 1
        if feedback.reports >= settings.reports_to_hide and feedback.answer_reviewed_at is None:
            feedback.answer_hidden = True
    return {"id": feedback.id, "reports": feedback.reports, "hidden": feedback.answer_hidden}


def review_answer(session: Session, feedback_id: int, keep: bool) -> Feedback:
    """The county office's decision on a reported answer: shown again (kept), or hidden for good."""
    feedback = session.get(Feedback, feedback_id, with_for_update=True)
    if feedback is None or not _publicly_answered(feedback):
        raise NotFound(f"没有编号为 {feedback_id} 的公开答复")
    if feedback.reports == 0:
        raise Conflict("这条公开答复没有被举报，无需审核")
    feedback.answer_hidden, feedback.answer_reviewed_at = not keep, utcnow()
    return feedback


def review_reported(session: Session, actor: Actor, feedback_id: int, keep: bool) -> dict[str, Any]:
    """review_answer, by the county office only, as the console shows it."""
    office_only(actor, "审核被举报的公开答复")
    feedback = review_answer(session, feedback_id, keep)
    return {"id": feedback.id, "reports": feedback.reports, "hidden": feedback.answer_hidden}


def _publicly_answered(feedback: Feedback) -> bool:
    return feedback.public and feedback.answered_at is not None and feedback.status in ("answered", "closed",
                                                                                         "reopened", "reviewing")
