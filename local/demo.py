"""The demo directory, drawn from the seed story: units, officers, routing rules, notices."""

from __future__ import annotations

from typing import Any

CC = "command-center"
ADMIN_PHONE = "13900000003"


def _unit(uid: str, name: str, kind: str, parent: str | None = CC, **extra: str) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": uid, "name": name, "kind": kind, **extra}
    if parent:
        unit["parent_id"] = parent
    return unit


def _officer(
    oid: str, name: str, title: str, nn: str, unit_id: str, role: str = "officer", **extra: str
) -> dict[str, Any]:
    phone = f"139000000{nn}"
    return {
        "id": oid,
        "name": name,
        "title": title,
        "phone": phone,
        "unit_id": unit_id,
        "role": role,
        "on_duty": True,
        **extra,
    }


_UNITS: tuple[dict[str, Any], ...] = (
    _unit(CC, "包头市公安局指挥中心", "command_center", None, public_contact="指挥中心值班室 0472-5110110"),
    _unit("kun-branch", "昆都仑区公安分局", "station", district="昆都仑区"),
    _unit("qingshan-branch", "青山区公安分局", "station", district="青山区"),
    _unit("fangzhidao-station", "青山区纺织道派出所", "station", "qingshan-branch", district="青山区"),
    _unit("donghe-branch", "东河区公安分局", "station", district="东河区"),
    _unit("qingfu-station", "东河区青福派出所", "station", "donghe-branch", district="东河区"),
    _unit("hukou", "户政管理处", "department"),
    _unit("exit-entry", "出入境管理科", "department", public_contact="出入境接待大厅 0472-5110120"),
    _unit("traffic", "交警支队", "brigade"),
    _unit("anti-drug", "禁毒支队", "brigade"),
    _unit("anti-terror", "反恐怖支队", "brigade"),
    _unit("legal", "法制支队", "brigade"),
    _unit("environment", "食品药品环境犯罪侦查支队", "brigade"),
)

# English names the page shows in English mode (a bureau gives its own through PUT /admin/units/{id}).
NAMES_EN = {
    CC: "Baotou Public Security Bureau Command Center",
    "kun-branch": "Kundulun District Public Security Branch",
    "qingshan-branch": "Qingshan District Public Security Branch",
    "fangzhidao-station": "Fangzhidao Police Station, Qingshan",
    "donghe-branch": "Donghe District Public Security Branch",
    "qingfu-station": "Qingfu Police Station, Donghe",
    "hukou": "Household Registration Office",
    "exit-entry": "Exit and Entry Administration",
    "traffic": "Traffic Police Detachment",
    "anti-drug": "Anti-Drug Detachment",
    "anti-terror": "Counter-Terrorism Detachment",
    "legal": "Legal Affairs Detachment",
    "environment": "Food, Drug and Environmental Crime Investigation Detachment",
}
UNITS: tuple[dict[str, Any], ...] = tuple({**unit, "name_en": NAMES_EN[unit["id"]]} for unit in _UNITS)

OFFICERS: tuple[dict[str, Any], ...] = (
    _officer(
        "han-lijun",
        "韩立军",
        "局长",
        "01",
        CC,
        "leader",
        email="han.lijun@police24.example",
        public_contact="局长信箱 jzxx@police24.example",
    ),
    _officer("sun-hongwei", "孙宏伟", "指挥中心大队长", "02", CC, "leader"),
    _officer("gao-jiayi", "高嘉怡", "平台管理员", ADMIN_PHONE[-2:], CC, "admin", email="gao.jiayi@police24.example"),
    _officer("wang-haifeng", "王海峰", "副局长", "11", "kun-branch", "leader"),
    _officer("li-xiaodong", "李晓东", "值班民警", "12", "kun-branch", email="li.xiaodong@police24.example"),
    _officer("ma-jun", "马俊", "值班民警", "21", "qingshan-branch"),
    _officer(
        "liu-jianguo",
        "刘建国",
        "所长",
        "22",
        "fangzhidao-station",
        "leader",
        public_contact="纺织道派出所 0472-5110131",
    ),
    _officer("zhang-lei", "张磊", "社区民警", "23", "fangzhidao-station"),
    _officer("zhou-ting", "周婷", "值班民警", "31", "donghe-branch"),
    _officer("chen-jing", "陈静", "户籍民警", "32", "qingfu-station"),
    _officer("yang-fan", "杨帆", "户政民警", "41", "hukou"),
    _officer("wu-min", "吴敏", "出入境民警", "42", "exit-entry"),
    _officer("guo-qiang", "郭强", "交警", "51", "traffic"),
    _officer("he-wei", "何伟", "禁毒民警", "52", "anti-drug"),
    _officer("tian-yu", "田宇", "反恐民警", "53", "anti-terror"),
    _officer("luo-na", "罗娜", "法制民警", "54", "legal"),
    _officer("song-bo", "宋博", "环境犯罪侦查民警", "55", "environment"),
)

ROUTING: dict[str, Any] = {
    "rules": [
        {"board": "report", "district": "昆都仑区", "unit_id": "kun-branch"},
        {"board": "report", "district": "青山区", "unit_id": "qingshan-branch"},
        {"board": "report", "district": "东河区", "unit_id": "donghe-branch"},
        {"board": "environment", "district": "青山区", "unit_id": "fangzhidao-station"},
        {"board": "hukou", "unit_id": "hukou"},
        {"board": "hukou", "district": "东河区", "unit_id": "qingfu-station"},
        {"board": "exit-entry", "unit_id": "exit-entry"},
        {"board": "traffic", "unit_id": "traffic"},
        {"board": "anti-drug", "unit_id": "anti-drug"},
        {"board": "anti-terror", "unit_id": "anti-terror"},
        {"board": "legal-education", "unit_id": "legal"},
        {"board": "online-lawyer", "unit_id": "legal"},
        {"board": "legal-aid", "unit_id": "legal"},
        {"board": "environment", "unit_id": "environment"},
    ],
    "default_unit_id": CC,
}

# (pin scope, board, title, body) of the publicity notices the admin officer posts and pins.
NOTICES: tuple[tuple[str, str, str, str], ...] = (
    (
        "global",
        "qa",
        "欢迎来到包头24小时警局",
        "这里是包头市公安局的网上警民互动平台，全天24小时在线。您可以随手举报违法线索、求助、"
        "咨询公安业务，民警实名、实时回复，每一步处置都在帖子下公开。紧急警情请直接拨打110。"
        "发帖时请勿公开他人的身份证号、手机号等个人信息。",
    ),
    (
        "board",
        "anti-drug",
        "珍爱生命 远离毒品",
        "毒品危害身心健康，破坏家庭幸福。发现涉毒线索，可在本板块或“随手举报”发帖，也可拨打110举报，警方依法为举报人保密。",
    ),
)
