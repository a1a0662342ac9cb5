"""SMS through Alibaba Cloud's and Tencent Cloud's APIs, each against a local peer that checks
the signature as the vendor documents it (tests/peers/sms_vendors.py), the sign name, the
template id and its parameters: the peer's Alibaba Cloud check is first shown to reproduce
the vendor's own published example; a wrong secret is refused; an error code inside an HTTP
200 is a retry or a failure by its kind; through the sender, a rate-limited message is sent
again later and an unknown number fails for good."""
import json
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from services.notify import channels, planner, sms_vendors
from services.notify.models import Delivery
from tests.notify.test_notify_channels import DAY, RULES, county, delivery, due_now, obligation, sender_for, settings
from tests.peers.http_peer import Request
from tests.peers.sms_vendors import AliyunSms, TencentSms

BODY = "【红色预警】东村党支部「党费收缴使用管理」已逾期 a+b*c~ & x=1"
LINK = "https://gk.example/console/obligations/11"


@pytest.fixture
def aliyun():
    vendor = AliyunSms({"LTAI-county": "aliyun-secret-0123"}, {"党务公开"},
                       {"SMS_900": ["content", "url"], "SMS_100": ["content"]})
    vendor.peer.start()
    yield vendor
    vendor.peer.stop()


@pytest.fixture
def tencent():
    vendor = TencentSms({"AKID-county": "tencent-secret-0123"}, "1400006666", {"党务公开"}, {"2001": 2, "2002": 1})
    vendor.peer.start()
    yield vendor
    vendor.peer.stop()


def aliyun_settings(vendor, tmp_path, secret="aliyun-secret-0123"):
    (tmp_path / "sms-secret").write_text(secret + "\n")
    return {"VENDOR": "aliyun", "ENDPOINT": vendor.peer.url, "ACCESS_KEY_ID": "LTAI-county",
            "ACCESS_KEY_SECRET_FILE": str(tmp_path / "sms-secret"), "SIGN_NAME": "党务公开",
            "READ_TIMEOUT_SECONDS": 2,
            "TEMPLATES": {"ObligationOverdue": {"ID": "SMS_900", "PARAMS": {"content": "body", "url": "link"}},
                          "default": {"ID": "SMS_100", "PARAMS": {"content": "body"}}}}


def tencent_settings(vendor, secret="tencent-secret-0123"):
    return {"VENDOR": "tencent", "ENDPOINT": vendor.peer.url, "ACCESS_KEY_ID": "AKID-county",
            "ACCESS_KEY_SECRET": secret, "SDK_APP_ID": "1400006666", "SIGN_NAME": "党务公开", "REGION": "ap-guangzhou",
            "READ_TIMEOUT_SECONDS": 2,
            "TEMPLATES": {"ObligationOverdue": {"ID": "2001", "PARAMS": {"content": "body", "url": "link"}},
                          "default": {"ID": "2002", "PARAMS": {"content": "body"}}}}


def text(recipient="13900000002", cause="ObligationOverdue"):
    made = delivery("sms", recipient, BODY, cause)
    made.link = LINK
    return made


def test_the_aliyun_peer_reproduces_the_vendors_published_signature_example():
    """help.aliyun.com, "V3版本请求体&签名机制": RunInstances on ecs.cn-shanghai with the
    example key YourAccessKeyId / YourAccessKeySecret signs to e521358f…"""
    vendor = AliyunSms({"YourAccessKeyId": "YourAccessKeySecret"}, set(), {})
    vendor.clock = lambda: datetime(2023, 10, 26, 9, 1, 1, tzinfo=timezone.utc).timestamp()
    signed = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    headers = {"host": "ecs.cn-shanghai.aliyuncs.com", "x-acs-action": "RunInstances",
               "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
               "x-acs-date": "2023-10-26T09:01:01Z", "x-acs-signature-nonce": "d410180a5abf7fe235dd9b74aca91fc0",
               "x-acs-version": "2014-05-26",
               "authorization": f"ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders={signed},Signature="
                                "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"}
    query = "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
    assert vendor.signature_error(Request("/", {}, headers, b"", query)) is None
    assert vendor.signature_error(Request("/", {}, headers, b"", query + "x")) == "SignatureDoesNotMatch"
    # and our client signs the same request to the same signature
    ours = sms_vendors.acs3_headers("POST", "https://ecs.cn-shanghai.aliyuncs.com/",
                                    {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
                                     "RegionId": "cn-shanghai"}, "RunInstances", "2014-05-26", "YourAccessKeyId",
                                    "YourAccessKeySecret", now=datetime(2023, 10, 26, 9, 1, 1, tzinfo=timezone.utc),
                                    nonce="d410180a5abf7fe235dd9b74aca91fc0")
    assert ours["Authorization"] == headers["authorization"]


