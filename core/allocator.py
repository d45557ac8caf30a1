"""The C allocator of a worker: big blocks go back to the system once freed.

Each login hashes a password with argon2, which takes 19 MiB in one block (see
core/auth/passwords.py). glibc serves such a block with mmap and, once it is freed, raises
its mmap threshold to the block's size: from then on the next login's 19 MiB come from the
heap and stay resident after it, some 19 MB more per worker from its second login on
(bench/memory.py). Fixing the threshold at glibc's default (128 KiB) turns that adjustment off.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD_BYTES = 128 * 1024


def return_big_blocks() -> bool:
    """Fix glibc's mmap threshold; False where the C library has no ``mallopt`` (not glibc)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
