"""Load the sample county (data/county_units.csv) into the units database.

    python -m services.units.load_sample [path.csv|path.xlsx]

It goes through the same checks as an upload; re-running it changes nothing. The running
units service publishes the events.
"""
from __future__ import annotations

import sys
from pathlib import Path

from services.common.db import standalone_unit_of_work

from . import registry_files

SAMPLE_COUNTY = Path(__file__).resolve().parents[2] / "data" / "county_units.csv"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE_COUNTY
    uow = standalone_unit_of_work("units")
    try:
        report = registry_files.import_file(uow, "registry-import", path.name, path.read_bytes(), apply=True)
        if report["problems"]:
            for problem in report["problems"]:
                print(f"row {problem['row']}, {problem['column'] or '-'}: {problem['problem']}", file=sys.stderr)
            sys.exit(f"{path.name}: {len(report['problems'])} problem(s); nothing was loaded")
        uow.commit()
    finally:
        uow.close()
    print(f"units: {report['registered']} registered, {report['updated']} updated, "
          f"{report['unchanged']} unchanged from {path.name}")


if __name__ == "__main__":
    main()
