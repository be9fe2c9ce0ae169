"""Effects that must happen once: claimed in the post's ledger, released if they fail, confirmed if they land."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.services.ports import NoticeLedger


def once(
    ledger: NoticeLedger, post_id: str, key: str, now: datetime, effect: Callable[[], object], stale_after: int = 60
) -> bool:
    """Carry out `effect` unless the ledger says it was (or is being) carried out under this key; False then.

    A failing effect gives its claim back (a retry takes it) and raises; one that lands is confirmed for good.
    """
    if not ledger.claim(post_id, key, now, stale_after=stale_after):
        return False
    try:
        effect()
    except Exception:
        ledger.release(post_id, key)
        raise
    ledger.confirm(post_id, key)
    return True