def test_aliyun_sendsms_is_signed_with_the_template_and_its_parameters(aliyun, tmp_path):
    sms_vendors.send(aliyun_settings(aliyun, tmp_path), text())
    (accepted,) = aliyun.accepted
    assert accepted["TemplateCode"] == "SMS_900" and accepted["SignName"] == "党务公开"
    assert json.loads(accepted["TemplateParam"]) == {"content": BODY, "url": LINK}
    assert accepted["PhoneNumbers"] == "13900000002" and accepted["OutId"] == "<abc@gk>"
    sms_vendors.send(aliyun_settings(aliyun, tmp_path), text(cause="ItemRejected"))  # the default template
    assert aliyun.accepted[1]["TemplateCode"] == "SMS_100"


def test_aliyun_wrong_secret_and_error_codes_inside_a_200(aliyun, tmp_path):
    with pytest.raises(channels.Permanent, match="SignatureDoesNotMatch"):
        sms_vendors.send(aliyun_settings(aliyun, tmp_path, secret="not-the-secret"), text())
    good = aliyun_settings(aliyun, tmp_path)
    with pytest.raises(channels.Permanent, match="isv.MOBILE_NUMBER_ILLEGAL"):
        sms_vendors.send(good, text("123"))
    aliyun.fail_next = ["isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR"]
    for _ in range(2):
        with pytest.raises(channels.Transient, match="isv.BUSINESS_LIMIT_CONTROL|isp.SYSTEM_ERROR"):
            sms_vendors.send(good, text())
    wrong_params = {**good, "TEMPLATES": {"default": {"ID": "SMS_900", "PARAMS": {"content": "body"}}}}
    with pytest.raises(channels.Permanent, match="TEMPLATE_MISSING_PARAMETERS"):
        sms_vendors.send(wrong_params, text())
    assert aliyun.accepted == []


def test_tencent_sendsms_is_tc3_signed_with_the_template_parameter_set_in_order(tencent):
    sms_vendors.send(tencent_settings(tencent), text())
    (accepted,) = tencent.accepted
    assert accepted["TemplateId"] == "2001" and accepted["TemplateParamSet"] == [BODY, LINK]
    assert accepted["PhoneNumberSet"] == ["+8613900000002"] and accepted["SmsSdkAppId"] == "1400006666"
    assert accepted["SignName"] == "党务公开" and accepted["SessionContext"] == "<abc@gk>"


def test_tencent_wrong_secret_and_per_number_codes(tencent):
    with pytest.raises(channels.Permanent, match="AuthFailure.SignatureFailure"):
        sms_vendors.send(tencent_settings(tencent, secret="not-the-secret"), text())
    good = tencent_settings(tencent)
    with pytest.raises(channels.Permanent, match="IncorrectPhoneNumber"):
        sms_vendors.send(good, text("123"))
    tencent.fail_next = ["LimitExceeded.PhoneNumberThirtySecondLimit"]
    with pytest.raises(channels.Transient, match="LimitExceeded"):
        sms_vendors.send(good, text())
    with pytest.raises(channels.Permanent, match="TemplateIncorrectOrUnapproved"):
        sms_vendors.send({**good, "TEMPLATES": {"default": "9999"}}, text())
    assert tencent.accepted == []


@pytest.mark.parametrize("which", ["aliyun", "tencent"])
def test_through_the_sender_a_rate_limited_text_is_sent_again_later(uow_factory, aliyun, tencent, tmp_path,
                                                                           which):
    uow = uow_factory("notify")
    county(uow)
    vendor = aliyun if which == "aliyun" else tencent
    sms = aliyun_settings(aliyun, tmp_path) if which == "aliyun" else tencent_settings(tencent)
    notify = settings(SMS=sms)
    (planned,) = [d for d in planner.plan(uow.session, obligation("ObligationOverdue"), RULES, notify, DAY)
                  if d.channel == "sms" and d.recipient == "13900000002"]
    uow.session.execute(sa.update(Delivery).where(Delivery.id != planned.id).values(status="delivered"))
    uow.commit()
    vendor.fail_next = ["isv.BUSINESS_LIMIT_CONTROL" if which == "aliyun" else "LimitExceeded.DeliveryFrequencyLimit"]
    sender_for(uow, notify).pass_once(wait=True)
    uow.session.expire_all()
    assert uow.session.get(Delivery, planned.id).status == "pending" and vendor.accepted == []
    due_now(uow)
    sender_for(uow, notify).pass_once(wait=True)
    uow.session.expire_all()
    assert uow.session.get(Delivery, planned.id).status == "delivered" and len(vendor.accepted) == 1
    assert sms_vendors.configured(sms) and not sms_vendors.configured({**sms, "ACCESS_KEY_ID": ""})
