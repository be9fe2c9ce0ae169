"""Privacy through the real app: police-only stubs everywhere, masked timelines, published contacts kept."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.conftest import DIRECTORY, ROOT, deliver, officer_messages
from tests.functional.conftest import POLICE, World

NOTICE = "该线索仅警方可见"
TITLE, BODY = "线索:东河区某网吧容留吸毒", "二楼包间,每周五晚上,老板知情。"
NOTE = "已安排便衣蹲守"
STUB_KEPT = (
    "id",
    "board",
    "type",
    "district",
    "status",
    "visibility",
    "created_at",
    "updated_at",
    "reply_count",
    "assigned_unit",
    "urgent",
)


@pytest.fixture(scope="module")
def tip(people: World) -> dict[str, Any]:
    """A police-only tip in 昆都仑区 with an official reply and a status note, dispatched with a link sent."""
    api = people.api
    post = api.new_report(people.token("citizen"), TITLE, BODY, district="昆都仑区", visibility="police_only")
    deliver(api.client, people.outputs)
    status, _, _ = api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": "收到,感谢举报"}, token=people.token("unit_officer")
    )
    assert status == 201
    whole = api.detail(post["id"], people.token("unit_officer"))["post"]
    body = {"status": "in_progress", "version": whole["version"], "note": NOTE}
    assert api.call("POST", f"/posts/{post['id']}/status", body, token=people.token("unit_officer"))[0] == 200
    return api.detail(post["id"], people.token("leader"))


def test_the_stub_shows_board_type_time_and_status_but_no_title_body_reply_or_note(
    people: World, tip: dict[str, Any]
) -> None:
    whole = tip["post"]
    for role in ("anonymous", "other_citizen"):
        shown = people.api.detail(whole["id"], people.token(role))
        stub = shown["post"]
        assert (stub["title"], stub["body"]) == (NOTICE, NOTICE)
        assert {key: stub[key] for key in STUB_KEPT} == {key: whole[key] for key in STUB_KEPT}
        assert [reply["body"] for reply in shown["replies"]] == [NOTICE]
        assert [event["kind"] for event in shown["timeline"]] == [event["kind"] for event in tip["timeline"]]
        text = json.dumps(shown, ensure_ascii=False)
        for secret in (TITLE, "网吧", BODY, "收到,感谢举报", NOTE):
            assert secret not in text, (role, secret)


def test_the_feed_shows_the_stub_and_the_author_and_police_the_whole(people: World, tip: dict[str, Any]) -> None:
    post_id = tip["post"]["id"]
    for role, expected in (("anonymous", NOTICE), ("other_citizen", NOTICE), ("citizen", BODY), ("leader", BODY)):
        page = people.api.call("GET", "/posts?board=report&limit=50", token=people.token(role))[1]
        assert next(p for p in page["posts"] if p["id"] == post_id)["body"] == expected, role


def test_my_posts_lists_the_callers_own_posts_only(people: World, tip: dict[str, Any]) -> None:
    post_id = tip["post"]["id"]
    mine = people.api.call("GET", "/me/posts?limit=50", token=people.token("citizen"))[1]["posts"]
    assert next(p for p in mine if p["id"] == post_id)["body"] == BODY
    for role in ("other_citizen", *POLICE):
        theirs = people.api.call("GET", "/me/posts?limit=50", token=people.token(role))[1]["posts"]
        assert post_id not in {p["id"] for p in theirs}, role


def test_a_link_session_sees_its_own_post_whole_and_any_other_as_the_public(people: World, tip: dict[str, Any]) -> None:
    links = [re.search(r"reply\.html#t=(\S+)", m) for m in officer_messages("13900000003")]
    token = next(found.group(1) for found in links if found)
    status, session, _ = people.api.call("POST", "/auth/link", {"token": token})
    assert status == 200 and session["post_id"] == tip["post"]["id"]
    own = people.api.detail(tip["post"]["id"], session["token"])
    assert (own["post"]["title"], own["post"]["body"]) == (TITLE, BODY)
    other = people.api.new_report(people.token("citizen"), "另一条线索", "只给警方看", visibility="police_only")
    assert people.api.detail(other["id"], session["token"])["post"]["body"] == NOTICE


def test_others_may_neither_reply_to_nor_flag_a_police_only_tip(people: World, tip: dict[str, Any]) -> None:
    post_id = tip["post"]["id"]
    token = people.token("other_citizen")
    assert people.api.call("POST", f"/posts/{post_id}/replies", {"body": "我也知道"}, token=token)[0] == 403
    assert people.api.call("POST", f"/posts/{post_id}/flags", {"reason": "看不懂"}, token=token)[0] == 403
    assert (
        people.api.call("POST", f"/posts/{post_id}/replies", {"body": "补充:老板姓李"}, token=people.token("citizen"))[
            0
        ]
        == 201
    )


def test_notes_on_a_public_timeline_are_masked_for_the_public(people: World) -> None:
    post = people.api.new_post(
        people.token("citizen"), board="report", type="report", title="丢了钱包", body="在公交上", district="昆都仑区"
    )
    note = "已联系失主13812345678"
    body = {"status": "acknowledged", "version": post["version"], "note": note}
    assert people.api.call("POST", f"/posts/{post['id']}/status", body, token=people.token("leader"))[0] == 200
    public = people.api.detail(post["id"])["timeline"][-1]["text"]
    assert "13812345678" not in public and "138****5678" in public
    assert note in people.api.detail(post["id"], people.token("leader"))["timeline"][-1]["text"]


def test_an_official_reply_keeps_published_contacts_and_masks_the_rest(people: World) -> None:
    officer = {**DIRECTORY["officers"]["o-kunqu"], "public_contact": "社区民警 139-0000-9999"}
    assert people.api.admin("PUT", "/admin/officers/o-kunqu", officer)[0] == 200
    post = people.api.new_post(people.token("citizen"), title="户口迁移", body="要带什么?")
    answer = "请联系社区民警13900009999;您留的电话13812345678已登记。"
    status, reply, _ = people.api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": answer}, token=people.token("unit_officer")
    )
    assert status == 201 and reply["body"] == answer
    shown = people.api.detail(post["id"])["replies"][0]["body"]
    assert shown == "请联系社区民警13900009999;您留的电话138****5678已登记。"
    assert people.api.detail(post["id"], people.token("citizen"))["replies"][0]["body"] == answer


# -- the reporter of a police-only tip stays unknown to the public ------------------------------

SECRET_TITLE, SECRET_BODY = "线索:昆区某洗浴中心涉赌", "地下一层,每晚十点后开台。"
FOLLOW_UP = "补充:老板开一辆白色面包车"
STATUS_NOTE, ROUTE_NOTE = "便衣已在地下一层蹲守", "举报人系老板亲属,转青福所"


def every_feed_page(api: Any, query: str, token: str | None) -> list[str]:
    """Return the raw JSON text of every page of a feed, as a caller receives it."""
    pages: list[str] = []
    cursor = None
    while True:
        path = f"/posts?limit=50{query}" + (f"&cursor={cursor}" if cursor else "")
        response = api.client.http.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
        assert response.status_code == 200
        pages.append(response.body.decode("utf-8"))
        cursor = json.loads(pages[-1])["next_cursor"]
        if cursor is None:
            return pages


def raw(api: Any, path: str, token: str | None) -> str:
    response = api.client.http.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
    assert response.status_code == 200, response.body
    return str(response.body.decode("utf-8"))


@pytest.fixture(scope="module")
def reporter_case(people: World) -> dict[str, Any]:
    """A citizen's police-only tip and public post; the tip gets a follow-up, a status note and a re-route note."""
    api, token = people.api, people.token("citizen")
    me = api.call("GET", "/me", token=token)[1]
    tip = api.new_report(token, SECRET_TITLE, SECRET_BODY, district="昆都仑区", visibility="police_only")
    public = api.new_post(
        token, board="report", type="report", title="小区门口路灯坏了", body="晚上很黑", district="昆都仑区"
    )
    deliver(api.client, people.outputs)
    assert api.call("POST", f"/posts/{tip['id']}/replies", {"body": FOLLOW_UP}, token=token)[0] == 201
    version = api.detail(tip["id"], people.token("unit_officer"))["post"]["version"]
    status = {"status": "in_progress", "version": version, "note": STATUS_NOTE}
    assert api.call("POST", f"/posts/{tip['id']}/status", status, token=people.token("unit_officer"))[0] == 200
    route = {"unit_id": "qingfu", "note": ROUTE_NOTE}
    assert api.call("POST", f"/posts/{tip['id']}/route", route, token=people.token("leader"))[0] == 200
    return {"user_id": me["id"], "nickname": me["nickname"], "tip": tip["id"], "public": public["id"]}


