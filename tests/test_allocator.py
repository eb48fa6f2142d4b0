"""keep_large_buffers: a freed multi-megabyte buffer stays in the process for the next one."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.allocator import MMAP_THRESHOLD, keep_large_buffers

# In a fresh interpreter: the resident pages just after a 16 MB buffer is freed, against
# just before it was (glibc's default unmaps it at once; tuned, its pages stay for reuse).
_PROBE = """
import sys
from conformance.allocator import keep_large_buffers
if sys.argv[1] == "tuned" and not keep_large_buffers():
    print("untunable")
    raise SystemExit
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1])
buf = b"x" * (16 * 1024 * 1024)
held = rss()
del buf
print(held - rss())
"""


def _freed_pages(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True)
    if out.stdout.strip() == "untunable":
        pytest.skip("not glibc: nothing to tune")
    return int(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator on Linux")
def test_a_freed_large_buffer_is_kept_for_the_next_one():
    pages = 16 * 1024 * 1024 // 4096
    tuned = _freed_pages("tuned")
    assert _freed_pages("default") > pages // 2   # handed back to the kernel at once
    assert tuned < pages // 8                     # kept in the heap
    assert 16 * 1024 * 1024 < MMAP_THRESHOLD


def test_elsewhere_it_changes_nothing(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_large_buffers() is False
