"""The staff console in Debian's Chromium through Playwright, run as its own process by
tests/gateway/pages/test_console_browser.py (Playwright's sync API does not run under the tests' eventlet
monkey-patching): the admin provisions a town and its first account's sign-in forces a new
password; the operator drafts an item with a photo and sends it; the reviewer reviews and
approves it from 我的待办 and it is on the public unit page; the operator corrects it and the
reviewer approves the correction read as a diff against the published version; the admin imports a registry file
after its dry run (a bad row first, then the file corrected); the office reads the dashboard,
sends a reminder for an overdue unit and records an inspection on a phone-sized window; axe-core on every console page (and, with --screenshots DIR, each page at
390×844 and 1280×800).

    python -m tests.gateway.pages.console_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, sync_playwright

from tests.gateway.pages.portal_browser import (ARGS, AXE_OPTIONS, CHROMIUM, PHONE, screenshots,
                                                 script_arguments, serious)
from tests.otp import code_for

NEW_PASSWORD = "our village office 2026"


def sign_in(page: Page, base: str, username: str, password: str, then: str = "/console") -> None:
    page.goto(f"{base}{then}")  # a staff page sends the browser to /login?next=...
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="登录").click()
    if page.locator('form[action="/login/otp"]').count():  # the county office and the administrators
        page.locator("#f-otp").fill(code_for(username, base))
        page.get_by_role("button", name="验证并登录").click()


def provision(browser: Browser, base: str, spec: dict, work: Path) -> dict:
    seen: dict = {}
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(page, base, "admin", spec["password"], "/console/accounts")
    seen["admin_url"] = page.url
    page.get_by_role("link", name="批量开设账号（按镇街或全县）").click()
    page.locator("#f-town").fill(spec["town"])
    with page.expect_download() as download:
        page.get_by_role("button", name="开设并下载表格").click()
    sheet = work / "accounts.xlsx"
    download.value.save_as(sheet)
    rows = [r for r in list(load_workbook(sheet).active.iter_rows(values_only=True))[1:] if r and r[3]]
    first = next(r for r in rows if r[6] == "新开设")
    seen["provisioned"] = len(rows)
    clerk = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(clerk, base, first[3], first[5])
    seen["first_h1"] = clerk.locator("h1").first.inner_text()
    clerk.locator("#f-current_password").fill(first[5])
    clerk.locator("#f-new_password").fill(NEW_PASSWORD)
    clerk.locator("#f-new_password2").fill(NEW_PASSWORD)
    clerk.get_by_role("button", name="保存新密码并登录").click()
    seen["after_change"] = (clerk.url, clerk.locator("h1").first.inner_text())
    return seen


def draft_and_approve(browser: Browser, base: str, spec: dict) -> dict:
    seen: dict = {}
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(page, base, "op-a001", spec["password"])
    page.get_by_role("link", name="起草公开事项").click()
    page.locator("#f-title").fill(spec["title"])
    page.locator("#f-body").fill("本季度共收缴党费 12,345.00 元，全部上缴。")
    page.get_by_label("公开栏").check()
    page.locator("#f-file").set_input_files(spec["photo"])
    page.get_by_role("button", name="保存并提交审核").click()
    seen["draft_page"] = page.locator("main").inner_text()
    item_url = page.url
    reviewer = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(reviewer, base, "rv-a001", spec["password"])
    item_id = item_url.rsplit("/", 1)[1]
    reviewer.locator(f"#item-{item_id}").get_by_role("link", name="审核通过").click()
    reviewer.get_by_role("button", name="确认审核通过").click()
    seen["reviewed"] = reviewer.locator("[role=status]").first.inner_text()
    reviewer.locator(f"#item-{item_id}").get_by_role("link", name="审批通过并发布").click()
    reviewer.get_by_role("button", name="确认审批通过并发布").click()
    seen["approved"] = reviewer.locator("[role=status]").first.inner_text()
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    public.goto(f"{base}/units/A001")
    seen["public_unit"] = public.locator("main").inner_text()
    seen["item_id"] = int(item_id)
    return seen


CORRECTED_BODY = "本季度共收缴党费 12,354.00 元，全部上缴。\n其中补缴党费 2 人。"


def correct_and_approve(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    """The operator corrects the published item from its page; the reviewer reviews and approves
    the correction from 我的待办, reading it as a diff against the published version; the public
    item page shows the corrected text. axe-core on the pages of the way (its own entries)."""
    axe, seen, found = Axe(), {}, {}

    def check(page: Page, name: str) -> None:
        found[name] = serious(axe.run(page, options=AXE_OPTIONS).response)
        screenshots(page, shots, f"console-{name}")

    clerk = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(clerk, base, "op-a001", spec["password"], f"/console/items/{spec['item_id']}")
    clerk.get_by_role("link", name="发起更正").click()
    seen["editor_h1"] = clerk.locator("h1").first.inner_text()
    check(clerk, "op-a001-correct")
    clerk.locator("#f-body").fill(CORRECTED_BODY)
    clerk.get_by_role("button", name="保存并提交审核").click()
    correction_id = int(clerk.url.rsplit("/", 1)[1])
    seen["correction_page"] = clerk.locator("#diff").inner_text()
    check(clerk, "op-a001-correction")
    reviewer = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(reviewer, base, "rv-a001", spec["password"])
    reviewer.locator(f"#item-{correction_id}").get_by_role("link", name="审核通过").click()
    diff = reviewer.locator("#diff")
    seen["review_diff"] = {"text": diff.inner_text(), "del": diff.locator("del").count(),
                           "ins": diff.locator("ins").count(),
                           "spoken": diff.locator(".sr-only").all_text_contents(),
                           "scroll_width": reviewer.evaluate("document.documentElement.scrollWidth")}
    check(reviewer, "rv-a001-review-correction")
    reviewer.get_by_role("button", name="确认审核通过").click()
    reviewer.locator(f"#item-{correction_id}").get_by_role("link", name="审批通过并发布").click()
    seen["approve_diff"] = reviewer.locator("#diff").count()
    reviewer.get_by_role("button", name="确认审批通过并发布").click()
    seen["approved"] = reviewer.locator("[role=status]").first.inner_text()
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    public.goto(f"{base}/items/{correction_id}")
    seen["public"] = public.locator("main").inner_text()
    late = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    late.goto(f"{base}/login?next=/console/items/new&unsent=1")  # a form posted after the session ended
    seen["unsent"] = late.locator("#unsent").inner_text()
    check(late, "login-unsent")
    seen["correction_id"], seen["axe"] = correction_id, found
    return seen


def answer_feedback(browser: Browser, base: str, spec: dict) -> dict:
    """Someone asks on the portal's form; the operator accepts and answers it from 我的待办, the
    reviewer approves the answer and the sender reads it on the tracking page; a second question
    the word screen holds waits in the county office's moderation queue."""
    seen: dict = {}
    public = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    for question in (spec["question"], spec["held_question"]):
        public.goto(f"{base}/feedback/new?target=unit:A001")
        public.get_by_label("咨询").check()
        public.locator("#f-content").fill(question)
        public.get_by_role("button", name="提交").click()
        if question == spec["question"]:
            code = public.locator("#tracking-code").inner_text()
    clerk = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(clerk, base, "op-a001", spec["password"])
    clerk.locator("li", has_text=spec["question"]).get_by_role("link", name="受理", exact=True).click()
    clerk.get_by_role("button", name="确认受理").click()
    seen["accepted"] = clerk.locator("[role=status]").first.inner_text()
    seen["feedback_id"] = int(clerk.url.split("/console/feedback/", 1)[1].split("?", 1)[0])
    clerk.get_by_role("link", name="答复", exact=True).click()
    clerk.locator("#f-body").fill(spec["answer"])
    clerk.get_by_role("button", name="送审核人审核").click()
    seen["sent"] = clerk.locator("[role=status]").first.inner_text()
    reviewer = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(reviewer, base, "rv-a001", spec["password"])
    reviewer.locator(f"#feedback-{seen['feedback_id']}").get_by_role("link", name="审核通过答复").click()
    seen["answer_shown"] = spec["answer"] in reviewer.locator("main").inner_text()
    reviewer.get_by_role("button", name="确认审核通过答复").click()
    seen["approved"] = reviewer.locator("[role=status]").first.inner_text()
    seen["scroll_width"] = reviewer.evaluate("document.documentElement.scrollWidth")
    public.goto(f"{base}/track/{code}")
    seen["tracked"] = public.locator("main").inner_text()
    county = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(county, base, "office", spec["password"], "/console/moderation")
    held = county.locator("li", has_text=spec["held_question"])
    seen["held_id"] = int(held.get_attribute("id").split("-", 1)[1])
    return seen


