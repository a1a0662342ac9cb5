"""The JSON API (/api/v1/...), one module per resource; `ApiRoutes` combines them for GatewayService.

API modules call the services through gateway/clients only and share nothing with the pages but
gateway-level modules (policy, errors, params, schemas, vocabulary)."""
from .accounts import AccountRoutes
from .audit import AuditRoutes
from .auth import AuthRoutes
from .calendar import CalendarRoutes
from .draws import DrawRoutes
from .disclosure import DisclosureRoutes
from .events import EventRoutes
from .inspections import InspectionRoutes
from .learning import LearningRoutes
from .feedback import FeedbackRoutes
from .notify import NotifyRoutes
from .operations import OperationRoutes
from .search import SearchRoutes
from .supervision import SupervisionRoutes
from .units import UnitRoutes


class ApiRoutes(AuthRoutes, UnitRoutes, DisclosureRoutes, EventRoutes, NotifyRoutes, AuditRoutes, FeedbackRoutes,
                AccountRoutes, InspectionRoutes, SupervisionRoutes, OperationRoutes, CalendarRoutes,
                SearchRoutes, DrawRoutes, LearningRoutes):
    """Every route of the JSON API."""
