"""The units rule tests hash passwords with Argon2 as the service does, at its lowest cost:
the tests check which password is taken, refused or kept, not how long a guess takes, and the
service's default cost (services/units/accounts.py `hasher`) is what production runs (the test
clusters' PASSWORD_HASH_COST=test, refused in production, lowers it there as here)."""
import pytest
from argon2 import PasswordHasher

from services.units import accounts

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    monkeypatch.setattr(accounts, "hasher", CHEAP)
