"""The base of the domain's value objects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Value(BaseModel):
    """An immutable value: equal by its fields, never changed in place (a change is a copy)."""

    model_config = ConfigDict(frozen=True)
