"""The public portal (templates at the top of gateway/templates): the county home, units,
items, plans and models, feedback and its tracking, and the units' posters and QR codes."""
from .feedback import PortalFeedbackRoutes
from .posters import PosterRoutes
from .public import PortalRoutes


class PortalPages(PortalRoutes, PortalFeedbackRoutes, PosterRoutes):
    """Every page of the portal."""
