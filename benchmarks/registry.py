"""The county registry at scale: a generated county of n units, written as the CSV a clerk
uploads, and the time and peak memory of reading and checking it (parse_upload + check_rows).

The sample county has 121 units; a large county has a few thousand, so the default is 3000.
"""
from __future__ import annotations

import random
import time
import tracemalloc
from typing import Any

from services.units.importer import check_rows, export_csv, parse_upload

_SYLLABLES = ("东", "西", "南", "北", "新", "安", "凤", "山", "溪", "林", "岭", "坑", "塘", "城", "桥", "湖",
              "田", "洋", "浦", "美", "英", "仑", "后", "前", "上", "下", "大", "小", "石", "金", "龙", "云",
              "兴", "和", "平", "康", "宁", "福", "丰", "华", "光", "明", "清", "水", "沙", "园", "庄", "厝")
_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
             "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "叶", "薛")
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
          "超", "秀", "霞", "平", "刚", "桂", "英", "华", "兰", "志", "建", "国", "文", "红", "萍", "斌")
_AGENCIES = ("县委办公室", "县委组织部", "县委宣传部", "县纪委监委", "县委政法委",  # 机关支部委员会, as in the sample
             "县政府办公室", "县发展和改革局", "县教育局", "县财政局", "县民政局", "县人力资源和社会保障局",
             "县自然资源局", "县住房和建设局", "县农业农村局", "县卫生健康局", "县市场监督管理局", "县应急管理局",
             "县统计局", "县医疗保障局", "县公安局", "县司法局", "县交通运输局", "县水利局", "县商务局",
             "县文化和旅游局", "县退役军人事务局", "县审计局", "县生态环境局", "县林业局", "县科学技术局",
             "县工业和信息化局", "县信访局", "县档案馆", "县总工会", "团县委", "县妇联", "县人民法院",
             "县人民检察院", "县税务局", "县委统战部")
# 县教育局 and 县卫生健康局 (A008, A015, as in the sample): schools and hospitals sit under them
_EDUCATION_INDEX, _HEALTH_INDEX = _AGENCIES.index("县教育局"), _AGENCIES.index("县卫生健康局")
_EDUCATION, _HEALTH = f"A{_EDUCATION_INDEX + 1:03d}", f"A{_HEALTH_INDEX + 1:03d}"
_SCHOOLS = ("实验小学", "中心小学", "第一中学", "第二中学", "中心幼儿园", "职业中学")
_COMPANIES = ("农业开发有限公司", "水务集团", "新材料股份有限公司", "机械制造有限公司", "供电公司", "食品有限公司",
              "建设工程有限公司", "物流有限公司", "电子科技有限公司", "纺织有限公司")
_HOSPITALS = ("县人民医院", "县中医院", "县妇幼保健院", "县第二医院", "县疾病预防控制中心", "县第三医院")
_BRANCH_NAMES = {"committee": "委员会", "general_branch": "总支部委员会", "branch": "支部委员会"}


