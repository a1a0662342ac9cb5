"""Every unit within three taps of the home page, on a generated county of 3,065 units
(benchmarks/registry.py), without a cluster: the portal's pages are built by their own
handlers from the gateway's read model, which is filled by a units service answering
list_units page by page as the real one does. A crawler follows the links each page shows
(not URLs it knows) from the home page and counts the taps to every unit. The home page keeps
its byte budget; unknown towns, pages past the end and over-long queries are Chinese refusals;
the directory itself finds units by part of their name."""
from __future__ import annotations

import re
from collections import deque

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from benchmarks.registry import generate_registry
from gateway import readmodel
from gateway.errors import ApiError
from gateway.pages.kit.pages import Web
from gateway.pages.portal import PortalPages
from gateway.pages.portal.directory import Directory, in_order, paged, search_words
from gateway.pages.portal.public import HomeQuery
from gateway.pages.portal.towns import GroupQuery, UnitSearchQuery
from gateway.params import load_query

UNITS = 3065
HOME_BUDGET_BYTES = 24 * 1024  # the home page's HTML for a 3,065-unit county (the CSS is cached for a year)
MAX_TAPS = 3
LINK = re.compile(r'href="([^"]+)"')


class Registry:
    """The units service's list_units as the read model calls it: active units by code, `limit` a page."""

    def __init__(self, units):
        self.units = sorted(units, key=lambda u: u["code"])
        self.calls = 0

    def list_units(self, status=None, limit=50, after=None, **_):
        self.calls += 1
        rows = [u for u in self.units if (status is None or u["status"] == status) and (after is None or u["code"] > after)]
        return {"items": rows[:limit], "next": rows[limit - 1]["code"] if len(rows) > limit else None}


class Disclosure:
    """The latest items as disclosure lists them: ten long titles, to weigh the home honestly."""

    def list_items(self, actor, filters, limit, after=None):
        return {"items": [{"id": i, "title": f"关于2026年第{i}季度党费收缴、使用和管理情况及村级重大事项决策的公示",
                           "unit_code": "T01V001", "audience": "society", "status": "published",
                           "published_at": "2026-12-01T02:00:00Z"} for i in range(1, limit + 1)], "next": None}

    def list_plans(self, actor):
        return []


class Portal(PortalPages):
    def __init__(self, units):
        self.web = Web({"GATEWAY": {"JWT_SECRET": "test-secret"}, "PORTAL": {"COUNTY_NAME": "示范县"}})
        self.reads = readmodel.ReadModel()
        self.units = Registry(units)
        self.disclosure = Disclosure()


def county(n=UNITS):
    return [{"code": r["code"], "name": r["name"], "sector": r["sector"], "org_type": r["org_type"],
             "parent_code": r["parent_code"], "status": "active"} for r in generate_registry(n)]


def request(url, schema):
    req = Request(EnvironBuilder(path=url.split("?")[0], query_string=url.partition("?")[2]).get_environ())
    req.params, req.actor = load_query(schema, req.args), None
    return req


def open_page(portal, url):
    path = url.split("?")[0]
    if path == "/":
        response = portal.portal_home(request(url, HomeQuery()))
    elif m := re.fullmatch(r"/(towns|agencies)/([A-Za-z0-9]+)", path):
        handler = portal.portal_town if m.group(1) == "towns" else portal.portal_agency
        response = handler(request(url, GroupQuery()), m.group(2))
    elif path == "/units":
        response = portal.portal_find_unit(request(url, UnitSearchQuery()))
    else:
        raise AssertionError(url)
    return response


@pytest.fixture(scope="module")
def portal():
    return Portal(county())


