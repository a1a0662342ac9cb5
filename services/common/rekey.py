"""Key rotation: re-encrypt every sealed value of a service's database under the current key.

    python -m services.common.rekey [units feedback notify ...] [--url URL] [--batch 500]

Rotate by adding a new key to the key file and making it `current` (the old one stays, so its
values still open), run this for every service, then mark the old key `"expired": true`.
Resumable: a value already under the current key is left alone, one batch is one transaction.
A value sealed under a key that is unknown or expired stops the run before anything changes
(exit status 2). The sealed columns are those the service's models declare `Sealed`.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time

import sqlalchemy as sa

from . import crypto, sealing
from .config import database_url, load_config
from .migrate import SERVICES_WITH_DATABASE


def sealed_columns(service: str) -> dict[str, dict[str, str]]:
    """{table: {column: sealing context}} of the columns the service's models seal."""
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    found: dict[str, dict[str, str]] = {}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, crypto.Sealed):
                found.setdefault(table.name, {})[column.name] = column.type.column
    return found


def rekey_service(service: str, url: str, batch: int = sealing.BATCH) -> sealing.Rekeyed:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return sealing.rekey(engine, sealed_columns(service), batch)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-encrypt personal data under the current key (key rotation).")
    parser.add_argument("services", nargs="*", help="services (default: every one whose models seal a column)")
    parser.add_argument("--url", help="database URL (one service only; default: from config.yaml)")
    parser.add_argument("--batch", type=int, default=sealing.BATCH, help="rows per transaction")
    args = parser.parse_args(argv)
    services = args.services or [s for s in SERVICES_WITH_DATABASE if sealed_columns(s)]
    if args.url and len(services) != 1:
        parser.error("--url names one service's database: name that service")
    try:
        crypto.check()
    except crypto.CipherUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2
    config = load_config()
    for service in services:
        started = time.monotonic()
        try:
            done = rekey_service(service, args.url or database_url(config, service), args.batch)
        except crypto.KeyUnavailable as exc:
            print(f"{service}: {exc} / refused: a value is sealed under an unknown or expired key "
                  f"{', '.join(exc.details.get('key_ids', []))}; nothing was changed", file=sys.stderr)
            return 2
        found = ", ".join(f"{kid} {n}" for kid, n in sorted(done.found.items())) or "none"
        print(f"{service}: 重新加密 {done.rekeyed} 项，加密明文 {done.plaintext} 项（{done.batches} 批，"
              f"{time.monotonic() - started:.1f} 秒）/ re-encrypted {done.rekeyed}, sealed {done.plaintext} plaintext; "
              f"found before: {found}; current key {crypto.sealer().current}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
