"""nameko's timer, made safe to stop twice, and a variant whose interval comes from the
service's config (operators and tests set how often deadline checks run without touching
code).

A second SIGTERM while a service shuts down (a supervisor repeating the signal, an operator
pressing twice) makes nameko stop the container again; its own Timer then fails with
"Trying to re-send() an already-triggered event" and the shutdown hangs until it is killed.
"""
from __future__ import annotations

from nameko import timer as nameko_timer


class Timer(nameko_timer.Timer):
    def stop(self) -> None:
        if self.should_stop.ready():  # stopping already: wait for that to finish
            self.gt.wait()
            return
        super().stop()


class ConfiguredTimer(Timer):
    """`@configured_timer("DISCLOSURE", "DEADLINE_CHECK_SECONDS", default=60)`"""

    def __init__(self, section: str, key: str, default: float, **kwargs) -> None:
        self.section, self.key = section, key
        super().__init__(interval=default, **kwargs)

    def setup(self) -> None:
        configured = (self.container.config.get(self.section) or {}).get(self.key)
        if configured is not None:
            self.interval = float(configured)


timer = Timer.decorator
configured_timer = ConfiguredTimer.decorator
