"""Many callers at once: threads released together by one barrier, as concurrent requests arrive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def all_at_once(count: int, work: Callable[[int], Any], timeout: float = 60) -> list[Any]:
    """Run `work(i)` in `count` threads released together; return each result or exception."""
    gate = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        gate.wait()
        try:
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - the test inspects what each caller got
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
