"""The authorization matrix (OWASP API1): every route × every kind of caller.

Each cell is either allowed (its documented success) or refused with 401, 403 or 404, and nothing the caller
may not see leaks: the police-only tip, the unmasked numbers and the hidden post never appear in what an
outsider gets, and `/me/posts` lists the caller's own posts only. Every answer is also held to the OpenAPI
description (its status documented, its body of the documented shape).

One stack for the module (tests/functional/conftest.py): refused cells share their targets, since a refusal
changes nothing; allowed cells that change a post get a post of their own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from app import app
from tests.conftest import DIRECTORY, deliver, last_code, officer_messages
from tests.functional.conftest import PERSONAS, ROLES, World
from tests.functional.contract import Contract

LINK = "link_other"  # an officer's notification-link session, for another post than the one acted on
MATRIX_ROLES = (*ROLES, LINK)
PEOPLE = tuple(role for role in MATRIX_ROLES if role not in ("anonymous", "admin_key"))
POLICE = ("unit_officer", "other_unit_officer", "center_officer", "leader", "admin_officer")
OUTSIDERS = ("anonymous", "other_citizen", LINK, "admin_key")  # neither the author nor police on the post

SECRET_TITLE, SECRET_BODY = "线索:北沙梁有人制毒", "3号院西厢房夜间有刺鼻气味,车牌蒙A7X321常来。"
SECRET_REPLY, SECRET_NOTE = "已布控,请勿声张。", "便衣已到北沙梁"
PHONE, ID_CARD = "13812345678", "150203199001011232"
HIDDEN_BODY = "这条帖子已被管理员隐藏:内容涉嫌诽谤某商户。"
PRIVATE_NUMBERS = [
    PERSONAS["citizen"],
    PERSONAS["other_citizen"],
    *(o["phone"] for o in DIRECTORY["officers"].values()),
]
SECRETS = [SECRET_TITLE, SECRET_BODY, SECRET_REPLY, SECRET_NOTE, PHONE, ID_CARD, HIDDEN_BODY, *PRIVATE_NUMBERS]
NEW_PHONES = {role: f"1370000{index:04d}" for index, role in enumerate(MATRIX_ROLES)}


def signed_in(ok: int) -> dict[str, int]:
    """Anyone signed in; no token is 401, and the ADMIN_KEY is no person's session (401)."""
    return {role: ok for role in PEOPLE} | {"anonymous": 401, "admin_key": 401}


def anyone(ok: int) -> dict[str, int]:
    return {role: ok for role in MATRIX_ROLES}


READERS = anyone(200) | {"admin_key": 401}  # routes that read an optional token: a bogus one is 401
ADMIN_ONLY = {role: 403 for role in PEOPLE} | {"anonymous": 401, "admin_key": 200}
HANDLERS = {"unit_officer", "center_officer", "leader", "admin_officer"}  # of a post assigned to 昆都仑区
ROUTERS = {"center_officer", "leader", "admin_officer"}  # leaders and the command center (its admin too)


def only(allowed: set[str], ok: int, refused: int = 403) -> dict[str, int]:
    return {role: ok if role in allowed else refused for role in PEOPLE} | {"anonymous": 401, "admin_key": 401}