def import_registry(browser: Browser, base: str, spec: dict, work: Path) -> dict:
    """The admin uploads a registry file whose dry run finds a bad row, uploads it corrected,
    confirms the clean dry run and follows the import (each page refreshing itself) to its end;
    the new town is then in the tree."""
    seen: dict = {}
    town = f"R8{uuid.uuid4().hex[:4]}"
    header = "code,name,sector,org_type,parent_code,secretary,secretary_phone,liaison,liaison_phone,liaison_email"
    rows = [f"{town},浏览器测试镇党委,town,committee,C000,周书记,13900000011,吴联络,13900000012,",
            f"{town}-01,浏览器测试村党支部,{{sector}},branch,{town},郑书记,13900000013,冯联络,13900000014,"]
    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    sign_in(page, base, "admin", spec["password"], "/console")
    page.get_by_role("link", name="组织名册").first.click()
    page.get_by_role("link", name="导入名册").click()
    for sector in ("部队", "village"):
        sheet = work / f"名册-{sector}.csv"
        sheet.write_text("\n".join([header, *rows]).replace("{sector}", sector) + "\n", encoding="utf-8")
        page.locator("#f-file").set_input_files(str(sheet))
        page.get_by_role("button", name="上传并试导入").click()
        page.locator("#outcome").wait_for(timeout=30_000)  # the page refreshes itself until the report is there
        if sector != "village":
            seen["problems"] = page.locator("#problems + .scroll tbody tr").all_inner_texts()
            seen["report_path"] = page.url.removeprefix(base)
            page.get_by_role("link", name="重新上传").click()
    seen["checked"] = page.locator("#outcome").inner_text()
    seen["dry_run_path"] = page.url.removeprefix(base)
    page.get_by_role("button", name="确认导入").click()
    page.locator("#outcome", has_text="导入完成").wait_for(timeout=60_000)
    seen["done"] = page.locator("#outcome").inner_text()
    page.get_by_role("link", name="查看组织名册").click()
    page.locator("#f-q").fill(town)
    page.get_by_role("button", name="查找").click()
    seen["found"] = page.locator("main table").inner_text()
    seen["scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
    return seen


def office(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    """The office on a phone-sized window: reads the dashboard (every chart drawn), sends a
    reminder for an overdue unit from 我的待办's overdue list, then plans an inspection and records
    a unit's result with a finding, through the confirmation pages. axe-core on the pages of the
    way (its own entries: they show forms and states the audit's later visits do not)."""
    axe, found = Axe(), {}

    def check(name: str) -> None:
        found[name] = serious(axe.run(page, options=AXE_OPTIONS).response)
        screenshots(page, shots, f"console-{name}")

    page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(page, base, "office", spec["password"], "/console/progress")
    page.wait_for_load_state("load")
    charts = page.locator("img.chart")
    seen = {"h1": page.locator("h1").first.inner_text(), "charts": charts.count(),
            "loaded": page.evaluate("[...document.querySelectorAll('img.chart')].every(i => i.naturalWidth > 0)"),
            "scroll_width": page.evaluate("document.documentElement.scrollWidth")}
    page.goto(f"{base}/console/screen")
    seen["screen"] = page.locator("h1").first.inner_text()

    page.goto(f"{base}/console")
    page.get_by_role("link", name="全部逾期任务（可逐项催办）").click()
    page.locator(f'a[href="/console/obligations/{spec["overdue_id"]}/remind"]').click()
    seen["remind_h1"], seen["remind_card"] = page.locator("h1").first.inner_text(), page.locator("article").inner_text()
    check("office-remind")
    page.locator("#f-note").fill(spec["remind_note"])
    page.get_by_role("button", name="确认发送催办").click()
    seen["reminded"] = page.locator("[role=status]").first.inner_text()
    seen["remind_scroll_width"] = page.evaluate("document.documentElement.scrollWidth")

    page.get_by_role("link", name="督促检查").first.click()
    page.get_by_role("link", name="安排检查").click()
    check("office-inspection-plan")
    page.locator("#f-title").fill(spec["inspection_title"])
    page.locator("#f-units").fill(spec["inspect_unit"])
    page.get_by_role("button", name="下一步：核对").click()
    check("office-inspection-plan-confirm")
    page.get_by_role("button", name="确认安排").click()
    seen["planned"] = page.locator("[role=status]").first.inner_text()
    seen["inspection_path"] = page.url.removeprefix(base).split("?")[0]
    page.get_by_role("link", name=f"录入 {spec['inspect_unit']} 的结果").click()
    scores = page.locator("input[type=number][name^=score-]")
    seen["criteria"] = scores.count()
    for index in range(scores.count()):
        scores.nth(index).fill("4")
    page.locator("#f-finding-1-dimension").select_option("form")
    page.locator("#f-finding-1-text").fill(spec["finding"])
    page.locator("#f-finding-1-deduction").fill("2")
    page.locator("#f-photo").set_input_files(spec["photo"])  # the phone's camera, or a file
    seen["record_scroll_width"] = page.evaluate("document.documentElement.scrollWidth")
    check("office-inspection-record")
    page.get_by_role("button", name="保存并提交").click()
    seen["submit_page"] = page.locator("main").inner_text()
    check("office-inspection-submit")
    page.get_by_role("button", name="确认提交").click()
    seen["recorded"] = page.locator("[role=status]").first.inner_text()
    seen["axe"] = found
    return seen


def audit(browser: Browser, base: str, spec: dict, shots: Path | None) -> dict:
    """axe-core's serious and critical violations on each console page (axe is a script: the
    checking context bypasses the CSP)."""
    axe, found = Axe(), {}
    pages = {"admin": ["/console", "/console/accounts", "/console/accounts/provision", "/console/progress",
                       "/login/password"],
             "op-a001": ["/console", "/console/items/new", f"/console/items/{spec['item_id']}"],
             "rv-a001": ["/console"]}
    case = f"/console/feedback/{spec['feedback_id']}"
    pages["op-a001"].append(case)
    pages["rv-a001"].append(case)
    pages["office"] = ["/console", "/console/moderation", "/console/extensions", f"{case}/transfer",
                       f"/console/feedback/{spec['held_id']}/reject"]
    inspection = spec["inspection_path"]
    pages["office"] += ["/console/progress", "/console/calendar", "/console/obligations?status=overdue", "/console/scores",
                        "/console/rectifications", "/console/inspections", inspection,
                        f"{inspection}/units/{spec['inspect_unit']}"]
    pages["admin"] += ["/console/units", "/console/units/A001", "/console/units/import", spec["import_report"],
                       spec["import_dry_run"], "/console/api-keys", "/console/webhooks", "/console/dead-letters"]
    pages["auditor"] = ["/console", "/console/audit"]
    pages["op-a001"].append("/console/units/A001")
    anonymous = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    anonymous.goto(f"{base}/login")
    found["login"] = serious(axe.run(anonymous, options=AXE_OPTIONS).response)
    screenshots(anonymous, shots, "console-login")
    for username, paths in pages.items():
        page = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
        sign_in(page, base, username, spec["password"])
        for path in paths:
            page.goto(base + path)
            name = f"{username}{path}".replace("/", "-")
            found[name] = serious(axe.run(page, options=AXE_OPTIONS).response)
            screenshots(page, shots, f"console-{name}")
    return found


def main() -> None:
    args, spec, shots = script_arguments()
    result: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            result["provision"] = provision(browser, args.base, spec, Path(args.result).parent)
            result["item"] = draft_and_approve(browser, args.base, spec)
            spec["item_id"] = result["item"]["item_id"]
            result["correction"] = correct_and_approve(browser, args.base, spec, shots)
            result["feedback"] = answer_feedback(browser, args.base, spec)
            spec["feedback_id"], spec["held_id"] = result["feedback"]["feedback_id"], result["feedback"]["held_id"]
            result["registry"] = import_registry(browser, args.base, spec, Path(args.result).parent)
            spec["import_report"], spec["import_dry_run"] = (result["registry"]["report_path"],
                                                             result["registry"]["dry_run_path"])
            result["office"] = office(browser, args.base, spec, shots)
            spec["inspection_path"] = result["office"]["inspection_path"]
            result["axe"] = audit(browser, args.base, spec, shots)
            result["axe"].update(result["correction"].pop("axe"))
            result["axe"].update(result["office"].pop("axe"))
        finally:
            browser.close()
    Path(args.result).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
