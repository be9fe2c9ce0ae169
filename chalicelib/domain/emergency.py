"""Recognise wording of an emergency in progress (救命, 正在…), which must also go to 110."""

from __future__ import annotations

import re

_EMERGENCY = re.compile(
    r"救命|救救|抢劫|打劫|着火|失火|起火|火灾|杀人|行凶|持刀|砍人|绑架|劫持|被困|求救|跳楼|溺水|爆炸"
    r"|正在(?:打|砍|抢|偷|追|砸|撬|殴打|行凶|闹事|纵火|烧|跳|打架|施暴|家暴)"
)
CALL_110 = "紧急情况请立即拨打110"


def reads_as_emergency(*texts: str) -> bool:
    """Tell whether any text reads like an emergency in progress."""
    return any(_EMERGENCY.search(text) for text in texts if text)