def another_posts_link_session(people: World, post_id: str) -> str:
    """Return a link session of the Kunqu officer for the given post (from the notices he received)."""
    for message in officer_messages("13900000003"):
        found = re.search(r"reply\.html#t=(\S+)", message)
        if found:
            status, session, _ = people.api.call("POST", "/auth/link", {"token": found.group(1)})
            if status == 200 and session["post_id"] == post_id:
                return str(session["token"])
    raise AssertionError(f"no link for {post_id}")


def test_no_public_output_names_the_reporter_of_a_police_only_tip_or_quotes_a_police_note(
    people: World, reporter_case: dict[str, Any]
) -> None:
    case = reporter_case
    readers = {
        "anonymous": people.token("anonymous"),
        "other_citizen": people.token("other_citizen"),
        "link_for_another_post": another_posts_link_session(people, case["public"]),
    }
    for reader, token in readers.items():
        assert_nothing_names_the_reporter(people, case, reader, token)
    for role in ("citizen", "unit_officer", "leader"):  # while the reporter and the police see it whole
        detail = people.api.detail(case["tip"], people.token(role))
        assert (detail["post"]["title"], detail["post"]["body"]) == (SECRET_TITLE, SECRET_BODY), role
        assert detail["post"]["author"] == {"nickname": case["nickname"]}, role
        assert [(r["author"], r["body"]) for r in detail["replies"]] == [({"nickname": case["nickname"]}, FOLLOW_UP)]
        notes = " ".join(e["text"] for e in detail["timeline"])
        assert STATUS_NOTE in notes and ROUTE_NOTE in notes, role
        feed = people.api.call("GET", "/posts?board=report&limit=50", token=people.token(role))[1]["posts"]
        assert next(p for p in feed if p["id"] == case["tip"])["author"] == {"nickname": case["nickname"]}, role


