"""公开榜 on a generated county of 3,065 units without a cluster (the harness of
tests/gateway/pages/test_portal_directory.py, with supervision's public_record answered by a
fake of the real shape): every unit is on a page of the county's record, and the record is
fetched once for all pages and towns (the read model). The pages' times are printed, not asserted."""
from __future__ import annotations

import re
import time

import pytest

from gateway.pages.portal.record import RecordQuery
from tests.gateway.pages.test_portal_directory import UNITS, Portal, county, request



class Supervision:
    def __init__(self, units):
        self.units, self.calls = units, 0

    def public_record(self, period, as_of=None):
        self.calls += 1
        rows = []
        for n, u in enumerate(self.units):
            judged = n % 7  # 0..6 obligations: some too few to rate
            missing = 1 if n % 5 == 0 and judged else 0
            on_time = max(0, judged - missing - (n % 2))
            rows.append({"unit_code": u["code"], "name": u["name"], "sector": u["sector"],
                         "town_code": u["code"][:3] if u["code"].startswith("T") else None,
                         "obligations": {"judged": judged, "on_time": on_time, "late": judged - on_time - missing,
                                         "missing": missing, "rate": round(on_time / judged * 100, 1) if judged >= 3 else None},
                         "feedback": {"judged": n % 4, "on_time": n % 4, "rate": 100.0 if n % 4 == 3 else None,
                                      "rated": 0, "satisfaction": None}})
        return {"period": period, "as_of": "2026-12-07T08:00:00+00:00", "min_obligations": 3, "min_feedback": 3,
                "units": rows}


@pytest.fixture(scope="module")
def portal():
    built = Portal(county())
    built.supervision = Supervision(built.units.units)
    return built


def open_record(portal, url):
    path = url.split("?")[0]
    started = time.perf_counter()
    if path == "/record":
        response = portal.portal_record(request(url, RecordQuery()))
    else:
        response = portal.portal_town_record(request(url, RecordQuery()), re.fullmatch(r"/towns/(\w+)/record", path).group(1))
    return response, time.perf_counter() - started


def test_every_unit_of_a_3065_unit_county_is_on_a_page_of_the_record(portal):
    first, cold = open_record(portal, "/record")
    text = first.get_data(as_text=True)
    pages = sorted({int(n) for n in re.findall(r'href="/record\?year=\d+&amp;page=(\d+)"', text)} | {1})
    assert pages == list(range(1, 32))  # 3,065 units, 100 a page
    listed, slowest = [], 0.0
    year = re.search(r"year=(\d+)", text).group(1)
    for number in pages:
        response, seconds = open_record(portal, f"/record?year={year}&page={number}")
        assert response.status_code == 200
        slowest = max(slowest, seconds)
        listed += re.findall(r'<th scope="row"><a href="/units/([A-Z0-9]+)">', response.get_data(as_text=True))
    assert listed == sorted(listed) and len(listed) == UNITS == len(set(listed))
    town, seconds = open_record(portal, "/towns/T01/record")
    towns = re.findall(r'<th scope="row"><a href="/units/([A-Z0-9]+)">', town.get_data(as_text=True))
    assert towns and all(code.startswith("T01") for code in towns)
    print(f"公开榜 at {UNITS} units: first page {cold:.3f} s (the record fetched), slowest page {slowest:.3f} s, "
          f"a town {seconds:.3f} s, page 1 {len(first.get_data())} bytes")
    assert portal.supervision.calls == 1  # one RPC for the county, every page and every town
    assert text.count("数量太少，不作评价") > 0 and "逾期未公开" in text
