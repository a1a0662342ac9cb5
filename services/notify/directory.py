"""Who is who, as notify learns it from events: units' officials and their contacts (newest
revision wins), accounts (for the in-app inbox and preferences), items' authors; and who a
rule's recipient is for one event."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common import crypto
from services.common.contract.units import OFFICIAL_EMAIL, OFFICIAL_PHONE
from services.common.i18n import term

from .models import Contact, ItemAuthor, KnownAccount, KnownUnit

# which accounts read an official's in-app inbox: the unit's accounts of this role
ACCOUNT_ROLE_OF = {"liaison": "operator", "secretary": "reviewer", "reviewer": "reviewer"}


@dataclass
class Person:
    """One recipient of one event: `key` names them in the delivery key."""
    key: str
    unit_code: str
    name: str = ""
    email: str | None = None
    phone: str | None = None
    usernames: list[str] = field(default_factory=list)
    missing: str = ""  # why an address may be missing, for the failed delivery


def apply_unit_state(session: Session, state: dict[str, Any]) -> None:
    """Replace the unit's contacts with the officials the event carries, unless a newer
    revision of the unit was applied already."""
    known = session.get(KnownUnit, state["code"])
    if known is not None and known.revision >= state["revision"]:
        return
    known = known or KnownUnit(code=state["code"])
    known.revision, known.status = state["revision"], state["status"]
    known.parent_code, known.sector, known.name = state.get("parent_code"), state.get("sector"), state.get("name")
    session.add(known)
    session.execute(sa.delete(Contact).where(Contact.unit_code == state["code"]))
    for official in state["officials"]:
        session.add(Contact(unit_code=state["code"], role=official["role"], name=official["name"],
                            email=_opened(official.get("email"), OFFICIAL_EMAIL),
                            phone=_opened(official.get("phone"), OFFICIAL_PHONE)))


def _opened(value: str | None, context: str) -> str | None:
    """An official's contact as the event carries it, sealed (older events: in clear)."""
    if value is None or not value.startswith(crypto.PREFIX + ":"):
        return value
    return crypto.sealer().unseal(value, context)


def apply_account_state(session: Session, state: dict[str, Any]) -> None:
    known = session.get(KnownAccount, state["username"])
    if known is not None and known.revision > state["revision"]:
        return
    known = known or KnownAccount(username=state["username"])
    known.revision, known.display_name, known.role = state["revision"], state["display_name"], state["role"]
    known.unit_code, known.enabled = state["unit_code"], state["enabled"]
    session.add(known)


def remember_author(session: Session, payload: dict[str, Any]) -> None:
    session.merge(ItemAuthor(item_id=payload["item_id"], username=payload["submitted_by"],
                             unit_code=payload["unit_code"]))


def _accounts(session: Session, role: str, unit_code: str | None = None) -> list[str]:
    query = sa.select(KnownAccount.username).where(KnownAccount.role == role, KnownAccount.enabled.is_(True))
    if unit_code is not None:
        query = query.where(KnownAccount.unit_code == unit_code)
    return list(session.scalars(query.order_by(KnownAccount.username)))


def official(session: Session, unit_code: str, role: str) -> Person:
    contact = session.get(Contact, (unit_code, role))
    person = Person(key=f"{unit_code}/{role}", unit_code=unit_code,
                    usernames=_accounts(session, ACCOUNT_ROLE_OF[role], unit_code),
                    missing=f"单位 {unit_code} 没有登记{term('official_role', role)}的")
    if contact is not None:
        person.name, person.email, person.phone = contact.name, contact.email, contact.phone
    return person


def drawn_inspector(session: Session, username: str) -> Person:
    """An inspector named by an inspection (drawn or chosen): told through their own account."""
    account = session.get(KnownAccount, username)
    if account is None or not account.enabled:
        return Person(key=f"inspector:{username}", unit_code="office", missing=f"检查人员 {username} 没有可用的账号，")
    return Person(key=f"inspector:{username}", unit_code=account.unit_code or "office", name=account.display_name,
                  usernames=[username], missing=f"检查人员 {username} 的账号没有登记联系方式，")


def town_of(session: Session, unit_code: str) -> str | None:
    """The town (镇街) above a unit, walking up the copied tree."""
    seen = set()
    unit = session.get(KnownUnit, unit_code)
    while unit is not None and unit.parent_code and unit.code not in seen:
        seen.add(unit.code)
        unit = session.get(KnownUnit, unit.parent_code)
        if unit is not None and unit.sector == "town":
            return unit.code
    return None


def unit_name(session: Session, unit_code: str) -> str:
    unit = session.get(KnownUnit, unit_code)
    return unit.name if unit is not None and unit.name else unit_code


def resolve(session: Session, recipient: str, unit_codes: list[str], payload: dict[str, Any],
            settings: dict[str, Any]) -> list[Person]:
    """The people a rule's recipient names for one event."""
    if recipient == "county_office":
        return [Person(key="county_office", unit_code="office", name="县委党务公开领导小组办公室",
                       email=settings.get("COUNTY_OFFICE_EMAIL") or None,
                       phone=settings.get("COUNTY_OFFICE_PHONE") or None,
                       usernames=_accounts(session, "inspector"),
                       missing="未配置县委办公室的（NOTIFY COUNTY_OFFICE_EMAIL / COUNTY_OFFICE_PHONE）")]
    if recipient == "admin":
        return [Person(key="admin", unit_code="office", name="系统管理员", email=settings.get("ADMIN_EMAIL") or None,
                       usernames=_accounts(session, "admin"), missing="未配置系统管理员的（NOTIFY ADMIN_EMAIL）")]
    if recipient == "secadmin":  # the security administrators: lockouts
        return [Person(key="secadmin", unit_code="office", name="安全管理员", email=settings.get("SECADMIN_EMAIL") or None,
                       usernames=_accounts(session, "secadmin"), missing="未配置安全管理员的（NOTIFY SECADMIN_EMAIL）")]
    if recipient == "inspectors":
        return [drawn_inspector(session, username) for username in payload.get("inspectors") or ()]
    people = []
    for unit_code in unit_codes:
        if recipient in ("liaison", "secretary", "reviewer"):
            people.append(official(session, unit_code, recipient))
        elif recipient == "answering_unit":
            people.append(official(session, unit_code, "liaison"))
        elif recipient == "town_secretary":
            town = town_of(session, unit_code)
            if town is not None and town != unit_code:
                people.append(official(session, town, "secretary"))
        elif recipient == "author":
            author = session.get(ItemAuthor, payload.get("item_id")) if payload.get("item_id") else None
            person = official(session, unit_code, "liaison")  # the unit's 联络员 drafts its items
            if author is not None:
                person.key = f"{unit_code}/author:{author.username}"
                person.usernames = [author.username]
            people.append(person)
    return people
