"""The first 双随机 draw (python-random-v1), kept only to re-run the inspections drawn with it:
their stored algorithm name says so. New draws use services/supervision/draw.py
(hmac-sha256-v1), which does not depend on Python's random module."""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from services.common.errors import Unprocessable

from .draw_rules import MIN_INSPECTORS, checked, sample_size

ALGORITHM = "python-random-v1: sorted population, Random(seed).sample(units), then sample(pool) per unit"


def draw(population: list[str], pool: list[dict[str, Any]], seed: int, share: float = 0.05,
         count: int | None = None, inspectors_per_unit: int = MIN_INSPECTORS,
         belongs_under: Callable[[str | None, str], bool] | None = None) -> dict[str, Any]:
    """{"units": [...], "assignments": {unit: [usernames]}, "inspectors": [...]}.

    `belongs_under(inspector_unit, unit)` says whether the unit is the inspector's own (or
    below it); by default only the same code counts."""
    own = checked(population, pool, inspectors_per_unit, belongs_under)
    rng = random.Random(int(seed))
    units = sorted(rng.sample(sorted(population), sample_size(len(population), share, count)))
    members = sorted(pool, key=lambda p: p["username"])
    assignments: dict[str, list[str]] = {}
    for unit in units:
        eligible = [p["username"] for p in members if not (p.get("unit_code") and own(p["unit_code"], unit))]
        if len(eligible) < inspectors_per_unit:
            raise Unprocessable(f"单位 {unit} 可派的检查人员不足 {inspectors_per_unit} 人（本单位人员须回避）",
                                {"fields": {"inspectors": [f"too few for {unit}"]}})
        assignments[unit] = sorted(rng.sample(eligible, inspectors_per_unit))
    inspectors = sorted({name for names in assignments.values() for name in names})
    return {"units": units, "assignments": assignments, "inspectors": inspectors}
