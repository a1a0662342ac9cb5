"""Checking a registry file's rows: every value of every row, and the tree the file makes
laid over the current registry. Every problem is reported at once, by row and column,
with the bad value, so the clerk fixes the file in one go; a file with any problem
registers nothing."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from .registry_columns import COLUMNS, REQUIRED_COLUMNS, ParsedFile, RowProblem, column_label, short, translate_label
from .schemas import RegistryRow

_SECTOR_HELP = "机关（agency）、镇街（town）、村居（village）、学校（school）、企业（enterprise）、医院（hospital）、其他（other）"
_ORG_TYPE_HELP = "党委（committee）、党总支（general_branch）、党支部（branch）"
_PHONE_COLUMNS = ("secretary_phone", "liaison_phone")


def check_rows(parsed: ParsedFile,
               existing_parents: dict[str, str | None]) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Check every row's values and the tree they make with the current registry.

    ``existing_parents`` is the registry as it stands (code → parent_code); a row for a
    code already there replaces that unit's parent. Returns (rows as RegistryRow loads
    them, []) when the file is clean, else ([], every problem sorted by row then column),
    so nothing is registered from a file that is partly wrong.
    """
    problems: list[RowProblem] = []
    loaded: list[dict[str, Any]] = []
    codes: list[str] = []
    parents: list[str] = []
    schema = RegistryRow()
    for number, raw in zip(parsed.row_numbers, parsed.rows):
        values = {column: translate_label(column, value) for column, value in raw.items() if column in COLUMNS}
        codes.append(values.get("code", ""))
        parents.append(values.get("parent_code", ""))
        for column, value in values.items():
            if "\n" in value or "\r" in value:
                problems.append(RowProblem(number, column, (
                    f"{column_label(column)}单元格里有换行（“{short(value)}”）：请删除换行；如果文件中有多余的"
                    "英文双引号（\"），后面几行可能被读进了这个单元格。")))
        data = {column: value for column, value in values.items() if value != ""}  # empty → load_default
        try:
            loaded.append(schema.load(data))
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {None: exc.messages}
            for column, msgs in messages.items():
                problems.append(RowProblem(number, column, _explain(column, raw.get(column) or None, msgs)))
    problems += _tree_problems(parsed.row_numbers, codes, parents, existing_parents)
    if problems:
        order = {c: i for i, c in enumerate(COLUMNS)}
        problems.sort(key=lambda p: (p.row, -1 if p.column is None else order.get(p.column, len(order)), p.problem))
        return [], problems
    return loaded, []


def _explain(column: str | None, value: Any, messages: list[str]) -> str:
    """marshmallow's message for one field, as a sentence a clerk can act on."""
    if value is None:
        if column in REQUIRED_COLUMNS:
            return f"{column_label(column)}是空的：每个组织都必须填写。"
        return f"{column_label(column)}是空的。"
    shown = short(str(value))
    if column == "code":
        return f"代码“{shown}”无效：只能用字母、数字、“-”和“_”，最多 32 位，不能有空格。"
    if column == "name":
        return f"名称“{shown}”太长（最多 200 个字）。"
    if column == "sector":
        return f"领域“{shown}”无法识别：请填写其中之一：{_SECTOR_HELP}。"
    if column == "org_type":
        return f"组织类型“{shown}”无法识别：请填写其中之一：{_ORG_TYPE_HELP}。"
    if column in _PHONE_COLUMNS:
        text = f"电话“{shown}”不是有效的手机号（以 1 开头的 11 位数字）或座机号（如 0592-1234567）。"
        if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", str(value)):
            text += "Excel 把它变成了科学计数法：请把这一列设为“文本”格式后重新输入。"
        elif re.fullmatch(r"[2-9]\d{8,10}", str(value)):
            text += "如果是座机号，Excel 去掉了开头的 0：请把这一列设为“文本”格式后重新输入。"
        return text
    if column == "liaison_email":
        return f"邮箱“{shown}”无效（应形如 name@example.gov.cn）。"
    if column == "demonstration":
        return f"示范点一栏的“{shown}”无法识别：请填 1 或 0（或 是 / 否）。"
    return f"{column_label(column)}的值“{shown}”无效：" + " ".join(map(str, messages))


def _tree_problems(numbers: list[int], codes: list[str], parents: list[str],
                   existing_parents: dict[str, str | None]) -> list[RowProblem]:
    """Codes used twice, parents that do not exist, units under themselves, and parent
    chains that go round in a circle once the file is laid over the registry."""
    problems = []
    rows_of: dict[str, list[int]] = {}
    for number, code in zip(numbers, codes):
        if code:
            rows_of.setdefault(code, []).append(number)
    for code, rows in rows_of.items():
        if len(rows) > 1:
            earlier = "、".join(map(str, rows[:-1]))
            for number in rows:
                problems.append(RowProblem(number, "code", f"代码“{code}”在第 {earlier} 和 {rows[-1]} 行重复使用："
                                                           "每个组织需要各自的代码。"))
    known_lower = None
    for number, code, parent in zip(numbers, codes, parents):
        if not parent:
            continue
        if parent == code:
            problems.append(RowProblem(number, "parent_code", f"组织“{code}”把自己填成了自己的上级。"))
        elif parent not in rows_of and parent not in existing_parents:
            if known_lower is None:
                known_lower = {c.lower(): c for c in (*existing_parents, *rows_of)}
            near = known_lower.get(parent.lower())
            problems.append(RowProblem(number, "parent_code", (
                f"上级代码“{parent}”既不在这个文件中，也不在现有名册中。是不是“{near}”？" if near else
                f"上级代码“{parent}”既不在这个文件中，也不在现有名册中。")))

    # The tree after the import: the registry, with each unit in the file under its new parent.
    tree: dict[str, str | None] = dict(existing_parents)
    first_row: dict[str, int] = {}
    for number, code, parent in zip(numbers, codes, parents):
        if code and code not in first_row:
            first_row[code] = number
            tree[code] = parent or None
    state: dict[str, int] = {}  # 1: on the chain being walked, 2: known to reach a root
    for start in first_row:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node in tree and state.get(node) is None:
            state[node] = 1
            chain.append(node)
            node = tree[node] or None
        if node is not None and state.get(node) == 1 and tree.get(node) != node:  # self-parent reported above
            cycle = chain[chain.index(node):]
            for member in cycle:
                if member in first_row:
                    at = cycle.index(member)
                    path = cycle[at:] + cycle[:at] + [member]
                    shown = " → ".join(c if c in first_row else f"{c}（现有名册）" for c in path)
                    problems.append(RowProblem(first_row[member], "parent_code", (
                        f"上级关系绕成了一个圈：{shown}。一个组织不能放在它自己的下级组织之下。")))
        for member in chain:
            state[member] = 2
    return problems
