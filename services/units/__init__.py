"""The registry of the county's Party organisations (党组织), their officials and accounts."""

from services.common.metrics import register_stored_gauges  # noqa: E402

from . import lockout  # noqa: E402

# accounts locked after wrong passwords, read from the database at each scrape
register_stored_gauges("units", lockout.gauges)