def generate_registry(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """A plausible county of n units in the sample's shape, parents before children.

    C000 is the county committee; agencies sit under it, and so do the towns (about one per
    20 units, at most 40); villages and enterprises sit under their town. As in the sample,
    schools (coded under their town, e.g. T01S001) belong to the education bureau and
    hospitals to the health bureau. Codes are unique, phones and e-mails valid, names Chinese.
    """
    if n < 1:
        raise ValueError("a county has at least its county committee")
    rng = random.Random(seed)

    def person() -> str:
        return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))

    def phone() -> str:
        return rng.choice(("13", "15", "17", "18", "19")) + str(rng.randint(0, 9)) + f"{rng.randrange(10 ** 8):08d}"

    def unit(code: str, name: str, sector: str, org_type: str, parent: str | None) -> dict[str, Any]:
        return {"code": code, "name": name, "sector": sector, "org_type": org_type, "parent_code": parent,
                "secretary": person(), "secretary_phone": phone(), "liaison": person(),
                "liaison_phone": phone(), "liaison_email": f"{code.lower()}@example.gov.cn",
                "demonstration": rng.random() < 0.06}

    town_names: list[str] = []

    def place() -> str:
        return rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)

    units = [unit("C000", f"中共{place()}县委员会", "agency", "committee", None)]
    agencies = min(len(_AGENCIES), max(0, (n - 1) // 6))
    hospitals = min(len(_HOSPITALS), (n - 1) // 30) if agencies > _HEALTH_INDEX else 0
    towns = min(40, max(1, round(n / 20))) if n - 1 - agencies - hospitals > 0 else 0
    towns = min(towns, n - 1 - agencies - hospitals)
    for i in range(agencies):
        org = "机关支部委员会" if i < 5 else "党组"
        units.append(unit(f"A{i + 1:03d}", f"中共{_AGENCIES[i]}{org}", "agency", "branch", "C000"))
    for i in range(hospitals):
        units.append(unit(f"H{i + 1:02d}", f"中共{_HOSPITALS[i]}委员会", "hospital", "committee", _HEALTH))
    for t in range(towns):
        name = place()
        while any(town.startswith(name) for town in town_names):  # two towns never share a name
            name = place()
        kind = "街道工作委员会" if t % 3 == 0 else "镇委员会"
        town_names.append(name + ("街道" if t % 3 == 0 else "镇"))
        units.append(unit(f"T{t + 1:02d}", f"中共{name}{kind}", "town", "committee", "C000"))
    # The rest, round the towns in turn: of every ten, seven villages, two schools, one enterprise.
    counters = [{"V": 0, "S": 0, "E": 0} for _ in range(towns)]
    k = 0
    while len(units) < n:
        t = k % towns
        kind = "VVVSVVESVV"[(k // towns) % 10]
        counters[t][kind] += 1
        number = counters[t][kind]
        town_code = f"T{t + 1:02d}"
        code = f"{town_code}{kind}{number:03d}"
        town = town_names[t]
        if kind == "V":
            org_type = rng.choices(("branch", "general_branch", "committee"), (5, 3, 2))[0]
            village = place() + ("社区" if town.endswith("街道") else "村")
            units.append(unit(code, f"中共{town}{village}{_BRANCH_NAMES[org_type]}", "village", org_type, town_code))
        elif kind == "S":
            school = _SCHOOLS[(number - 1) % len(_SCHOOLS)]
            if number > len(_SCHOOLS):  # a town's seventh school: 实验小学2部
                school += f"{(number - 1) // len(_SCHOOLS) + 1}部"
            parent = _EDUCATION if agencies > _EDUCATION_INDEX else town_code
            units.append(unit(code, f"中共{town}{school}支部委员会", "school", "branch", parent))
        else:
            company = town[:2] + _COMPANIES[(number - 1) % len(_COMPANIES)]
            units.append(unit(code, f"中共{company}支部委员会", "enterprise", "branch", town_code))
        k += 1
    return units


def run(n: int = 3000) -> dict[str, float]:
    """Seconds and peak MiB to parse and check an n-unit registry CSV. The time is the best
    of three runs without tracemalloc (which slows Python down); the peak comes from a
    fourth run under tracemalloc."""
    content = export_csv(generate_registry(n))

    def parse_and_check() -> None:
        rows, problems = check_rows(parse_upload("registry.csv", content), {})
        if problems or len(rows) != n:
            raise RuntimeError(f"the generated registry does not check clean: {problems[:3]}")

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        parse_and_check()
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        parse_and_check()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return {"units": n, "parse_check_s": best, "parse_check_peak_mib": peak / (1024 * 1024)}


def import_and_query(n: int = 3000, queries: int = 200) -> dict[str, float]:
    """Applying an n-unit file to a fresh SQLite registry (time, then peak memory in a second
    fresh run), and the subtree query at that size against a primary-key read."""
    import statistics
    import tempfile

    from sqlalchemy.orm import sessionmaker

    from services.common.db import UnitOfWork, make_engine
    from services.common.migrate import upgrade
    from services.units import directory, registry_files, tree

    content = export_csv(generate_registry(n))

    def fresh_import(tmp: str, name: str) -> tuple[float, UnitOfWork]:
        url = f"sqlite:///{tmp}/{name}.db"
        upgrade("units", url)
        uow = UnitOfWork(sessionmaker(make_engine(url), expire_on_commit=False), "bench")
        started = time.perf_counter()
        report = registry_files.import_file(uow, "bench", "registry.csv", content, apply=True)
        uow.commit()
        if report["registered"] != n:
            raise RuntimeError(f"import registered {report['registered']} of {n}: {report['problems'][:3]}")
        return time.perf_counter() - started, uow

    with tempfile.TemporaryDirectory() as tmp:
        seconds, uow = fresh_import(tmp, "timed")
        tracemalloc.start()
        try:
            fresh_import(tmp, "traced")[1].close()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        session = uow.session
        towns = [u["code"] for u in directory.list_units(session, sector="town", limit=200)["items"]]

        def median_ms(fn) -> float:
            times = []
            for i in range(queries):
                started = time.perf_counter()
                fn(i)
                times.append(time.perf_counter() - started)
            return statistics.median(times) * 1000

        town_size = len(tree.subtree(session, towns[0]))
        subtree_ms = median_ms(lambda i: tree.subtree(session, towns[i % len(towns)]))
        county_ms = median_ms(lambda i: tree.subtree(session, "C000"))
        lookup_ms = median_ms(lambda i: directory.get_unit(session, towns[i % len(towns)]))
        uow.close()
    return {"units": n, "import_s": seconds, "import_peak_mib": peak / (1024 * 1024), "town_size": town_size,
            "subtree_town_ms": subtree_ms, "subtree_county_ms": county_ms, "get_unit_ms": lookup_ms}


def report(n: int = 3000) -> None:
    r = run(n)
    print(f"registry file: parse + check {r['units']} units in {r['parse_check_s'] * 1000:.0f} ms, "
          f"peak {r['parse_check_peak_mib']:.1f} MiB")
    d = import_and_query(n)
    print(f"registry import: {d['units']} units applied to SQLite in {d['import_s']:.2f} s "
          f"(ratio to parse + check {d['import_s'] / r['parse_check_s']:.1f}), peak {d['import_peak_mib']:.1f} MiB")
    print(f"subtree query: a town ({d['town_size']} units) {d['subtree_town_ms']:.2f} ms, the whole county "
          f"{d['subtree_county_ms']:.1f} ms; a unit by code {d['get_unit_ms']:.2f} ms "
          f"(town subtree / lookup ratio {d['subtree_town_ms'] / d['get_unit_ms']:.1f})")


if __name__ == "__main__":
    report()
