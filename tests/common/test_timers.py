"""A service asked to stop twice (a repeated SIGTERM during shutdown) still stops."""
import eventlet
import pytest
from nameko import timer as nameko_timer

from services.common.timers import timer


class Ticking:
    name = "ticking"

    @timer(interval=0.05, eager=True)
    def tick(self) -> None:
        eventlet.sleep(0.1)  # a worker is running when the stops arrive


def _stop_twice_at_once(container) -> None:
    container.start()
    eventlet.sleep(0.05)
    stops = [eventlet.spawn(container.stop), eventlet.spawn(container.stop)]
    with eventlet.Timeout(5):
        for stop in stops:
            stop.wait()


def test_a_service_stopped_twice_at_once_stops(container_factory):
    _stop_twice_at_once(container_factory(Ticking, {}))


def test_nameko_own_timer_fails_there(container_factory):
    """Why services.common.timers exists: nameko's Timer refuses a second stop."""
    class Plain:
        name = "plain"

        @nameko_timer.timer(interval=0.05, eager=True)
        def tick(self) -> None:
            eventlet.sleep(0.1)

    with pytest.raises(AssertionError, match="already-triggered"):
        _stop_twice_at_once(container_factory(Plain, {}))
