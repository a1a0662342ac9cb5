"""SMS through the county's vendor, chosen by configuration (NOTIFY SMS VENDOR):

- `aliyun`: Dysmsapi SendSms (2017-05-25), signed with Alibaba Cloud's V3 signature
  (ACS3-HMAC-SHA256 over the canonical request, in the Authorization header). V3 rather than
  the older RPC signature (HMAC-SHA1 over the canonicalized query): it is the one Alibaba
  Cloud documents for new clients, SHA-256 instead of SHA-1, and the body hash and the
  headers are signed too.
- `tencent`: SendSms (2021-01-11) signed with TC3-HMAC-SHA256.
- `generic` (the default): one JSON POST to SMS URL (send_generic), for a county's own
  SMS gateway and the test county.

Each notification kind (the event type; "Digest"; "default") has a template: its id at the
vendor and its parameters, an ordered mapping of the template's variable names to what
fills them: `body`, `subject`, `link` or `unit_code` of the delivery. The access key secret
comes from the environment or a mounted secret file, read at each send (rotation needs no
restart)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from . import channels
from .models import Delivery

log = logging.getLogger(__name__)

ENDPOINTS = {"aliyun": "https://dysmsapi.aliyuncs.com", "tencent": "https://sms.tencentcloudapi.com"}
FIELDS = ("body", "subject", "link", "unit_code")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# Alibaba Cloud answers HTTP 200 with a Code; these are worth another try later, any other is not
ALIYUN_RETRY = ("isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE",
                "isp.SYSTEM_ERROR", "Throttling", "ServiceUnavailable", "InternalError")
TENCENT_RETRY = ("LimitExceeded.", "RequestLimitExceeded", "InternalError", "FailedOperation.InsufficientBalance",
                 "ResourceUnavailable")


def vendor(sms: dict[str, Any]) -> str:
    return str(sms.get("VENDOR") or "generic").lower()


def configured(sms: dict[str, Any]) -> bool:
    if vendor(sms) in ENDPOINTS:
        return bool(sms.get("ACCESS_KEY_ID"))
    return bool(sms.get("URL"))


def secret(sms: dict[str, Any]) -> str:
    path = str(sms.get("ACCESS_KEY_SECRET_FILE") or "")
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError as exc:
            raise channels.Transient(f"the SMS access key secret file cannot be read: {exc}") from None
    return str(sms.get("ACCESS_KEY_SECRET") or "")


def template(sms: dict[str, Any], delivery: Delivery) -> tuple[str, list[tuple[str, str]]]:
    """(template id, [(variable, value)] in the template's order) for the delivery's kind."""
    templates = sms.get("TEMPLATES") or {}
    chosen = templates.get(delivery.cause_type) or templates.get("default")
    if isinstance(chosen, str):
        chosen = {"ID": chosen}
    if not chosen or not chosen.get("ID"):
        raise channels.Permanent(f"no SMS template configured for {delivery.cause_type} (NOTIFY SMS TEMPLATES)")
    limit = int(sms.get("PARAM_MAX_CHARS") or 0)
    params = []
    for name, field in (chosen.get("PARAMS") or {"content": "body"}).items():
        if field not in FIELDS:
            raise channels.Permanent(f"SMS template {chosen['ID']}: {name} is filled from unknown field {field}")
        value = str(getattr(delivery, field) or "")
        params.append((str(name), value[:limit - 1] + "…" if limit and len(value) > limit else value))
    return str(chosen["ID"]), params


def send(sms: dict[str, Any], delivery: Delivery) -> None:
    which = vendor(sms)
    log.info("SMS %s to %s*** through %s: %d characters, %d segment(s)", delivery.id, delivery.recipient[:3], which,
             len(delivery.body), channels.segments(delivery.body))
    if which == "aliyun":
        send_aliyun(sms, delivery)
    elif which == "tencent":
        send_tencent(sms, delivery)
    elif which == "generic":
        send_generic(sms, delivery)
    else:
        raise channels.Permanent(f"unknown SMS vendor {which!r} (NOTIFY SMS VENDOR: aliyun, tencent or generic)")


def _post(url: str, sms: dict[str, Any], headers: dict[str, str], data: bytes) -> dict[str, Any]:
    """The vendor's JSON answer, whatever the status (both put their error code in it);
    network trouble, 5xx without a code and non-JSON answers are Transient."""
    try:
        response = channels.HTTP.post(url, data=data, headers=headers, timeout=channels._timeout(sms),
                                      allow_redirects=False)
    except requests.Timeout:
        raise channels.Transient("the SMS vendor did not answer in time") from None
    except requests.RequestException as exc:
        raise channels.Transient(f"{type(exc).__name__}: {exc}"[:300]) from None
    try:
        answer = response.json()
    except ValueError:
        raise channels.Transient(f"the SMS vendor answered HTTP {response.status_code} without JSON",
                                 status_code=response.status_code) from None
    if not isinstance(answer, dict):
        raise channels.Transient(f"the SMS vendor answered unexpected JSON: {str(answer)[:100]}")
    return answer


def _classify(code: str, message: str, retry: tuple[str, ...]) -> None:
    reason = f"the SMS vendor answered {code or 'without a code'}: {message}"[:300]
    if not code or any(code.startswith(prefix) for prefix in retry):
        raise channels.Transient(reason)
    raise channels.Permanent(reason)


# --- a county's own gateway: one JSON POST ---------------------------------------------------

def send_generic(sms: dict[str, Any], delivery: Delivery) -> None:
    """{PhoneNumbers, SignName, TemplateCode, TemplateParam (JSON text), OutId} with the KEY as a
    bearer token; the answer's Code is "OK" when the gateway took it, an `isv.` code or
    InvalidPhoneNumber is permanent, anything else worth another try."""
    template_id, params = template(sms, delivery)
    body = {"PhoneNumbers": delivery.recipient, "SignName": sms.get("SIGN_NAME", ""), "TemplateCode": template_id,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False), "OutId": delivery.message_id}
    answer = channels._json(channels.post_json(sms["URL"], body, sms,
                                               {"Authorization": f"Bearer {sms.get('KEY', '')}"}))
    code = str(answer.get("Code", ""))
    if code == "OK":
        return
    permanent = (code.startswith("isv.") or code == "InvalidPhoneNumber") and code not in ALIYUN_RETRY
    _classify(code, str(answer.get("Message", "")), () if permanent else (code,))


# --- Alibaba Cloud: Dysmsapi SendSms, V3 signature ------------------------------------------

def _percent(value: str) -> str:
    return quote(value, safe="-_.~")


def acs3_headers(method: str, url: str, query: dict[str, str], action: str, version: str, key_id: str,
                 key_secret: str, body: bytes = b"", now: datetime | None = None, nonce: str | None = None) -> dict[str, str]:
    """The signed headers of one request (Authorization included)."""
    parts = urlsplit(url)
    headers = {"host": parts.netloc, "x-acs-action": action, "x-acs-version": version,
               "x-acs-date": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
               "x-acs-content-sha256": hashlib.sha256(body).hexdigest()}
    canonical_query = "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(query.items()))
    signed = sorted(headers)
    canonical = "\n".join([method, parts.path or "/", canonical_query,
                           "".join(f"{name}:{headers[name].strip()}\n" for name in signed), ";".join(signed),
                           headers["x-acs-content-sha256"]])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    signature = hmac.new(key_secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(signed)},"
                                f"Signature={signature}")
    return headers


def send_aliyun(sms: dict[str, Any], delivery: Delivery) -> None:
    template_id, params = template(sms, delivery)
    query = {"PhoneNumbers": delivery.recipient, "SignName": str(sms.get("SIGN_NAME") or ""),
             "TemplateCode": template_id, "TemplateParam": json.dumps(dict(params), ensure_ascii=False),
             "OutId": delivery.message_id or str(delivery.id)}
    url = str(sms.get("ENDPOINT") or ENDPOINTS["aliyun"]).rstrip("/") + "/"
    headers = acs3_headers("POST", url, query, "SendSms", "2017-05-25", str(sms.get("ACCESS_KEY_ID") or ""),
                           secret(sms))
    answer = _post(url + "?" + "&".join(f"{_percent(k)}={_percent(v)}" for k, v in sorted(query.items())),
                   sms, headers, b"")
    if answer.get("Code") != "OK":
        _classify(str(answer.get("Code") or ""), str(answer.get("Message") or ""), ALIYUN_RETRY)


# --- Tencent Cloud: SendSms 2021-01-11, TC3-HMAC-SHA256 ------------------------------------------

def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_headers(url: str, action: str, version: str, region: str, secret_id: str, secret_key: str, body: bytes,
                now: datetime | None = None) -> dict[str, str]:
    """The headers of one TC3-signed POST of a JSON body (Authorization included)."""
    host = urlsplit(url).netloc
    service = "sms"
    timestamp = int((now or datetime.now(timezone.utc)).timestamp())
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    content_type = "application/json; charset=utf-8"
    canonical = "\n".join(["POST", "/", "", f"content-type:{content_type}\nhost:{host}\nx-tc-action:{action.lower()}\n",
                           "content-type;host;x-tc-action", hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{service}/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {"Authorization": f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
                             f"SignedHeaders=content-type;host;x-tc-action, Signature={signature}",
            "Content-Type": content_type, "Host": host, "X-TC-Action": action, "X-TC-Version": version,
            "X-TC-Timestamp": str(timestamp), "X-TC-Region": region}


def send_tencent(sms: dict[str, Any], delivery: Delivery) -> None:
    template_id, params = template(sms, delivery)
    phone = delivery.recipient if delivery.recipient.startswith("+") else "+86" + delivery.recipient
    body = json.dumps({"PhoneNumberSet": [phone], "SmsSdkAppId": str(sms.get("SDK_APP_ID") or ""),
                       "SignName": str(sms.get("SIGN_NAME") or ""), "TemplateId": template_id,
                       "TemplateParamSet": [value for _, value in params],
                       "SessionContext": delivery.message_id or str(delivery.id)}, ensure_ascii=False).encode()
    url = str(sms.get("ENDPOINT") or ENDPOINTS["tencent"]).rstrip("/") + "/"
    headers = tc3_headers(url, "SendSms", "2021-01-11", str(sms.get("REGION") or "ap-guangzhou"),
                          str(sms.get("ACCESS_KEY_ID") or ""), secret(sms), body)
    response = _post(url, sms, headers, body).get("Response") or {}
    error = response.get("Error") or {}
    if error:
        _classify(str(error.get("Code") or ""), str(error.get("Message") or ""), TENCENT_RETRY)
    statuses = response.get("SendStatusSet") or [{}]
    status = statuses[0]
    if status.get("Code") != "Ok":
        _classify(str(status.get("Code") or ""), str(status.get("Message") or ""), TENCENT_RETRY)
