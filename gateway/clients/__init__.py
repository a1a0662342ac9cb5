"""One typed client per service: the only place in the gateway that names an RPC.

API routes and pages alike call `self.units.get_unit(code)`, `self.disclosure.get_item(actor,
item_id)`, ...: methods with named, typed parameters that build the call's arguments once. Each
client is a dependency of GatewayService (`units = Client(UnitsClient)`), calling with the
deadline of config GATEWAY.RPC_TIMEOUT_SECONDS; a service that does not answer in time is a 503.
tests/test_architecture.py fails when an RPC is named anywhere else."""
from .base import Actor, Client, ServiceClient
from .disclosure import DisclosureClient
from .feedback import FeedbackClient
from .notify import NotifyClient
from .supervision import SupervisionClient
from .units import UnitsClient

__all__ = ["Actor", "Client", "DisclosureClient", "FeedbackClient", "NotifyClient", "ServiceClient",
           "SupervisionClient", "UnitsClient"]
