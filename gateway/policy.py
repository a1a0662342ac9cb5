"""Who may call which route: the one table of route × role. Unit scope (an operator acts for their
own unit; a reviewer never approves their own draft) is checked by the service that owns the thing.
Every route must be listed: the gateway refuses to start with a route that is not, and a test walks
every route with every role against this table (areas add their rows from gateway/policy_areas/)."""
from __future__ import annotations

from typing import Any

from .auth import ROLES
from .errors import forbidden, unauthorized
from .policy_areas import area_rows
from .policy_notices import notice_pages

ANONYMOUS = "anonymous"
PUBLIC = frozenset({ANONYMOUS, *ROLES})
SIGNED_IN = frozenset(ROLES)


def only(*roles: str) -> frozenset[str]:
    assert set(roles) <= set(ROLES), roles
    return frozenset(roles)


POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/docs"): PUBLIC,
    # sign-in
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): PUBLIC,
    ("GET", "/api/v1/auth/me"): SIGNED_IN,
    ("GET", "/api/v1/api-keys"): only("admin"),
    ("POST", "/api/v1/api-keys"): only("admin"),
    ("DELETE", "/api/v1/api-keys/<id:key_id>"): only("admin"),
    ("POST", "/api/v1/auth/password"): PUBLIC,  # the current password is the proof (a one-time one too)
    # accounts (gateway/api/accounts.py): the administrator's
    # 三权分立: admin opens, disables, enables accounts; secadmin roles, unlocks, resets (gateway/policy_areas/security.py)
    ("GET", "/api/v1/accounts"): only("admin", "secadmin"),
    ("POST", "/api/v1/accounts"): only("admin"),
    ("GET", "/api/v1/accounts/<username:username>"): only("admin", "secadmin"),
    ("PATCH", "/api/v1/accounts/<username:username>"): only("secadmin"),
    ("POST", "/api/v1/accounts/<username:username>/<any(disable,enable):action>"): only("admin"),
    ("POST", "/api/v1/accounts/<username:username>/<any(unlock,reset):action>"): only("secadmin"),
    ("GET", "/api/v1/accounts/<username:username>/second-factor"): only("secadmin"),
    ("POST", "/api/v1/accounts/<username:username>/second-factor/reset"): only("secadmin"),
    ("POST", "/api/v1/accounts/provision"): only("admin"),
    # the registry: the directory is public, its upkeep the administrator's
    ("GET", "/api/v1/units"): PUBLIC,
    ("GET", "/api/v1/units/<code:code>"): PUBLIC,
    ("GET", "/api/v1/units/<code:code>/<any(children,subtree,ancestors):relation>"): PUBLIC,
    ("POST", "/api/v1/units"): only("admin"),
    ("PATCH", "/api/v1/units/<code:code>"): only("admin"),
    ("POST", "/api/v1/units/<code:code>/<any(move,merge,dissolve):action>"): only("admin"),
    ("POST", "/api/v1/units/import"): only("admin"),
    ("GET", "/api/v1/units/import/jobs/<id:job_id>"): only("admin"),
    ("POST", "/api/v1/units/import/jobs/<id:job_id>/apply"): only("admin"),
    ("GET", "/api/v1/units/export"): only("admin", "inspector"),
    ("GET", "/api/v1/units/<code:code>/officials"): only("admin", "inspector", "operator", "reviewer"),
    ("PUT", "/api/v1/units/<code:code>/officials/<any(secretary,liaison,reviewer):role>"): only("admin"),
    ("DELETE", "/api/v1/units/<code:code>/officials/<any(secretary,liaison,reviewer):role>"): only("admin"),
    ("GET", "/api/v1/designations"): PUBLIC,
    ("POST", "/api/v1/designations"): only("inspector"),
    ("POST", "/api/v1/designations/<id:designation_id>/<any(designate,revoke):action>"): only("inspector"),
    ("PUT", "/api/v1/designations/<id:designation_id>/experience"): only("inspector"),
    # the working-day calendar (放假安排): county data, entered by the county office
    ("GET", "/api/v1/calendar"): SIGNED_IN,
    ("GET", "/api/v1/calendar/<year:year>"): SIGNED_IN,
    ("GET", "/api/v1/calendar/<year:year>/passed"): only("inspector"),
    ("POST", "/api/v1/calendar/<year:year>/passed/<kind>/<id:record_id>/decide"): only("inspector"),
    ("PUT", "/api/v1/calendar/<year:year>"): only("inspector"),
    ("POST", "/api/v1/calendar/<year:year>/file"): only("inspector"),
    # the catalogue (公开目录): public to read, kept by the county office
    ("GET", "/api/v1/catalogue"): PUBLIC,
    ("GET", "/api/v1/catalogue/<code:code>"): PUBLIC,
    ("POST", "/api/v1/catalogue"): only("inspector"),
    ("PUT", "/api/v1/catalogue/<code:code>"): only("inspector"),
    ("POST", "/api/v1/catalogue/<code:code>/retire"): only("inspector"),
    # the yearly plan (实施方案): public to read (the service keeps drafts to the office), the office's to make
    ("GET", "/api/v1/plans"): PUBLIC,
    ("GET", "/api/v1/plans/<id:plan_id>"): PUBLIC,
    ("POST", "/api/v1/plans"): only("inspector"),
    ("PATCH", "/api/v1/plans/<id:plan_id>"): only("inspector"),
    ("POST", "/api/v1/plans/<id:plan_id>/<any(consult,approve,activate,close):action>"): only("inspector"),
    # obligations (公开任务): a unit's own officials, the county office and the administrator
    ("GET", "/api/v1/obligations"): only("operator", "reviewer", "inspector", "admin"),
    ("GET", "/api/v1/obligations/<id:obligation_id>"): only("operator", "reviewer", "inspector", "admin"),
    ("POST", "/api/v1/obligations/events"): only("operator"),
    ("POST", "/api/v1/obligations/<id:obligation_id>/waive"): only("inspector"),
    ("POST", "/api/v1/obligations/<id:obligation_id>/remind"): only("inspector"),
    ("GET", "/api/v1/progress"): only("inspector", "admin"),
    # disclosures: anyone reads what is published to society; the service filters the rest
    ("GET", "/api/v1/items"): PUBLIC,
    ("GET", "/api/v1/items/<id:item_id>"): PUBLIC,
    ("GET", "/api/v1/items/<id:item_id>/versions"): PUBLIC,
    ("POST", "/api/v1/items"): only("operator"),
    ("PATCH", "/api/v1/items/<id:item_id>"): only("operator"),
    ("POST", "/api/v1/items/<id:item_id>/<any(submit,review,approve,reject,withdraw):action>"): only("operator", "reviewer"),
    ("POST", "/api/v1/items/<id:item_id>/correct"): only("operator"),
    ("POST", "/api/v1/items/<id:item_id>/attachments"): only("operator"),
    ("GET", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>"): PUBLIC,
    ("DELETE", "/api/v1/items/<id:item_id>/attachments/<sha256:sha256>"): only("operator"),
    # the archive (登记归档): a unit's year for its officials and the office; sealing is the office's
    ("GET", "/api/v1/archive/<code:code>/<year:year>"): only("inspector", "admin", "operator", "reviewer"),
    ("POST", "/api/v1/archive/<year:year>/seal"): only("inspector"),
    # feedback: anyone sends it and follows it by its code (rating and reopening need its PIN);
    # the unit's officials and the county office work it (the service checks the unit and the state)
    ("POST", "/api/v1/feedback"): PUBLIC,
    ("GET", "/api/v1/feedback/<tracking:tracking_code>"): PUBLIC,
    ("POST", "/api/v1/feedback/<tracking:tracking_code>/rate"): PUBLIC,
    ("POST", "/api/v1/feedback/<tracking:tracking_code>/reopen"): PUBLIC,
    ("GET", "/api/v1/feedback"): only("operator", "reviewer", "inspector", "admin"),
    ("GET", "/api/v1/feedback/<id:feedback_id>"): only("operator", "reviewer", "inspector", "admin"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/<any(accept,release):action>"): only("operator", "reviewer", "inspector"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/reject"): only("operator", "reviewer", "inspector"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/transfer"): only("inspector"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/extend"): only("operator", "reviewer"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/grant-extension"): only("inspector"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/answer"): only("operator", "inspector"),  # inspector: on the plan
    ("POST", "/api/v1/feedback/<id:feedback_id>/approve-answer"): only("reviewer", "inspector"),
    ("POST", "/api/v1/feedback/<id:feedback_id>/reject-answer"): only("reviewer", "inspector"),
    # public answers (公开答复): read and reported by anyone, reviewed by the county office
    ("GET", "/api/v1/answers"): PUBLIC,
    ("POST", "/api/v1/answers/<id:feedback_id>/report"): PUBLIC,
    ("POST", "/api/v1/answers/<id:feedback_id>/review"): only("inspector"),
    # following events: the feed and webhooks for other county systems
    ("GET", "/api/v1/events"): only("subscriber", "admin", "inspector"),
    ("GET", "/api/v1/webhooks"): only("subscriber", "admin"),
    ("POST", "/api/v1/webhooks"): only("subscriber", "admin"),
    ("GET", "/api/v1/webhooks/<id:webhook_id>"): only("subscriber", "admin"),
    ("DELETE", "/api/v1/webhooks/<id:webhook_id>"): only("subscriber", "admin"),
    ("GET", "/api/v1/webhooks/<id:webhook_id>/deliveries"): only("subscriber", "admin"),
    ("POST", "/api/v1/webhooks/<id:webhook_id>/ping"): only("subscriber", "admin"),
    ("POST", "/api/v1/webhooks/<id:webhook_id>/rotate-secret"): only("subscriber", "admin"),
    ("POST", "/api/v1/webhooks/<id:webhook_id>/enable"): only("subscriber", "admin"),
    # notify: each official's in-app inbox and channels; the office's delivery log and previews
    ("GET", "/api/v1/notifications"): only("member", "operator", "reviewer", "inspector", "admin"),
    ("POST", "/api/v1/notifications/read"): only("member", "operator", "reviewer", "inspector", "admin"),
    ("GET", "/api/v1/notification-preferences"): only("member", "operator", "reviewer", "inspector", "admin"),
    ("PUT", "/api/v1/notification-preferences"): only("member", "operator", "reviewer", "inspector", "admin"),
    ("PUT", "/api/v1/notification-preferences/defaults"): only("inspector", "admin"),
    ("POST", "/api/v1/notification-templates/preview"): only("inspector", "admin"),
    ("GET", "/api/v1/deliveries"): only("inspector", "admin"),
    # operations
    ("GET", "/api/v1/dead-letters"): only("admin"),
    ("POST", "/api/v1/dead-letters/replay"): only("admin"),
    # supervision (督促检查、考核): the county office county-wide; a unit's operator and reviewer their own
    ("GET", "/api/v1/checklists"): PUBLIC,
    ("POST", "/api/v1/checklists"): only("inspector"),
    ("GET", "/api/v1/inspections"): only("inspector", "admin", "operator", "reviewer"),
    ("POST", "/api/v1/inspections"): only("inspector"),
    ("GET", "/api/v1/inspections/<id:inspection_id>"): only("inspector", "admin", "operator", "reviewer"),
    ("GET", "/api/v1/inspections/<id:inspection_id>/draw"): SIGNED_IN,
    ("GET", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>"): only("inspector", "admin", "operator", "reviewer"),
    ("PUT", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/scores"): only("inspector"),
    ("POST", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/submit"): only("inspector"),
    ("POST", "/api/v1/inspections/<id:inspection_id>/units/<code:unit_code>/correct"): only("inspector"),
    ("GET", "/api/v1/inspections/<id:inspection_id>/findings"): only("inspector", "admin", "operator", "reviewer"),
    ("POST", "/api/v1/inspection-records/<id:record_id>/photos"): only("inspector"),
    ("GET", "/api/v1/rectifications"): only("inspector", "admin", "operator", "reviewer"),
    ("GET", "/api/v1/rectifications/<id:rectification_id>"): only("inspector", "admin", "operator", "reviewer"),
    ("POST", "/api/v1/rectifications/<id:rectification_id>/submit"): only("operator"),
    ("POST", "/api/v1/rectifications/<id:rectification_id>/<any(accept,return):action>"): only("inspector"),
    ("POST", "/api/v1/rectifications/<id:rectification_id>/photos"): only("operator"),
    ("GET", "/api/v1/rectifications/<id:rectification_id>/photos/<sha256:sha256>"): only("inspector", "admin", "operator", "reviewer"),
    ("GET", "/api/v1/scores"): only("inspector", "admin", "operator", "reviewer"),
    ("GET", "/api/v1/rankings"): PUBLIC,  # the public: a published report's only (the service decides)
    ("GET", "/api/v1/reports"): PUBLIC,
    ("POST", "/api/v1/reports"): only("inspector"),
    ("GET", "/api/v1/reports/<id:report_id>"): PUBLIC,
    ("PATCH", "/api/v1/reports/<id:report_id>"): only("inspector"),
    ("POST", "/api/v1/reports/<id:report_id>/issue"): only("inspector"),
    ("GET", "/api/v1/reports/<id:report_id>.xlsx"): PUBLIC,
    ("GET", "/api/v1/reports/<id:report_id>/page"): PUBLIC,
    ("GET", "/api/v1/candidates"): only("inspector", "admin"),
    ("POST", "/api/v1/candidates/<code:unit_code>/nominate"): only("inspector"),
    ("GET", "/api/v1/commitments"): PUBLIC,
    ("POST", "/api/v1/commitments"): only("operator", "reviewer", "inspector"),
    ("GET", "/api/v1/comments"): PUBLIC,
    ("POST", "/api/v1/comments"): only("inspector", "reviewer"),
    # the audit trail: read and verified by the audit administrator (and nobody else), edited by no one
    ("GET", "/api/v1/audit"): only("auditor"),
    ("GET", "/api/v1/audit/verify"): only("auditor"),
}
# anything else is a 404 in the envelope, for anyone
CATCH_ALL = "/<path:path>"

# the console's actions on one feedback (gateway/pages/console/feedback_actions.py); the feedback service checks unit and state
FEEDBACK_ACTION = ("/console/feedback/<id:feedback_id>/<any(accept,answer,'approve-answer','reject-answer',extend,reject,"
                   "release,transfer,'grant-extension','refuse-extension'):action>")
# the dashboard's charts, each drawn as SVG and exported as .xlsx (gateway/pages/console/progress.py); a dead letter
PROGRESS_CHARTS = "town,sector,overdue,month,feedback,rectifications,ranking"
DEAD_LETTER = "/console/dead-letters/<any(units,disclosure,feedback,notify,supervision):service>/<id:letter_id>"

# the web pages (gateway/pages): the same rule per route × role; left out of the OpenAPI document.
# A signed-in page refused to an anonymous reader sends the browser to /login.
PAGES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/static/<name>"): PUBLIC,
    # the public portal (一村一码): what the public may see, members their chain's Party-scope items too
    ("GET", "/"): PUBLIC,
    ("GET", "/units/<code:code>"): PUBLIC,
    ("GET", "/units/<code:code>/qr.<any(svg,png):fmt>"): PUBLIC,
    ("GET", "/units/<code:code>/poster"): PUBLIC,
    ("GET", "/towns/<code:code>/posters"): only("inspector", "admin"),
    ("GET", "/towns/<code:code>/posters.zip"): only("inspector", "admin"),
    ("GET", "/items/<id:item_id>"): PUBLIC,
    ("GET", "/plans/<id:plan_id>"): PUBLIC,
    ("GET", "/models"): PUBLIC,
    ("GET", "/feedback/new"): PUBLIC,
    ("POST", "/feedback"): PUBLIC,
    ("GET", "/track"): PUBLIC,
    ("GET", "/track/<tracking:tracking_code>"): PUBLIC,
    # the staff console (gateway/pages/console): signing in, each role's work, the admin's accounts
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/login/password"): PUBLIC,
    ("POST", "/login/password"): PUBLIC,  # the current (or one-time) password is the proof
    ("POST", "/logout"): PUBLIC,
    ("GET", "/console"): only("operator", "reviewer", "inspector", "admin", "secadmin", "auditor"),
    ("GET", "/console/items/new"): only("operator"),
    ("POST", "/console/items"): only("operator"),
    ("GET", "/console/items/<id:item_id>"): only("operator", "reviewer", "inspector", "admin"),
    ("GET", "/console/items/<id:item_id>/<any(submit,review,approve,reject):action>"): only("operator", "reviewer"),
    ("POST", "/console/items/<id:item_id>/<any(submit,review,approve,reject):action>"): only("operator", "reviewer"),
    ("GET", "/console/items/<id:item_id>/<any(correct,edit):mode>"): only("operator"),
    ("POST", "/console/items/<id:item_id>/<any(correct,edit):mode>"): only("operator"),
    ("GET", "/console/feedback/<id:feedback_id>"): only("operator", "reviewer", "inspector"),
    ("GET", FEEDBACK_ACTION): only("operator", "reviewer", "inspector"),
    ("POST", FEEDBACK_ACTION): only("operator", "reviewer", "inspector"),
    ("GET", "/console/moderation"): only("inspector"),
    ("GET", "/console/extensions"): only("inspector"),
    ("GET", "/console/progress"): only("inspector", "admin"),
    ("GET", "/console/calendar"): only("inspector"),
    ("POST", "/console/calendar/<year:year>"): only("inspector"),
    ("POST", "/console/calendar/<year:year>/passed/<kind>/<id:record_id>"): only("inspector"),
    ("GET", f"/console/progress/<any({PROGRESS_CHARTS}):kind>.svg"): only("inspector", "admin"),
    ("GET", f"/console/progress/<any({PROGRESS_CHARTS}):kind>.xlsx"): only("inspector", "admin"),
    ("GET", "/console/screen"): only("inspector", "admin"),
    ("GET", "/console/obligations"): only("inspector", "admin"),
    ("GET", "/console/scores"): only("inspector", "admin"),
    ("GET", "/console/rectifications"): only("inspector", "admin"),
    **notice_pages(PUBLIC),  # where notices land, the inbox, senders' and readers' actions (policy_notices.py)
    **area_rows(PUBLIC),  # each area's own rows (gateway/policy_areas/)
    # the county office's reminders (催办) and inspections (gateway/pages/console/reminders.py, inspections.py,
    # inspection_records.py); supervision checks that whoever records a unit is its inspector
    ("GET", "/console/obligations/<id:obligation_id>/remind"): only("inspector"),
    ("POST", "/console/obligations/<id:obligation_id>/remind"): only("inspector"),
    ("GET", "/console/inspections"): only("inspector"),
    ("GET", "/console/inspections/new"): only("inspector"),
    ("POST", "/console/inspections"): only("inspector"),
    ("GET", "/console/inspections/<id:inspection_id>"): only("inspector", "operator", "reviewer"),
    ("GET", "/console/inspections/<id:inspection_id>/units/<code:unit_code>"): only("inspector"),
    ("POST", "/console/inspections/<id:inspection_id>/units/<code:unit_code>"): only("inspector"),
    ("GET", "/console/inspections/<id:inspection_id>/units/<code:unit_code>/submit"): only("inspector"),
    ("POST", "/console/inspections/<id:inspection_id>/units/<code:unit_code>/submit"): only("inspector"),
    # the registry (gateway/pages/console/registry.py): the office and the administrator; a unit's own officials its page
    ("GET", "/console/units"): only("inspector", "admin"),
    ("GET", "/console/units/<code:code>"): only("inspector", "admin", "operator", "reviewer"),
    ("GET", "/console/units/export.<any(xlsx,csv):fmt>"): only("inspector", "admin"),
    ("GET", "/console/units/import"): only("admin"),
    ("POST", "/console/units/import"): only("admin"),
    ("GET", "/console/units/import/<id:job_id>"): only("admin"),
    ("POST", "/console/units/import/<id:job_id>/apply"): only("admin"),
    # operations (gateway/pages/console/admin.py, webhooks.py): the administrator's
    ("GET", "/console/api-keys"): only("admin"),
    ("POST", "/console/api-keys"): only("admin"),
    ("GET", "/console/api-keys/<id:key_id>/revoke"): only("admin"),
    ("POST", "/console/api-keys/<id:key_id>/revoke"): only("admin"),
    ("GET", "/console/webhooks"): only("admin"),
    ("POST", "/console/webhooks"): only("admin"),
    ("GET", "/console/webhooks/<id:webhook_id>"): only("admin"),
    ("GET", "/console/webhooks/<id:webhook_id>/<any(ping,rotate,enable,delete):action>"): only("admin"),
    ("POST", "/console/webhooks/<id:webhook_id>/<any(ping,rotate,enable,delete):action>"): only("admin"),
    ("GET", "/console/dead-letters"): only("admin"),
    ("GET", DEAD_LETTER): only("admin"),
    ("POST", DEAD_LETTER + "/replay"): only("admin"),
}


def allowed_roles(method: str, rule: str) -> frozenset[str]:
    if method == "HEAD":  # werkzeug answers HEAD with the GET route
        method = "GET"
    if rule == CATCH_ALL:
        return PUBLIC
    try:
        return POLICY[(method, rule)] if (method, rule) in POLICY else PAGES[(method, rule)]
    except KeyError:
        raise LookupError(f"route {method} {rule} has no entry in gateway/policy.py") from None


def authorize(method: str, rule: str, actor: dict[str, Any] | None) -> None:
    """401 when the route needs a signed-in caller and there is none; 403 for a wrong role."""
    roles = allowed_roles(method, rule)
    if ANONYMOUS in roles:
        return
    if actor is None:
        raise unauthorized("sign in first: this needs a bearer token")
    if actor["role"] not in roles:
        raise forbidden(f"this needs the role {' or '.join(sorted(roles))}; you are {actor['role']}")
