"""Every message a person reads has its other language in the catalogues: a scan of the code
under services/ and gateway/ for the places messages are written, each message taken in its
msgid's shape (a value as {name}) and translated. An English one must read differently in
zh-CN, a Chinese one differently in English, one mixing both (检查安排 is not valid: ...) both ways.

The places: a domain error raised (services/common/errors.py's hierarchy, the gateway's
ApiError and its helpers), a marshmallow validation message (ValidationError, a validator's
error=), validated()'s "<what> is not valid", the import report (its problems, notes and a
failed job's error), functions whose returned text is a message, and a webhook's stored
reason for being disabled. A message the scan cannot read (passed on from elsewhere, or
computed) is listed in UNREAD, with its entries written by hand."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from services.common import i18n

ROOT = Path(__file__).resolve().parents[2]
POSITION = {"ApiError": 2, "FormRefused": 2, "envelope": 2, "RowProblem": 2}  # the message's argument, else 0
CALLS = {"unauthorized", "forbidden", "bad_request", "ValidationError", "RowProblem", "envelope"}
VALIDATORS = {"Regexp", "Length", "OneOf", "Range", "Email", "URL", "Equal", "NoneOf", "ContainsOnly"}
MESSAGE_FUNCTIONS = {"_explain", "_no_header", "_can_reopen", "too_large"}  # their returned text is a message
MESSAGE_ATTRIBUTES = {"disabled_reason"}  # a message stored on a row and shown on a page
UNREAD = {  # (file, the expression): what is read there, and where its entries come from
    ("gateway/errors.py", "message"),  # ApiError's helpers pass on the message they are given
    ("gateway/api/auth.py", "exc.message"),  # the units service's sign-in refusals, passed on
    ("services/units/sessions.py", "second_factor.NOT_ENROLLED"),  # services/units/second_factor.py's
    ("gateway/pages/kit/pages.py", "self.too_large"),  # a page's own limit message: too_large(), scanned there
    ("gateway/uploads.py", "missing"),  # a form without its file: each route's refusal, an entry of its own
    ("services/units/job_runner.py", "exc.message"),  # a failed job's error: a DomainError's message
    ("services/common/shapes/disclosure.py", "errors"),  # a catalogue rule's field messages: by hand,
    ("services/common/shapes/disclosure.py", "{'milestones': outside}"),  # as a milestone's (test_i18n.py)
    ("services/feedback/sender.py", "refusal"),  # _can_reopen's text, scanned there
    ("services/units/importer.py", "''.join(parts)"),  # a header's problems, composed: zh-CN only
    ("services/units/importer.py", "_no_header(number, index, cells[index])"),  # scanned in _no_header
    ("services/units/importer.py", "_no_header(number, index, value)"),
    ("services/units/registry_checks.py", "_explain(column, raw.get(column) or None, msgs)"),  # in _explain
    ("services/units/registry_checks.py", "text"),  # a phone's problem and its hint: by hand (test_i18n.py)
    ("services/disclosure/search.py", "SEARCH_TOO_LONG"),  # services/common/shapes/disclosure.py's: by hand
    ("gateway/queries.py", "SEARCH_TOO_LONG"),
}


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _shape(node: ast.AST, constants: dict[str, ast.AST]) -> str | None:
    """The message as its msgid would be written, or None when it is not written here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # a value as {its name}, a text constant as its text
        return "".join(part.value if isinstance(part, ast.Constant) else _shape(part.value, constants)
                       or "{%s}" % (_name(part.value) or "value") for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # text + a value computed + text
        left, right = _shape(node.left, constants), _shape(node.right, constants)
        return None if left is None and right is None else (left or "{value}") + (right or "{value}")
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):  # a message cut to a length
        return _shape(node.value, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _shape(constants[node.id], constants)
    return None


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    found, grown = {"DomainError"}, True
    while grown:
        more = {node.name for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
                and any(_name(base) in found for base in node.bases)}
        grown, found = not more <= found, found | more
    return found


def _messages_in(tree: ast.Module, errors: set[str]) -> list[ast.AST]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in errors | CALLS and len(node.args) > POSITION.get(called, 0):
                found.append(node.args[POSITION.get(called, 0)])
            if called == "validated" and len(node.args) == 3:  # its message: "<what> is not valid: {problems}"
                found.append(ast.copy_location(ast.BinOp(node.args[2], ast.Add(), ast.Constant(
                    " is not valid: {problems}")), node))
            if called == "append" and _name(getattr(node.func, "value", None)) == "notes":  # the import report's notes
                found.append(node.args[0])
            for keyword in node.keywords:
                if keyword.arg == "error" and called in VALIDATORS:
                    found.append(keyword.value)
                if keyword.arg == "error" and called == "_finish" and isinstance(keyword.value, ast.Tuple):
                    found.append(keyword.value.elts[1])  # a failed import job's (code, message)
        elif isinstance(node, ast.FunctionDef) and node.name in MESSAGE_FUNCTIONS:
            found += [n.value for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None
                      and not (isinstance(n.value, ast.Constant) and n.value.value is None)]
        elif isinstance(node, ast.Assign) and any(_name(t) in MESSAGE_ATTRIBUTES for t in node.targets):
            found.append(node.value)
    return found


def scan() -> tuple[list[tuple[str, str]], set[tuple[str, str]]]:
    """([(where, message shape)], {(file, expression) not read})."""
    paths = [p for top in ("services", "gateway") for p in sorted((ROOT / top).rglob("*.py"))
             if "migrations" not in p.parts]
    trees = {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in paths}
    errors = _error_classes(trees)
    messages, unread = [], set()
    for path, tree in trees.items():
        constants = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                     for t in node.targets if isinstance(t, ast.Name)}
        for found in _messages_in(tree, errors):
            for node in (found.body, found.orelse) if isinstance(found, ast.IfExp) else (found,):
                shape = _shape(node, constants)
                if shape is None:
                    unread.add((path, ast.unparse(node)))
                else:
                    messages.append((f"{path}:{node.lineno}", shape))
    return messages, unread


def written_in(message: str) -> tuple[bool, bool]:
    """(English, Chinese): a message with Chinese characters is Chinese, and English as well
    when it has three English words in a row; one without any is English."""
    text = re.sub(r"\{[^{}]*\}", "", message)
    chinese = bool(re.search(r"[\u4e00-\u9fff]", text))
    return not chinese or bool(re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", text)), chinese


MESSAGES, NOT_READ = scan()


def test_the_scan_finds_the_messages_and_reads_all_but_the_known_few():
    assert len(MESSAGES) > 300
    assert NOT_READ == UNREAD


def test_every_english_message_reads_in_chinese():
    missing = [f"{where}: {message!r}" for where, message in MESSAGES
               if written_in(message)[0] and i18n.translate(message, "zh_CN") == message]
    assert missing == [], "add to locale/zh_CN/LC_MESSAGES/messages.po:\n" + "\n".join(missing)


def test_every_chinese_message_reads_in_english():
    missing = [f"{where}: {message!r}" for where, message in MESSAGES
               if written_in(message)[1] and i18n.translate(message, "en") == message]
    assert missing == [], "add to locale/en/LC_MESSAGES/messages.po:\n" + "\n".join(missing)
