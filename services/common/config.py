"""Loading config.yaml outside `nameko run` (migrations, loaders, tests) with the same
${VAR:default} substitution nameko applies, so every run mode reads one file."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from nameko.cli.main import setup_yaml_parser

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "config.yaml"

setup_yaml_parser()


def load_config(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Read the YAML config, substituting environment variables."""
    path = path or os.environ.get("GONGKAI_CONFIG") or DEFAULT_CONFIG
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def database_url(config: dict[str, Any], service: str) -> str:
    """The URL of `service`'s own database; relative SQLite paths are made absolute
    against the project root so the same config works from any working directory."""
    try:
        url = config["DATABASES"][service]
    except KeyError:
        raise KeyError(f"config has no DATABASES.{service}") from None
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        path = ROOT / url[len(prefix):]
        path.parent.mkdir(parents=True, exist_ok=True)
        url = prefix + str(path)
    return url
