"""Keep freed multi-megabyte buffers in the process instead of handing them back (glibc).

A run builds, checks, sends, parses and stores 5 MB uploads at every version, and its
reports are tens of megabytes of text.  glibc's malloc serves each buffer over its mmap
threshold with a mapping of its own and unmaps it when it is freed, so the next one is
faulted in again page by page: a 7 MB upload cost 69 ms on its way through the suite and
the in-process server, 28 ms with the buffers reused, and a main job spent a second of
system time on it.  Raising the threshold (and the heap's trim threshold with it) lets
freed buffers be reused; a run's peak memory stays what its largest buffers needed.

For a run's processes only (the plugin's, and the embedded server hosts that live as long
as the run): a long-running ``serve`` keeps glibc's defaults, since each of its request
threads' heaps would hold on to as much.  Elsewhere (another C library, another system)
nothing changes and nothing fails.
"""
from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_large_buffers", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

_M_TRIM_THRESHOLD = -1   # glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024    # the largest value glibc documents for 64-bit systems
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what glibc's own dynamic threshold would pair with it


def keep_large_buffers() -> bool:
    """Tune this process's allocator; True when it took (glibc on Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt   # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # the trim threshold first: alone it is harmless, and the mmap one only follows it
    return mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
