"""The audit entry of a request: who did what to which path, with what result. Both the
entrypoint (gateway/http.py, for a request refused before its route ran) and the audit trail
(gateway/audit.py, for every state-changing request) build entries with it.

Reads are audited too when they show a person's contact details (an official's phone or email,
a feedback sender's contact) or export data (the registry, the progress tables, the audit trail
itself): the route calls `audited_read(request)` before it answers, and its entry then names
the path with its query (the export's format and filters)."""
from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from services.common.records import utcnow

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def audited_read(request: Request) -> None:
    """Record this read in the audit trail like a change: it shows a person's contacts or exports."""
    request.audited_read = True


def is_audited(request: Request) -> bool:
    return request.method in STATE_CHANGING or getattr(request, "audited_read", False)


def entry_for(request: Request, rule: str, actor: dict[str, Any] | None, status: int,
              request_id: str) -> dict[str, Any] | None:
    """The audit entry of a request to a route: None unless it changes state or is an audited read. A
    sign-in names the account it was for (`request.signing_in`, set by the sign-in routes: the role
    once the account is known, `anonymous` for a refusal), so its successes and failures are found
    by the account's name."""
    if not is_audited(request):
        return None
    target = request.path if request.method in STATE_CHANGING else request.full_path.rstrip("?")
    actor = getattr(request, "signing_in", None) or actor or {"username": "anonymous", "role": "anonymous",
                                                                "unit": None}
    return {"actor": actor["username"], "role": actor["role"], "unit": actor.get("unit"),
            "action": f"{request.method} {rule}", "target": target, "result": status,
            "at": utcnow().isoformat(), "request_id": request_id}


def signing_in(request: Request, username: str | None, account: dict[str, Any] | None = None) -> None:
    """Mark the request as a sign-in for `username` (the account, once known) for its audit entry."""
    if account is not None:
        request.signing_in = {"username": account["username"], "role": account["role"],
                              "unit": account.get("unit_code")}
    elif username:
        request.signing_in = {"username": str(username)[:64].strip().lower(), "role": "anonymous", "unit": None}
