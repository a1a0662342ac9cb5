"""Messages in zh-CN by default and English on request, from the .po catalogues."""
import re

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
    assert i18n.translate("unit A001 is merged; it has no new obligations") == "单位 A001 已合并，不再有新的公开任务。"
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


@pytest.mark.parametrize("message, chinese", [
    ("an item must be submitted or reviewed to reject it; item 7 is published",
     "事项须处于“待审核或待审批”状态才能退回；事项 7 现在的状态是“已公开”。请刷新后查看最新状态。"),
    ("only a draft can be edited; item 4 is submitted", "只有草稿才能修改；事项 4 现在的状态是“待审核”。"),
    ("you wrote item 4; someone else must approve it", "事项 4 是您起草的，须由其他人审批。"),
    ("this needs the role operator or reviewer; you are admin",
     "这个操作需要党务干事或书记（审核人）的账号；您登录的是系统管理员账号。"),
    ("only a operator may do this; you are reviewer", "只有党务干事账号能这样做；您登录的是书记（审核人）账号。"),
    ("a plan must be draft to consult it; plan 3 is active",
     "实施方案须处于“草稿”状态才能征求意见；方案 3 现在的状态是“实施中”。"),
    ("obligation 9 is already fulfilled_late", "公开任务 9 已经是“逾期后完成”状态。"),
    ("catalogue entry C01 does not apply to the village sector", "目录事项 C01 不适用于村居类单位。"),
    ("too many login requests; try again later", "登录尝试太频繁，请稍后再试。"),
    ("corrected by version 2 (item 8)", "已由第 2 版（事项 8）更正"),
])
def test_statuses_actions_and_roles_inside_a_message_read_in_chinese_too(message, chinese):
    translated = i18n.translate(message)
    assert translated == chinese
    assert not re.search(r"[a-z]{3,}", translated.replace("unit_code", ""))  # no English word left in it


def test_names_given_in_chinese_read_in_english_for_english_callers():
    assert i18n.term("role", "operator") == "党务干事" and i18n.term("role", "someone") == "someone"
    assert i18n.translate("党务干事账号须指定所属单位（unit_code）。", "en") == \
        "An account with the role operator needs the unit it acts for (unit_code)."
    assert i18n.translate("an item must be submitted or reviewed to reject it; item 7 is published", "en") == \
        "an item must be submitted or reviewed to reject it; item 7 is published"  # English already
