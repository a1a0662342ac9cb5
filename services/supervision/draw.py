"""The 双随机 draw of a random inspection, algorithm `hmac-sha256-v1` (docs/draw.md).

The system makes the seed (32 random bytes from `secrets`; nobody, the planner included, can
choose it) and publishes its SHA-256, the commitment, before the draw; the seed itself is
revealed with the result, so anyone can recompute the draw (scripts/verify_draw.py):

1. Units: every unit code of the scope, ordered by HMAC-SHA-256(key=seed, message=code)
   (lowercase hex, ascending; ties broken by the code), the first n taken.
2. Inspectors: for each drawn unit in that order, every inspector of the register ordered by
   HMAC-SHA-256(key=seed, message=unit code + ":" + username), skipping those recused (the
   inspector's own unit is the drawn unit or above it), the first k taken.

Messages are UTF-8. Inspections drawn with the first algorithm (python-random-v1) are re-run
with it (draw_legacy); their stored algorithm name says which."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from services.common.errors import Unprocessable

from . import draw_legacy
from .draw_rules import MIN_INSPECTORS, checked, sample_size

ALGORITHM = "hmac-sha256-v1"
SEED_BYTES = 32


def new_seed() -> str:
    """A fresh seed, 32 random bytes as lowercase hex."""
    return secrets.token_hex(SEED_BYTES)


def commitment(seed: str) -> str:
    """SHA-256 of the seed's bytes, published before the draw."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def rank(seed: str, message: str) -> str:
    return hmac.new(bytes.fromhex(seed), message.encode("utf-8"), hashlib.sha256).hexdigest()


def draw(population: list[str], pool: list[dict[str, Any]], seed: str, share: float = 0.05,
         count: int | None = None, inspectors_per_unit: int = MIN_INSPECTORS,
         belongs_under: Callable[[str | None, str], bool] | None = None) -> dict[str, Any]:
    """{"units": [...in draw order], "assignments": {unit: [usernames in draw order]}, "inspectors": [...]}.

    `belongs_under(inspector_unit, unit)` says whether the unit is the inspector's own (or
    below it); by default only the same code counts."""
    own = checked(population, pool, inspectors_per_unit, belongs_under)
    size = sample_size(len(set(population)), share, count)
    units = sorted(set(population), key=lambda code: (rank(seed, code), code))[:size]
    members = {p["username"]: p.get("unit_code") for p in pool}
    assignments: dict[str, list[str]] = {}
    for unit in units:
        ordered = sorted(members, key=lambda name: (rank(seed, f"{unit}:{name}"), name))
        eligible = [name for name in ordered if not (members[name] and own(members[name], unit))]
        if len(eligible) < inspectors_per_unit:
            raise Unprocessable(f"单位 {unit} 可派的检查人员不足 {inspectors_per_unit} 人（本单位及上级单位人员须回避）",
                                {"fields": {"inspectors": [f"too few for {unit}"]}})
        assignments[unit] = eligible[:inspectors_per_unit]
    inspectors = sorted({name for names in assignments.values() for name in names})
    return {"units": units, "assignments": assignments, "inspectors": inspectors}


def rerun(algorithm: str, population: list[str], pool: list[dict[str, Any]], seed: str | int, share: float,
          count: int | None, inspectors_per_unit: int,
          belongs_under: Callable[[str | None, str], bool]) -> dict[str, Any]:
    """The draw again with the algorithm it was made with."""
    if algorithm == ALGORITHM:
        return draw(population, pool, str(seed), share, count, inspectors_per_unit, belongs_under)
    if algorithm == draw_legacy.ALGORITHM:
        return draw_legacy.draw(population, pool, int(seed), share, count, inspectors_per_unit, belongs_under)
    raise Unprocessable(f"未知的抽签算法：{algorithm}")
