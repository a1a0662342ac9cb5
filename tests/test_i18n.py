"""Messages in zh-CN by default and English on request, from the .po catalogues."""
import pytest

from gateway.errors import ApiError, response_for, unauthorized
from services.common import i18n
from services.common.errors import Conflict


def test_the_catalogues_compile_and_each_entry_keeps_its_placeholders():
    assert i18n.check() == []
    for language in i18n.LANGUAGES:
        assert len(i18n.compile_catalogue(language)._catalog) > 25


@pytest.mark.parametrize("header, language", [
    (None, "zh_CN"), ("", "zh_CN"), ("zh-CN,zh;q=0.9", "zh_CN"), ("en", "en"), ("en-US,en;q=0.9,zh;q=0.5", "en"),
    ("zh-CN,en;q=0.5", "zh_CN"), ("fr", "zh_CN"), ("*", "zh_CN"), ("en;q=garbage", "zh_CN")])
def test_the_language_a_caller_asks_for(header, language):
    assert i18n.language_of(header) == language


def test_older_english_messages_read_in_chinese_and_chinese_ones_in_english():
    assert i18n.translate("no unit with code NOPE") == "没有代码为 NOPE 的单位。"
    assert i18n.translate("unit A001 is merged; it has no new obligations") == "单位 A001 已是 merged 状态，不再有新的公开任务。"
    assert i18n.translate("用户名 op-a 已被占用：请换一个。", "en") == "The username op-a is taken; choose another."
    assert i18n.translate("用户名 op-a 已被占用：请换一个。") == "用户名 op-a 已被占用：请换一个。"  # zh-CN already
    assert i18n.translate("no unit with code NOPE", "en") == "no unit with code NOPE"  # English already
    assert i18n.translate("a message no catalogue knows") == "a message no catalogue knows"


def test_the_envelope_translates_the_message_never_the_code():
    chinese = response_for(unauthorized("sign in first: this needs a bearer token"), "r1").get_json()
    english = response_for(Conflict("用户名 op-a 已被占用：请换一个。"), "r2", "en").get_json()
    assert chinese["error"] == {"code": "unauthorized", "message": "请先登录：这个操作需要登录令牌（bearer token）。",
                                "details": {}}
    assert english["error"]["code"] == "conflict" and english["error"]["message"].startswith("The username op-a")
    assert response_for(ApiError(413, "too_large", "the body is over 1048576 bytes"), "r3").get_json()[
        "error"]["message"] == "请求内容超过 1048576 字节，请删减后再提交。"
