"""tests/unit/services.py binds the production bootstrap to fakes only: no adapter that would reach AWS."""

from __future__ import annotations

import inspect
from typing import Any

from chalicelib import bootstrap
from tests.unit.services import fake_ports, station

# The adapters bootstrap builds whatever it is given: metrics lines on stdout, switched off outside Lambda.
ALWAYS_BUILT = {"chalicelib.adapters.metrics"}


def reachable(root: Any, depth: int = 5) -> list[Any]:
    """Every object reachable from `root` through instance attributes, lists and dicts (up to `depth` hops)."""
    seen: dict[int, Any] = {}
    frontier = [root]
    for _ in range(depth):
        following = []
        for item in frontier:
            if id(item) in seen or isinstance(item, str | bytes | int | float | bool | type(None)):
                continue
            seen[id(item)] = item
            if isinstance(item, dict):
                following += [*item.keys(), *item.values()]
            elif isinstance(item, list | tuple | set | frozenset):
                following += list(item)
            elif hasattr(item, "__dict__") and not inspect.ismodule(item) and not inspect.isroutine(item):
                following += list(vars(item).values())
        frontier = following
    return list(seen.values())


def test_the_services_built_on_fakes_hold_no_aws_adapter() -> None:
    svc = station().svc

    adapters = {
        f"{type(item).__module__}.{type(item).__name__}"
        for item in reachable(svc)
        if type(item).__module__.startswith("chalicelib.adapters") and type(item).__module__ not in ALWAYS_BUILT
    }

    assert adapters == set()


def test_every_port_the_bootstrap_takes_by_keyword_is_given_a_fake() -> None:
    declared = {
        name
        for name, parameter in inspect.signature(bootstrap.build).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    }
    # Today's bootstrap takes `**overrides`; once its ports are named keyword parameters, each needs a fake here
    # and each fake must name one of them (a fake under an old name would be left out, the real adapter built).
    if declared:
        assert set(fake_ports()) == declared
