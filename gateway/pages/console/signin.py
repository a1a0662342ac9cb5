"""Signing in from the browser: /login (the form; with a refresh cookie, a silent renewal of an
expired session and back to the page asked for), /login/password (change your own password;
a one-time password must be changed here before the account gets a session), and /logout.
The county office and the administrators go on to their second factor after the password
(gateway/pages/console/second_factor.py).

The session is the API's: units' login gives an account and a refresh token, the gateway
mints the same access token as POST /api/v1/auth/token, and both go into the cookies of
gateway/pages/kit/session.py. Refreshing spends the refresh token as the API does, so a disabled
account, a changed role or password, or a copied cookie ends the session at its next renewal.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import (AccountLocked, DomainError, Forbidden, PasswordChangeRequired,
                                    SecondFactorRequired, SignInSlowed)

from ...audit_entry import signing_in
from ...auth import mint_token
from ...cors import flag
from ...params import Flag, Query, Text
from ..kit.forms import validate_form
from ..kit.idle import forget, idle_revocation
from ..kit.pages import page, uncached
from ..kit.session import end_session, refresh_token_of, session_expires_in, start_session

HOME = "/console"
RENEW_BEFORE_SECONDS = 300  # a console page renews a session with less than this left
LABELS = {"username": "用户名", "password": "密码", "current_password": "当前密码",
          "new_password": "新密码", "new_password2": "再输一次新密码"}
UNSENT = "您的登录已过期，刚才提交的表单没有发送，什么也没有改变。请登录后在原页面重新填写提交。"
RESUMED = "您的登录已过期，刚才提交的表单没有发送，什么也没有改变。现已为您重新登录，请回到原页面重新填写提交。"


class NextQuery(Query):
    next = Text(500, "the page to go back to after signing in")
    unsent = Flag("a form was posted after the session ended: say it was not sent")
    idle = fields.Integer(load_default=None, validate=validate.Range(1, 24 * 60),
                          metadata={"description": "the session ended after this many idle minutes: say so"})


def idle_problem(minutes: int) -> str:
    return f"您已超过 {minutes} 分钟没有操作，为保护账号安全，登录已自动结束：请重新登录。"


def locked_problem(exc: DomainError) -> str:
    """A locked account or address, slowed attempts: the units service's message, which says
    until when (county time) and that the security administrator (安全管理员) can unlock."""
    return i18n.translate(exc.message)


class SignInForm(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 256))
    next = fields.String(load_default="", validate=validate.Length(max=500))


class PasswordForm(Schema):
    class Meta:
        unknown = RAISE

    username = fields.String(required=True, validate=validate.Length(1, 64))
    current_password = fields.String(required=True, validate=validate.Length(1, 256))
    new_password = fields.String(required=True, validate=validate.Length(8, 128))
    new_password2 = fields.String(required=True, validate=validate.Length(1, 128))
    next = fields.String(load_default="", validate=validate.Length(max=500))


def safe_next(target: str | None) -> str:
    """Only a path of this site (never //host or a scheme), else the console's home."""
    target = target or ""
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc or "\\" in target:
        return HOME
    if target.startswith("/login") or target.startswith("/logout"):
        return HOME
    return target


def _fields(data: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: data.get(name, "") for name in names}


class ConsoleSignIn:
    """Mixed into GatewayService; needs its `units` proxy, `access` and `web`."""

    def _secure_cookies(self) -> bool:
        """Secure cookies when the site is served over TLS (HSTS on)."""
        return flag((self.config.get("GATEWAY") or {}).get("HSTS"))

    def _signed_in(self, request: Request, session: dict[str, Any], target: str) -> Response:
        account = session["account"]
        signing_in(request, None, account)
        access = mint_token(self.access.secret, account["username"], account["role"], account["unit_code"],
                            self.access.token_ttl, account["auth_version"])
        response = redirect(safe_next(target), 303)
        response.headers["Cache-Control"] = "no-store"
        self.web.idle.stamp(response, account["username"], self._secure_cookies())  # a new session: used now
        return start_session(response, access, session["refresh_token"], self._secure_cookies())

    def renew_session(self, request: Request, response: Response) -> Response:
        """On a console page: a session close to its end is renewed in the answer, so a form
        opened now can still be sent in a quarter of an hour."""
        left = session_expires_in(request, self.access.secret)
        refresh = refresh_token_of(request)
        if left is None or refresh is None or left > RENEW_BEFORE_SECONDS:
            return response
        try:
            session = self.units.refresh_session(refresh)
        except Forbidden:
            return end_session(response, self._secure_cookies())
        account = session["account"]
        access = mint_token(self.access.secret, account["username"], account["role"], account["unit_code"],
                            self.access.token_ttl, account["auth_version"])
        return start_session(response, access, session["refresh_token"], self._secure_cookies())

    def _login_form(self, request: Request, status: int = 200, problem: str | None = None,
                    form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                    notice: str | None = None) -> Response:
        form = form or {"username": "", "next": safe_next(request.args.get("next"))}
        return uncached(self.web.page(request, "console/login.html", status, title="工作人员登录", form=form,
                                      errors=errors or {}, problem=problem, notice=notice, resumed=None))

    def _resumed(self, request: Request, session: dict[str, Any], target: str | None) -> Response:
        """Renewed after a form was posted too late: the session goes on, and the page says the
        form was not sent, with the way back to it."""
        response = self._signed_in(request, session, target)
        page = uncached(self.web.page(request, "console/login.html", title="登录已续期", form={}, errors={},
                                      problem=None, notice=RESUMED, resumed=safe_next(target)))
        for cookie in response.headers.getlist("Set-Cookie"):
            page.headers.add("Set-Cookie", cookie)
        return page

    def _password_form(self, request: Request, status: int = 200, problem: str | None = None,
                       form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                       first: bool = False) -> Response:
        viewer = getattr(request, "actor", None)
        form = form or {"username": viewer["username"] if viewer else "", "next": safe_next(request.args.get("next"))}
        return uncached(self.web.page(request, "console/password.html", status, title="修改密码", form=form,
                                      errors=errors or {}, problem=problem, first=first))

    @page("GET", "/login", query=NextQuery)
    def console_login_page(self, request: Request) -> Response:
        """The sign-in form; an expired session with its refresh cookie is renewed here and sent
        back to the page it asked for."""
        target, unsent = request.params.get("next"), request.params.get("unsent")
        if request.params.get("idle"):
            return self._login_form(request, problem=idle_problem(request.params["idle"]))
        refresh = refresh_token_of(request)
        if getattr(request, "actor", None) is None and refresh is not None:
            try:
                session = self.units.refresh_session(refresh)
            except Forbidden:
                response = self._login_form(request, problem="登录已结束（已过期、已退出，或账号有变动），请重新登录。",
                                            notice=UNSENT if unsent else None)
                return end_session(response, self._secure_cookies())
            idle = self.web.idle.ended(request, session["account"])
            if idle:  # the access token ran out while nobody used the session: it ends, not renewed
                self.units.logout(session["refresh_token"])
                response = self._login_form(request, problem=idle_problem(idle))
                forget(response, self._secure_cookies())
                return end_session(response, self._secure_cookies())
            return self._resumed(request, session, target) if unsent else self._signed_in(request, session, target)
        return self._login_form(request, notice=UNSENT if unsent else None)

    @page("POST", "/login")
    def console_login(self, request: Request) -> Response:
        data = _fields(request.form_data, ("username", "password", "next"))
        loaded, errors = validate_form(SignInForm(), data, LABELS)
        kept = {"username": data["username"], "next": safe_next(data["next"])}
        if errors:
            return self._login_form(request, 400, form=kept, errors=errors)
        signing_in(request, loaded["username"])
        try:
            session = self.units.login(loaded["username"], loaded["password"], None, request.client_address)
        except PasswordChangeRequired as exc:
            form = {"username": loaded["username"], "next": kept["next"]}
            return self._password_form(request, 403, problem=i18n.translate(exc.message), form=form, first=True)
        except SecondFactorRequired as exc:
            return self._second_factor_page(request, exc, kept["next"])
        except (AccountLocked, SignInSlowed) as exc:
            wait = str(exc.details.get("retry_after_seconds", 60))
            response = self._login_form(request, 429, problem=locked_problem(exc), form=kept)
            response.headers["Retry-After"] = wait
            return response
        except Forbidden as exc:
            return self._login_form(request, 401, problem=i18n.translate(exc.message), form=kept,
                                    errors={"password": i18n.translate(exc.message)})
        return self._signed_in(request, session, kept["next"])

    @page("GET", "/login/password", query=NextQuery)
    def console_password_page(self, request: Request) -> Response:
        return self._password_form(request)

    @page("POST", "/login/password")
    def console_change_password(self, request: Request) -> Response:
        """Your own new password; it signs you in (every other session of the account ends)."""
        viewer = getattr(request, "actor", None)
        data = _fields(request.form_data, ("username", "current_password", "new_password", "new_password2", "next"))
        if viewer is not None:
            data["username"] = viewer["username"]
        first = data["username"] != (viewer or {}).get("username")
        kept = {"username": data["username"], "next": safe_next(data["next"])}
        loaded, errors = validate_form(PasswordForm(), data, LABELS)
        if not errors and loaded["new_password"] != loaded["new_password2"]:
            errors = {"new_password2": "两次输入的新密码不一致，请重新输入。"}
        if not errors and loaded["new_password"] == loaded["current_password"]:
            errors = {"new_password": "新密码不能与当前密码相同，请另设一个。"}
        if errors:
            return self._password_form(request, 400, form=kept, errors=errors, first=first)
        signing_in(request, loaded["username"])
        try:
            session = self.units.change_password(loaded["username"],
                                                 loaded["current_password"], loaded["new_password"],
                                                 request.client_address)
        except SecondFactorRequired as exc:  # the new password is kept; the code opens the session
            return self._second_factor_page(request, exc, kept["next"])
        except (AccountLocked, SignInSlowed) as exc:
            response = self._password_form(request, 429, problem=locked_problem(exc), form=kept, first=first)
            response.headers["Retry-After"] = str(exc.details.get("retry_after_seconds", 60))
            return response
        except Forbidden:
            message = "当前密码不对，请核对后重新输入（连续输错 5 次账号将锁定 15 分钟）。"
            return self._password_form(request, 401, problem=message, form=kept,
                                       errors={"current_password": message}, first=first)
        except DomainError as exc:
            return self._password_form(request, exc.status, problem=i18n.translate(exc.message), form=kept,
                                       errors={"new_password": i18n.translate(exc.message)}, first=first)
        return self._signed_in(request, session, kept["next"])

    @idle_revocation
    def revoke_idle_session(self, refresh_token: str) -> None:
        """A browser session found idle on a page has ended: its refresh token is revoked
        (started by the page entrypoint, gateway/pages/kit/pages.py)."""
        self.units.logout(refresh_token)

    @page("POST", "/logout", form_page="/console")
    def console_logout(self, request: Request) -> Response:
        """End this browser's session (its refresh token is revoked, so no copy goes on)."""
        refresh = refresh_token_of(request)
        if refresh is not None:
            self.units.logout(refresh)
        response = redirect("/login", 303)
        return end_session(response, self._secure_cookies())
