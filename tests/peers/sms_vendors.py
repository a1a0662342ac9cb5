"""Local stand-ins for Alibaba Cloud's and Tencent Cloud's SMS APIs that check each request as
the vendor does, written from the vendors' published signing documents (not from our
client): Alibaba Cloud's "V3 request structure and signature" (ACS3-HMAC-SHA256) and Tencent
Cloud's "Signature v3" (TC3-HMAC-SHA256). They know one account (key id → secret), the
registered sign names and templates (id → variable names), answer a signature mismatch as
the vendor does, check the template's parameters and the numbers, and answer the codes a
test queues in `fail_next`."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, unquote

from .http_peer import Peer, Request

ALIYUN_REQUIRED = {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce",
                   "x-acs-content-sha256"}


def _fields(authorization: str, algorithm: str, separator: str) -> dict[str, str]:
    if not authorization.startswith(algorithm + " "):
        return {}
    pairs = (part.strip().split("=", 1) for part in authorization[len(algorithm) + 1:].split(separator))
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


class AliyunSms:
    """POST / with the SendSms parameters in the query and the V3 signature in the headers."""

    def __init__(self, keys: dict[str, str], signs: set[str], templates: dict[str, list[str]]) -> None:
        self.keys, self.signs, self.templates = keys, signs, templates
        self.fail_next: list[str] = []
        self.accepted: list[dict[str, str]] = []
        self.clock = time.time
        self.peer = Peer(self.answer)

    def signature_error(self, request: Request) -> str | None:
        auth = _fields(request.headers.get("authorization", ""), "ACS3-HMAC-SHA256", ",")
        secret = self.keys.get(auth.get("Credential", ""))
        if secret is None:
            return "InvalidAccessKeyId.NotFound"
        signed = auth.get("SignedHeaders", "").split(";")
        if not ALIYUN_REQUIRED <= set(signed) or signed != sorted(signed):
            return "IncompleteSignature"
        if request.headers.get("x-acs-content-sha256") != hashlib.sha256(request.body).hexdigest():
            return "IncompleteSignature"
        sent_at = datetime.strptime(request.headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        if abs(sent_at.timestamp() - self.clock()) > 900:
            return "InvalidTimeStamp.Expired"
        pairs = [item.split("=", 1) for item in request.raw_query.split("&") if item]
        query = sorted((unquote(k), unquote(v)) for k, v in pairs)
        canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query)
        canonical = (f"POST\n{request.path}\n{canonical_query}\n"
                     + "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in signed)
                     + f"\n{';'.join(signed)}\n{hashlib.sha256(request.body).hexdigest()}")
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, auth.get("Signature", "")) else "SignatureDoesNotMatch"

    def answer(self, request: Request) -> tuple[int, Any]:
        error = self.signature_error(request)
        if error:
            return 400, {"Code": error, "Message": "Specified signature does not match our calculation.",
                         "RequestId": "R-1"}
        if (request.headers.get("x-acs-action"), request.headers.get("x-acs-version")) != ("SendSms", "2017-05-25"):
            return 404, {"Code": "InvalidAction.NotFound", "RequestId": "R-1"}
        params = {k: v[0] for k, v in request.query.items()}
        code = self._check(params)
        if code == "OK":
            self.accepted.append(params)
        return 200, {"Code": code, "Message": "OK" if code == "OK" else code, "RequestId": "R-1", "BizId": "B-1"}

    def _check(self, params: dict[str, str]) -> str:
        if params.get("SignName") not in self.signs:
            return "isv.SMS_SIGNATURE_ILLEGAL"
        names = self.templates.get(params.get("TemplateCode", ""))
        if names is None:
            return "isv.SMS_TEMPLATE_ILLEGAL"
        try:
            values = json.loads(params.get("TemplateParam", ""))
        except ValueError:
            return "isv.INVALID_JSON_PARAM"
        if sorted(values) != sorted(names):
            return "isv.TEMPLATE_MISSING_PARAMETERS"
        if not re.fullmatch(r"1\d{10}", params.get("PhoneNumbers", "")):
            return "isv.MOBILE_NUMBER_ILLEGAL"
        return self.fail_next.pop(0) if self.fail_next else "OK"


class TencentSms:
    """POST / with a JSON body, signed with TC3-HMAC-SHA256 (service "sms")."""

    def __init__(self, keys: dict[str, str], app_id: str, signs: set[str], templates: dict[str, int]) -> None:
        self.keys, self.app_id, self.signs, self.templates = keys, app_id, signs, templates
        self.fail_next: list[str] = []
        self.accepted: list[dict[str, Any]] = []
        self.clock = time.time
        self.peer = Peer(self.answer)

    def signature_error(self, request: Request) -> str | None:
        auth = _fields(request.headers.get("authorization", ""), "TC3-HMAC-SHA256", ", ")
        credential = auth.get("Credential", "").split("/")
        if len(credential) != 4 or credential[0] not in self.keys:
            return "AuthFailure.SecretIdNotFound"
        secret_id, date, service, terminator = credential
        timestamp = int(request.headers.get("x-tc-timestamp", "0"))
        if abs(timestamp - self.clock()) > 300:
            return "AuthFailure.SignatureExpire"
        if date != datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d") or service != "sms" \
                or terminator != "tc3_request":
            return "AuthFailure.SignatureFailure"
        signed = auth.get("SignedHeaders", "").split(";")
        if not {"content-type", "host"} <= set(signed):
            return "AuthFailure.SignatureFailure"
        canonical = (f"POST\n{request.path}\n{request.raw_query}\n"
                     + "".join(f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in signed)
                     + f"\n{';'.join(signed)}\n{hashlib.sha256(request.body).hexdigest()}")
        string_to_sign = (f"TC3-HMAC-SHA256\n{timestamp}\n{date}/sms/tc3_request\n"
                          f"{hashlib.sha256(canonical.encode()).hexdigest()}")
        key = ("TC3" + self.keys[secret_id]).encode()
        for part in (date, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, auth.get("Signature", "")) else "AuthFailure.SignatureFailure"

    def answer(self, request: Request) -> tuple[int, Any]:
        error = self.signature_error(request)
        if error is None and (request.headers.get("x-tc-action"), request.headers.get("x-tc-version")) != (
                "SendSms", "2021-01-11"):
            error = "InvalidAction"
        body = request.json() if error is None else {}
        if error is None:
            error = self._check_request(body)
        if error:
            return 200, {"Response": {"Error": {"Code": error, "Message": error}, "RequestId": "R-1"}}
        statuses = []
        for number in body["PhoneNumberSet"]:
            code = "Ok" if re.fullmatch(r"\+861\d{10}", number) else "InvalidParameterValue.IncorrectPhoneNumber"
            if code == "Ok" and self.fail_next:
                code = self.fail_next.pop(0)
            statuses.append({"SerialNo": "S-1", "PhoneNumber": number, "Fee": 1, "SessionContext": "",
                             "Code": code, "Message": "send success" if code == "Ok" else code, "IsoCode": "CN"})
        if all(s["Code"] == "Ok" for s in statuses):
            self.accepted.append(body)
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "R-1"}}

    def _check_request(self, body: dict[str, Any]) -> str | None:
        if body.get("SmsSdkAppId") != self.app_id:
            return "FailedOperation.SmsSdkAppIdVerifyFail"
        if body.get("SignName") not in self.signs:
            return "FailedOperation.SignatureIncorrectOrUnapproved"
        count = self.templates.get(body.get("TemplateId", ""))
        if count is None:
            return "FailedOperation.TemplateIncorrectOrUnapproved"
        if len(body.get("TemplateParamSet") or []) != count:
            return "InvalidParameterValue.TemplateParameterFormatError"
        return None
