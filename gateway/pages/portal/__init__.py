"""The public portal (templates at the top of gateway/templates): the county home, units,
items, plans and models, feedback and its tracking (rating and reopening with the PIN), reports of public answers, and the units' posters and QR codes."""
from .feedback import PortalFeedbackRoutes
from .posters import PosterRoutes
from .public import PortalRoutes
from .reports import PortalAnswerReports
from .tracking import PortalTrackingActions


class PortalPages(PortalRoutes, PortalFeedbackRoutes, PortalTrackingActions, PortalAnswerReports, PosterRoutes):
    """Every page of the portal."""
