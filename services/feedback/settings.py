"""The feedback service's limits, from config.yaml's FEEDBACK section (defaults here)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from nameko.extensions import DependencyProvider

from services.common.config import ROOT


@dataclass(frozen=True)
class Settings:
    acknowledge_working_days: int = 3      # 受理 within
    answer_working_days: int = 15          # 回复 within
    extension_max_working_days: int = 15   # one extension (延期) of at most
    warning_working_days: int = 3          # yellow this many working days before the answer is due
    escalation_working_days: int = 3       # N: level 1 N working days after red, level 2 N more
    reopen_working_days: int = 10          # the sender may reopen within this many after the answer
    max_reopens: int = 2
    pin_tries: int = 5                     # wrong PINs for one tracking code before it takes none for a while
    pin_lock_minutes: int = 30
    max_chars: int = 2000
    max_links: int = 2
    duplicate_hours: int = 24
    reports_to_hide: int = 3
    screen_file: str = "data/feedback_screen.txt"
    contact_retention_days: int = 180      # the sender's contact is erased this long after the case ends

    @classmethod
    def of(cls, config: dict[str, Any] | None) -> "Settings":
        section = (config or {}).get("FEEDBACK") or {}
        given = {}
        for field in fields(cls):
            value = section.get(field.name.upper())
            if value not in (None, ""):
                given[field.name] = value if field.type == "str" else int(value)
        return cls(**given)

    @property
    def screen_path(self) -> Path:
        path = Path(self.screen_file)
        return path if path.is_absolute() else ROOT / path


class SettingsProvider(DependencyProvider):
    def setup(self) -> None:
        self.settings = Settings.of(self.container.config)

    def get_dependency(self, worker_ctx) -> Settings:
        return self.settings
