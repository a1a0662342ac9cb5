"""The staff console in a real browser (Debian's Chromium via Playwright, tests/gateway/pages/console_browser.py
run as its own process) against separately started processes: provisioning a town and the first
sign-in's forced password change; an item drafted with a photo, reviewed and approved from
我的待办 and then on the public unit page; feedback sent on the portal answered by the operator and
the answer approved by the reviewer; the office reads the dashboard, sends a reminder for an
overdue unit (its liaison is mailed) and records an inspection on a phone-sized window; axe-core finds no
serious or critical WCAG 2.1 AA violation on any console page. With PORTAL_SCREENSHOTS set (make
screenshots) every console page is kept at 390×844 and 1280×800 too."""
import json
import os
import subprocess
import sys
import uuid

import pytest

from services.common.config import ROOT
from services.units.demo_accounts import DEMO_PASSWORD
from tests.conftest import wait_for
from tests.gateway.pages.console_fixtures import overdue_obligation
from tests.gateway.pages.test_console_signin import PNG

pytestmark = pytest.mark.api_level


def test_each_roles_day_in_the_browser(county, tmp_path):
    photo = tmp_path / "公开栏.png"
    photo.write_bytes(PNG)
    tag = uuid.uuid4().hex[:6]
    spec = {"password": DEMO_PASSWORD, "town": "T05", "title": "2026年第四季度党费收缴使用情况", "photo": str(photo),
            "question": f"党员活动室晚上几点关门？（{tag}）", "answer": f"每天晚上九点关门，周末照常开放。（{tag}）",
            "held_question": f"听说村里有人帮忙办证，是真的吗？（{tag}）"}
    overdue = overdue_obligation(county["api"], "T04V001", "社区党委换届选举结果已批复")
    spec.update(overdue_id=overdue["id"], remind_note=f"请三个工作日内补充公开（{tag}）", inspect_unit="T04V002",
                inspection_title=f"第四季度党务公开例行检查（{tag}）", finding="公开栏内容未及时更新")
    (tmp_path / "spec.json").write_text(json.dumps(spec, ensure_ascii=False))
    command = [sys.executable, "-m", "tests.gateway.pages.console_browser", county["api"], str(tmp_path / "spec.json"),
               str(tmp_path / "result.json")]
    shots = os.environ.get("PORTAL_SCREENSHOTS")
    if shots:
        command += ["--screenshots", str(ROOT / shots)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())

    provisioned = result["provision"]
    assert provisioned["admin_url"].endswith("/console/accounts") and provisioned["provisioned"] > 6
    assert provisioned["first_h1"] == "首次登录：请设置新密码"
    assert provisioned["after_change"][0].endswith("/console") and provisioned["after_change"][1] == "我的待办"
    item = result["item"]
    assert "待审核" in item["draft_page"] and "公开栏.png" in item["draft_page"]
    assert item["reviewed"] == "已审核通过。" and item["approved"] == "已审批通过并发布。"
    assert spec["title"] in item["public_unit"]
    correction = result["correction"]
    assert correction["editor_h1"] == f"更正：{spec['title']}" and "与已公开的第 1 版对照" in correction["correction_page"]
    review = correction["review_diff"]
    assert review["del"] >= 1 and review["ins"] >= 2 and "其中补缴党费 2 人。" in review["text"]
    assert {"新增：", "［删除：", "［新增："} <= set(review["spoken"]) and review["scroll_width"] <= 390
    assert correction["approve_diff"] == 1 and correction["approved"] == "已审批通过并发布。"
    assert "12,354.00" in correction["public"] and "没有发送" in correction["unsent"]
    feedback = result["feedback"]
    assert feedback["accepted"].startswith("已受理") and feedback["sent"].startswith("答复已送审核人审核")
    assert feedback["answer_shown"] and feedback["approved"].startswith("答复已审核通过")
    assert spec["answer"] in feedback["tracked"] and "已答复" in feedback["tracked"]
    assert feedback["scroll_width"] <= 390 and feedback["held_id"] > feedback["feedback_id"]
    office = result["office"]
    assert office["h1"].endswith("进度监测") and office["charts"] == 7 and office["loaded"]
    assert office["scroll_width"] <= 390 and "党务公开进度" in office["screen"]
    assert office["remind_h1"] == "确认：发送催办" and "高海鹏" in office["remind_card"]  # T04V001's liaison
    assert office["reminded"].startswith("已向 T04V001 发出催办") and office["remind_scroll_width"] <= 390
    (mail,) = wait_for(lambda: [m for m in county["mailbox"].messages()
                                if m["To"] == "t04v001@example.gov.cn" and "催办" in m["Subject"]],
                       timeout=30, message="the reminder in the liaison's mailbox")
    assert spec["remind_note"] in mail.get_body(("plain",)).get_content()
    assert "已安排检查" in office["planned"] and office["criteria"] == 9 and office["record_scroll_width"] <= 390
    assert spec["finding"] in office["submit_page"] and "10 个工作日内整改" in office["submit_page"]
    assert "现场照片 1 张" in office["submit_page"]
    assert office["recorded"].startswith("已提交 T04V002 的检查结果")
    registry = result["registry"]
    assert len(registry["problems"]) == 1 and "第 3 行" in registry["problems"][0] and "部队" in registry["problems"][0]
    assert "领域（sector）" in registry["problems"][0] and "没有发现问题" in registry["checked"]
    assert "新登记 2 个组织" in registry["done"] and "浏览器测试村党支部" in registry["found"]
    assert registry["scroll_width"] <= 390
    assert {page: found for page, found in result["axe"].items() if found} == {}
    assert len(result["axe"]) == 45
