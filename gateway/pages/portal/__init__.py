"""The public portal (templates at the top of gateway/templates): the county home, towns and
agencies with their units, the unit search, units, items, plans and models, feedback and its tracking (rating and
reopening with the PIN), reports of public answers, the units' posters and QR codes, an item's own QR notice, the
长辈版 switch, the full-text search, the favicon and robots.txt, the 双随机 draws' public record, 公开榜 (record.py)
and the office's issued reports (bulletins.py)."""
from .bulletins import PortalBulletins
from .display import PortalDisplay
from .draws import PortalDraws
from .feedback import PortalFeedbackRoutes
from .posters import PosterRoutes
from .notices import PortalNotices
from .public import PortalRoutes
from .record import PortalRecord
from .reports import PortalAnswerReports
from .search import PortalSearch
from .towns import PortalTowns
from .tracking import PortalTrackingActions


class PortalPages(PortalRoutes, PortalFeedbackRoutes, PortalTrackingActions, PortalAnswerReports, PosterRoutes,
                  PortalTowns, PortalDisplay, PortalNotices, PortalDraws, PortalSearch, PortalRecord, PortalBulletins):
    """Every page of the portal."""
