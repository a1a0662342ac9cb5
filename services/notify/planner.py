"""From one event to its deliveries: the rules name recipients and channels; preferences
switch channels off; SMS and robot messages of normal urgency wait for the end of quiet
hours; yellow warnings marked `digest` are held for the morning digest; each (event,
recipient, channel) gets one delivery, by a unique key. The in-app inbox is written here,
in the handler's transaction. Nothing here talks to the network."""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import console_links
from services.common.contract import Event
from services.common.workdays import COUNTY_TIMEZONE

from . import directory, outcomes, robots as robot_of, sms_vendors, templates
from .models import Delivery, InboxMessage, Preference
from .rules import QUIET_CHANNELS, SENDER, Rules, Tell

log = logging.getLogger(__name__)
DEFAULTS = "*"  # the preferences row holding the county office's defaults


def _clock(text: str | int) -> time:
    if isinstance(text, int):  # YAML 1.1 reads an unquoted 09:30 as sexagesimal minutes
        return time(text // 60, text % 60)
    hours, _, minutes = str(text).partition(":")
    return time(int(hours), int(minutes or 0))


def quiet_until(now: datetime, quiet: str) -> datetime | None:
    """The end of the quiet hours (e.g. "22:00-07:30", county time) `now` falls in, or None."""
    if not quiet:
        return None
    start, _, end = str(quiet).partition("-")
    start, end = _clock(start), _clock(end)
    local = now.astimezone(COUNTY_TIMEZONE)
    at = local.time()
    inside = (start <= at or at < end) if start > end else (start <= at < end)
    if not inside:
        return None
    day = local.date() if at < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, COUNTY_TIMEZONE).astimezone(now.tzinfo)


def when_allowed(at: datetime, channel: str, urgency: str, settings: dict[str, Any],
                 quiet: str | None = None) -> datetime:
    """`at`, or the end of the quiet hours it falls in for an SMS or robot message of normal
    urgency: a first attempt and every retry alike. `quiet` is the recipient's own ("" for
    none); None follows the county's (config NOTIFY QUIET_HOURS)."""
    if channel in QUIET_CHANNELS and urgency != "urgent":
        return quiet_until(at, settings.get("QUIET_HOURS", "22:00-07:30") if quiet is None else quiet) or at
    return at


def digest_day(now: datetime, digest_at: str) -> str:
    """The county date of the next digest at `digest_at` (e.g. "08:30")."""
    local = now.astimezone(COUNTY_TIMEZONE)
    day = local.date() if local.time() < _clock(digest_at) else local.date() + timedelta(days=1)
    return day.isoformat()


def digest_due(now: datetime, digest_at: str) -> str:
    """The latest county date whose digest time has passed at `now`."""
    local = now.astimezone(COUNTY_TIMEZONE)
    day = local.date() if local.time() >= _clock(digest_at) else local.date() - timedelta(days=1)
    return day.isoformat()


def preferences(session: Session, usernames: list[str]) -> dict[str, bool]:
    defaults = session.get(Preference, DEFAULTS)
    merged = dict(defaults.channels) if defaults else {}
    for username in usernames[:1]:  # the official's own account (the first, by username)
        own = session.get(Preference, username)
        if own is not None:
            merged.update(own.channels)
    return merged


def timing(session: Session, usernames: list[str]) -> tuple[str | None, bool | None]:
    """The person's quiet hours and digest choice: their own, else the county office's defaults
    (the '*' row); None where neither chose (the config's quiet hours, the rules' digest)."""
    rows = [session.get(Preference, name) for name in usernames[:1]] + [session.get(Preference, DEFAULTS)]
    quiet = next((row.quiet_hours for row in rows if row is not None and row.quiet_hours is not None), None)
    digest = next((row.digest for row in rows if row is not None and row.digest is not None), None)
    return quiet, digest


def configured(settings: dict[str, Any], channel: str) -> bool:
    if channel == "sms":
        return sms_vendors.configured(settings.get("SMS") or {})
    if channel in ("wecom", "dingtalk"):
        return robot_of.configured(settings, channel)
    return True


