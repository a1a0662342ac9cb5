"""Alembic migrations, one history per service, applied by `make run` and by the tests.

    python -m services.common.migrate units [--url URL]

Each service keeps its scripts in services/<name>/migrations/; their env.py calls
`run_env()` so the wiring is written once. On PostgreSQL the migrations of one database run
under an advisory lock held to the end of their transaction: replicas that start together
(each migrates before it serves) take turns, and the later ones find the schema at head.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from .config import database_url, load_config

SERVICES_DIR = Path(__file__).resolve().parents[1]
SERVICES_WITH_DATABASE = ("units", "disclosure", "feedback", "notify", "supervision")
MIGRATION_LOCK = 0x676B6D6967  # "gkmig": one advisory lock per database for its migrations


def alembic_config(service: str, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service: str, url: str | None = None, revision: str = "head") -> None:
    url = url or database_url(load_config(), service)
    command.upgrade(alembic_config(service, url), revision)


def run_env() -> None:
    """The body of every service's migrations/env.py (online mode only)."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":  # replicas starting together wait here, then
                # find the schema at head; a transaction lock, so it works through pgbouncer too
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.run_migrations()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Apply a service's database migrations.")
    parser.add_argument("services", nargs="*", default=list(SERVICES_WITH_DATABASE),
                        help="services to migrate (default: all)")
    parser.add_argument("--url", help="database URL (default: from config.yaml)")
    args = parser.parse_args()
    for service in args.services:
        if service not in SERVICES_WITH_DATABASE:
            parser.error(f"unknown service {service!r}; choose from {', '.join(SERVICES_WITH_DATABASE)}")
        upgrade(service, args.url)
        print(f"{service}: migrated to head")


if __name__ == "__main__":
    main()
