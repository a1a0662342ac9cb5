"""The administrator's operations pages: API keys for other county systems (list, create —
the key shown once, on a page never stored —, revoke), and dead letters, the events a
service gave up on (list them across services, read one whole, put it back on its queue once
the cause is fixed). The same RPCs as /api/v1/api-keys and /api/v1/dead-letters; every action
a confirmation page whose button posts it, a refusal in words next to what caused it."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError, NotFound

from ...params import OneOf, Query, Text
from ...labels import SERVICE_NAMES
from ...queries import SERVICES
from ..kit.forms import validate_form
from ..kit.pages import page, uncached

LETTERS_PER_SERVICE = 20
WORK_PAGE_LETTERS = 5  # per service, on 我的待办
BODY_SHOWN = 64 * 1024  # a body larger than this is shown cut, with its size and hash
SERVICE_RULE = f"<any({','.join(SERVICES)}):service>"


class NewKey(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))


class LettersQuery(Query):
    service = OneOf(*SERVICES)
    type = Text(64, "an event type")
    after = fields.Integer(validate=validate.Range(0, 2**31 - 1))


class ConsoleAdmin:
    """Mixed into GatewayService; needs `units`, the other services' proxies, `access` and `web`."""

    # --- API keys ---------------------------------------------------------------------------

    def _keys_page(self, request: Request, status: int = 200, **context: Any) -> Response:
        keys = self.units.list_api_keys()
        context = {"created": None, "errors": {}, "form": {}, **context}
        return uncached(self.web.page(request, "console/api_keys.html", status, title="API 密钥", keys=keys, **context))

    @page("GET", "/console/api-keys")
    def console_api_keys(self, request: Request) -> Response:
        return self.renew_session(request, self._keys_page(request))

    @page("POST", "/console/api-keys")
    def console_create_api_key(self, request: Request) -> Response:
        """A new key, shown on this answer only (it is kept as a hash)."""
        form = {"name": request.form_data.get("name", "")}
        loaded, errors = validate_form(NewKey(), form, {"name": "使用这个密钥的系统"})
        if errors:
            return self._keys_page(request, 400, errors=errors, form=form)
        try:
            created = self.units.create_api_key(loaded["name"], request.actor["username"])
        except DomainError as exc:
            return self._keys_page(request, exc.status, errors={"name": i18n.translate(exc.message)}, form=form)
        self.refresh_api_keys()
        return self._keys_page(request, created=created)

    def _key(self, key_id: int) -> dict[str, Any]:
        for key in self.units.list_api_keys():
            if key["id"] == key_id:
                return key
        raise NotFound(f"没有编号为 {key_id} 的 API 密钥。")

    @page("GET", "/console/api-keys/<id:key_id>/revoke")
    def console_confirm_revoke_key(self, request: Request, key_id: int) -> Response:
        return uncached(self.web.page(request, "console/api_key_revoke.html", title="吊销 API 密钥",
                                      key=self._key(key_id), done=False))

    @page("POST", "/console/api-keys/<id:key_id>/revoke")
    def console_revoke_key(self, request: Request, key_id: int) -> Response:
        """Revoked at once in this gateway; the others drop it within half a minute."""
        key = self.units.revoke_api_key(key_id)
        self.refresh_api_keys()
        return uncached(self.web.page(request, "console/api_key_revoke.html", title="吊销 API 密钥", key=key,
                                      done=True))

    # --- dead letters -------------------------------------------------------------------------

    @page("GET", "/console/dead-letters", query=LettersQuery)
    def console_dead_letters(self, request: Request) -> Response:
        """Each service's dead letters, oldest first; `service` and `after` page through one."""
        query = request.params
        services = self._services_named(query.get("service"))
        sections = []
        for name, client in services.items():
            after = query.get("after") or 0 if query.get("service") else 0
            rows = client.list_dead_letters(query.get("type"), LETTERS_PER_SERVICE, after)
            sections.append({"service": name, "label": SERVICE_NAMES[name], "rows": [brief(r) for r in rows],
                             "more": rows[-1]["id"] if len(rows) == LETTERS_PER_SERVICE else None})
        response = self.web.page(request, "console/dead_letters.html", title="死信", sections=sections, query=query,
                                 services=SERVICE_NAMES)
        return self.renew_session(request, uncached(response))

    def _letter(self, service: str, letter_id: int) -> dict[str, Any]:
        (client,) = self._services_named(service).values()
        found = client.list_dead_letters(None, 1, letter_id - 1)
        if not found or found[0]["id"] != letter_id:
            raise NotFound(f"{SERVICE_NAMES[service]}没有编号为 {letter_id} 的死信（可能已经重新投递）。")
        return found[0]

    def _letter_page(self, request: Request, service: str, letter: dict[str, Any], status: int = 200,
                     **context: Any) -> Response:
        body = letter.get("body") or ""
        return uncached(self.web.page(
            request, "console/dead_letter.html", status, title=f"死信 {letter['id']}", service=service,
            service_label=SERVICE_NAMES[service], letter=letter, body=body[:BODY_SHOWN],
            cut=len(body) > BODY_SHOWN, **{"replayed": None, "problem": None, **context}))

    @page("GET", f"/console/dead-letters/{SERVICE_RULE}/<id:letter_id>")
    def console_dead_letter(self, request: Request, service: str, letter_id: int) -> Response:
        """One dead letter whole: why, how often, its body as received; the replay button."""
        return self._letter_page(request, service, self._letter(service, letter_id))

    @page("POST", f"/console/dead-letters/{SERVICE_RULE}/<id:letter_id>/replay")
    def console_replay_dead_letter(self, request: Request, service: str, letter_id: int) -> Response:
        """Put it back on its queue, byte for byte; if it fails again it comes back as a dead letter."""
        letter = self._letter(service, letter_id)
        (client,) = self._services_named(service).values()
        replayed = client.replay_dead_letters([letter_id], None)
        if not replayed:
            return self._letter_page(request, service, letter, 409,
                                     problem="这条死信已经不在（可能刚被别人重新投递）：请返回列表刷新。")
        return self._letter_page(request, service, letter, replayed=replayed)


def admin_sections(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
    """我的待办 for the administrator, after the locked accounts: the dead letters waiting
    (the first few of each service) and the webhooks disabled after failures."""
    letters = []
    for name, client in self._services().items():
        letters += [{**brief(r), "service": name, "service_label": SERVICE_NAMES[name]}
                    for r in client.list_dead_letters(None, WORK_PAGE_LETTERS, 0)]
    hooks = [h for h in self.notify.list_webhooks(actor) if not h["active"]]
    return [{"title": "死信（处理失败、等待重新投递的事件）", "kind": "dead_letters", "rows": letters,
             "empty": "没有死信。", "flag": "late", "more": "/console/dead-letters"},
            {"title": "因连续失败停用的推送订阅", "kind": "webhooks", "rows": hooks,
             "empty": "没有停用的推送订阅。", "flag": "late", "more": "/console/webhooks"}]


def brief(letter: dict[str, Any]) -> dict[str, Any]:
    """A dead letter for the list: without its body, and the last line of its error."""
    error = (letter.get("last_error") or "").strip().splitlines()
    return {**{k: v for k, v in letter.items() if k != "body"}, "reason": error[-1][:300] if error else ""}
