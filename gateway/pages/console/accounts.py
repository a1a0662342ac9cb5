"""The admin's account pages: the list by unit, role and lock with search; each action
(disable, enable, unlock, reset the password or the second factor) a button that opens a
confirmation; a reset
shows the one-time password once, on a page that is never stored; and bulk provisioning for a
town or the county, downloaded as the .xlsx to hand out (the same as POST
/api/v1/accounts/provision)."""
from __future__ import annotations

from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import DomainError

from ...params import Cursor, Flag, OneOf, Query, Text, UnitCode
from ...provisioning import provisioning_sheet
from ...labels import ACCOUNT_ACTION_NAMES, ACCOUNT_ROLE_NAMES as ROLE_NAMES
from ...vocabulary import ACCOUNT_ROLES, XLSX
from ..kit.pages import page, uncached

ACTIONS = ACCOUNT_ACTION_NAMES
# 三权分立: the system administrator disables and enables accounts, the security administrator unlocks
# them and resets passwords and second factors (a lost phone); neither on their own account
ACTIONS_OF = {"admin": ("disable", "enable"), "secadmin": ("unlock", "reset", "reset2fa")}
NOT_YOURS = "这个操作由另一位管理员负责：系统管理员停用、启用账号，安全管理员解锁、重置密码。"
ACTION_RULE = "<any(disable,enable,unlock,reset,reset2fa):action>"
PAGE_SIZE = 50


class AccountsQuery(Query):
    q = Text(64, "part of a username or a name")
    unit = UnitCode()
    role = OneOf(*ACCOUNT_ROLES)
    locked = Flag("only locked accounts")
    cursor = Cursor()


class ConsoleAccounts:
    """Mixed into GatewayService; needs `units`, `access` and `web`."""

    @page("GET", "/console/accounts", query=AccountsQuery)
    def console_accounts_page(self, request: Request) -> Response:
        query = request.params
        after = query.get("cursor")
        rows = self.units.list_accounts(query.get("unit"), query.get("role"), PAGE_SIZE,
                                        after, query.get("q"), query["locked"])
        more = rows[-1]["username"] if len(rows) == PAGE_SIZE else None
        response = self.web.page(request, "console/accounts.html", title="账号", rows=rows, query=query, more=more,
                                 roles=ROLE_NAMES, actions=ACTIONS, mine=ACTIONS_OF.get(request.actor["role"], ()))
        return self.renew_session(request, uncached(response))

    @page("GET", f"/console/accounts/<username:username>/{ACTION_RULE}")
    def console_confirm_account_action(self, request: Request, username: str, action: str) -> Response:
        account = self.units.get_account(username)
        problem = None if action in ACTIONS_OF.get(request.actor["role"], ()) else NOT_YOURS
        return uncached(self.web.page(request, "console/account_action.html", 200 if problem is None else 403,
                                      title=ACTIONS[action], account=account, action=action, label=ACTIONS[action],
                                      roles=ROLE_NAMES, problem=problem, done=None))

    @page("POST", f"/console/accounts/<username:username>/{ACTION_RULE}")
    def console_account_action(self, request: Request, username: str, action: str) -> Response:
        """Do it and show the outcome (a reset's one-time password, once); a refusal in words."""
        problem, done = None, None
        try:
            if action not in ACTIONS_OF.get(request.actor["role"], ()):
                raise DomainError(NOT_YOURS)
            if username == request.actor["username"]:
                raise DomainError("不能对自己的账号这样做：请让另一位管理员操作。")
            if action == "reset":
                done = self.units.reset_password(username)
            elif action == "unlock":
                done = self.units.unlock_account(username)
            elif action == "reset2fa":  # its sessions end; the next sign-in enrols a new phone
                factor = self.units.reset_second_factor(username)
                done = {**self.units.get_account(username), **factor}
            else:
                done = self.units.set_account_enabled(username, action == "enable")
        except DomainError as exc:
            problem = i18n.translate(exc.message)
        account = done or self.units.get_account(username)
        status = 200 if problem is None else 409
        response = self.web.page(request, "console/account_action.html", status, title=ACTIONS[action],
                                 account=account, action=action, label=ACTIONS[action], roles=ROLE_NAMES,
                                 problem=problem, done=done)
        return uncached(response)

    @page("GET", "/console/accounts/provision")
    def console_provision_page(self, request: Request) -> Response:
        return uncached(self.web.page(request, "console/provision.html", title="批量开设账号", problem=None))

    @page("POST", "/console/accounts/provision")
    def console_provision(self, request: Request) -> Response:
        """The .xlsx of one town's (or the county's) accounts; a town that is not there says so."""
        town = (request.form_data.get("town") or "").strip() or None
        try:
            if town is not None and not (len(town) <= 32 and town.replace("-", "").replace("_", "").isalnum()):
                raise DomainError("镇街代码只含字母、数字、- 和 _，最多 32 位；全县开设请留空。")
            rows = self.provision_rows(town)
        except DomainError as exc:
            return uncached(self.web.page(request, "console/provision.html", exc.status,
                                          title="批量开设账号", problem=i18n.translate(exc.message), town=town))
        return Response(provisioning_sheet(rows, town), mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="accounts-{town or "county"}.xlsx"',
            "Cache-Control": "no-store"})