def message_id(key: str, domain: str = "gongkai") -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def plan(session: Session, event: Event, rules: Rules, settings: dict[str, Any], now: datetime,
         sender: dict[str, Any] | None = None) -> list[Delivery]:
    """Queue the event's deliveries (flushed) and write its inbox messages; returns the deliveries.
    `sender` is where the feedback's sender can be reached, as feedback answered for this send."""
    rule = rules.for_event(event.type)
    if rule is None:
        return []
    p = event.payload
    unit_codes = list(p["unit_codes"]) if "unit_codes" in p else ([p["unit_code"]] if p.get("unit_code") else [])
    link = str(settings.get("PUBLIC_URL") or "").rstrip("/") + rule.link_for(p)
    name = directory.unit_name(session, unit_codes[0]) if unit_codes else ""
    deliveries: list[Delivery] = []
    seen: set[tuple[str, str]] = set()
    robots: dict[tuple[str, str], dict[str, Any]] = {}
    for tell in rule.tell:
        if not tell.applies(p):
            continue
        if tell.audience == SENDER:
            deliveries += _to_sender(session, event, sender, tell, name, settings, now)
            continue
        people = [person for recipient in tell.to
                  for person in directory.resolve(session, recipient, unit_codes, p, settings)]
        for person in people:
            prefs = preferences(session, person.usernames)
            quiet, digest = timing(session, person.usernames)
            for channel in tell.channels:
                if not prefs.get(channel, True) or not configured(settings, channel):
                    continue
                if channel == "inbox":
                    _inbox(session, event, person, link, name, tell, now)
                elif channel in ("wecom", "dingtalk"):
                    owner = robot_of.owner(session, settings, channel, person.unit_code)
                    if owner is None:
                        continue
                    robot = robots.setdefault((channel, owner), {"tell": tell, "mentions": [], "units": set()})
                    if person.phone and person.phone not in robot["mentions"]:
                        robot["mentions"].append(person.phone)
                    robot["units"].add(person.unit_code)
                else:
                    address = person.email if channel == "email" else person.phone
                    if address and (channel, address) in seen:
                        continue
                    seen.add((channel, address or person.key))
                    deliveries.append(_delivery(session, event, channel, person.key, person.unit_code, address or "",
                                                link, name, tell, settings, now,
                                                missing=f"{person.missing}{'邮箱' if channel == 'email' else '手机号'}",
                                                quiet=quiet, digest=digest))
    for (channel, owner), robot in robots.items():  # one message to each robot, the county's keeps its old key
        deliveries.append(_delivery(session, event, channel, "robot" if owner == robot_of.COUNTY else f"robot:{owner}",
                                    sorted(robot["units"], key=str)[0], ",".join(robot["mentions"]), link, name,
                                    robot["tell"], settings, now, destination=robot_of.destination(channel, owner)))
    session.flush()
    return deliveries


def _to_sender(session: Session, event: Event, sender: dict[str, Any] | None, tell: Tell, name: str,
               settings: dict[str, Any], now: datetime) -> list[Delivery]:
    """The sender's SMS and email, each only where the sender left that kind of address (no
    failed row for the one they did not leave), with the tracking page as the link."""
    if not sender or not sender.get("tracking_code"):
        return []
    link = str(settings.get("PUBLIC_URL") or "").rstrip("/") + console_links.tracking_path(sender["tracking_code"])
    addresses = {"sms": sender.get("mobile"), "email": sender.get("email")}
    made = [_delivery(session, event, channel, SENDER, event.payload.get("unit_code") or "", addresses[channel],
                      link, name, tell, settings, now)
            for channel in tell.channels if addresses.get(channel) and configured(settings, channel)]
    for delivery in made:
        outcomes.forget_sender_address(delivery)  # one that failed already (a template) keeps no address
    return made


