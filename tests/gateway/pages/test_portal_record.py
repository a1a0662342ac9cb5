"""公开榜 over HTTP on the sample county's cluster (tests/gateway/pages/portal_fixtures.py): the
county's and a town's record, paged in the registry's order, with the method, the threshold
("too few to rate") and links to the units behind each figure; its CSV; each unit's inspection result only once the office's monthly 通报 that covers it is
issued and published (before and after); bad input as Chinese pages; and a unit's page with its own line, its commitments and its leaders' comments."""
import csv
import io
import re

import pytest
import requests
from openpyxl import load_workbook

from gateway.pages.portal.record import XLSX
from tests.clusters import services_today
from tests.gateway.pages.portal_fixtures import office, officials, ok
from tests.gateway.pages.test_portal import get, html
from tests.test_end_to_end import token

pytestmark = pytest.mark.api_level


def test_the_county_and_a_town_record_every_unit_with_the_method_and_the_threshold(portal):
    county = get(portal, "/record")
    page = html(county)
    assert county.headers["Cache-Control"].startswith("public") and county.headers["ETag"]
    assert "全县" in page and "党务公开榜" in page and 'id="method-h"' in page
    assert "少于 3 项" in page and "数量太少，不作评价" in page  # the threshold stated, and applied
    assert 'href="/towns/T01/record?year=' in page and 'href="/towns/T02/record?year=' in page
    first = re.findall(r'<th scope="row"><a href="/units/([A-Z0-9]+)">', page)
    assert first == sorted(first) and len(first) == 100  # a page of units in the registry's order
    assert 'page=2">第2页</a>' in page and "T01V004" not in page  # a merged unit is no longer listed
    second = html(get(portal, "/record", params={"page": 2}))
    rest = re.findall(r'<th scope="row"><a href="/units/([A-Z0-9]+)">', second)
    assert rest and not set(rest) & set(first) and rest == sorted(rest) and rest[0] > first[-1]
    town = html(get(portal, "/towns/T01/record"))
    codes = re.findall(r'<th scope="row"><a href="/units/([A-Z0-9]+)">', town)
    assert codes and all(code.startswith("T01") for code in codes) and "T01V001" in codes
    assert "全县公开榜" in town and 'href="/record.csv?year=' in town and 'href="/record.xlsx?year=' in town
    assert "&amp;town=T01" in town
    assert 'href="/towns/T01/record"' in html(get(portal, "/towns/T01"))
    assert 'href="/record"' in html(get(portal, "/"))  # one tap from every page (the site's bar)


