#!/usr/bin/env python3
"""Recompute a published 双随机 draw (algorithm hmac-sha256-v1, docs/draw.md) from its public
record, with the Python standard library only:

    python3 scripts/verify_draw.py draw.json            # the JSON the portal's draw page links
    python3 scripts/verify_draw.py https://…/draws/7.json

It checks that the seed matches the commitment published before the draw, recomputes the units
and each unit's inspectors from the seed and the registers, and compares them with the published
result. Exit status 0 when everything matches, 1 otherwise."""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import sys
import urllib.request

ALGORITHM = "hmac-sha256-v1"


def rank(seed: bytes, message: str) -> str:
    return hmac.new(seed, message.encode("utf-8"), hashlib.sha256).hexdigest()


def sample_size(population: int, share: float, count: int | None) -> int:
    return count if count is not None else max(1, math.ceil(population * share - 1e-9))


def recompute(record: dict) -> dict:
    """{"units": [...], "assignments": {unit: [usernames]}} from the published seed and registers."""
    seed = bytes.fromhex(record["seed"])
    population = sorted(set(record["population"]))
    size = sample_size(len(population), record["share"], record["count"])
    units = sorted(population, key=lambda code: (rank(seed, code), code))[:size]
    members = {p["username"]: p.get("unit_code") for p in record["pool"]}
    assignments = {}
    for unit in units:
        above = record["chains"].get(unit, [unit])  # the unit and every unit above it
        ordered = sorted(members, key=lambda name: (rank(seed, f"{unit}:{name}"), name))
        eligible = [name for name in ordered if not (members[name] and members[name] in above)]
        assignments[unit] = eligible[:record["inspectors_per_unit"]]
    return {"units": units, "assignments": assignments}


def check(record: dict) -> list[str]:
    """The differences found; empty when the published draw is what the algorithm gives."""
    if record.get("algorithm") != ALGORITHM:
        return [f"algorithm {record.get('algorithm')!r} is not {ALGORITHM}"]
    if not record.get("seed"):
        return [f"not drawn yet ({record.get('status')}): the seed is revealed by the draw"]
    problems = []
    if hashlib.sha256(bytes.fromhex(record["seed"])).hexdigest() != record.get("commitment"):
        problems.append("the seed does not match the published commitment (SHA-256)")
    again = recompute(record)
    if again["units"] != record["units"]:
        problems.append(f"units: published {record['units']}, recomputed {again['units']}")
    for unit in again["units"]:
        if again["assignments"][unit] != record["assignments"].get(unit):
            problems.append(f"inspectors of {unit}: published {record['assignments'].get(unit)}, "
                            f"recomputed {again['assignments'][unit]}")
    return problems


def load(source: str) -> dict:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as answer:
            return json.load(answer)
    with open(source, encoding="utf-8") as file:
        return json.load(file)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(load(argv[1]))
    for problem in problems:
        print("MISMATCH:", problem)
    if not problems:
        print("OK: the seed matches its commitment and the draw recomputes to the published result")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
