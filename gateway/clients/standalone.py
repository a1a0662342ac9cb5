"""Clients for a background thread of the gateway, which has no worker and so no RpcProxy
dependency: a connection of its own to the broker (nameko's ClusterRpcProxy), opened on the
first call and closed after a failure, so the next call opens a fresh one."""
from __future__ import annotations

from typing import Any

from nameko.standalone.rpc import ClusterRpcProxy

from .units import UnitsClient


class StandaloneClients:
    def __init__(self, config: dict[str, Any], timeout: float):
        self.config, self.timeout = config, timeout
        self._proxy: ClusterRpcProxy | None = None
        self._cluster: Any = None

    @property
    def units(self) -> UnitsClient:
        if self._proxy is None:
            self._proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
            self._cluster = self._proxy.start()
        return UnitsClient(self._cluster.units, self.timeout)

    def close(self) -> None:
        if self._proxy is not None:
            try:
                self._proxy.stop()
            except Exception:  # the connection is gone already
                pass
            self._proxy = None
