"""公开榜 over HTTP on the sample county's cluster (tests/gateway/pages/portal_fixtures.py): the
county's and a town's record, paged in the registry's order, with the method, the threshold
("too few to rate") and links to the units behind each figure; its CSV; bad input as Chinese
pages; and a unit's page with its own line, its commitments and its leaders' comments."""
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


def test_the_offices_issued_report_is_listed_on_the_record(portal):
    month = "2025-10"  # a month gone by, written down (one report a month; only this test drafts one here)
    drafted = ok(requests.post(f"{portal.api}/api/v1/reports", headers=office(), json={"kind": "monthly",
                                                                                      "period": month}), 201)
    record = {"year": 2025}  # the record of the report's year lists it
    assert f"/api/v1/reports/{drafted['id']}/page" not in html(get(portal, "/record", params=record))  # a draft is not public
    issued = ok(requests.post(f"{portal.api}/api/v1/reports/{drafted['id']}/issue", headers=office(),
                              json={"publish": True}))
    page = html(get(portal, "/record", params=record))
    assert "县委领导小组办公室发布的通报" in page and f'href="/api/v1/reports/{issued["id"]}/page"' in page
    assert get(portal, f"/api/v1/reports/{issued['id']}/page").status_code == 200
