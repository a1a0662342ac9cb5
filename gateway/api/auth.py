"""/api/v1/auth and /api/v1/api-keys: signing in with an account of the units service,
rotating refresh tokens, and keys for other county systems."""
from __future__ import annotations

from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from services.common.errors import AccountLocked, Forbidden, SecondFactorRequired, SignInSlowed

from .. import schemas
from ..audit_entry import signing_in
from ..auth import mint_token
from ..errors import ApiError, unauthorized
from ..idempotency import idempotent
from ..http import api, json_body, json_response


class AuthRoutes:
    @api("POST", "/api/v1/auth/token", body=schemas.TokenRequest)
    def issue_token(self, request: Request) -> Response:
        """grant_type=password (username, password, and otp for the roles that sign in with a second
        factor) or grant_type=refresh_token (refresh_token)."""
        body = json_body(request, schemas.TokenRequest(), self.access.max_body)
        if body["grant_type"] == "password":
            if not body.get("username") or not body.get("password"):
                raise unauthorized("give a username and a password")
            signing_in(request, body["username"])
            session = self._units_auth(self.units.login, body["username"], body["password"], body.get("otp"),
                                      request.client_address)
            signing_in(request, None, session["account"])
        else:
            if not body.get("refresh_token"):
                raise unauthorized("give the refresh token")
            session = self._units_auth(self.units.refresh_session, body["refresh_token"])
        return json_response(self._token_response(session))

    @api("POST", "/api/v1/auth/logout", body=schemas.Logout, status=204)
    def logout(self, request: Request) -> Response:
        body = json_body(request, schemas.Logout(), self.access.max_body)
        self.units.logout(body["refresh_token"])
        return Response(status=204)

    @api("GET", "/api/v1/auth/me")
    def whoami(self, request: Request) -> Response:
        return json_response(self.access.caller(request))

    @api("GET", "/api/v1/api-keys")
    def list_api_keys(self, request: Request) -> Response:
        return json_response({"items": self.units.list_api_keys()})

    @api("POST", "/api/v1/api-keys", body=schemas.NewApiKey)
    @idempotent
    def create_api_key(self, request: Request) -> Response:
        """The key is in this answer only; it is kept as a hash."""
        actor = self.access.caller(request)
        body = json_body(request, schemas.NewApiKey(), self.access.max_body)
        key = self.units.create_api_key(body["name"], actor["username"])
        self.refresh_api_keys()
        return json_response(key, 201)

    @api("DELETE", "/api/v1/api-keys/<id:key_id>")
    def revoke_api_key(self, request: Request, key_id: int) -> Response:
        key = self.units.revoke_api_key(key_id)
        self.refresh_api_keys()
        return json_response(key)

    def _units_auth(self, method: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        """A refused login or refresh is a 401, whatever the reason (second_factor_required when the
        code is missing); an account slowed or
        locked after wrong passwords a 429 with Retry-After."""
        try:
            return method(*args)
        except Forbidden as exc:
            raise unauthorized(exc.message) from None
        except SecondFactorRequired as exc:  # the challenge is the console's: never in the API's answer
            headers = {"WWW-Authenticate": 'Bearer realm="gongkai"'}
            if exc.details.get("step") == "enrol":
                raise ApiError(401, exc.code, exc.message, {"step": "enrol"}, headers=headers) from None
            raise ApiError(401, exc.code, "此账号登录须同时给出动态验证码（otp）。", {"step": "code"},
                           headers=headers) from None
        except (AccountLocked, SignInSlowed) as exc:
            raise ApiError(429, exc.code, exc.message, exc.details,
                           headers={"Retry-After": str(exc.details.get("retry_after_seconds", 60))}) from None

    def _token_response(self, session: dict[str, Any]) -> dict[str, Any]:
        account, ttl = session["account"], self.access.token_ttl
        access_token = mint_token(self.access.secret, account["username"], account["role"], account["unit_code"],
                                  ttl, account["auth_version"])
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl,
                "refresh_token": session["refresh_token"], "account": account}
