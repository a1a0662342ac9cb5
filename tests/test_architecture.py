"""The shape of the code, checked statically: modules stay small, no import hides inside a
function (where it hides a cycle), the gateway's pages never import its API modules, and an
RPC is named only in gateway/clients (one typed client per service).

ROOTS lists the trees whose modules are held to a size; add a root (with its limit) to hold
another tree to it."""
import ast
from pathlib import Path

import pytest

from gateway import clients, labels
from services.common.config import ROOT

ROOTS = {"gateway": 300}  # tree -> the most lines a module of it may have
GATEWAY = ROOT / "gateway"
CLIENTS = GATEWAY / "clients"
PROXIES = ("nameko.rpc", "nameko.standalone.rpc")  # where the RPC proxies come from


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_of(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """The absolute names of the modules a module imports (relative imports resolved; for
    `from x import y` both x and x.y, as y may be a module)."""
    package = _module_of(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_is_over_its_roots_limit():
    over = {_name(p): n for root, most in ROOTS.items() for p in _modules(ROOT / root)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > most}
    assert over == {}, f"modules over their limit ({ROOTS}): split them along their sections"


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_no_import_hides_in_a_function(root):
    hidden = []
    for path in _modules(ROOT / root):
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                hidden += [f"{_name(path)}:{n.lineno}" for n in ast.walk(node)
                           if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert hidden == [], "imports inside functions (a cycle hidden?): move the shared piece down or inject it"


def test_pages_never_import_an_api_module():
    offenders = {_name(p): sorted(m for m in imported(p) if m == "gateway.api" or m.startswith("gateway.api."))
                 for p in _modules(GATEWAY / "pages")}
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_page_rooms_stay_apart():
    """The portal and the console share only the kit (and gateway-level modules); the kit
    knows neither."""
    rooms = {"portal": ("gateway.pages.console",), "console": ("gateway.pages.portal",),
             "kit": ("gateway.pages.console", "gateway.pages.portal")}
    crossing = {_name(p): sorted(m for m in imported(p) if m.startswith(others))
                for room, others in rooms.items() for p in _modules(GATEWAY / "pages" / room)}
    assert {p: m for p, m in crossing.items() if m} == {}


def _names_an_rpc(node: ast.AST) -> bool:
    """`x.call(proxy, "name", ...)`, `getattr(proxy, "name")...` or `proxy.name.call_async(...)`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "call_async":
        return True
    if isinstance(func, ast.Attribute) and func.attr == "call" and len(node.args) >= 2:
        return isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
    return False


def test_rpcs_are_named_only_in_the_clients():
    named, proxies = [], []
    for path in _modules(GATEWAY):
        if CLIENTS in path.parents:
            continue
        tree = _tree(path)
        named += [f"{_name(path)}:{n.lineno}" for n in ast.walk(tree) if _names_an_rpc(n)]
        proxies += [f"{_name(path)}: {m}" for m in imported(path) if m.startswith(PROXIES)]
    assert named == [], "an RPC named outside gateway/clients: add a method to the service's client"
    assert proxies == [], "an RPC proxy outside gateway/clients: call the services through their clients"


# --- the checks themselves -------------------------------------------------------------------------

def test_the_checks_catch_what_they_look_for(tmp_path):
    call = ast.parse('self.access.call(self.units, "get_unit", code)').body[0].value
    assert _names_an_rpc(call)
    assert not _names_an_rpc(ast.parse('self.units.get_unit(code)').body[0].value)
    assert _names_an_rpc(ast.parse('proxy.get_unit.call_async(code)').body[0].value)
    probe = tmp_path / "gateway" / "pages" / "console" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from ...api.units import UnitRoutes\nfrom ..kit import page\n", encoding="utf-8")
    assert {"gateway.api.units", "gateway.pages.kit"} <= imported(probe, tmp_path)


def test_every_client_method_called_exists():
    """`self.units.get_unit(...)` in a route or page names a method its client has."""
    by_service = {c.service_name: c for c in (clients.UnitsClient, clients.DisclosureClient, clients.FeedbackClient,
                                              clients.NotifyClient, clients.SupervisionClient)}
    unknown = []
    for path in _modules(GATEWAY):
        for node in ast.walk(_tree(path)):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
                    and isinstance(node.value.value, ast.Name) and node.value.value.id in ("self", "service")
                    and node.value.attr in by_service and not hasattr(by_service[node.value.attr], node.attr)):
                unknown.append(f"{_name(path)}:{node.lineno} {node.value.attr}.{node.attr}")
    assert unknown == []


def test_the_gateways_labels_all_come_from_the_catalogues():
    """A name missing from the catalogue would show as itself (`published`) on a page."""
    missing = {name: [k for k, v in value.items() if v == k] for name, value in vars(labels).items()
               if name.endswith("_NAMES")}
    assert {name: keys for name, keys in missing.items() if keys} == {}


def test_no_two_test_modules_share_a_name():
    """The tests have no __init__.py: pytest imports each module by its file name, so two of one
    name in different folders stop the whole run at collection."""
    names: dict[str, list[str]] = {}
    for path in (ROOT / "tests").rglob("test_*.py"):
        if "node_modules" not in path.parts:
            names.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in names.items() if len(paths) > 1} == {}