def test_the_record_downloads_as_csv_and_xlsx_for_the_county_or_a_town(portal):
    response = get(portal, "/record.csv", params={"town": "T01"})
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["单位代码", "单位名称", "应公开事项"]
    units = [r for r in rows[1:] if r and r[0].startswith("T")]
    assert units and all(r[0].startswith("T01") for r in units) and "T01V001" in {r[0] for r in units}
    assert any("不计算比率" in r[0] for r in rows if r)
    assert len(get(portal, "/record.csv").content) > len(response.content)
    book = get(portal, "/record.xlsx", params={"town": "T01"})
    assert book.status_code == 200 and book.headers["Content-Type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert [c.value for c in sheet[1]][:2] == ["单位代码", "单位名称"]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] and r[0].startswith("T")] == [r[0] for r in units]


def test_bad_input_on_the_record_is_a_chinese_page(portal):
    assert "没有找到代码为 T99 的镇（街道）" in html(get(portal, "/towns/T99/record"), 404)
    assert "没有找到代码为 A001 的镇（街道）" in html(get(portal, "/towns/A001/record"), 404)
    assert "没有第 99 页" in html(get(portal, "/record", params={"page": 99}), 404)
    assert "年份应为四位数字" in html(get(portal, "/record", params={"year": "abc"}), 400)
    assert "年份应为 2017 年以后" in html(get(portal, "/record", params={"year": 1999}), 400)
    assert "2100年尚未开始" in html(get(portal, "/record", params={"year": 2100}), 404)
    assert get(portal, "/record.csv", params={"town": "T99"}).status_code == 404


def test_a_units_page_shows_its_line_its_commitments_and_its_leaders_comments(portal):
    unit = "T01V002"
    operator, _ = officials(unit)
    year = services_today(portal.api).year  # the unit's page shows this year's: the services' year, as the run set it
    made = ok(requests.post(f"{portal.api}/api/v1/commitments", headers=operator, json={
        "unit_code": unit, "year": year, "text": "每月5日前在公开栏更新村务收支明细", "due_on": f"{year}-12-31"}), 201)
    progress = f"{portal.api}/api/v1/commitments/{made['id']}/progress"
    assert requests.post(progress, headers=officials("T01V003")[0], json={"progress": "x"}).status_code == 403
    assert requests.post(progress, json={"progress": "x"}).status_code == 401
    ok(requests.post(progress, headers=operator, json={"progress": "已按月更新，群众可扫码查看"}))
    ok(requests.post(f"{portal.api}/api/v1/comments", headers=office(), json={
        "unit_code": unit, "period": f"{year}-01", "grade": "good", "text": "公开及时，答复群众意见耐心细致。"}), 201)
    page = html(get(portal, f"/units/{unit}"))
    assert "公开榜上的本组织" in page and "按时公开率" in page and 'href="/record#method-h"' in page
    assert "公开承诺" in page and "每月5日前在公开栏更新村务收支明细" in page and f"承诺{year}年12月31日前完成" in page
    assert "进展：已按月更新，群众可扫码查看" in page
    assert "领导点评" in page and f"{year}年1月 · 良好" in page and "公开及时，答复群众意见耐心细致。" in page
    assert "县委领导小组办公室" in page and "office" not in re.sub(r"<[^>]+>", "", page).split("领导点评")[1][:400]
    empty = html(get(portal, "/units/T01V003"))
    assert "暂无公开承诺" in empty and "暂无领导点评" in empty


FULL = [("content_complete", 10), ("content_true", 10), ("content_detail", 10), ("form_board", 10),
        ("form_online", 10), ("procedure_steps", 10), ("procedure_records", 5), ("on_time_periodic", 10),
        ("feedback_handling", 10)]
INSPECTED = "T01V005"


def inspect(portal, today):
    """This month's routine inspection of INSPECTED, recorded with two findings and submitted."""
    inspection = ok(requests.post(f"{portal.api}/api/v1/inspections", headers=office(), json={
        "title": "例行检查", "kind": "routine", "window_opens": today.isoformat(), "window_closes": today.isoformat(),
        "unit_codes": [INSPECTED], "inspectors": [{"username": "insp-a", "unit_code": None}]}), 201)
    inspector, units = token("insp-a", "inspector"), f"{portal.api}/api/v1/inspections/{inspection['id']}/units"
    ok(requests.put(f"{units}/{INSPECTED}/scores", headers=inspector, json={
        "scores": [{"criterion": c, "score": m} for c, m in FULL], "inspected_on": today.isoformat(),
        "findings": [{"dimension": "content", "text": "财务收支未公开到明细", "deduction": 6, "deadline_days": 5},
                     {"dimension": "form", "text": "公开栏内容未及时更新", "deduction": 3, "deadline_days": 5}]}))
    ok(requests.post(f"{units}/{INSPECTED}/submit", headers=inspector))


def inspection_cell(page):
    row = re.search(rf'<a href="/units/{INSPECTED}">.*?</tr>', page, re.S).group(0)
    return re.sub(r"\s+", " ", row.split('data-label="检查结果（已通报）"')[1])


def test_the_offices_issued_report_is_listed_on_the_record_with_its_inspection_results(portal):
    today = services_today(portal.api)  # the services' day, as the run set it (the report is this month's)
    month = today.strftime("%Y-%m")  # the report's month (one a month; only this test drafts one here)
    record = {"year": today.year}  # the record of the report's year lists it
    inspect(portal, today)
    town = f"/towns/{INSPECTED[:3]}/record"
    assert "暂无已通报的检查" in inspection_cell(html(get(portal, town)))  # recorded, but not yet issued
    drafted = ok(requests.post(f"{portal.api}/api/v1/reports", headers=office(), json={"kind": "monthly",
                                                                                      "period": month}), 201)
    assert f"/api/v1/reports/{drafted['id']}/page" not in html(get(portal, "/record", params=record))  # a draft is not public
    assert "暂无已通报的检查" in inspection_cell(html(get(portal, town)))
    issued = ok(requests.post(f"{portal.api}/api/v1/reports/{drafted['id']}/issue", headers=office(),
                              json={"publish": True}))
    page = html(get(portal, "/record", params=record))
    assert "县委领导小组办公室发布的通报" in page and f'href="/api/v1/reports/{issued["id"]}/page"' in page
    assert get(portal, f"/api/v1/reports/{issued['id']}/page").status_code == 200
    # (80% of content's 30 + 85% of form's 20 + the other 50 in full) = 91 points; two findings, none put right
    cell = inspection_cell(html(get(portal, town)))
    assert f'<a href="/reports/{issued["id"]}">91.0 分</a>，发现问题 2 个，已整改 0 个' in cell
    assert issued["title"] in cell and "检查结果只取县委领导小组办公室已印发并公开的最近一期月度通报" in html(get(portal, town))
    assert get(portal, f"/reports/{issued['id']}").status_code == 200
    unit = html(get(portal, f"/units/{INSPECTED}"))
    assert '督促检查（已通报）：' in unit and f'得 91.0 分，发现问题 2 个，已整改 0 个，见<a href="/reports/{issued["id"]}">' in unit
    rows = list(csv.reader(io.StringIO(get(portal, "/record.csv", params={"town": INSPECTED[:3]}).content
                                       .decode("utf-8-sig"))))
    assert rows[0][-5:] == ["检查得分", "检查发现问题", "已整改问题", "检查日期", "所据通报"]
    line = next(r for r in rows if r and r[0] == INSPECTED)
    assert line[-5:] == ["91.0", "2", "0", today.isoformat(), issued["title"]]
    assert next(r for r in rows if r and r[0] == "T01V001")[-5] == "暂无已通报的检查"
    book = load_workbook(io.BytesIO(get(portal, "/record.xlsx", params={"town": INSPECTED[:3]}).content)).active
    assert next(r for r in book.iter_rows(values_only=True) if r[0] == INSPECTED)[-5:-2] == (91.0, 2, 0)
