"""The sender's contact (个人信息): what notify may use of it to tell the sender of each step,
and nothing else. It is sealed at rest (the column is `Sealed`) and opened here only to be
handed to notify for a send; the tracking views never show it."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from .models import Feedback

# a mainland mobile number (an optional +86 in front), and an email address, anywhere in the text
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def channels_of(contact: str | None) -> dict[str, str | None]:
    """The mobile number and the email address a sender wrote in the contact field (either may
    be missing: a landline or a name alone reaches nobody automatically)."""
    text = contact or ""
    mobile = MOBILE.search(text)
    email = EMAIL.search(text)
    return {"mobile": re.sub(r"[- ]", "", mobile.group(1)) if mobile else None,
            "email": email.group(0) if email else None}


def sender_contact(session: Session, feedback_id: int) -> dict[str, Any] | None:
    """For notify, at the moment it sends: the tracking code (for the link; never the PIN) and
    where the sender can be reached. None when there is no such feedback."""
    feedback = session.get(Feedback, int(feedback_id))
    if feedback is None:
        return None
    return {"tracking_code": feedback.tracking_code, **channels_of(feedback.contact)}