def assert_nothing_names_the_reporter(people: World, case: dict[str, Any], reader: str, token: str | None) -> None:
    """Search the raw feeds, post page and figures a reader receives for the reporter and the police's notes."""
    api = people.api
    nickname, user_id = case["nickname"], case["user_id"]
    secrets_ = (nickname, user_id, SECRET_TITLE, SECRET_BODY, FOLLOW_UP, STATUS_NOTE, ROUTE_NOTE, "王警官", "卜连海")

    seen_public = False
    for query in ("", "&board=report"):
        for text in every_feed_page(api, query, token):
            page = json.loads(text)
            assert user_id not in text, reader
            for entry in page["pinned"] + page["posts"]:
                if entry["id"] == case["tip"]:
                    assert entry["author"] == {"nickname": "匿名"}, reader
                    assert (entry["title"], entry["body"]) == (NOTICE, NOTICE), reader
                    shown = json.dumps(entry, ensure_ascii=False)
                    assert not [s for s in secrets_ if s in shown], (reader, query, shown)
                if entry["id"] == case["public"] and reader != "link_for_another_post":
                    seen_public = True
                    assert entry["author"]["nickname"] == nickname  # the search above is not empty-handed
    assert seen_public or reader == "link_for_another_post"

    text = raw(api, f"/posts/{case['tip']}", token)
    assert not [s for s in secrets_ if s in text], (reader, text)
    detail = json.loads(text)
    assert detail["post"]["author"] == {"nickname": "匿名"}, reader
    assert [r["author"] for r in detail["replies"]] == [{"nickname": "匿名"}], reader
    assert [(e["kind"], e["text"]) for e in detail["timeline"]] == [
        ("received", "已收悉"),
        ("dispatched", "已分派至昆都仑区公安分局"),
        ("in_progress", "处置中"),
        ("transferred", "已转交东河区青福派出所"),
    ], reader

    stats = raw(api, "/stats", token)
    assert nickname not in stats and user_id not in stats, reader


