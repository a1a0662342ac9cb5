"""Feedback (意见建议) from party members and the public, with answer deadlines."""

from services.common.metrics import register_stored_gauges  # noqa: E402

from . import gauges  # noqa: E402

# feedback by status, town and kind; on time; satisfaction; moderation: read at each scrape
register_stored_gauges("feedback", gauges.gauges)
