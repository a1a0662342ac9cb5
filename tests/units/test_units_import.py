"""The registry import/export a clerk uses: CSV (UTF-8 or GBK) and .xlsx in, a per-row
report out. No broker, no database: the xlsx and GBK fixtures are built from the sample."""
from __future__ import annotations

import io

import openpyxl
import pytest

from services.common.errors import InvalidInput
from services.units import importer
from services.units.load_sample import SAMPLE_COUNTY
from services.units.importer import COLUMNS, MAX_UPLOAD_BYTES, RowProblem, check_rows, parse_upload

SAMPLE_BYTES = SAMPLE_COUNTY.read_bytes()
SAMPLE_LINES = SAMPLE_BYTES.decode("utf-8-sig").splitlines()  # SAMPLE_LINES[0] is the header: row 1


def line_of(code: str) -> int:
    """The row number of a unit's line in the sample file."""
    return next(i for i, line in enumerate(SAMPLE_LINES, start=1) if line.split(",")[0] == code)


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def replaced(code: str, column: str, value: str, lines: list[str] | None = None) -> list[str]:
    """The sample's lines with one cell of one unit changed."""
    lines = list(lines or SAMPLE_LINES)
    at = line_of(code) - 1
    cells = lines[at].split(",")
    cells[COLUMNS.index(column)] = value
    lines[at] = ",".join(cells)
    return lines


@pytest.fixture(scope="module")
def sample_rows() -> list[dict]:
    rows, problems = check_rows(parse_upload("county_units.csv", SAMPLE_BYTES), {})
    assert problems == []
    return rows


@pytest.fixture(scope="module")
def existing_parents(sample_rows) -> dict[str, str | None]:
    return {row["code"]: row["parent_code"] for row in sample_rows}


def problems_of(content: bytes, existing: dict | None = None, filename: str = "units.csv") -> list[RowProblem]:
    rows, problems = check_rows(parse_upload(filename, content), existing or {})
    assert rows == [], "a file with problems must give no rows"
    assert problems, "expected problems"
    return problems


def invalid(content: bytes, filename: str = "units.csv") -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_upload(filename, content)
    return str(caught.value)


# --- the good files ----------------------------------------------------------------------

def test_the_sample_file_parses_and_checks_clean(sample_rows):
    parsed = parse_upload("county_units.csv", SAMPLE_BYTES)
    assert parsed.encoding == "utf-8" and parsed.notes == []
    assert len(parsed.rows) == 121 and parsed.row_numbers == list(range(2, 123))
    assert parsed.rows[0]["code"] == "C000" and parsed.rows[0]["parent_code"] == ""
    assert len(sample_rows) == 121 and sample_rows[0]["demonstration"] is False
    assert sample_rows[1]["liaison_email"] == "a001@example.gov.cn"


def test_a_gbk_copy_parses_with_a_note_and_the_same_rows(sample_rows):
    gbk = SAMPLE_BYTES.decode("utf-8").encode("gbk")
    parsed = parse_upload("单位名册.csv", gbk)
    assert parsed.encoding == "gbk"
    assert parsed.notes == ["文件是 GBK 编码（中文 Excel 默认保存的“CSV”），已按 GBK 读取。"]
    assert check_rows(parsed, {}) == (sample_rows, [])


def test_xlsx_round_trip_of_the_sample(sample_rows):
    content = importer.export_xlsx(sample_rows)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "units" and [c.value for c in sheet[1]] == list(COLUMNS)
    assert all(c.font.bold for c in sheet[1])
    phone = sheet.cell(row=2, column=COLUMNS.index("secretary_phone") + 1)
    assert phone.value == "13590830166" and phone.data_type == "s" and phone.number_format == "@"
    parsed = parse_upload("export.xlsx", content)
    assert parsed.encoding == "xlsx" and parsed.row_numbers == list(range(2, 123))
    assert check_rows(parsed, {}) == (sample_rows, [])


def test_csv_export_round_trip(sample_rows):
    content = importer.export_csv(sample_rows)
    assert content.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    assert content[3:].replace(b"\r\n", b"\n") == SAMPLE_BYTES  # same as the sample, byte for byte
    assert check_rows(parse_upload("export.csv", content), {}) == (sample_rows, [])


def test_cells_excel_would_run_as_formulas_are_neutralised_and_round_trip(sample_rows):
    units = [dict(sample_rows[0], name="=HYPERLINK(\"http://x\")", secretary="+1")] + sample_rows[1:3]
    csv_content = importer.export_csv(units)
    assert b"'=HYPERLINK" in csv_content
    assert check_rows(parse_upload("e.csv", csv_content), {})[0] == units
    xlsx_content = importer.export_xlsx(units)
    cell = openpyxl.load_workbook(io.BytesIO(xlsx_content)).active["B2"]
    assert cell.data_type == "s"
    assert check_rows(parse_upload("e.xlsx", xlsx_content), {})[0] == units


