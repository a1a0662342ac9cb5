"""Notifications to the officials responsible: rules, channels, deliveries and their
outcomes; subscribers' webhooks."""

from services.common.metrics import register_stored_gauges

from . import gauges

# deliveries by channel and status, the oldest due delivery's wait, webhooks disabled
register_stored_gauges("notify", gauges.gauges)
