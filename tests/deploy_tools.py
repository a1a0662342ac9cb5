"""The checkers of deploy/ the tests run: promtool, amtool and caddy, found on PATH or where
`make deploy-tools` unpacks them from Debian's packages (var/tools/<package>/usr/bin)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def tool(name: str, package: str) -> str:
    found = shutil.which(name) or str(REPO / "var" / "tools" / package / "usr" / "bin" / name)
    if not Path(found).is_file():
        pytest.fail(f"{name} not found: `make deploy-tools` unpacks it from Debian's {package} package")
    return found
