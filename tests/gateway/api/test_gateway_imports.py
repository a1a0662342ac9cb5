"""The gateway is deployed and upgraded apart from the services: it may use the shared
plumbing and wire shapes of services.common, never a service's models, rules or schemas."""
import ast
import subprocess
import sys
from pathlib import Path

from services.common.config import ROOT

GATEWAY = ROOT / "gateway"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_gateway_module_names_a_service_package():
    offenders = {str(path.relative_to(ROOT)): sorted(name for name in _imported_modules(path)
                                                    if name.startswith("services.") and not name.startswith("services.common"))
                 for path in GATEWAY.rglob("*.py")}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_loading_the_gateway_loads_no_service_module():
    """Transitively too: nothing the gateway imports from services.common pulls a service in."""
    probe = ("import sys, gateway.service; "
             "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('services.') "
             "and not m.startswith('services.common'))))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split() == []
