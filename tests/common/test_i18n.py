"""Messages in zh-CN by default and English on request, from the .po catalogues."""
import re

import pytest

from gateway.errors import ApiError, response_for, unauthorized
from gateway.api.units import job_in_language
from gateway.pages.kit.render import render_text
from services.common import i18n
from services.common.errors import Conflict, InvalidInput
from services.units import jobs


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


def test_the_envelope_gives_the_validation_messages_of_its_fields_in_the_language_too():
    details = {"fields": {"title": ["Missing data for required field."], "year": ["Not a valid integer."]},
               "query": {"status": ["Must be one of: open, overdue."]}, "known": ["ItemPublished"]}
    chinese = response_for(ApiError(400, "invalid_input", "some fields are not valid", details), "r4").get_json()
    assert chinese["error"]["details"] == {"fields": {"title": ["必须填写。"], "year": ["须为整数。"]},
                                           "query": {"status": ["应为其中之一：open, overdue。"]},
                                           "known": ["ItemPublished"]}  # field names and other details as they are
    english = response_for(ApiError(400, "invalid_input", "请求有误", {
        "fields": {"username": ["用户名为 3–64 位小写字母、数字、点、横线或下划线，以字母或数字开头"]}}), "r5", "en").get_json()
    assert english["error"]["details"]["fields"]["username"] == [
        "a username is 3–64 lower-case letters, digits, dots, dashes or underscores, starting with a letter or a digit"]


def test_an_import_jobs_report_reads_in_the_callers_language():
    job = {"id": 4, "status": "succeeded", "error": None, "report": {
        "rows": 40, "notes": ["工作簿有 2 个工作表，只读取了第一个“名册”。"],
        "problems": [{"row": 7, "column": "code", "problem": "代码“A005”在第 7 和 32 行重复使用：每个组织需要各自的代码。"}]}}
    english = job_in_language(job, "en")
    assert english["report"]["problems"] == [
        {"row": 7, "column": "code", "problem": "The code “A005” is used on rows 7 and 32; each unit needs its own code."}]
    assert english["report"]["notes"] == ["The workbook has 2 worksheets; only the first, “名册”, was read."]
    assert english["report"]["rows"] == 40 and job["report"]["problems"][0]["problem"].startswith("代码")  # a copy
    assert job_in_language(job, "zh_CN") == job
    failed = job_in_language({"id": 5, "report": None, "error": {
        "code": "invalid_input", "message": "a unit with code A001 exists already"}}, "zh_CN")
    assert failed["error"] == {"code": "invalid_input", "message": "单位代码 A001 已存在：每个单位需要自己的代码。"}


def test_an_import_jobs_state_is_named_in_chinese_and_back_in_english():
    with pytest.raises(InvalidInput) as refused:
        jobs.next_status("succeeded", "start")
    assert refused.value.message == "导入任务现在的状态是“已完成”，不能开始处理"
    assert i18n.translate(refused.value.message, "en") == \
        "The import job's status is succeeded; it cannot start."


@pytest.mark.parametrize("message, english", [
    ("该意见当前为“已答复”，不能受理", "The feedback is answered now; you cannot accept it."),
    ("受理需要本单位党务干事或本单位审核人（书记）办理",
     "Only the unit's operator or the unit's reviewer (secretary) may accept feedback."),
    ("整改处于“已验收”状态，不能退回", "The rectification is accepted; you cannot return it."),
    ("上级组织 T09 已合并，不能再在其下登记组织：请改填一个在册的上级组织。",
     "The parent unit T09 was merged; no unit is registered under it any more. Give an active parent unit."),
    ("领域（sector）是空的：每个组织都必须填写。", "sector is empty; every unit must have it."),
    ("检查安排 is not valid: {'kind': ['x']}", "The inspection plan is not valid: {'kind': ['x']}"),
])
def test_names_inside_chinese_messages_read_in_english(message, english):
    assert i18n.translate(message, "en") == english


def test_a_webhooks_reason_for_being_disabled_reads_in_chinese_on_its_page():
    page = render_text("console/webhook.html", site={"county": "某县"}, actions={}, attempts=[], outcomes={}, hook={
        "id": 3, "url": "https://peer.example/hook", "active": False, "owner": "sys-a", "event_types": ["ItemPublished"],
        "created_at": "2026-12-01T01:00:00+00:00", "disabled_at": "2026-12-01T02:00:00+00:00",
        "disabled_reason": "20 consecutive failures; the last: HTTP 500"})
    assert "因连续失败停用：已连续 20 次推送失败，最后一次的错误：HTTP 500。" in page


@pytest.mark.parametrize("message, language, translated", [  # written where the scan cannot read them
    ("must be 15..90 for a society audience; 3 given", "zh_CN", "向社会公开的事项须在 15 到 90 之间；填写的是 3。"),
    ("a quarterly entry needs grace_days (1..60)", "zh_CN", "每季度公开的事项须填写 grace_days（1 到 60）。"),
    ("milestone «动员» is due 2027-01-05, outside the plan's year 2026", "zh_CN",
     "节点“动员”的期限是 2027-01-05，不在方案的年度（2026 年）之内。"),
    (("电话“1.38E+10”不是有效的手机号（以 1 开头的 11 位数字）或座机号（如 0592-1234567）。"
      "Excel 把它变成了科学计数法：请把这一列设为“文本”格式后重新输入。"), "en",
     ("The phone number “1.38E+10” is not a valid mobile number (11 digits starting with 1) or landline number "
      "(like 0592-1234567). Excel turned it into scientific notation: format the column as “Text” and type the "
      "numbers again.")),
])
def test_messages_composed_in_code_have_their_entries_too(message, language, translated):
    assert i18n.translate(message, language) == translated
