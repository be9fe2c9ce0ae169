"""The twelve boards (板块), the four post types and their first-response deadlines."""

from __future__ import annotations

from dataclasses import dataclass

POST_TYPES = ("report", "help", "publicity", "question")
POST_TYPE_NAMES = {"report": "举报", "help": "求助", "publicity": "宣传", "question": "问题"}
POLICE_ONLY_TYPES = frozenset({"publicity"})

# Minutes to the first official reply, by post type; None means no deadline.
FIRST_RESPONSE_MINUTES: dict[str, int | None] = {
    "report": 15,
    "help": 15,
    "question": 60,
    "publicity": None,
}


@dataclass(frozen=True)
class Board:
    """A board of the forum, with the post types it takes."""

    id: str
    name: str
    description: str
    post_types: tuple[str, ...] = POST_TYPES


_ALL = POST_TYPES
_PUBLICITY = ("publicity", "question", "report")

BOARDS: tuple[Board, ...] = (
    Board("report", "随手举报", "发现违法犯罪线索，随手举报，警方第一时间核查处置。", _ALL),
    Board("hukou", "包头户政", "户口迁移、身份证办理等户政业务咨询与求助。", _ALL),
    Board("exit-entry", "出入境", "护照、港澳台通行证等出入境证件办理咨询。", _ALL),
    Board("traffic", "包头交警", "交通违法举报、事故求助、驾驶证与车辆业务咨询。", _ALL),
    Board("anti-drug", "禁毒宣传", "禁毒知识宣传与涉毒线索举报。", _PUBLICITY),
    Board("anti-terror", "反恐宣传", "反恐防范知识宣传与可疑情况举报。", _PUBLICITY),
    Board("legal-education", "普法宣传", "法律法规宣传，以案说法。", _PUBLICITY),
    Board("online-lawyer", "网上律师", "律师在线解答法律问题。", ("question", "help", "publicity")),
    Board("legal-aid", "法律援助", "法律援助申请指引与求助。", ("help", "question", "publicity")),
    Board("environment", "环境保护", "环境污染、噪音扰民等问题的举报与咨询。", _ALL),
    Board("hometown", "他乡故知", "在外包头人的交流与求助。", ("help", "question", "publicity")),
    Board("qa", "问题解答", "其他各类涉警问题，民警在线解答。", _ALL),
)

BOARDS_BY_ID = {board.id: board for board in BOARDS}