def test_xlsx_numbers_and_booleans_come_out_as_the_clerk_typed_them():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["代码", "名称", "领域", "组织类型", "上级代码", "书记电话", "联络员电话", "示范点"])
    sheet.append(["C000", "县委", "机关", "党委", None, 13800000000, 13900000000.0, True])
    sheet.cell(row=5, column=1, value="T01")  # rows 3 and 4 blank: skipped, numbering kept
    for column, value in enumerate(["镇委", "镇街", "党委", "C000", None, None, 0], start=2):
        sheet.cell(row=5, column=column, value=value)
    workbook.create_sheet("notes")
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse_upload("名册.xlsx", out.getvalue())
    assert parsed.row_numbers == [2, 5]
    assert parsed.rows[0]["secretary_phone"] == "13800000000"
    assert parsed.rows[0]["liaison_phone"] == "13900000000"
    assert [r["demonstration"] for r in parsed.rows] == ["1", "0"]
    assert any("只读取了第一个“Sheet”" in note for note in parsed.notes)
    rows, problems = check_rows(parsed, {})
    assert problems == []
    assert rows[0]["sector"] == "agency" and rows[0]["org_type"] == "committee" and rows[0]["demonstration"] is True
    assert rows[1]["parent_code"] == "C000" and rows[1]["secretary"] is None


def test_chinese_header_and_labels_are_accepted(existing_parents):
    lines = [
        "代码,名称,领域,组织类型,上级组织代码,书记,书记电话,联络员,联络员电话,联络员邮箱,示范点",
        "X001,中共某村支部委员会,村居,党支部,T01,张三,13800000000,李四,0592-1234567,x@example.gov.cn,是",
        "X002,中共某社区总支部委员会,社区,党总支,T01,,,,,,否",
        "X003,中共某医院委员会,医院,党委,C000,,,,,,",
        "X004,中共某小学支部委员会,School,Branch,X003,,,,,,TRUE",
    ]
    rows, problems = check_rows(parse_upload("u.csv", csv_bytes(lines)), existing_parents)
    assert problems == []
    assert [(r["sector"], r["org_type"], r["demonstration"]) for r in rows] == [
        ("village", "branch", True), ("village", "general_branch", False),
        ("hospital", "committee", False), ("school", "branch", True)]
    assert rows[0]["liaison_phone"] == "0592-1234567" and rows[1]["secretary"] is None


def test_blank_rows_are_skipped_and_rows_keep_their_numbers():
    lines = SAMPLE_LINES[:3] + ["", ",,,,,,,,,,", SAMPLE_LINES[3]]
    parsed = parse_upload("u.csv", csv_bytes(lines))
    assert parsed.row_numbers == [2, 3, 6]


# --- files refused as a whole -----------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"  \r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(content):
    assert "文件是空的" in invalid(content)


def test_an_oversize_file_is_refused():
    assert "上限是 5 MB" in invalid(SAMPLE_BYTES + b"x" * MAX_UPLOAD_BYTES)


def test_an_old_xls_file_is_refused_with_what_to_do():
    message = invalid(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, filename="名册.xls")
    assert "（.xls）" in message and "另存为 .xlsx" in message


@pytest.mark.parametrize("content, filename", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png"),
    (b"code,name\x00\x01\x02", "units.csv"),
])
def test_binary_junk_is_refused(content, filename):
    assert "不是 CSV 或 .xlsx 文件" in invalid(content, filename)


def test_a_broken_xlsx_is_refused():
    assert "Excel 工作簿" in invalid(b"PK\x03\x04 not really a zip", "u.xlsx")
    assert "Excel 工作簿" in invalid(b"code,name\nC000,x\n", "renamed.xlsx")


def test_a_file_in_neither_utf8_nor_gbk_is_refused():
    message = invalid(SAMPLE_LINES[0].encode() + b"\n\x80\x80\x80,\xff\xff\n")
    assert "既不是 UTF-8 也不是 GBK" in message and "CSV UTF-8" in message


def test_a_header_missing_name_says_so():
    header = SAMPLE_LINES[0].replace("name,", "")
    lines = [header] + [",".join(l.split(",")[:1] + l.split(",")[2:]) for l in SAMPLE_LINES[1:3]]
    message = invalid(csv_bytes(lines))
    assert "缺少必填的列：名称（name）。" in message and "无法识别" not in message


def test_an_unknown_column_is_named():
    lines = [SAMPLE_LINES[0] + ",remarks"] + [l + ",x" for l in SAMPLE_LINES[1:3]]
    message = invalid(csv_bytes(lines))
    assert "无法识别的列：“remarks”（第 12 列）。" in message and "缺少" not in message


def test_a_header_and_no_data_rows_has_no_units():
    assert "文件中没有组织" in invalid(csv_bytes([SAMPLE_LINES[0], "", ",,,"]))


def test_a_value_in_a_column_without_header_is_refused():
    lines = SAMPLE_LINES[:2] + [SAMPLE_LINES[2] + ",stray"]
    assert "第 3 行第 12 列有内容（“stray”）" in invalid(csv_bytes(lines))


# --- problems reported row by row -------------------------------------------------------

def test_a_bad_sector_is_reported_on_its_row_and_column():
    [problem] = problems_of(csv_bytes(replaced("A003", "sector", "部门")))
    assert (problem.row, problem.column) == (line_of("A003"), "sector") == (5, "sector")
    assert "“部门”" in problem.problem and "村居（village）" in problem.problem
    assert problem.as_dict() == {"row": 5, "column": "sector", "problem": problem.problem}


