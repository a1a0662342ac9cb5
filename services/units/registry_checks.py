"""Checking a registry file's rows: every value of every row, and the tree the file makes
laid over the current registry. Every problem is reported at once, by row and column,
with the bad value, so the clerk fixes the file in one go; a file with any problem
registers nothing."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from .registry_columns import COLUMNS, REQUIRED_COLUMNS, ParsedFile, RowProblem, short, translate_label
from .schemas import RegistryRow

_SECTOR_HELP = "agency (机关), town (镇街), village (村居), school (学校), enterprise (企业), hospital (医院), other (其他)"
_ORG_TYPE_HELP = "committee (党委), general_branch (党总支), branch (党支部)"
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
                    f"The {column} cell holds a line break ('{short(value)}'). Remove it; if the file has a stray "
                    "double quote (\"), the following rows may have been read into this cell.")))
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
            return f"The {column} is empty; every unit needs one."
        return f"The {column} is empty."
    shown = short(str(value))
    if column == "code":
        return (f"The code '{shown}' is not valid: use only letters, digits, '-' and '_', "
                "at most 32 characters, no spaces.")
    if column == "name":
        return f"The name '{shown}' is too long (at most 200 characters)."
    if column == "sector":
        return f"The sector '{shown}' is not known. Use one of: {_SECTOR_HELP}."
    if column == "org_type":
        return f"The organisation type '{shown}' is not known. Use one of: {_ORG_TYPE_HELP}."
    if column in _PHONE_COLUMNS:
        text = (f"The phone number '{shown}' is not a mainland mobile (11 digits starting with 1) "
                "or landline (such as 0592-1234567) number.")
        if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", str(value)):
            text += " Excel turned it into scientific notation: format the column as text and type it again."
        elif re.fullmatch(r"[2-9]\d{8,10}", str(value)):
            text += " If it is a landline, Excel dropped its leading 0: format the column as text and type it again."
        return text
    if column == "liaison_email":
        return f"The e-mail address '{shown}' is not valid (it should look like name@example.gov.cn)."
    if column == "demonstration":
        return f"The demonstration value '{shown}' is not understood: write 1 or 0 (or 是 / 否)."
    return f"The {column or 'row'} value '{shown}' is not valid: " + " ".join(map(str, messages))


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
            listed = ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
            for number in rows:
                problems.append(RowProblem(number, "code", f"The code '{code}' is used on rows {listed}; "
                                                           "each unit needs its own code."))
    known_lower = None
    for number, code, parent in zip(numbers, codes, parents):
        if not parent:
            continue
        if parent == code:
            problems.append(RowProblem(number, "parent_code", f"The unit '{code}' names itself as its parent."))
        elif parent not in rows_of and parent not in existing_parents:
            if known_lower is None:
                known_lower = {c.lower(): c for c in (*existing_parents, *rows_of)}
            hint = f" Did you mean '{known_lower[parent.lower()]}'?" if parent.lower() in known_lower else ""
            problems.append(RowProblem(number, "parent_code", f"The parent code '{parent}' is neither in this file "
                                                              f"nor in the registry.{hint}"))

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
                    shown = " → ".join(c if c in first_row else f"{c} (registry)" for c in path)
                    problems.append(RowProblem(first_row[member], "parent_code", (
                        f"The parent chain goes round in a circle: {shown}. "
                        "A unit cannot be placed under one of its own sub-units.")))
        for member in chain:
            state[member] = 2
    return problems
