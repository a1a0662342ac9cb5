"""The checkers of deploy/ the tests run: promtool, amtool and caddy, found on PATH or where
`make deploy-tools` unpacks them from Debian's packages (var/tools/<package>/usr/bin); and the
settings config.yaml reads from the environment, which deploy/ must pass on."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def tool(name: str, package: str) -> str:
    found = shutil.which(name) or str(REPO / "var" / "tools" / package / "usr" / "bin" / name)
    if not Path(found).is_file():
        pytest.fail(f"{name} not found: `make deploy-tools` unpacks it from Debian's {package} package")
    return found


def config_variables(section: str) -> set[str]:
    """The environment variables config.yaml reads in one of its top-level sections (`${NAME:default}`)."""
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    body = re.search(rf"^{section}:\n((?:[ #].*\n|\n)+)", text, re.M).group(1)
    return set(re.findall(r"\$\{(\w+):", body))