def test_a_malformed_phone_is_reported():
    [problem] = problems_of(csv_bytes(replaced("T01V002", "liaison_phone", "1381234")))
    assert (problem.row, problem.column) == (line_of("T01V002"), "liaison_phone")
    assert "“1381234”" in problem.problem and "手机号" in problem.problem


def test_a_phone_excel_turned_into_scientific_notation_gets_a_hint():
    [problem] = problems_of(csv_bytes(replaced("T01V002", "secretary_phone", "1.38E+10")))
    assert "科学计数法" in problem.problem


def test_a_malformed_email_is_reported():
    [problem] = problems_of(csv_bytes(replaced("H02", "liaison_email", "h02@example")))
    assert (problem.row, problem.column) == (line_of("H02"), "liaison_email")
    assert "“h02@example”" in problem.problem


def test_a_duplicate_code_is_reported_on_both_rows():
    lines = replaced("T02V001", "code", "T01V003")
    problems = problems_of(csv_bytes(lines))
    assert [(p.row, p.column) for p in problems] == [(line_of("T01V003"), "code"), (line_of("T02V001"), "code")]
    assert all(f"第 {line_of('T01V003')} 和 {line_of('T02V001')} 行" in p.problem for p in problems)


def test_an_unknown_parent_is_reported(existing_parents):
    lines = [SAMPLE_LINES[0], replaced("T01V001", "parent_code", "T99")[line_of("T01V001") - 1]]
    [problem] = problems_of(csv_bytes(lines), existing_parents)
    assert (problem.row, problem.column) == (2, "parent_code") and "“T99”" in problem.problem
    # the same row is fine when the parent is in the registry
    ok = [SAMPLE_LINES[0], SAMPLE_LINES[line_of("T01V001") - 1]]
    assert check_rows(parse_upload("u.csv", csv_bytes(ok)), existing_parents)[1] == []


def test_a_parent_in_the_wrong_case_gets_a_hint(existing_parents):
    lines = [SAMPLE_LINES[0], replaced("T01V001", "parent_code", "t01")[line_of("T01V001") - 1]]
    [problem] = problems_of(csv_bytes(lines), existing_parents)
    assert "是不是“T01”？" in problem.problem


def test_a_unit_that_is_its_own_parent_is_reported():
    [problem] = problems_of(csv_bytes(replaced("T03", "parent_code", "T03")))
    assert (problem.row, problem.column) == (line_of("T03"), "parent_code") and "自己的上级" in problem.problem


def test_a_cycle_with_the_registry_is_reported(existing_parents):
    # the file moves the county committee under one of its own villages
    row = replaced("C000", "parent_code", "T01V001")[line_of("C000") - 1]
    [problem] = problems_of(csv_bytes([SAMPLE_LINES[0], row]), existing_parents)
    assert (problem.row, problem.column) == (2, "parent_code")
    assert "C000 → T01V001（现有名册） → T01（现有名册） → C000" in problem.problem


def test_every_row_on_a_cycle_in_the_file_is_reported(existing_parents):
    problems = problems_of(csv_bytes(replaced("C000", "parent_code", "T01V001")), existing_parents)
    assert [(p.row, p.column) for p in problems] == [
        (line_of(code), "parent_code") for code in ("C000", "T01", "T01V001")]
    assert all("绕成了一个圈" in p.problem for p in problems)


def test_problems_come_sorted_by_row_then_column():
    lines = replaced("A005", "liaison_email", "nope", replaced("A005", "sector", "x", replaced("A002", "name", "")))
    problems = problems_of(csv_bytes(lines))
    assert [(p.row, p.column) for p in problems] == [
        (line_of("A002"), "name"), (line_of("A005"), "sector"), (line_of("A005"), "liaison_email")]
    assert "名称（name）是空的" in problems[0].problem


def test_a_utf8_file_with_one_row_in_gbk_is_refused_not_read_as_gbk():
    lines = SAMPLE_LINES
    at = line_of("T02V003")
    content = ("\n".join(lines[:at - 1]) + "\n").encode() + lines[at - 1].encode("gbk") + b"\n" + \
        "\n".join(lines[at:]).encode()
    assert f"第 {at} 行混有其他编码的文字" in invalid(content)


def test_a_workbook_that_unpacks_to_far_more_than_a_registry_is_refused(sample_rows, monkeypatch):
    content = importer.export_xlsx(sample_rows[:3])
    monkeypatch.setattr(importer, "_MAX_UNPACKED_BYTES", 1000)
    assert "解压后有" in invalid(content, "u.xlsx")


def test_a_stray_quote_is_reported_where_it_swallows_the_rows_below():
    lines = SAMPLE_LINES[:3] + ['X001,"中共某村支部委员会,village,branch,T01,,,,,,0'] + SAMPLE_LINES[3:6]
    problems = problems_of(csv_bytes(lines))
    assert any(p.row == 4 and p.column == "name" and "换行" in p.problem and "↵" in p.problem
               for p in problems)
