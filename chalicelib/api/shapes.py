"""The response models (responses.py) as routes and renderers name them: `out.Post`, loaded on first use, so
that pydantic stays out of `import app` (cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.lazy import lazy_module

if TYPE_CHECKING:
    from chalicelib.api import responses as out
else:
    out = lazy_module("chalicelib.api.responses")

__all__ = ["out"]
