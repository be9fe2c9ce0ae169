"""The seed's first story end to end: post → dispatch → link → official reply → SMS → resolve → rating."""

from __future__ import annotations

import json
import re

from chalicelib.services.dispatch import post_number
from tests.conftest import Api, deliver, officer_messages, sent_sms
from tests.posting import new_post


def test_a_tip_off_reaches_the_station_and_the_resident_hears_back(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    post = new_post(api, resident, title="捡到求救纸条", body="被困地址昆区锦泰驾校小区")
    assert post["status"] == "received"
    assert deliver(api.client, aws) == 1

    status, detail, _ = api.call("GET", f"/posts/{post['id']}")
    assert detail["post"]["status"] == "dispatched"
    assert detail["post"]["assigned_unit"] == {"id": "kunqu", "name": "昆都仑区公安分局"}
    assert [e["kind"] for e in detail["timeline"]] == ["received", "dispatched"]

    messages = officer_messages("13900000003")
    assert len(messages) == 1 and f"编号{post_number(post['id'])}" in messages[0]  # never the resident's title
    link = re.search(r"reply\.html#t=(\S+)", messages[0]).group(1)
    assert officer_messages("13900000004") == []  # another station's officer hears nothing

    status, session, _ = api.call("POST", "/auth/link", {"token": link})
    assert status == 200 and session["post_id"] == post["id"]
    assert session["user"]["title"] == "社区民警"
    assert session["user"]["unit"] == {"id": "kunqu", "name": "昆都仑区公安分局", "kind": "station"}
    officer = session["token"]
    status, reply, _ = api.call(
        "POST",
        f"/posts/{post['id']}/replies",
        {"body": "你好,该警情已收悉,昆都仑区公安分局正在处置,感谢您对24小时警局的关注", "template": "received"},
        token=officer,
    )
    assert status == 201 and reply["official"] is True
    assert reply["author"] == {
        "name": "王警官",
        "title": "社区民警",
        "unit": {"id": "kunqu", "name": "昆都仑区公安分局"},
    }
    deliver(api.client, aws)
    assert any("回复" in text for _, text in sent_sms("13812345678"))

    version = api.call("GET", f"/posts/{post['id']}")[1]["post"]["version"]
    status, resolved, _ = api.call(
        "POST", f"/posts/{post['id']}/status", {"status": "resolved", "version": version}, token=officer
    )
    assert status == 200 and resolved["status"] == "resolved"
    mine = api.call("GET", f"/posts/{post['id']}", token=resident)[1]["post"]
    assert mine["mine"] is True and mine["awaiting_feedback"] is True and mine["answered"] is True
    assert "mine" not in api.call("GET", f"/posts/{post['id']}")[1]["post"]
    unsatisfied = {"satisfied": False, "comment": "还没解决"}
    status, rated, _ = api.call("POST", f"/posts/{post['id']}/feedback", unsatisfied, token=resident)
    assert status == 200 and rated["status"] == "reopened"
    deliver(api.client, aws)
    assert len(officer_messages("13900000003")) == 2  # the unit is told again

    status, stats, _ = api.call("GET", "/stats")
    assert stats["overall"]["posts"] == 1 and stats["overall"]["assigned"] == 1
    assert stats["overall"]["official_replies"] == 1 and stats["overall"]["satisfaction"] == 0.0
    assert json.dumps(stats).count("kunqu") == 1


def test_the_bureau_sets_its_own_reply_templates(api: Api, directory: dict) -> None:
    defaults = api.call("GET", "/templates")[1]["templates"]
    assert defaults[0]["text"].startswith("你好，该警情已收悉，{unit}正在处置")
    mine = {"templates": [{"id": "got-it", "text": "收到,{unit}马上处理。"}]}
    assert api.call("PUT", "/admin/templates", mine)[0] == 401
    citizen = api.sign_in("13812345678")
    assert api.call("PUT", "/admin/templates", mine, token=citizen)[0] == 403
    assert (
        api.admin("PUT", "/admin/templates", {"templates": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]})[0]
        == 400
    )
    assert api.admin("PUT", "/admin/templates", mine)[0] == 200
    assert api.call("GET", "/templates")[1] == mine
