"""The static site obeys its own rules: a strict CSP in every page, nothing inline, nothing remote (but WeChat's
JS-SDK, which the citizen page loads inside WeChat only and its CSP names); and the page's pure logic works."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = sorted(WEB.glob("*.html"))
SCRIPTS = sorted(p for p in WEB.rglob("*.js") if WEB / "dist" not in p.parents)  # the sources, not the build
S3 = "https://*.amazonaws.com https://*.amazonaws.com.cn"  # the presigned POST and signed photo links
CSP = (
    f"default-src 'self'; img-src 'self' data: {S3}; connect-src 'self' {S3}; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)
# The citizen page may load WeChat's JS-SDK (the share card), from that one origin and from no other.
JWEIXIN = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
PAGE_CSP = {"index.html": CSP + "; script-src 'self' https://res.wx.qq.com"}
# Spelled in pieces so that this file does not trip the same check on the repository.
MARKUP_SINKS = ["inner" + "HTML", "outer" + "HTML", "insertAdjacent" + "HTML", "document." + "write"]


class Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page.read_text("utf-8"))
    return parser.tags


def test_the_site_has_its_four_pages() -> None:
    assert {p.name for p in PAGES} >= {"index.html", "reply.html", "outbox.html", "work.html"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_declares_the_strict_csp_first(page: Path) -> None:
    tags = tags_of(page)
    is_csp = [t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy" for t, a in tags]
    assert [a.get("content") for (_, a), csp in zip(tags, is_csp, strict=True) if csp] == [PAGE_CSP.get(page.name, CSP)]
    first_loader = next(i for i, (t, _) in enumerate(tags) if t in ("script", "link"))
    assert is_csp.index(True) < first_loader


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_code_or_styles_and_nothing_remote(page: Path) -> None:
    for tag, attrs in tags_of(page):
        assert tag != "style", page.name
        assert "style" not in attrs, (page.name, tag)
        assert not any(name.startswith("on") for name in attrs), (page.name, tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/"), (page.name, attrs)
            assert attrs.get("type") == "module"
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"^(https?:)?//", value), (page.name, tag, value)
            assert not value.lower().startswith("javascript:"), (page.name, tag, value)


@pytest.mark.parametrize("source", [*PAGES, *SCRIPTS], ids=lambda p: str(p.relative_to(WEB)))
def test_no_markup_sinks_or_eval(source: Path) -> None:
    text = source.read_text("utf-8")
    for sink in MARKUP_SINKS:
        assert sink.lower() not in text.lower(), (source.name, sink)
    assert "eval(" not in text and "new Function" not in text
    assert 'setAttribute("style"' not in text and ".cssText" not in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(WEB)))
def test_scripts_import_only_local_modules(script: Path) -> None:
    source = script.read_text("utf-8")
    for target in re.findall(r"""^\s*(?:import|export)\b[^;]*?from\s+["']([^"']+)["']""", source, re.M):
        assert target.startswith("./"), (script.name, target)
        assert (script.parent / target).resolve().is_file(), (script.name, target)


def test_the_only_remote_address_a_script_names_is_wechats_js_sdk() -> None:
    remote = {
        (script.name, url)
        for script in SCRIPTS
        for url in re.findall(r"""["'`](https?://[^"'`\s]+)""", script.read_text("utf-8"))
        if url != "http://www.w3.org/2000/svg"  # a namespace name, never fetched
    }
    assert remote == {("wechat.js", JWEIXIN)}
    assert PAGE_CSP["index.html"].endswith("script-src 'self' https://res.wx.qq.com")


def run_module(module: str, script: str) -> object:
    """Import web/js/<module> in Node and return what `script` (which sees it as `m`) prints as JSON."""
    code = f"import * as m from {json.dumps((WEB / 'js' / module).as_uri())};\nconsole.log(JSON.stringify({script}));"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", code], capture_output=True, text=True, check=True, timeout=30
    )
    return json.loads(out.stdout)


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@needs_node
@pytest.mark.parametrize(
    ("hash_", "ticket", "route"),
    [
        ("#wx=T1", "T1", "#/"),
        ("#/me#wx=T2", "T2", "#/me"),
        ("#/post/abc?x=1&wx=T3", "T3", "#/post/abc?x=1"),
        ("#/login?wx=T4&next=%2Fme", "T4", "#/login?next=%2Fme"),
        ("#/me?wx=a%2Bb", "a+b", "#/me"),
        ("#/me#wx=", None, "#/me"),
        ("#/post/abc", None, "#/post/abc"),
        ("", None, "#/"),
    ],
)
def test_the_wechat_ticket_is_taken_out_of_the_address_wherever_it_sits(
    hash_: str, ticket: str | None, route: str
) -> None:
    assert run_module("ticket.js", f"m.takeTicket({json.dumps(hash_)})") == {"ticket": ticket, "route": route}


