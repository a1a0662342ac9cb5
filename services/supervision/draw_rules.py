"""What every version of the 双随机 draw shares: how many units a share of the scope means,
and the least number of inspectors per unit."""
from __future__ import annotations

import math

from services.common.errors import Unprocessable

MIN_INSPECTORS = 2


def sample_size(population: int, share: float, count: int | None) -> int:
    """At least `share` of the population (rounded up), or exactly `count` when given."""
    size = count if count is not None else max(1, math.ceil(population * share - 1e-9))
    if size > population:
        raise Unprocessable(f"抽取 {size} 个单位，但范围内只有 {population} 个：请缩小抽取数量或扩大范围",
                            {"fields": {"sample": ["larger than the population"]}})
    return size
