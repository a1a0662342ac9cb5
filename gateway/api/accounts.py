"""/api/v1/accounts for the admin: accounts by unit and role, created with a chosen or a
one-time password, disabled and enabled, their role changed, a password reset (a one-time
password shown once), a locked account unlocked, and bulk provisioning of an operator and a
reviewer for every active unit (or one town's), handed out as an .xlsx. And
/api/v1/auth/password: anyone changes their own password with the current one, which a
one-time password must be before the account gets a token."""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate
from werkzeug.wrappers import Request, Response

from ..errors import ApiError
from ..idempotency import idempotent
from ..http import api, encode_cursor, decode_cursor, json_body, json_response
from ..provisioning import provisioning_sheet
from ..vocabulary import ACCOUNT_ROLES, XLSX
from ..params import CODE_PATTERN, USERNAME_PATTERN, Flag, OneOf, Paged, Text, UnitCode

PROVISION_PAGE = 50
CODE = validate.Regexp(f"^{CODE_PATTERN}$", error="不是有效的单位代码（字母、数字、-、_，最多 32 位）")
USERNAME = validate.Regexp(f"^{USERNAME_PATTERN}$",
                           error="用户名为 3–64 位小写字母、数字、点、横线或下划线，以字母或数字开头")
PASSWORD = validate.Length(8, 128, error="密码 8–128 个字符")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("有无法识别的字符") from None
    if "\x00" in text:
        raise ValidationError("有无法识别的字符")
    return True


class NewAccount(Schema):
    """An account; without `password` it gets a one-time password, in the answer only."""
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(required=True, validate=validate.Length(1, 100))
    role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE)
    password = fields.String(load_default=None, allow_none=True, load_only=True, validate=PASSWORD)


class AccountChange(Schema):
    """A new role (and the unit a member, operator or reviewer acts for)."""
    class Meta:
        unknown = RAISE

    role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    unit_code = fields.String(load_default=None, allow_none=True, validate=CODE)


class PasswordChange(Schema):
    """The account's current password (a one-time one included) and the new one."""
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=[validate.Length(1, 64), _encodable])
    current_password = fields.String(required=True, load_only=True, validate=[validate.Length(1, 256), _encodable])
    new_password = fields.String(required=True, load_only=True, validate=[PASSWORD, _encodable])


class Provisioning(Schema):
    """Whose units: one town's subtree, or (without `town`) every active unit."""
    class Meta:
        unknown = RAISE

    town = fields.String(load_default=None, allow_none=True, validate=CODE)


class AccountList(Paged):
    unit = UnitCode("the accounts acting for this unit")
    role = OneOf(*ACCOUNT_ROLES)
    q = Text(64, "part of a username or a name")
    locked = Flag("only accounts locked after wrong passwords")