# The post page (web/js/page-post.js) run in node on a tiny DOM, fed the API's own answer.
PAGE_HARNESS = r"""
class Node {
  constructor() { this.childNodes = []; }
  appendChild(child) { this.childNodes.push(child); return child; }
  replaceChildren(...children) { this.childNodes = []; children.forEach((c) => this.appendChild(c)); }
  get textContent() { return this.childNodes.map((c) => c.textContent).join(" "); }
  set textContent(value) { this.childNodes = [new Text(String(value))]; }
}
class Text extends Node {
  constructor(data) { super(); this.data = data; }
  get textContent() { return this.data; }
}
class Element extends Node {
  constructor(tag) { super(); this.tagName = tag; this.attributes = {}; this.dataset = {}; this.className = ""; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  removeAttribute(name) { delete this.attributes[name]; }
  addEventListener() {}
  focus() {}
}
globalThis.Node = Node;
globalThis.document = { createElement: (tag) => new Element(tag), createTextNode: (text) => new Text(text) };
globalThis.localStorage = { getItem: () => null, setItem() {}, removeItem() {} };
const answers = JSON.parse(process.argv[3]);
globalThis.fetch = async (url) => {
  const body = url.startsWith("/api/boards") ? answers.boards : answers.detail;
  return { ok: true, status: 200, headers: { get: () => null }, text: async () => JSON.stringify(body) };
};
const { postPage } = await import(process.argv[2]);
const view = new Element("main");
await postPage({ view, isCurrent: () => true }, answers.detail.post.id);
console.log(view.textContent);
"""


def page_text(api: Any, post_id: str, tmp_path: Any) -> str:
    """Return the text the post page shows an anonymous reader, rendered by the real page script."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    answers = {"boards": api.call("GET", "/boards")[1], "detail": api.detail(post_id)}
    harness = tmp_path / "page.mjs"
    harness.write_text(PAGE_HARNESS, "utf-8")
    script = (ROOT / "web" / "js" / "page-post.js").as_uri()
    done = subprocess.run(
        [node, str(harness), script, json.dumps(answers)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_post_page_of_a_police_only_tip_says_it_is_police_only_once(
    people: World, reporter_case: dict[str, Any], tmp_path: Any
) -> None:
    text = page_text(people.api, reporter_case["tip"], tmp_path)

    assert text.count(NOTICE) == 1, text
    assert "匿名" in text and "处置中" in text and "已转交东河区青福派出所" in text
    assert reporter_case["nickname"] not in text


# -- disguised numbers: everything the outside review got through masking ------------------------------

MOBILE, ID_CARD = "13812345678", "11010519491231002X"
DISGUISES = [  # as written, and as the public must see it
    ("138\u200b1234\u200b5678", "138****5678"),  # zero-width space
    ("138\u200c1234\u200c5678", "138****5678"),  # zero-width non-joiner
    ("138\u20601234\u20605678", "138****5678"),  # word joiner
    ("138\ufeff1234\ufeff5678", "138****5678"),  # byte order mark
    ("138\u00ad1234\u00ad5678", "138****5678"),  # soft hyphen
    ("138.1234.5678", "138.****.5678"),
    ("138/1234/5678", "138/****/5678"),
    ("138\n1234\n5678", "138\n****\n5678"),
    ("138，1234，5678", "138，****，5678"),
    ("138、1234、5678", "138、****、5678"),
    ("138—1234—5678", "138—****—5678"),
    ("138\t1234\t5678", "138\t****\t5678"),
    ("138  1234  5678", "138  ****  5678"),
    ("١٣٨١٢٣٤٥٦٧٨", "١٣٨****٥٦٧٨"),  # Arabic-Indic digits
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟖****𝟓𝟔𝟕𝟖"),  # mathematical digits
    ("013812345678", "0138****5678"),
    ("8613812345678", "86138****5678"),
    ("+8613812345678", "+86138****5678"),
    ("008613812345678", "0086138****5678"),
    ("110105.19491231.002X", "1*****.********.**2X"),
    ("110105\u200b19491231002X", "1***************2X"),
]


def disguised_text(which: int) -> str:
    return "；".join(f"第{chr(0x4E00 + i)}条{text}" for i, (text, _) in enumerate(DISGUISES)) + f"；{which}"


def masked_text(which: int) -> str:
    return "；".join(f"第{chr(0x4E00 + i)}条{masked}" for i, (_, masked) in enumerate(DISGUISES)) + f"；{which}"


def as_read(text: str) -> str:
    """The digits a reader sees in order, in ASCII: invisible characters and separators skipped."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cf", "Mn", "Me", "Pd") or char.isspace() or char in ".,/、，":
            continue
        folded = unicodedata.normalize("NFKC", char)
        out.append(str(unicodedata.decimal(folded)) if len(folded) == 1 and folded.isdecimal() else folded.upper())
    return "".join(out)


def strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return []


def assert_nothing_readable(where: str, data: Any) -> None:
    for text in strings(data):
        for number in (MOBILE, ID_CARD, ID_CARD[:-1]):
            assert number not in as_read(text), (where, text)


@pytest.fixture(scope="module")
def disguised(people: World) -> dict[str, Any]:
    """A public post, a citizen's reply, an official reply and a status note, each with every disguise."""
    api = people.api
    post = api.new_report(
        people.token("citizen"), "电话138\u200b1234\u200b5678", disguised_text(1), district="昆都仑区"
    )
    reply = {"body": disguised_text(2)}
    assert api.call("POST", f"/posts/{post['id']}/replies", reply, token=people.token("other_citizen"))[0] == 201
    official = {"body": disguised_text(3)}
    assert api.call("POST", f"/posts/{post['id']}/replies", official, token=people.token("unit_officer"))[0] == 201
    version = api.detail(post["id"], people.token("leader"))["post"]["version"]
    note = {"status": "in_progress", "version": version, "note": disguised_text(4)}
    assert api.call("POST", f"/posts/{post['id']}/status", note, token=people.token("leader"))[0] == 200
    return post


def test_the_feed_and_the_post_page_mask_every_disguised_number(people: World, disguised: dict[str, Any]) -> None:
    post_id = disguised["id"]
    page = people.api.call("GET", "/posts?board=report&limit=50")[1]
    listed = next(p for p in page["posts"] if p["id"] == post_id)
    assert listed["title"] == "电话138****5678"
    assert masked_text(1).startswith(listed["body"]) and listed["truncated"] is True  # the feed has an excerpt
    shown = people.api.detail(post_id)
    assert (shown["post"]["title"], shown["post"]["body"]) == ("电话138****5678", masked_text(1))
    assert [reply["body"] for reply in shown["replies"]] == [masked_text(2), masked_text(3)]
    assert shown["timeline"][-1]["text"].endswith(masked_text(4))
    assert_nothing_readable("feed", page)
    assert_nothing_readable("post page", shown)
    whole = people.api.detail(post_id, people.token("leader"))
    assert whole["post"]["body"] == disguised_text(1) and whole["timeline"][-1]["text"].endswith(disguised_text(4))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_requests_and_updates_mask_every_disguised_number(
    people: World, disguised: dict[str, Any], fmt: str
) -> None:
    post_id = disguised["id"]
    for path in (
        f"requests.{fmt}",
        f"requests/{post_id}.{fmt}",
        f"servicerequestupdates.{fmt}",
        f"servicerequestupdates.{fmt}?service_request_id={post_id}",
    ):
        response = people.api.client.http.get(f"/open311/v2/{path}")
        assert response.status_code == 200, path
        text = response.body.decode("utf-8")
        if fmt == "json":
            assert_nothing_readable(path, json.loads(text))
        else:
            assert_nothing_readable(path, [element.text or "" for element in ElementTree.fromstring(text).iter()])
    request = json.loads(people.api.client.http.get(f"/open311/v2/requests/{post_id}.json").body)[0]
    assert (request["description"], request["status_notes"]) == (masked_text(1), masked_text(3))
    updates = json.loads(
        people.api.client.http.get(f"/open311/v2/servicerequestupdates.json?service_request_id={post_id}").body
    )
    assert updates[0]["description"].endswith(masked_text(4))