@needs_node
def test_wechat_is_offered_inside_wechat_or_with_the_simulator_and_started_at_once_only_inside_wechat() -> None:
    agents = {"wechat": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.47", "browser": "Mozilla/5.0 (X11) Chrome/120"}
    configs = {
        "off": {"enabled": False, "simulator": False},
        "bureau": {"enabled": True, "simulator": False},
        "local": {"enabled": True, "simulator": True},
    }
    script = (
        f"Object.fromEntries(Object.entries({json.dumps(agents)}).flatMap(([a, ua]) => "
        f"Object.entries({json.dumps(configs)}).map(([c, cfg]) => [`${{a}} ${{c}}`, "
        "[m.offersWeChat(cfg, ua), m.startsAtOnce(cfg, ua)]])))"
    )
    assert run_module("ticket.js", script) == {
        "wechat off": [True, False],
        "wechat bureau": [True, True],
        "wechat local": [True, True],
        "browser off": [False, False],
        "browser bureau": [False, False],
        "browser local": [True, False],
    }
    assert run_module("ticket.js", "m.startAddress('#/post/abc')") == "/api/auth/wechat/start?next=%2F%23%2Fpost%2Fabc"


@needs_node
def test_a_resident_chooses_among_wechat_and_sms_and_an_officer_also_email() -> None:
    rows = run_module("channels.js", "[m.channelRows(['sms', 'email'], 'citizen'), m.channelRows(['sms'], 'officer')]")
    assert rows == [
        [{"channel": "sms", "on": True}, {"channel": "wechat", "on": False}],
        [{"channel": "sms", "on": True}, {"channel": "wechat", "on": False}, {"channel": "email", "on": False}],
    ]


@needs_node
def test_the_notice_order_follows_the_moves_and_switches_made_in_the_list() -> None:
    script = (
        "(() => { let r = m.channelRows(['wechat', 'sms'], 'officer');"
        "r = m.toggleRow(r, 2, true); r = m.moveRow(r, 2, -1); r = m.moveRow(r, 0, -1);"
        "const edited = m.chosenChannels(r); r = m.toggleRow(r, 0, false);"
        "return [edited, m.chosenChannels(r), m.chosenChannels(m.toggleRow(m.toggleRow(r, 1, false), 2, false))]; })()"
    )
    assert run_module("channels.js", script) == [["wechat", "email", "sms"], ["email", "sms"], []]


@needs_node
def test_the_queue_address_names_the_view_and_only_the_filters_that_are_set() -> None:
    paths = run_module(
        "work-logic.js",
        "[m.queuePath({}), m.queuePath({view: 'overdue', unit: 'kun-branch', board: 'traffic', district: '青山区',"
        " cursor: 'c1', limit: 10}), m.queuePath({view: 'nonsense', unit: ''})]",
    )
    assert paths == [
        "/work/queue?view=due&limit=20",
        "/work/queue?view=overdue&unit=kun-branch&board=traffic&district=%E9%9D%92%E5%B1%B1%E5%8C%BA&cursor=c1&limit=10",
        "/work/queue?view=due&limit=20",
    ]


@needs_node
def test_a_post_shows_time_left_before_its_deadline_and_overdue_after_only_in_the_unanswered_views() -> None:
    now = "Date.parse('2026-12-03T08:00:00Z')"
    script = (
        "[['2026-12-03T08:10:00Z', 'due'], ['2026-12-03T07:30:00Z', 'overdue'], ['2026-12-03T07:30:00Z', 'resolved'],"
        f" [null, 'due']].map(([due, view]) => m.clock({{first_response_due: due}}, view, {now}))"
    )
    assert run_module("work-logic.js", script) == [
        {"kind": "left", "ms": 600_000},
        {"kind": "overdue", "ms": 1_800_000},
        {"kind": "none", "ms": 0},
        {"kind": "none", "ms": 0},
    ]


@needs_node
def test_a_refresh_keeps_the_posts_loaded_further_down_unless_the_view_now_ends_on_its_first_page() -> None:
    script = (
        "(() => { const p = (ids) => ids.map((id) => ({id}));"
        " const ids = (posts) => posts.map((x) => x.id);"
        " return [ids(m.mergeRefresh(p(['a','b','c','d']), p(['b','e']), false)),"
        " ids(m.mergeRefresh(p(['a','b','c','d']), p(['b','e']), true)),"
        " ids(m.appendPage(p(['a','b']), p(['b','c'])))]; })()"
    )
    assert run_module("work-logic.js", script) == [["b", "e", "c", "d"], ["b", "e"], ["a", "b", "c"]]


@needs_node
def test_leaders_admins_and_the_command_center_see_every_unit_and_a_station_officer_only_theirs() -> None:
    units = [{"id": "cc", "kind": "command_center"}, {"id": "st", "kind": "station"}]
    script = (
        f"(() => {{ const units = {json.dumps(units)};"
        " return [m.seesEveryUnit({role: 'leader'}, units), m.seesEveryUnit({role: 'admin'}, units),"
        " m.seesEveryUnit({role: 'officer', unit: {id: 'cc'}}, units),"
        " m.seesEveryUnit({role: 'officer', unit: {id: 'st'}}, units), m.seesEveryUnit({role: 'officer'}, units),"
        " m.isPolice({role: 'citizen'}), m.isPolice({role: 'officer'})]; })()"
    )
    assert run_module("work-logic.js", script) == [True, True, True, False, False, False, True]


@needs_node
def test_a_sign_in_failure_asks_for_the_second_factor_only_when_the_api_speaks_of_it() -> None:
    errors = [
        {"code": "totp_required"},
        {"code": "unauthenticated", "fields": {"totp": "required"}},
        {"code": "unauthenticated", "serverMessage": "需要二次验证"},
        {"code": "unauthenticated", "serverMessage": "验证码错误，还可尝试 2 次"},
        {"code": "rate_limited"},
    ]
    assert run_module("work-logic.js", f"{json.dumps(errors)}.map(m.needsSecondFactor)") == [
        True,
        True,
        True,
        False,
        False,
    ]
