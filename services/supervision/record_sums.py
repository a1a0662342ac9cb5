"""What an inspection record keeps beside its scores, for the scores to read without going
through every criterion (models.InspectionRecord keeps it; a migration filled it for the records
made before)."""
from __future__ import annotations

from typing import Any


def dimension_sums(scores: list[dict[str, Any]]) -> dict[str, float]:
    """dimension → the sum of its criteria's scores, added in the order they are listed."""
    sums: dict[str, float] = {}
    for score in scores:
        sums[score["dimension"]] = sums.get(score["dimension"], 0.0) + float(score["score"])
    return sums
