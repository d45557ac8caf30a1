"""Password hashing with argon2id."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's first choice for argon2id (Password Storage Cheat Sheet): 19 MiB, 2 passes, one
# lane. The library's defaults (64 MiB, 3 passes, 4 lanes) cost about 120 ms of two cores
# per login on this kind of server, and a login queue forms behind them; these cost about
# 20 ms of one core. Hashes made with other costs are upgraded at the next login.
MEMORY_COST_KIB = 19_456
TIME_COST = 2
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, type=Type.ID
)

MIN_LENGTH = 10
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both answers take the same time.
    Made on first need, with the current costs: importing the core hashes nothing."""
    return _hasher.hash("maillage-timing-equaliser")


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
