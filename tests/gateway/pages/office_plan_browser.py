"""The catalogue and the year's plan in Debian's Chromium through Playwright, run as its own
process by tests/gateway/pages/test_console_plans.py: the county office, on a phone, adds a
catalogue matter (refused next to the field without a carrier), revises it and retires it, each
through its confirmation page; drafts the year's plan (a milestone without a date refused next
to the field), edits the draft and opens it for consultation; a member of the public comments on
the portal; the office reads the comment from the plan, accepts it and drafts the answer. axe-core
on every page, each at 390×844 and 1280×800 (office_browser.check; screenshots with --screenshots DIR).

    python -m tests.gateway.pages.office_plan_browser BASE_URL SPEC.json RESULT.json [--screenshots DIR]
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.gateway.pages.console_browser import sign_in
from tests.gateway.pages.portal_browser import ARGS, CHROMIUM, PHONE, check_page, script_arguments


def catalogue(office: Page, axe: Axe, found: dict, spec: dict, shots: Path | None) -> None:
    office.get_by_role("link", name="公开目录").first.click()
    check_page(office, axe, found, "catalogue", shots, "plan")
    office.get_by_role("link", name="新增目录事项").click()
    for name, value in (("code", spec["code"]), ("matter", "组织建设"), ("sub_matter", spec["sub_matter"]),
                        ("content_elements", "发展对象名单、培养联系人"), ("basis", "《中国共产党发展党员工作细则》"),
                        ("time_limit", "确定后5个工作日内"), ("days", "5")):
        office.locator(f"#f-{name}").fill(value)
    office.locator('input[name=sectors][value=village]').check()
    office.get_by_role("button", name="下一步：核对").click()
    found["catalogue_refused"] = office.locator("#e-carriers").inner_text()
    check_page(office, axe, found, "catalogue-new-refused", shots, "plan")
    office.locator('input[name=carriers][value="公开栏"]').check()
    office.get_by_role("button", name="下一步：核对").click()
    check_page(office, axe, found, "catalogue-confirm", shots, "plan")
    office.get_by_role("button", name="确认新增").click()
    found["catalogue_added"] = office.locator("[role=status]").first.inner_text()
    check_page(office, axe, found, "catalogue-entry", shots, "plan")
    office.get_by_role("link", name="修订").click()
    office.locator("#f-time_limit").fill("确定后3个工作日内")
    office.locator("#f-change_note").fill(spec["change_note"])
    office.get_by_role("button", name="下一步：核对").click()
    office.get_by_role("button", name="确认修订").click()
    found["catalogue_revised"] = office.locator("[role=status]").first.inner_text()
    found["catalogue_versions"] = office.locator("main").inner_text()
    office.get_by_role("link", name="停用").click()
    office.get_by_role("button", name="确认停用").click()
    found["retire_refused"] = office.locator("#form-errors").inner_text()
    check_page(office, axe, found, "catalogue-retire-refused", shots, "plan")
    office.locator("#f-reason").fill("并入其他事项")
    office.get_by_role("button", name="确认停用").click()
    found["catalogue_retired"] = office.locator("[role=status]").first.inner_text()


def plan(browser: Browser, office: Page, axe: Axe, found: dict, spec: dict, shots: Path | None) -> None:
    office.get_by_role("link", name="实施方案").first.click()
    check_page(office, axe, found, "plans", shots, "plan")
    office.get_by_role("link", name="起草年度实施方案").click()
    office.locator("#f-year").fill(str(spec["year"]))
    office.locator("#f-title").fill(spec["title"])
    office.locator("#f-goals").fill("党务公开目录全覆盖\n村务财务按月公开")
    office.locator("#f-milestones").fill("三月底 修订公开目录")
    office.locator("#f-forms").fill("公开栏张贴\n党员大会通报")
    office.locator('input[name=carriers][value="网站"]').check()
    office.get_by_role("button", name="下一步：核对").click()
    found["plan_refused"] = office.locator("#e-milestones").inner_text()
    check_page(office, axe, found, "plan-new-refused", shots, "plan")
    office.locator("#f-milestones").fill(f"{spec['year']}-03-31 修订公开目录\n{spec['year']}-12-15 年度总结")
    office.get_by_role("button", name="下一步：核对").click()
    check_page(office, axe, found, "plan-confirm", shots, "plan")
    office.get_by_role("button", name="确认保存").click()
    found["plan_created"] = office.locator("[role=status]").first.inner_text()
    found["plan_id"] = int(office.url.split("/console/plans/")[1].split("?")[0])
    check_page(office, axe, found, "plan-draft", shots, "plan")
    office.get_by_role("link", name="修改草稿").click()
    office.locator("#f-title").fill(spec["title"] + "（修改稿）")
    office.get_by_role("button", name="下一步：核对").click()
    office.get_by_role("button", name="确认保存").click()
    found["plan_edited"] = office.locator("[role=status]").first.inner_text()
    office.get_by_role("link", name="征求意见").click()
    check_page(office, axe, found, "plan-consult", shots, "plan")
    office.get_by_role("button", name="确认征求意见").click()
    found["plan_consulted"] = office.locator("[role=status]").first.inner_text()
    found["plan_page"] = office.locator("main").inner_text()

    public = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
    for _ in range(20):  # the feedback service hears of the consultation by its event
        public.goto(f"{spec['base']}/plans/{found['plan_id']}")
        public.locator("#f-content").fill(spec["comment"])
        public.get_by_role("button", name="提交意见").click()
        if public.locator("text=查询码").count():
            break
        time.sleep(1)
    found["public_done"] = public.locator("main").inner_text()

    office.reload()
    office.get_by_role("link", name=spec["comment"]).click()
    office.get_by_role("link", name="受理", exact=True).click()
    office.get_by_role("button", name="确认受理").click()
    office.get_by_role("link", name="答复", exact=True).click()
    check_page(office, axe, found, "plan-comment-answer", shots, "plan")
    office.locator("#f-body").fill(spec["answer"])
    office.get_by_role("button", name="送审核人审核").click()
    found["answered"] = office.locator("[role=status]").first.inner_text()
    found["feedback_id"] = int(office.url.split("/console/feedback/")[1].split("?")[0])


def main() -> None:
    args, spec, shots = script_arguments()
    spec["base"] = args.base
    found: dict = {"axe": {}, "widths": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            office = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True).new_page()
            sign_in(office, args.base, "office", spec["password"])
            axe = Axe()
            catalogue(office, axe, found, spec, shots)
            plan(browser, office, axe, found, spec, shots)
        finally:
            browser.close()
    Path(args.result).write_text(json.dumps(found, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