def _delivery(session: Session, event: Event, channel: str, who: str, unit_code: str, address: str, link: str,
              name: str, tell: Tell, settings: dict[str, Any], now: datetime, missing: str = "",
              destination: str | None = None, quiet: str | None = None, digest: bool | None = None) -> Delivery:
    """One delivery, once per (event, channel, recipient); `quiet` and `digest` are the
    recipient's own choices (None: the county's)."""
    key = f"{event.event_id}:{channel}:{who}"
    existing = session.scalar(sa.select(Delivery).where(Delivery.delivery_key == key))
    if existing is not None:
        return existing
    delivery = Delivery(cause_event_id=str(event.event_id), cause_type=event.type, unit_code=unit_code,
                        channel=channel, recipient=address or f"({who})", subject="", body="", attempts=0,
                        created_at=now, delivery_key=key, urgency=tell.urgency, link=link[:500],
                        destination=destination, message_id=message_id(key, _domain(settings)), quiet_hours=quiet)
    try:
        delivery.subject, delivery.body = templates.render(event.type, channel, event.payload, link, name,
                                                           tell.audience)
        delivery.subject = delivery.subject[:300]
    except templates.TemplateError as exc:
        delivery.status, delivery.last_error = "failed", str(exc)
        session.add(delivery)
        return delivery
    if not address and channel in ("email", "sms"):
        delivery.status, delivery.last_error = "failed", missing or f"no {channel} address"
    elif tell.digest and digest is not False:  # a person who chose no digest gets each as it comes
        delivery.status, delivery.digest_on = "held", digest_day(now, settings.get("DIGEST_AT", "08:30"))
    else:
        delivery.status, delivery.next_attempt_at = "pending", when_allowed(now, channel, tell.urgency, settings, quiet)
    session.add(delivery)
    return delivery


def _domain(settings: dict[str, Any]) -> str:
    return str(settings.get("MESSAGE_ID_DOMAIN") or "gongkai.local")


def _inbox(session: Session, event: Event, person: directory.Person, link: str, name: str, tell: Tell,
           now: datetime) -> None:
    try:
        subject, body = templates.render(event.type, "inbox", event.payload, link, name)
    except templates.TemplateError as exc:
        log.error("inbox message for %s not written: %s", event.type, exc)
        return
    for username in person.usernames:
        if session.scalar(sa.select(InboxMessage.id).where(InboxMessage.cause_event_id == str(event.event_id),
                                                           InboxMessage.username == username)) is None:
            session.add(InboxMessage(username=username, cause_event_id=str(event.event_id), cause_type=event.type,
                                     unit_code=person.unit_code, urgency=tell.urgency, subject=subject[:300],
                                     body=body, link=link[:500], created_at=now))
            session.flush()


def bundle_digests(session: Session, now: datetime, settings: dict[str, Any]) -> list[Delivery]:
    """At the digest time: one message per (recipient, channel) bundling that person's held
    yellow warnings; the held deliveries are marked bundled into it."""
    due = digest_due(now, settings.get("DIGEST_AT", "08:30"))
    held = list(session.scalars(sa.select(Delivery).where(Delivery.status == "held", Delivery.digest_on <= due)
                                .order_by(Delivery.id)))
    groups: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in held:
        groups.setdefault((delivery.channel, delivery.recipient), []).append(delivery)
    made = []
    for (channel, recipient), parts in groups.items():
        key = f"digest:{due}:{channel}:{parts[0].recipient_index}"  # no address in a key
        bundle = session.scalar(sa.select(Delivery).where(Delivery.delivery_key == key))
        if bundle is None:
            lines = [f"{n}. {part.body}" for n, part in enumerate(parts, 1)]
            bundle = Delivery(cause_event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, key)), cause_type="Digest", unit_code=parts[0].unit_code,
                              channel=channel, recipient=recipient, subject=f"【党务公开·每日提醒】{len(parts)} 项即将到期",
                              body=f"【党务公开·每日提醒】您有 {len(parts)} 项即将到期：\n" + "\n".join(lines),
                              status="pending", attempts=0, created_at=now, next_attempt_at=now, delivery_key=key,
                              urgency="normal", destination=parts[0].destination,
                              message_id=message_id(key, _domain(settings)))
            session.add(bundle)
            session.flush()
            made.append(bundle)
        for part in parts:
            part.status, part.bundled_into = "bundled", bundle.id
    session.flush()
    return made
