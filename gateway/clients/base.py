"""What every client shares: a call with a deadline (a service that does not answer becomes a
503 in the envelope instead of a request that hangs), the RPCs every service answers (health,
dead letters, its event history), and the dependency provider that hands a worker its client."""
from __future__ import annotations

from typing import Any, Mapping

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from ..errors import ApiError

Actor = Mapping[str, Any]  # the caller as the gateway decoded it: username, role, unit (gateway/auth.py)
DEFAULT_TIMEOUT_SECONDS = 10.0


def call(proxy: Any, method: str, timeout: float, *args: Any, **kwargs: Any) -> Any:
    unavailable = ApiError(503, "service_unavailable",
                           f"the {proxy.service_name} service is not answering; try again shortly")
    try:
        reply = getattr(proxy, method).call_async(*args, **kwargs)
        with eventlet.Timeout(timeout):
            return reply.result()
    except (eventlet.Timeout, UnknownService):
        raise unavailable from None


class ServiceClient:
    """One service as the gateway calls it; subclasses name its RPCs, each with typed parameters."""

    service_name = ""

    def __init__(self, proxy: Any, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self.proxy, self.timeout = proxy, timeout

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return call(self.proxy, method, self.timeout, *args, **kwargs)

    # --- answered by every service (services/common/base.py) -----------------------------------

    def health(self, timeout: float | None = None) -> dict[str, Any]:
        return call(self.proxy, "health", self.timeout if timeout is None else timeout)

    def list_dead_letters(self, event_type: str | None = None, limit: int = 100,
                          after_id: int = 0) -> list[dict[str, Any]]:
        return self._call("list_dead_letters", event_type, limit, after_id)

    def replay_dead_letters(self, ids: list[int] | None = None, event_type: str | None = None) -> int:
        return self._call("replay_dead_letters", ids, event_type)

    def event_history(self, after_id: int = 0, types: list[str] | None = None,
                      limit: int = 100) -> list[dict[str, Any]]:
        return self._call("event_history", after_id, types, limit)


class Client(RpcProxy):
    """`units = Client(UnitsClient)` on the service class: each worker gets a UnitsClient over
    nameko's proxy, with the deadline of config GATEWAY.RPC_TIMEOUT_SECONDS."""

    def __init__(self, client_class: type[ServiceClient], **options: Any):
        super().__init__(client_class.service_name, **options)
        self.client_class = client_class

    def setup(self) -> None:
        gateway = self.container.config.get("GATEWAY") or {}
        self.timeout = float(gateway.get("RPC_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))

    def get_dependency(self, worker_ctx) -> ServiceClient:
        return self.client_class(super().get_dependency(worker_ctx), self.timeout)
