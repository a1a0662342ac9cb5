"""What every version of the 双随机 draw shares: how many units a share of the scope means,
and the least number of inspectors per unit."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from services.common.errors import InvalidInput, Unprocessable

MIN_INSPECTORS = 2


def sample_size(population: int, share: float, count: int | None) -> int:
    """At least `share` of the population (rounded up), or exactly `count` when given."""
    size = count if count is not None else max(1, math.ceil(population * share - 1e-9))
    if size > population:
        raise Unprocessable(f"抽取 {size} 个单位，但范围内只有 {population} 个：请缩小抽取数量或扩大范围",
                            {"fields": {"sample": ["larger than the population"]}})
    return size


def checked(population: list[str], pool: list[dict[str, Any]], inspectors_per_unit: int,
            belongs_under: Callable[[str | None, str], bool] | None) -> Callable[[str | None, str], bool]:
    """Refuse a draw the rules do not allow before it starts; the test of an inspector's own unit
    (by default only the same code counts)."""
    if not population:
        raise Unprocessable("抽查范围内没有单位", {"fields": {"sample": ["empty scope"]}})
    if inspectors_per_unit < MIN_INSPECTORS:
        raise InvalidInput(f"双随机抽查每个单位至少派 {MIN_INSPECTORS} 名检查人员")
    if len({p["username"] for p in pool}) < inspectors_per_unit:
        raise Unprocessable(f"检查人员名录只有 {len(pool)} 人，每个单位需要 {inspectors_per_unit} 人",
                            {"fields": {"inspectors": ["pool too small"]}})
    return belongs_under or (lambda inspector_unit, unit: inspector_unit == unit)
