"""A nameko timer whose interval comes from the service's config, so operators (and
tests) set how often deadline checks run without touching code."""
from __future__ import annotations

from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """`@configured_timer("DISCLOSURE", "DEADLINE_CHECK_SECONDS", default=60)`"""

    def __init__(self, section: str, key: str, default: float, **kwargs) -> None:
        self.section, self.key = section, key
        super().__init__(interval=default, **kwargs)

    def setup(self) -> None:
        configured = (self.container.config.get(self.section) or {}).get(self.key)
        if configured is not None:
            self.interval = float(configured)


configured_timer = ConfiguredTimer.decorator
