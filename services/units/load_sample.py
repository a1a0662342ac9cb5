"""Load the sample county (data/county_units.csv) into the units database.

    python -m services.units.load_sample [path.csv]

Re-running it changes nothing. The running units service publishes the events.
"""
from __future__ import annotations

import sys
from pathlib import Path

from services.common.db import standalone_unit_of_work

from . import registry


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else registry.SAMPLE_COUNTY
    uow = standalone_unit_of_work("units")
    try:
        counts = registry.register_rows(uow, registry.validate_rows(registry.read_registry_csv(path)))
        uow.commit()
    finally:
        uow.close()
    print(f"units: {counts['registered']} registered, {counts['updated']} updated, "
          f"{counts['unchanged']} unchanged from {path.name}")


if __name__ == "__main__":
    main()
