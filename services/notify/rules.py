"""The rules file (data/notify_rules.yaml): which event tells whom, on which channels, how
urgently. Checked whole before use — an unknown event, recipient or channel, a missing
template, a link that is not a console page (services/common/console_links.py) or needs a field
the event does not carry — with errors naming the event and the entry; reloaded when the file changes, a broken edit leaving the previous rules in force."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.common import console_links
from services.common.contract import CATALOGUE

from . import templates

log = logging.getLogger(__name__)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "notify_rules.yaml"
RECIPIENTS = ("liaison", "secretary", "reviewer", "town_secretary", "county_office", "author", "answering_unit",
              "admin", "secadmin", "sender", "inspectors")
SENDER = "sender"  # the feedback's sender, reached through the contact feedback keeps (never an event's field)
SENDER_CHANNELS = ("sms", "email")
CHANNELS = ("email", "sms", "wecom", "dingtalk", "inbox")
URGENCIES = ("normal", "urgent")
QUIET_CHANNELS = ("sms", "wecom", "dingtalk")  # wait for the morning unless urgent


class RulesError(ValueError):
    """The rules file is wrong; the message names where."""


@dataclass(frozen=True)
class Tell:
    to: tuple[str, ...]
    channels: tuple[str, ...]
    urgency: str = "normal"
    digest: bool = False
    when: dict[str, Any] = field(default_factory=dict)

    def applies(self, payload: dict[str, Any]) -> bool:
        return all(str(payload.get(key)) == str(value) for key, value in self.when.items())

    @property
    def audience(self) -> str:
        """"sender" for the entry that tells the feedback's sender (its own templates), else ""."""
        return SENDER if self.to == (SENDER,) else ""


@dataclass(frozen=True)
class EventRule:
    event_type: str
    link: str
    tell: tuple[Tell, ...]

    def link_for(self, payload: dict[str, Any]) -> str:
        """The console path where the recipient acts on what the event is about."""
        return console_links.path_for(self.link, payload)

    @property
    def tells_sender(self) -> bool:
        return any(tell.audience == SENDER for tell in self.tell)


def parse(text: str, source: str = "notify_rules.yaml") -> dict[str, EventRule]:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RulesError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("events"), dict):
        raise RulesError(f"{source}: the file must have an `events:` mapping of event types")
    rules, errors = {}, []
    for event_type, spec in document["events"].items():
        where = f"{source}: {event_type}"
        if event_type not in CATALOGUE:
            errors.append(f"{where}: unknown event type (known: {', '.join(sorted(CATALOGUE))})")
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("tell"), list) or not spec["tell"]:
            errors.append(f"{where}: give `tell:`, a list of recipients and channels")
            continue
        fields = set(CATALOGUE[event_type].schema().fields)
        link = str(spec.get("link") or "home")
        if link not in console_links.PAGES:
            errors.append(f"{where}: the link must name a console page ({', '.join(console_links.PAGES)}), not {link}")
        elif console_links.fields_of(link) - fields:
            errors.append(f"{where}: the {link} page needs {', '.join(sorted(console_links.fields_of(link) - fields))}, "
                          f"which {event_type} does not carry")
        tells = []
        for number, entry in enumerate(spec["tell"], 1):
            tell, problems = _tell(entry, fields)
            errors.extend(f"{where}, entry {number}: {p}" for p in problems)
            if tell:
                errors.extend(f"{where}, entry {number}: {p}"
                              for p in templates.missing(event_type, tell.channels, tell.audience))
                tells.append(tell)
        rules[event_type] = EventRule(event_type, link, tuple(tells))
    if errors:
        raise RulesError("\n".join(errors))
    return rules


def _tell(entry: Any, fields: set[str]) -> tuple[Tell | None, list[str]]:
    if not isinstance(entry, dict):
        return None, ["each entry is a mapping with `to` and `channels`"]
    unknown_keys = set(entry) - {"to", "channels", "urgency", "digest", "when"}
    to = entry.get("to") or []
    channels = entry.get("channels") or []
    to, channels = ([to] if isinstance(to, str) else list(to)), ([channels] if isinstance(channels, str) else list(channels))
    problems = [f"unknown key {k}" for k in sorted(unknown_keys)]
    problems += [f"unknown recipient {r} (known: {', '.join(RECIPIENTS)})" for r in to if r not in RECIPIENTS]
    problems += [f"unknown channel {c} (known: {', '.join(CHANNELS)})" for c in channels if c not in CHANNELS]
    if not to or not channels:
        problems.append("give at least one recipient in `to` and one channel in `channels`")
    if SENDER in to and (to != [SENDER] or set(channels) - set(SENDER_CHANNELS) or "feedback_id" not in fields):
        problems.append(f"the sender has an entry of its own, on {' and '.join(SENDER_CHANNELS)} only, "
                        "for an event that carries feedback_id")
    urgency = entry.get("urgency", "normal")
    if urgency not in URGENCIES:
        problems.append(f"urgency must be one of {', '.join(URGENCIES)}")
    when = entry.get("when") or {}
    if not isinstance(when, dict) or set(when) - fields:
        problems.append(f"`when` names fields the event does not carry: {', '.join(sorted(set(when) - fields))}")
    if problems:
        return None, problems
    return Tell(tuple(to), tuple(channels), urgency, bool(entry.get("digest", False)), dict(when)), []


class Rules:
    """The rules in force, reread when the file's modification time changes."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path or DEFAULT_PATH)
        if not self.path.is_absolute():
            self.path = DEFAULT_PATH.parents[1] / self.path
        self._mtime = None
        self._rules = parse(self.path.read_text(encoding="utf-8"), self.path.name)  # start: errors are fatal
        self._mtime = self.path.stat().st_mtime_ns

    def current(self) -> dict[str, EventRule]:
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            return self._rules
        if mtime != self._mtime:
            self._mtime = mtime
            try:
                self._rules = parse(self.path.read_text(encoding="utf-8"), self.path.name)
                log.info("notify rules reloaded from %s", self.path)
            except RulesError as exc:
                log.error("notify rules not reloaded, the previous ones stay in force:\n%s", exc)
        return self._rules

    def for_event(self, event_type: str) -> EventRule | None:
        return self.current().get(event_type)

    def event_types(self) -> set[str]:
        return set(self.current())