def test_every_unit_of_a_3065_unit_county_is_within_three_taps_of_home(portal):
    taps, seen, queue = {}, {"/"}, deque([("/", 0)])
    while queue:
        url, depth = queue.popleft()
        response = open_page(portal, url)
        assert response.status_code == 200, url
        for href in LINK.findall(response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            if m := re.fullmatch(r"/units/([A-Za-z0-9]+)", href):
                taps.setdefault(m.group(1), depth + 1)
            elif re.fullmatch(r"/(towns|agencies)/[A-Za-z0-9]+(\?page=\d+)?", href) and href not in seen:
                seen.add(href)
                queue.append((href, depth + 1))
    codes = {u["code"] for u in portal.units.units}
    assert len(codes) == UNITS and codes <= taps.keys()
    assert max(taps[c] for c in codes) <= MAX_TAPS
    assert portal.units.calls == -(-UNITS // readmodel.DIRECTORY_PAGE)  # the registry read once, not per page


def test_the_home_lists_every_town_and_county_unit_within_its_byte_budget_and_is_cacheable(portal):
    response = open_page(portal, "/")
    body = response.get_data()
    assert len(body) <= HOME_BUDGET_BYTES, len(body)
    sections = Directory(portal.units.units).sections()
    assert len(sections["towns"]) == 40 and len(sections["agencies"]) >= 40
    text = body.decode()
    assert all(f'href="/towns/{t["code"]}"' in text for t, _ in sections["towns"])
    assert all(f'href="/units/{a["code"]}"' in text for a, _ in sections["agencies"])
    assert response.headers["Cache-Control"].startswith("public") and response.headers["ETag"]
    assert '<meta name="description"' in text


def test_a_town_page_lists_its_units_in_the_registry_order_and_links_its_posters(portal):
    text = open_page(portal, "/towns/T01").get_data(as_text=True)
    codes = re.findall(r'href="/units/(T01[A-Z]\d+)"', text)
    assert codes == sorted(codes) and len(codes) > 50
    assert 'href="/towns/T01/posters"' in text and 'href="/units/T01"' in text
    schools = open_page(portal, "/agencies/A008").get_data(as_text=True)  # the education bureau's schools, paged
    assert 'href="/agencies/A008?page=2"' in schools and "下属党组织（共" in schools


def test_unknown_towns_pages_past_the_end_and_long_queries_are_refused_in_chinese(portal):
    for url, words in (("/towns/T99", "没有找到"), ("/towns/T01V001", "没有找到"), ("/agencies/T01", "没有找到"),
                       ("/towns/T01?page=40", "没有第 40 页"), ("/units?q=双&page=900", "没有第 900 页")):
        with pytest.raises(ApiError) as refused:
            open_page(portal, url)
        assert refused.value.status == 404 and words in refused.value.message, url
    long = open_page(portal, "/units?q=" + "村" * 1000)
    assert long.status_code == 400 and "名称最多 30 个字" in long.get_data(as_text=True)
    nothing = open_page(portal, "/units?q=%3Cscript%3E")
    assert nothing.status_code == 200 and "没有找到" in nothing.get_data(as_text=True)
    assert "<script>" not in nothing.get_data(as_text=True)


def test_the_unit_search_tolerates_part_of_a_name():
    units = [{"code": "T01", "name": "中共集美街道工作委员会", "sector": "town", "parent_code": "C000", "status": "active"},
             {"code": "T01V001", "name": "中共集美街道双凤社区总支部委员会", "sector": "village", "parent_code": "T01",
              "status": "active"},
             {"code": "T01V002", "name": "中共集美街道双溪村支部委员会", "sector": "village", "parent_code": "T01",
              "status": "active"},
             {"code": "T09V001", "name": "中共凤山镇前凤村支部委员会", "sector": "village", "parent_code": "T09",
              "status": "active"}]  # its parent not active: listed with the county-level units
    directory = Directory(units)
    assert [u["code"] for u in directory.find("双凤")] == ["T01V001"]
    assert [u["code"] for u in directory.find("集美 双溪")] == ["T01V002"]
    assert [u["code"] for u in directory.find("双凤社区党支部")] == ["T01V001"]  # generic words dropped
    assert [u["code"] for u in directory.find("集美双凤")] == ["T01V001"]  # characters in order, others between
    assert [u["code"] for u in directory.find("t01v002")] == ["T01V002"]
    assert directory.find("中共委员会") == [] and search_words("  ") == []
    assert in_order("美凤", "集美街道双凤") and not in_order("凤美", "集美街道双凤")
    assert [a["code"] for a, _ in directory.sections()["agencies"]] == ["T09V001"]
    assert paged(list(range(250)), 3, 100)["rows"] == list(range(200, 250)) and paged([], 1, 100)["total"] == 0
    assert paged(list(range(250)), 4, 100) is None and paged(list(range(250)), 0, 100) is None
