"""The blueprints of the HTTP API, each route declared once with its operation (operation.py)."""

from __future__ import annotations

import os

from chalice.app import Blueprint


def blueprints() -> list[Blueprint]:
    """Return the API's blueprints; the local outbox only on the local and test stages."""
    from chalicelib.api import (
        admin,
        cad,
        figures,
        forum,
        identity,
        lifecycle,
        mfa,
        open311,
        openapi,
        photos,
        review,
        wechat,
        work,
    )

    found = [identity.bp, wechat.bp, forum.bp, admin.bp, lifecycle.bp, figures.bp, cad.bp, openapi.bp, open311.bp]
    found += [mfa.bp, review.bp, work.bp, photos.bp]
    if os.environ.get("STAGE", "local") in ("local", "test"):
        from chalicelib.api import dev

        found.append(dev.bp)
    return found
