"""Supervision (督促检查、考核排名、典型示范): the county office's inspections, rectifications,
scores, rankings, reports and model candidates, from facts learnt by events."""

from services.common.metrics import register_stored_gauges

from . import gauges

# open and overdue rectifications by town, inspections pending, scores by sector
register_stored_gauges("supervision", gauges.gauges)
