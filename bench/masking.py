"""How long masking takes on the longest post body, full of disguised numbers: a goal of `make bench`."""

from __future__ import annotations

import timeit

from bench.report import Goal
from chalicelib.domain.masking import mask_text

GOAL_MS = 10.0


def long_body() -> str:
    """A 5,000-character body that ends with disguised numbers, as a careless resident might write one."""
    body = ("我在东河区丢了钱包，请好心人联系我。" * 150)[:4900]
    return body + "电话138\u200b1234\u200b5678，身份证110105.19491231.002X，备用0086 139 1234 5678"


def measure() -> Goal:
    """Mask the long body repeatedly and judge the best mean time per body against the goal."""
    body = long_body()
    best = min(timeit.repeat(lambda: mask_text(body), number=5, repeat=5)) / 5 * 1000
    return Goal("masking a 5,000-character body", best < GOAL_MS, f"{best:.2f} ms (goal < {GOAL_MS:.0f} ms)")
