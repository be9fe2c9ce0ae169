"""Recognise wording of an emergency in progress (救命, 正在砍人…), which must also go to 110.

This is the one rule: the server marks urgent posts with it, and the page checks a draft with the same pattern,
served by `GET /emergency-rule` with the wording of the warning, so the two never disagree. The pattern uses only
syntax that Python's `re` and JavaScript's `RegExp` read alike (alternation, groups, negative lookahead).
"""

from __future__ import annotations

import re

# Words that name an emergency on their own.
_ALARMS = (
    "救命|救救|抢劫|打劫|着火|失火|起火|火灾|杀人|行凶|持刀|拿刀|砍人|捅人|绑架|劫持|被困|求救|跳楼|溺水|爆炸"
    "|有人打人|轻生|自杀|强奸"
)
# "正在" (in progress) counts only before a violent act: "正在办理手续", "正在打电话" or "正在抢票" do not.
_IN_PROGRESS = (
    r"正在(?:"
    r"打(?!电话|听|算|扫|印|车|的|针|工|游戏|疫苗|卡|包|折|字|球|牌|麻将|招呼|理|造|磨|开|量|探)"
    r"|砍|抢(?!购|票|红包|答|修|险|收|种|跑|救|先)|偷(?!偷|懒|听|看|笑|拍)"
    r"|追(?!剧|星|梦|求|问|加|更|讨|责|究|查|踪|赶|忆|溯)"
    r"|砸(?!钱|价)|撬(?!动)|殴打|行凶|闹事|纵火|烧(?!水|饭|菜|香|烤|纸|钱|制|录)"
    r"|跳(?!舞|绳|槽|伞|高|远|广场舞|操)|施暴|家暴)"
)
PATTERN = f"{_ALARMS}|{_IN_PROGRESS}"
_EMERGENCY = re.compile(PATTERN)

# The wording of the warning, in one place: the API returns it with urgent posts and serves it to the page.
CALL_110 = "紧急情况请立即拨打110"
WARNING = "您描述的可能是正在发生的紧急警情。网上发帖不能代替报警，请先拨打110。"


def reads_as_emergency(*texts: str) -> bool:
    """Tell whether any text reads like an emergency in progress."""
    return any(_EMERGENCY.search(text) for text in texts if text)
