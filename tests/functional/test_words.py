"""English names of units (`name_en`) and template replies, as the API gives them to a page in English mode."""

from __future__ import annotations

import re

from chalicelib.domain.templates import REPLY_TEMPLATES
from tests.conftest import Api, deliver, officer_messages

KUNQU_EN = "Kundulun District Public Security Branch"


def test_units_posts_replies_and_the_timeline_carry_the_units_english_name(
    api: Api, directory: dict, aws: dict
) -> None:
    unit = {**directory["units"]["kunqu"], "name_en": KUNQU_EN}
    status, saved, _ = api.admin("PUT", "/admin/units/kunqu", unit)
    assert status == 200 and saved["name_en"] == KUNQU_EN
    units = {u["id"]: u for u in api.call("GET", "/units")[1]["units"]}
    assert units["kunqu"]["name_en"] == KUNQU_EN and "name_en" not in units["qingfu"]  # only where it is given

    resident = api.sign_in("13812345678")
    post = api.call(
        "POST",
        "/posts",
        {
            "board": "report",
            "type": "report",
            "title": "楼道里有人撬锁",
            "body": "昆区某小区三号楼",
            "district": "昆都仑区",
        },
        token=resident,
    )[1]
    deliver(api.client, aws)
    link = re.search(r"reply\.html#t=(\S+)", officer_messages("13900000003")[0]).group(1)
    session = api.call("POST", "/auth/link", {"token": link})[1]
    assert session["user"]["unit"]["name_en"] == KUNQU_EN
    template = dict(REPLY_TEMPLATES)["received"].replace("{unit}", "昆都仑区公安分局")
    answer = api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": template, "template": "received"}, token=session["token"]
    )[1]
    edited = api.call(
        "POST",
        f"/posts/{post['id']}/replies",
        {"body": template + "请稍候。", "template": "received"},
        token=session["token"],
    )[1]
    assert answer["template"] == "received" and "template" not in edited  # an edited template is the officer's own
    assert answer["author"]["unit"] == {"id": "kunqu", "name": "昆都仑区公安分局", "name_en": KUNQU_EN}

    detail = api.call("GET", f"/posts/{post['id']}")[1]
    assert detail["post"]["assigned_unit"]["name_en"] == KUNQU_EN
    assert [r.get("template") for r in detail["replies"]] == ["received", None]
    assert {e["unit"]["name_en"] for e in detail["timeline"] if e["kind"] in ("dispatched", "replied")} == {KUNQU_EN}


def test_a_citizen_cannot_mark_a_reply_as_a_template(api: Api, directory: dict) -> None:
    resident = api.sign_in("13812345679")
    post = api.call(
        "POST",
        "/posts",
        {"board": "qa", "type": "question", "title": "身份证丢了怎么补办", "body": "在外地丢的"},
        token=resident,
    )[1]
    text = dict(REPLY_TEMPLATES)["thanks"]
    status, reply, _ = api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": text, "template": "thanks"}, token=resident
    )
    assert status == 201 and "template" not in reply
