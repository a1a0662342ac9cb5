"""The shape of services/ that reviews keep asking for, checked without running anything:
no module over 300 lines, and no import inside a function (where it hides a cycle between
modules; move the shared piece down or inject it). What must stay is allowed below, with why."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "services"
MAX_LINES = 300
# (module, imported module): why it is imported where it is used
ALLOWED_LATE_IMPORTS = {
    ("common/migrate.py", "alembic"): "alembic's `context` exists only while alembic runs the migration environment",
    ("units/registry_export.py", "openpyxl"): "openpyxl is slow to import and only an .xlsx export needs it",
    ("units/importer.py", "openpyxl"): "as the export: only an .xlsx upload needs it",
    ("units/registry_export.py", "openpyxl.styles"): "as openpyxl",
    ("units/registry_export.py", "openpyxl.utils"): "as openpyxl",
    ("units/registry_export.py", "openpyxl.worksheet.datavalidation"): "as openpyxl",
}
MODULES = sorted(SERVICES.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(SERVICES).as_posix()


def late_imports(path: Path) -> list[tuple[str, int]]:
    """(imported module, line) of every import inside a function of the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(alias.name, inner.lineno) for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append(("." * inner.level + (inner.module or ""), inner.lineno))
    return found


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_300_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines: split it along its sections"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_import_hides_in_a_function(path):
    hidden = [(module, line) for module, line in late_imports(path)
              if (_name(path), module) not in ALLOWED_LATE_IMPORTS]
    assert not hidden, (f"{_name(path)} imports inside a function {hidden}: import at the top; if that is a "
                        f"cycle, move the shared piece down or inject it")


def test_the_allow_list_names_only_imports_that_are_there():
    present = {(_name(p), module) for p in MODULES for module, _ in late_imports(p)}
    assert set(ALLOWED_LATE_IMPORTS) <= present, set(ALLOWED_LATE_IMPORTS) - present


def test_the_checks_catch_what_they_are_for(tmp_path):
    module = tmp_path / "rule.py"
    module.write_text("def f():\n    from .tree import subtree\n    return subtree\n" + "x = 1\n" * 300)
    assert late_imports(module) == [(".tree", 2)]
    assert len(module.read_text().splitlines()) > MAX_LINES


@pytest.mark.parametrize("path", sorted(SERVICES.glob("*/service.py")), ids=_name)
def test_every_rpc_of_a_service_enters_through_command_or_query(path):
    """service.py is wiring: each RPC is declared with @command or @query (services.common.entrypoints),
    never with a bare @rpc that would decode the actor or commit on its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) for d in f.decorator_list
            if getattr(d, "id", None) == "rpc" or getattr(getattr(d, "func", None), "id", None) == "rpc"]
    assert not bare, f"{_name(path)}: {bare} use @rpc; declare them with @command or @query"