class AccountRoutes:
    @api("GET", "/api/v1/accounts", query=AccountList)
    def list_accounts(self, request: Request) -> Response:
        """Accounts in username order, by unit and role; never a password or its hash."""
        query = request.params
        limit, after = query["limit"], decode_cursor(query.get("cursor"))
        if after is not None and not isinstance(after, str):
            raise ApiError(400, "invalid_input", "这个 cursor 不是本接口给出的：请用上一页答复中的 next_cursor。")
        rows = self.units.list_accounts(query.get("unit"), query.get("role"), limit,
                                        after, query.get("q"), query["locked"])
        return json_response({"items": rows,
                              "next_cursor": encode_cursor(rows[-1]["username"]) if len(rows) == limit else None})

    @api("POST", "/api/v1/accounts", body=NewAccount)
    @idempotent
    def create_account(self, request: Request) -> Response:
        """Without a password the account gets a one-time one (`password`, in this answer only),
        to be changed at its first sign-in."""
        body = json_body(request, NewAccount(), self.access.max_body)
        return json_response(self.units.create_account(body["username"], body["password"],
                                                       body["role"], body["display_name"], body["unit_code"]), 201)

    @api("GET", "/api/v1/accounts/<username:username>")
    def get_account(self, request: Request, username: str) -> Response:
        return json_response(self.units.get_account(username))

    @api("PATCH", "/api/v1/accounts/<username:username>", body=AccountChange)
    def change_account_role(self, request: Request, username: str) -> Response:
        """A new role or unit; the account's sessions end (it signs in again)."""
        body = json_body(request, AccountChange(), self.access.max_body)
        self._not_yourself(request, username, "改变自己的角色")
        return json_response(self.units.change_account_role(username, body["role"],
                                                            body["unit_code"]))

    @api("POST", "/api/v1/accounts/<username:username>/<any(disable,enable):action>")
    def act_on_account(self, request: Request, username: str, action: str) -> Response:
        """The system administrator's: disable (its sessions end; never the last of the three
        administrators) or enable an account, never their own."""
        self._not_yourself(request, username, "停用或启用自己的账号")
        return json_response(self.units.set_account_enabled(username, action == "enable"))

    @api("POST", "/api/v1/accounts/<username:username>/<any(unlock,reset):action>")
    def secure_account(self, request: Request, username: str, action: str) -> Response:
        """The security administrator's: unlock (after wrong passwords), or reset the password: a
        one-time password (`password`, in this answer only) that the next sign-in must change.
        Never on their own account."""
        self._not_yourself(request, username, "解锁或重置自己的账号")
        if action == "unlock":
            return json_response(self.units.unlock_account(username))
        return json_response(self.units.reset_password(username))

    @api("GET", "/api/v1/accounts/<username:username>/second-factor")
    def second_factor(self, request: Request, username: str) -> Response:
        """Whether the account has a second factor, since when, and how many recovery codes are left."""
        return json_response(self.units.second_factor_status(username))

    @api("POST", "/api/v1/accounts/<username:username>/second-factor/reset")
    def reset_second_factor(self, request: Request, username: str) -> Response:
        """The security administrator's reset of a lost phone: the secret and the recovery codes go,
        the account's sessions end, its next sign-in enrols again. Never their own."""
        self._not_yourself(request, username, "重置自己的动态验证码")
        return json_response(self.units.reset_second_factor(username))

    @api("POST", "/api/v1/accounts/provision", body=Provisioning, produces=(XLSX,))
    def provision_accounts(self, request: Request) -> Response:
        """An operator and a reviewer account for every active unit (or one town's), each with a
        one-time password, as an .xlsx to hand out. Run again, it opens only what is missing:
        existing accounts are listed without a password."""
        body = json_body(request, Provisioning(), self.access.max_body) if request.content_length else {}
        rows = self.provision_rows(body.get("town"))
        town = body.get("town")
        filename = f"accounts-{town or 'county'}.xlsx"
        return Response(provisioning_sheet(rows, town), mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})

    def provision_rows(self, town: str | None) -> list[dict[str, Any]]:
        """Every page of units' provisioning, in unit code order."""
        rows, after = [], None
        while True:
            page = self.units.provision_accounts(town, after, PROVISION_PAGE)
            rows.extend(page["rows"])
            after = page["next"]
            if after is None:
                return rows

    @api("POST", "/api/v1/auth/password", body=PasswordChange)
    def change_password(self, request: Request) -> Response:
        """Change your own password with the current one; the answer signs you in as a token
        request does (every earlier session of the account has ended). An account with a
        one-time password gets no token before this."""
        body = json_body(request, PasswordChange(), self.access.max_body)
        session = self._units_auth(self.units.change_password, body["username"], body["current_password"],
                                   body["new_password"], request.client_address)
        return json_response(self._token_response(session))

    def _not_yourself(self, request: Request, username: str, what: str) -> None:
        actor = self.access.caller(request)
        if actor["username"] == username:
            raise ApiError(409, "conflict", f"不能{what}：请让另一位管理员操作。")
