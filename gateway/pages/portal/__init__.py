"""The public portal (templates at the top of gateway/templates): the county home, units,
items, plans and models, feedback and its tracking (rating and reopening with the PIN), reports of public answers, the units' posters and QR codes, and the
双随机 draws' public record."""
from .draws import PortalDraws
from .feedback import PortalFeedbackRoutes
from .posters import PosterRoutes
from .public import PortalRoutes
from .reports import PortalAnswerReports
from .tracking import PortalTrackingActions


class PortalPages(PortalRoutes, PortalFeedbackRoutes, PortalTrackingActions, PortalAnswerReports, PosterRoutes,
                  PortalDraws):
    """Every page of the portal."""
