"""Disclosure (党务公开): catalogue, plans, obligations, items and their workflow, inspections."""

from services.common.metrics import register_stored_gauges  # noqa: E402

from . import calendar, progress  # noqa: E402
from . import learning_models  # noqa: E402,F401  its tables join models.Base wherever the package is imported

# obligations by status, sector and town, read from the database at each scrape
register_stored_gauges("disclosure", progress.gauges)
# 1 from 1 November while next year's holiday arrangement is unknown
register_stored_gauges("disclosure", calendar.gauges)