@dataclass
class Stage:
    """The module's stack with its shared targets: a public post with numbers, a police-only tip, a hidden post."""

    world: World
    contract: Contract
    tokens: dict[str, str | None]
    public: dict[str, Any] = field(default_factory=dict)
    secret: dict[str, Any] = field(default_factory=dict)
    hidden: dict[str, Any] = field(default_factory=dict)
    shared: dict[str, dict[str, Any]] = field(default_factory=dict)
    authored: dict[str, set[str]] = field(default_factory=dict)  # role -> ids of the posts it wrote here

    def call(self, method: str, template: str, role: str, body: Any = None, **args: str) -> tuple[int, Any]:
        """Call a route as a role; check the answer against the OpenAPI description."""
        path = template.format(**args)
        status, data, _ = self.world.api.call(method, path, body, token=self.tokens[role])
        self.contract.check(method, template.split("?")[0], status, data)
        if (method, template) == ("POST", "/posts") and status == 201:
            self.authored.setdefault(role, set()).add(data["id"])
        return status, data

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        status, data, _ = self.world.api.admin(method, path, body)
        assert status in (200, 201), data
        return data

    def post(self, role: str = "citizen", **fields: Any) -> dict[str, Any]:
        created = self.world.api.new_post(self.tokens[role], **fields)
        self.authored.setdefault(role, set()).add(created["id"])
        return created

    def assigned_post(self, **fields: Any) -> dict[str, Any]:
        """A citizen's report assigned to 昆都仑区公安分局 (re-routed there by the leader)."""
        created = self.post(board="report", type="report", district="昆都仑区", **fields)
        status, routed = self.call(
            "POST", "/posts/{post_id}/route", "leader", {"unit_id": "kunqu"}, post_id=created["id"]
        )
        assert status == 200, routed
        return dict(routed)

    def once(self, name: str, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """A target refused callers share (a refusal changes nothing)."""
        if name not in self.shared:
            self.shared[name] = make()
        return self.shared[name]

    def current(self, post_id: str) -> dict[str, Any]:
        return dict(self.world.api.detail(post_id, self.tokens["leader"])["post"])


def link_session(world: World) -> str:
    """Dispatch a report to 昆都仑区 and open the link its officer got by SMS: a session for that post only."""
    api = world.api
    api.new_report(world.token("citizen"), "链接用的帖子", "楼道灯坏了", district="昆都仑区")
    deliver(api.client, world.outputs)
    message = officer_messages(PERSONAS["unit_officer"] or "")[-1]
    found = re.search(r"reply\.html#t=(\S+)", message)
    assert found, message
    status, session, _ = api.call("POST", "/auth/link", {"token": found.group(1)})
    assert status == 200, session
    return str(session["token"])


@pytest.fixture(scope="module")
def stage(people: World) -> Stage:
    api = people.api
    tokens = {**people.tokens, LINK: link_session(people)}
    status, document, _ = api.call("GET", "/openapi.json")
    assert status == 200
    stage = Stage(people, Contract(document), tokens)
    stage.public = stage.post(
        board="report", type="report", title=f"失物招领,失主电话{PHONE}", body=f"捡到身份证{ID_CARD},失主请打{PHONE}。"
    )
    stage.secret = stage.assigned_post(title=SECRET_TITLE, body=SECRET_BODY, visibility="police_only")
    status, _, _ = api.call(
        "POST", f"/posts/{stage.secret['id']}/replies", {"body": SECRET_REPLY}, token=tokens["unit_officer"]
    )
    assert status == 201
    version = stage.current(stage.secret["id"])["version"]
    status, _, _ = api.call(
        "POST",
        f"/posts/{stage.secret['id']}/status",
        {"status": "in_progress", "version": version, "note": SECRET_NOTE},
        token=tokens["unit_officer"],
    )
    assert status == 200
    stage.hidden = stage.post(board="report", type="report", title="某商户卖假货", body=HIDDEN_BODY)
    stage.admin("PUT", f"/admin/posts/{stage.hidden['id']}/hidden", {"reason": "待核实"})
    return stage


# -- one runner per route: (stage, role) -> (status, body) --------------------------------------------------

Runner = Callable[[Stage, str], tuple[int, Any]]


def read(method: str, template: str) -> Runner:
    return lambda s, role: s.call(method, template, role)


def daily_csv(s: Stage, role: str) -> tuple[int, Any]:
    """Download the figures of the last 30 days (CSV, not JSON: the contract check reads JSON only)."""
    token = s.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = s.world.api.client.http.get("/stats/daily.csv", headers=headers)
    return response.status_code, None


def read_detail(s: Stage, role: str) -> tuple[int, Any]:
    """Read the public post, the police-only tip and the hidden post; the answers are checked in the test."""
    answers = {}
    for name, post in (("public", s.public), ("secret", s.secret), ("hidden", s.hidden)):
        answers[name] = s.call("GET", "/posts/{post_id}", role, post_id=post["id"])
    status = answers["public"][0]
    if status == 200:
        insider = role in ("citizen", *POLICE)
        assert answers["hidden"][0] == (200 if insider else 404), (role, answers["hidden"])
        secret = answers["secret"][1]
        shown = (secret["post"]["title"], secret["post"]["body"])
        assert shown == ((SECRET_TITLE, SECRET_BODY) if insider else ("该线索仅警方可见",) * 2), role
        assert [r["body"] for r in secret["replies"]] == [SECRET_REPLY if insider else "该线索仅警方可见"]
        assert (SECRET_NOTE in json.dumps(secret, ensure_ascii=False)) is insider
        public = answers["public"][1]["post"]
        assert (PHONE in public["body"] and ID_CARD in public["body"]) is insider, (role, public["body"])
    return status, {name: answer[1] for name, answer in answers.items()}


def feed(s: Stage, role: str) -> tuple[int, Any]:
    status, page = s.call("GET", "/posts?board=report&limit=50", role)
    if status == 200:
        shown = {p["id"]: p for p in [*page["pinned"], *page["posts"]]}
        assert s.hidden["id"] not in shown and s.public["id"] in shown
        insider = role in ("citizen", *POLICE)
        assert (shown[s.secret["id"]]["body"] == SECRET_BODY) is insider
    return status, page


def my_posts(s: Stage, role: str) -> tuple[int, Any]:
    status, page = s.call("GET", "/me/posts?limit=50", role)
    if status == 200:
        ids = {p["id"] for p in page["posts"]}
        mine = {s.public["id"], s.secret["id"], s.hidden["id"]}
        assert (mine <= ids) if role == "citizen" else not (mine & ids), (role, ids)
        others = set().union(*(ids for author, ids in s.authored.items() if author != role))
        assert not ids & others, (role, ids & others)
    return status, page


def rename(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("PATCH", "/me", role, {"nickname": f"矩阵{MATRIX_ROLES.index(role)}"})


def create(s: Stage, role: str) -> tuple[int, Any]:
    return s.call(
        "POST", "/posts", role, {"board": "qa", "type": "question", "title": "矩阵提问", "body": f"{role}的提问"}
    )


def reply_public(s: Stage, role: str) -> tuple[int, Any]:
    status, data = s.call("POST", "/posts/{post_id}/replies", role, {"body": "同问"}, post_id=s.public["id"])
    if role in OUTSIDERS:  # a police-only tip takes replies from its author and the police only
        secret_status, _ = s.call(
            "POST", "/posts/{post_id}/replies", role, {"body": "我也知道"}, post_id=s.secret["id"]
        )
        assert secret_status == (403 if status == 201 else status), (role, secret_status)
    return status, data


NEXT_STATUS = {
    "dispatched": "acknowledged",
    "reopened": "acknowledged",
    "acknowledged": "in_progress",
    "in_progress": "resolved",
    "resolved": "reopened",
}


def change_status(s: Stage, role: str) -> tuple[int, Any]:
    """Everyone tries to move one post of 昆都仑区 a step on; only who may handle it moves it."""
    target = s.once("handled", lambda: s.assigned_post(title="路灯不亮", body="三号路口"))
    before = s.current(target["id"])
    step = NEXT_STATUS[before["status"]]
    status, data = s.call(
        "POST", "/posts/{post_id}/status", role, {"status": step, "version": before["version"]}, post_id=target["id"]
    )
    after = s.current(target["id"])
    assert (after["status"], after["version"]) == (
        (step, before["version"] + 1) if status == 200 else (before["status"], before["version"])
    )
    return status, data


def route(s: Stage, role: str) -> tuple[int, Any]:
    target = s.once(
        "routed", lambda: s.post(board="report", type="report", title="待改派", body="噪音扰民", district="东河区")
    )
    return s.call(
        "POST", "/posts/{post_id}/route", role, {"unit_id": "kunqu", "note": "就近处置"}, post_id=target["id"]
    )


def feedback(s: Stage, role: str) -> tuple[int, Any]:
    def resolved() -> dict[str, Any]:
        target = s.assigned_post(title="待评价", body="已修好了吗")
        status, _ = s.call(
            "POST",
            "/posts/{post_id}/status",
            "leader",
            {"status": "resolved", "version": target["version"]},
            post_id=target["id"],
        )
        assert status == 200
        return target

    target = s.once("resolved", resolved)  # the author's check comes first: the verdict given or not
    return s.call("POST", "/posts/{post_id}/feedback", role, {"satisfied": True}, post_id=target["id"])


def flag(s: Stage, role: str) -> tuple[int, Any]:
    pair = PEOPLE.index(role) // 2 if role in PEOPLE else "public"  # two flags hide nothing; a third would
    target = s.public if pair == "public" else s.once(f"flagged-{pair}", lambda: s.post(title="广告帖", body="加微信"))
    status, data = s.call("POST", "/posts/{post_id}/flags", role, {"reason": "广告"}, post_id=target["id"])
    if role in OUTSIDERS:  # who cannot read a police-only tip cannot flag it either (nor hide it by flags)
        secret_status, _ = s.call("POST", "/posts/{post_id}/flags", role, {"reason": "看不见"}, post_id=s.secret["id"])
        assert secret_status == (403 if status == 202 else status), role
    return status, data


def incident(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("POST", "/posts/{post_id}/incident", role, post_id=s.public["id"])


def cad_event(s: Stage, role: str) -> tuple[int, Any]:
    body = {
        "incident_id": "inc-1",
        "post_id": s.public["id"],
        "event": "closed",
        "unit_name": "昆都仑区公安分局",
        "at": "2026-03-13T16:05:00+08:00",
    }
    return s.call("POST", "/cad/events", role, body)


def pin(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("PUT", "/admin/posts/{post_id}/pin", role, {"scope": "board"}, post_id=s.public["id"])


def unpin(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("DELETE", "/admin/posts/{post_id}/pin", role, post_id=s.public["id"])


def hide(s: Stage, role: str) -> tuple[int, Any]:
    target = s.post(title="待隐藏", body="无关内容") if role == "admin_key" else s.public
    return s.call("PUT", "/admin/posts/{post_id}/hidden", role, {"reason": "测试"}, post_id=target["id"])


def remove_photo(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("DELETE", "/admin/posts/{post_id}/photos/{photo_id}", role, post_id=s.public["id"], photo_id="u1")


def unhide(s: Stage, role: str) -> tuple[int, Any]:
    status, data = s.call("DELETE", "/admin/posts/{post_id}/hidden", role, post_id=s.hidden["id"])
    if status == 200:
        s.admin("PUT", f"/admin/posts/{s.hidden['id']}/hidden", {"reason": "待核实"})  # hidden again for the rest
    return status, data


def put_unit(s: Stage, role: str) -> tuple[int, Any]:
    return s.call(
        "PUT",
        "/admin/units/{unit_id}",
        role,
        {"name": "矩阵派出所", "kind": "station"},
        unit_id=f"matrix-{MATRIX_ROLES.index(role)}",
    )


def put_officer(s: Stage, role: str) -> tuple[int, Any]:
    body = {
        "name": "矩阵警官",
        "title": "民警",
        "phone": NEW_PHONES[role],
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": False,
    }
    return s.call("PUT", "/admin/officers/{officer_id}", role, body, officer_id=f"o-matrix-{MATRIX_ROLES.index(role)}")


def remove_officer(s: Stage, role: str) -> tuple[int, Any]:
    """The admin removes an officer made for the purpose; refused callers target one that stays."""
    from chalicelib.bootstrap import services

    officer_id = "o-leaving" if role == "admin_key" else "o-staying"
    body = {
        "name": "调离警官",
        "title": "民警",
        "phone": "13700019999" if role == "admin_key" else "13700019998",
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": True,
    }
    s.once(officer_id, lambda: s.admin("PUT", f"/admin/officers/{officer_id}", body))
    status, data = s.call("DELETE", "/admin/officers/{officer_id}", role, officer_id=officer_id)
    assert (services().directory.officer(officer_id) is None) is (status == 204), (role, status)
    return status, data


def put_routing(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("PUT", "/admin/routing", role, DIRECTORY["routing"])


def put_templates(s: Stage, role: str) -> tuple[int, Any]:
    templates = s.world.api.call("GET", "/templates")[1]["templates"]
    return s.call("PUT", "/admin/templates", role, {"templates": templates})


def issue_key(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("POST", "/admin/api-keys", role, {"name": f"矩阵伙伴{MATRIX_ROLES.index(role)}"})


def revoke_key(s: Stage, role: str) -> tuple[int, Any]:
    key = (
        s.admin("POST", "/admin/api-keys", {"name": "待吊销"})
        if role == "admin_key"
        else s.once("key", lambda: s.admin("POST", "/admin/api-keys", {"name": "不被吊销"}))
    )
    return s.call("DELETE", "/admin/api-keys/{key_id}", role, key_id=key["id"])


def otp(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("POST", "/auth/otp", role, {"phone": NEW_PHONES[role]})


def session(s: Stage, role: str) -> tuple[int, Any]:
    phone = f"1360000{MATRIX_ROLES.index(role):04d}"
    assert s.world.api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    return s.call("POST", "/auth/session", role, {"phone": phone, "code": last_code(phone)})


def link(s: Stage, role: str) -> tuple[int, Any]:
    message = officer_messages(PERSONAS["unit_officer"] or "")[0]
    found = re.search(r"reply\.html#t=(\S+)", message)
    assert found
    return s.call("POST", "/auth/link", role, {"token": found.group(1)})


def wechat_session(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("POST", "/auth/wechat/session", role, {"ticket": "never-issued-ticket-0123"})


def forged_photo_link(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("GET", "/cad/photos/{photo_id}?expires=9999999999&sig=forged", role, photo_id="u123")


def upload(s: Stage, role: str) -> tuple[int, Any]:
    """Start a photo upload: anyone signed in with a full session (a reply link's session writes nothing new)."""
    return s.call("POST", "/uploads", role, {"content_type": "image/jpeg", "size": 1000})


def totp_enrol(s: Stage, role: str) -> tuple[int, Any]:
    return s.call("POST", "/me/totp", role)


def totp_confirm(s: Stage, role: str) -> tuple[int, Any]:
    """A code that is not the app's (or with no enrolment pending): officers 400, others refused first."""
    return s.call("POST", "/me/totp/confirm", role, {"code": "000000"})


def totp_reset(s: Stage, role: str) -> tuple[int, Any]:
    """The admin resets the second factor of an officer made for the purpose (a persona's sessions would end)."""
    body = {
        "name": "重置警官",
        "title": "民警",
        "phone": "13700019997",
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": False,
    }
    s.once("o-mfa-reset", lambda: s.admin("PUT", "/admin/officers/o-mfa-reset", body))
    return s.call("DELETE", "/admin/officers/{officer_id}/totp", role, officer_id="o-mfa-reset")


def awaiting_review(s: Stage) -> dict[str, Any]:
    """A post the flags hid (the system's act on the third counted flag): it waits for a reviewer."""
    from chalicelib.bootstrap import services
    from chalicelib.services.moderation import SYSTEM

    created = s.post(title="待审核的帖子", body="被举报的内容")
    services().moderation.set_hidden(SYSTEM, created["id"], True, "flagged")
    return created


def review_queue(s: Stage, role: str) -> tuple[int, Any]:
    s.once("awaiting-review", lambda: awaiting_review(s))
    return s.call("GET", "/work/review?limit=50", role)


def review_decide(s: Stage, role: str) -> tuple[int, Any]:
    """Allowed reviewers each decide a post of their own; refused callers share one that stays in the queue."""
    target = awaiting_review(s) if role in ROUTERS else s.once("awaiting-review", lambda: awaiting_review(s))
    status, data = s.call(
        "POST", "/work/review/{post_id}", role, {"decision": "hide", "note": "矩阵"}, post_id=target["id"]
    )
    if role not in ROUTERS:
        assert s.current(target["id"])["hidden"] is True  # still waiting: nothing changed
    return status, data


LINK_REFUSED = {LINK: 403}
CASES: dict[tuple[str, str], tuple[dict[str, int], Runner]] = {
    ("GET", "/boards"): (anyone(200), read("GET", "/boards")),
    ("GET", "/districts"): (anyone(200), read("GET", "/districts")),
    ("GET", "/units"): (anyone(200), read("GET", "/units")),
    ("GET", "/emergency-rule"): (anyone(200), read("GET", "/emergency-rule")),
    ("GET", "/templates"): (anyone(200), read("GET", "/templates")),
    ("GET", "/stats"): (anyone(200), read("GET", "/stats")),
    ("GET", "/stats/daily"): (anyone(200), read("GET", "/stats/daily")),
    ("GET", "/stats/daily.csv"): (anyone(200), daily_csv),
    ("GET", "/openapi.json"): (anyone(200), read("GET", "/openapi.json")),
    ("GET", "/dev/outbox"): (anyone(200), read("GET", "/dev/outbox?limit=5")),  # local stage only
    ("GET", "/posts"): (READERS, feed),
    ("GET", "/posts/{post_id}"): (READERS, read_detail),
    ("GET", "/me"): (signed_in(200), read("GET", "/me")),
    ("PATCH", "/me"): (only({"citizen", "other_citizen"}, 200), rename),
    ("GET", "/me/posts"): (signed_in(200), my_posts),
    ("POST", "/posts"): (signed_in(201) | LINK_REFUSED, create),
    ("POST", "/posts/{post_id}/replies"): (signed_in(201) | LINK_REFUSED, reply_public),
    ("POST", "/posts/{post_id}/status"): (only(HANDLERS, 200), change_status),
    ("POST", "/posts/{post_id}/route"): (only(ROUTERS, 200), route),
    ("POST", "/posts/{post_id}/feedback"): (only({"citizen"}, 200), feedback),
    ("POST", "/posts/{post_id}/flags"): (signed_in(202) | LINK_REFUSED, flag),
    ("POST", "/posts/{post_id}/incident"): (only(ROUTERS, 202), incident),
    ("POST", "/cad/events"): (anyone(401), cad_event),  # only the command system's signature admits
    ("PUT", "/admin/posts/{post_id}/pin"): (ADMIN_ONLY, pin),
    ("DELETE", "/admin/posts/{post_id}/pin"): (ADMIN_ONLY, unpin),
    ("PUT", "/admin/posts/{post_id}/hidden"): (ADMIN_ONLY, hide),
    ("DELETE", "/admin/posts/{post_id}/hidden"): (ADMIN_ONLY, unhide),
    # tests/functional/test_photos.py removes real photos; here the post has none (404 for the admin key)
    ("DELETE", "/admin/posts/{post_id}/photos/{photo_id}"): (ADMIN_ONLY | {"admin_key": 404}, remove_photo),
    ("GET", "/admin/audit"): (ADMIN_ONLY, read("GET", "/admin/audit")),
    ("PUT", "/admin/units/{unit_id}"): (ADMIN_ONLY, put_unit),
    ("PUT", "/admin/officers/{officer_id}"): (ADMIN_ONLY, put_officer),
    ("DELETE", "/admin/officers/{officer_id}"): (ADMIN_ONLY | {"admin_key": 204}, remove_officer),
    ("GET", "/admin/routing"): (ADMIN_ONLY, read("GET", "/admin/routing")),
    ("PUT", "/admin/routing"): (ADMIN_ONLY, put_routing),
    ("PUT", "/admin/templates"): (ADMIN_ONLY, put_templates),
    ("POST", "/admin/api-keys"): (ADMIN_ONLY | {"admin_key": 201}, issue_key),
    ("GET", "/admin/api-keys"): (ADMIN_ONLY, read("GET", "/admin/api-keys")),
    ("DELETE", "/admin/api-keys/{key_id}"): (ADMIN_ONLY, revoke_key),
    ("POST", "/auth/otp"): (anyone(202), otp),
    ("POST", "/auth/session"): (anyone(200), session),
    ("POST", "/auth/link"): (anyone(200), link),
    ("GET", "/auth/wechat/config"): (anyone(200), read("GET", "/auth/wechat/config")),
    ("GET", "/auth/wechat/start"): (anyone(302), read("GET", "/auth/wechat/start?next=/")),
    ("GET", "/auth/wechat/callback"): (anyone(400), read("GET", "/auth/wechat/callback?code=c0de&state=forged.x")),
    ("POST", "/auth/wechat/session"): (anyone(401), wechat_session),  # a ticket nobody issued
    ("GET", "/wechat/jssdk"): (anyone(200), read("GET", "/wechat/jssdk?url=http%3A%2F%2F127.0.0.1%3A8000%2F")),
    ("DELETE", "/me/wechat"): (signed_in(204) | LINK_REFUSED, read("DELETE", "/me/wechat")),
    ("POST", "/me/totp"): (only(set(POLICE), 200), totp_enrol),
    ("POST", "/me/totp/confirm"): (only(set(POLICE), 400), totp_confirm),
    ("DELETE", "/admin/officers/{officer_id}/totp"): (ADMIN_ONLY | {"admin_key": 204}, totp_reset),
    ("POST", "/uploads"): (signed_in(201) | LINK_REFUSED, upload),
    # A 110 record's photo link: its own HMAC decides, not the caller (a forged one is 403 for everyone)
    ("GET", "/cad/photos/{photo_id}"): (anyone(403), forged_photo_link),
    ("GET", "/work/review"): (only(ROUTERS, 200), review_queue),
    ("POST", "/work/review/{post_id}"): (only(ROUTERS, 200), review_decide),
    # 昆都仑区's queue: its own officers, leaders, the command center and admins; another unit's officer 403
    ("GET", "/work/queue"): (only(HANDLERS, 200), read("GET", "/work/queue?unit=kunqu&view=due")),
    ("GET", "/work/board"): (only(ROUTERS, 200), read("GET", "/work/board")),
}


def test_the_matrix_covers_every_route_but_open311s_own_key_scheme() -> None:
    routes = {(method, path) for path, methods in app.routes.items() for method in methods}
    json_routes = {(m, p) for m, p in routes if not p.startswith("/open311/")}  # api_key per the spec, not roles
    assert json_routes == set(CASES), "add a row to CASES for every new route"


@pytest.mark.parametrize("role", MATRIX_ROLES)
@pytest.mark.parametrize("route", list(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_caller_is_allowed_or_refused_and_sees_only_its_share(
    stage: Stage, route: tuple[str, str], role: str
) -> None:
    expected, run = CASES[route]
    status, data = run(stage, role)
    assert status == expected[role], (route, role, status, data)
    admin_route = route[1].startswith("/admin/") and role == "admin_key"  # there the key is the admin's
    if route != ("GET", "/dev/outbox") and role in OUTSIDERS and not admin_route:  # the outbox: the local SMS log
        shown = json.dumps(data, ensure_ascii=False)
        leaked = [secret for secret in SECRETS if secret in shown]
        assert not leaked, (route, role, leaked)
