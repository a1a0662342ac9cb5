"""The second step of signing in, for the county office and the administrators (and the roles
config.yaml adds): after the password, /login/otp takes the 6-digit code of the authenticator
app (or a recovery code); an account with no factor yet enrols at /login/enrol, by scanning a QR
code and typing one code back, and is then shown its ten recovery codes once.

Units answers a right password with SecondFactorRequired and a challenge: a random token good
for five minutes and five codes, carried in the form instead of the password. A wrong code is
counted towards the account's lockout as a wrong password is."""
from __future__ import annotations

import base64
import io
from typing import Any

import segno
from marshmallow import RAISE, Schema, fields, validate
from werkzeug.wrappers import Request, Response

from services.common import i18n
from services.common.errors import AccountLocked, Conflict, DomainError, Forbidden, SecondFactorRequired, SignInSlowed

from ..kit.forms import validate_form
from ..kit.pages import page, uncached
from .signin import locked_problem, safe_next

LABELS = {"otp": "动态验证码", "challenge": "登录步骤"}
EXPIRED_MARK = "已过期或已用过"


class CodeForm(Schema):
    class Meta:
        unknown = RAISE

    challenge = fields.String(required=True, validate=validate.Length(20, 100))
    otp = fields.String(required=True, validate=validate.Length(1, 32))
    next = fields.String(load_default="", validate=validate.Length(max=500))


def qr_data_uri(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=5, border=4, xmldecl=False,
                                                  title="绑定动态验证码的二维码")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class ConsoleSecondFactor:
    """Mixed into GatewayService beside ConsoleSignIn (whose _signed_in, _login_form and
    locked_problem it uses)."""

    def _second_factor_page(self, request: Request, exc: SecondFactorRequired, target: str, status: int = 200,
                            problem: str | None = None) -> Response:
        """The page after a right password: the code, or the enrolment when the account has none."""
        challenge = exc.details["challenge"]
        form = {"challenge": challenge, "next": target}
        if exc.details.get("step") != "enrol":
            return self._code_form(request, form, status, problem)
        started = self.units.begin_enrolment(challenge)
        return self._enrol_form(request, form, started, status, problem)

    def _code_form(self, request: Request, form: dict[str, str], status: int = 200,
                   problem: str | None = None) -> Response:
        errors = {"otp": problem} if problem else {}
        return uncached(self.web.page(request, "console/login_otp.html", status, title="输入动态验证码", form=form,
                                      errors=errors, problem=problem))

    def _enrol_form(self, request: Request, form: dict[str, str], started: dict[str, Any], status: int = 200,
                    problem: str | None = None) -> Response:
        errors = {"otp": problem} if problem else {}
        return uncached(self.web.page(request, "console/login_enrol.html", status, title="绑定动态验证码", form=form,
                                      errors=errors, problem=problem, qr=qr_data_uri(started["uri"]),
                                      secret=grouped(started["secret"]), username=started["username"]))

    def _code_refused(self, request: Request, exc: DomainError, kept: dict[str, str]) -> Response | None:
        """A locked account or a spent challenge goes back to the password form; None otherwise."""
        if isinstance(exc, (AccountLocked, SignInSlowed)):
            response = self._login_form(request, 429, problem=locked_problem(exc), form={"username": "", **kept})
            response.headers["Retry-After"] = str(exc.details.get("retry_after_seconds", 60))
            return response
        if EXPIRED_MARK in exc.message:
            return self._login_form(request, 401, problem=i18n.translate(exc.message), form={"username": "", **kept})
        return None

    @page("POST", "/login/otp")
    def console_login_code(self, request: Request) -> Response:
        """The code after the password: the session opens."""
        data = {name: request.form_data.get(name, "") for name in ("challenge", "otp", "next")}
        kept = {"challenge": data["challenge"], "next": safe_next(data["next"])}
        loaded, errors = validate_form(CodeForm(), data, LABELS)
        if errors:
            return self._code_form(request, kept, 400, errors.get("otp") or errors.get("challenge"))
        try:
            session = self.units.second_step(loaded["challenge"], loaded["otp"], request.client_address)
        except (AccountLocked, SignInSlowed, Forbidden) as exc:
            return self._code_refused(request, exc, {"next": kept["next"]}) or self._code_form(
                request, kept, 401, i18n.translate(exc.message))
        return self._signed_in(request, session, kept["next"])

    @page("POST", "/login/enrol")
    def console_enrol(self, request: Request) -> Response:
        """The first code from the app confirms the enrolment: the session opens and the recovery
        codes are shown, once."""
        data = {name: request.form_data.get(name, "") for name in ("challenge", "otp", "next")}
        kept = {"challenge": data["challenge"], "next": safe_next(data["next"])}
        loaded, errors = validate_form(CodeForm(), data, LABELS)
        problem = errors.get("otp") or errors.get("challenge") if errors else None
        if not errors:
            try:
                session = self.units.confirm_enrolment(loaded["challenge"], loaded["otp"], request.client_address)
            except (AccountLocked, SignInSlowed, Forbidden, Conflict) as exc:
                refused = self._code_refused(request, exc, {"next": kept["next"]})
                if refused is not None or isinstance(exc, Conflict):
                    return refused or self._login_form(request, 409, problem=i18n.translate(exc.message))
                problem = i18n.translate(exc.message)
            else:
                return self._enrolled(request, session, kept["next"])
        try:
            started = self.units.begin_enrolment(kept["challenge"])
        except Forbidden as exc:
            return self._login_form(request, 401, problem=i18n.translate(exc.message), form={"username": "", **kept})
        return self._enrol_form(request, kept, started, 400 if errors else 401, problem)

    def _enrolled(self, request: Request, session: dict[str, Any], target: str) -> Response:
        signed_in = self._signed_in(request, session, target)
        shown = uncached(self.web.page(request, "console/login_recovery.html", title="请保存恢复码",
                                       codes=session["recovery_codes"], next=safe_next(target)))
        for cookie in signed_in.headers.getlist("Set-Cookie"):
            shown.headers.add("Set-Cookie", cookie)
        return shown
