"""Open311 on fakes: the mapping of posts to requests, the filters, partner keys and filing for a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import open311 as o311
from chalicelib.domain import open311_filters as filters
from chalicelib.domain.errors import Forbidden, NotFound, TooManyRequests, ValidationFailed
from chalicelib.domain.people import User
from chalicelib.domain.posts import Event, Post, UnitRef, Via
from chalicelib.domain.times import CST
from chalicelib.services.limits import Limits, LimitSettings
from tests.fakes import (
    FixedClock,
    InMemoryAuditLog,
    InMemoryCounters,
    InMemoryPartnerKeyRepository,
    InMemoryPostRepository,
    InMemoryUserRepository,
    RecordingSmsSender,
)
from tests.unit.world import ADMIN, DISTRICTS, OFFICERS, a_post, build_services

NOW = datetime(2026, 3, 13, 8, 5, tzinfo=UTC)


def make_post(number: int = 1, **fields: Any) -> Post:
    at = fields.pop("created_at", NOW - timedelta(minutes=number))
    values: dict[str, Any] = {
        "id": f"p{number:04d}",
        "board": "report",
        "type": "report",
        "title": "有人卖假药",
        "body": "电话13812345678,身份证11010519491231002X",
        "author_id": "u-1",
        "first_response_due": at + timedelta(minutes=15),
    }
    return a_post(at, **{**values, **fields})


def event(post_at: datetime, minutes: int, kind: str, ident: str) -> Event:
    return Event(id=ident, at=post_at + timedelta(minutes=minutes), kind=kind, text=f"{kind} 13812345678")


class World:
    """Open311 and partner keys bound to fakes, with a clock that stands at NOW."""

    def __init__(self, settings: LimitSettings | None = None) -> None:
        self.clock = FixedClock(NOW)
        self.posts = InMemoryPostRepository()
        self.users = InMemoryUserRepository()
        self.counters = InMemoryCounters()
        self.limits = Limits(self.counters, settings or LimitSettings.parse("off"))
        self.sms = RecordingSmsSender()
        self.audit = InMemoryAuditLog()
        self.keys = InMemoryPartnerKeyRepository()
        built = build_services(
            posts=self.posts,
            users=self.users,
            clock=self.clock,
            limits=self.limits,
            sms=self.sms,
            audit=self.audit,
            partner_keys=self.keys,
        )
        self.forum, self.identity, self.open311, self.partners = (
            built.forum,
            built.identity,
            built.open311,
            built.partners,
        )
        self.directory, self.queue = built.directory, built.queue

    def store(self, *posts: Post) -> None:
        for post in posts:
            self.posts.add(post, Event(id=f"e{post.id}", at=post.created_at, kind="received", text="已收悉"))


def submission(**fields: Any) -> o311.Submission:
    values: dict[str, Any] = {
        "service_code": "report",
        "description": "小区门口有人卖假药\n每天晚上八点",
        "phone": "13811112222",
        "type": "report",
        "district": "昆都仑区",
    }
    return o311.Submission(**{**values, **fields})


# -- the mapping --------------------------------------------------------------------------------


def test_title_is_the_first_non_empty_line_cut_to_100_characters() -> None:
    assert submission(description="\n  第一行  \n第二行").title == "第一行"
    assert submission(description="长" * 150).title == "长" * 100


def test_a_district_named_in_the_address_is_found() -> None:
    assert filters.district_in("内蒙古包头市东河区巴彦塔拉大街", DISTRICTS) == "东河区"
    assert filters.district_in("北京市朝阳区", DISTRICTS) is None


@pytest.mark.parametrize(
    ("type_", "urgent", "notice"),
    [
        ("report", False, "民警将在15分钟内首次回复"),
        ("question", False, "民警将在1小时内首次回复"),
        ("help", True, "民警将在5分钟内首次回复"),
        ("publicity", False, None),
    ],
)
def test_the_service_notice_is_the_first_reply_promise(type_: str, urgent: bool, notice: str | None) -> None:
    post = make_post(
        type=type_, urgent=urgent, first_response_due=Post.first_response_due_for(type_, NOW, urgent), created_at=NOW
    )
    assert o311.service_notice(post) == notice


def test_a_request_is_masked_and_maps_our_lifecycle() -> None:
    post = make_post(
        status="resolved",
        assigned_unit=UnitRef(id="kunqu", name="昆都仑区公安分局"),
        latest_official_reply="已核实,请拨打13812345678联系",
        district="昆都仑区",
    )
    out = o311.request_out(post)
    assert out["status"] == "closed"
    assert out["description"] == "电话138****5678,身份证1***************2X"
    assert out["status_notes"] == "已核实,请拨打138****5678联系"
    assert out["agency_responsible"] == "昆都仑区公安分局"
    assert out["service_name"] == "随手举报" and out["address"] == "昆都仑区"
    assert out["requested_datetime"].endswith("+08:00") and out["expected_datetime"].endswith("+08:00")
    for status in ("received", "dispatched", "acknowledged", "in_progress", "reopened"):
        assert o311.request_out(make_post(status=status))["status"] == "open"


def test_status_notes_keep_the_published_contacts_they_quote() -> None:
    world = World()
    desk = OFFICERS[2].model_copy(
        update={"id": "o-desk", "name": "接待员", "phone": "13900009999", "public_contact": "13700001111"}
    )
    world.directory.put_officer(desk)  # a community officer of 昆都仑区 who publishes a contact number
    post = make_post(latest_official_reply="请联系13700001111,或您留下的13812345678")
    exempt = world.open311.published_numbers([post, make_post(2)])
    assert exempt == ("13700001111",)
    assert o311.request_out(post, exempt)["status_notes"] == "请联系13700001111,或您留下的138****5678"
    assert world.open311.published_numbers([make_post(3, latest_official_reply="已处理")]) == ()


def test_a_police_only_request_is_a_stub_without_description_or_notes() -> None:
    out = o311.request_out(make_post(visibility="police_only", latest_official_reply="已出警"))
    assert out["description"] is None and out["status_notes"] is None
    assert out["service_request_id"] == "p0001" and out["status"] == "open"


def test_the_description_is_cut_to_4000_characters() -> None:
    assert len(o311.request_out(make_post(body="字" * 5000))["description"]) == 4000


def test_updates_carry_the_status_right_after_each_entry() -> None:
    post = make_post(status="in_progress")
    at = post.created_at
    events = [
        event(at, 0, "received", "e1"),
        event(at, 1, "dispatched", "e2"),
        event(at, 2, "resolved", "e3"),
        event(at, 3, "replied", "e4"),
        event(at, 4, "reopened", "e5"),
        event(at, 5, "in_progress", "e6"),
    ]
    updates = o311.updates_of(post, events)
    assert [(u.event.id, u.status) for u in updates] == [
        ("e6", "open"),
        ("e5", "open"),
        ("e4", "closed"),
        ("e3", "closed"),
        ("e2", "open"),
        ("e1", "open"),
    ]
    out = o311.update_out(updates[0])
    assert out["description"] == "in_progress 138****5678" and out["external_status_code"] == "in_progress"


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("received", "已收悉"),
        ("dispatched", "已分派至昆都仑区公安分局"),
        ("transferred", "已转交昆都仑区公安分局"),
        ("acknowledged", "状态改为已受理"),
        ("in_progress", "状态改为处置中"),
        ("resolved", "状态改为已办结"),
        ("reopened", "状态改为重新办理"),
        ("replied", "民警已回复"),
        ("escalated", "已提请督办"),
        ("rated", "发帖人已评价"),
        ("cad_accepted", "110指挥中心已接警"),
        ("cad_closed", "警情已处置完毕"),
        ("something_new", "状态已更新"),
    ],
)
def test_an_update_of_a_police_only_post_says_what_happened_never_the_note(kind: str, says: str) -> None:
    post = make_post(visibility="police_only")
    note = Event(
        id="e1",
        at=post.created_at,
        kind=kind,
        text="王警官将状态改为已受理:线人住在13812345678隔壁",
        unit=UnitRef(id="kunqu", name="昆都仑区公安分局"),
    )
    [update] = o311.updates_of(post, [note])
    assert o311.update_out(update)["description"] == says
    assert o311.update_out(o311.updates_of(make_post(), [note])[0])["description"] == (
        "王警官将状态改为已受理:线人住在138****5678隔壁"
    )


# -- the filters ------------------------------------------------------------------------------


def test_the_window_defaults_to_the_last_90_days() -> None:
    window = filters.parse_window({}, NOW)
    assert (window.start, window.end) == (NOW - timedelta(days=90), NOW)


def test_a_window_with_one_end_runs_90_days_from_it_but_not_past_now() -> None:
    start = filters.parse_window({"start_date": "2026-03-01T00:00:00Z"}, NOW)
    assert (start.start, start.end) == (datetime(2026, 3, 1, tzinfo=UTC), NOW)
    end = filters.parse_window({"end_date": "2026-03-01T00:00:00+08:00"}, NOW)
    assert end.end == datetime(2026, 3, 1, tzinfo=CST) and end.end - end.start == timedelta(days=90)
    naive = filters.parse_window({"start_date": "2026-03-01T00:00:00"}, NOW)
    assert naive.start == datetime(2026, 3, 1, tzinfo=CST)


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "2026-03-02T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
        {"start_date": "yesterday"},
    ],
)
def test_a_bad_or_too_long_window_is_refused(params: dict[str, str]) -> None:
    with pytest.raises(ValidationFailed):
        filters.parse_window(params, NOW)


_W3C_TIMES = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none() | st.timezones()
).map(lambda d: d.isoformat())


@settings(max_examples=200, deadline=None)
@given(start=st.none() | st.text(max_size=40) | _W3C_TIMES, end=st.none() | st.text(max_size=40) | _W3C_TIMES)
def test_any_start_and_end_give_a_bounded_window_or_a_validation_error(start: str | None, end: str | None) -> None:
    params = {name: value for name, value in (("start_date", start), ("end_date", end)) if value is not None}
    try:
        window = filters.parse_window(params, NOW)
    except ValidationFailed:
        return
    assert filters.EARLIEST - filters.WINDOW <= window.start <= window.end < filters.LATEST
    assert window.end - window.start <= filters.WINDOW


def test_ids_override_every_other_filter() -> None:
    query = filters.parse_request_query({"service_request_id": "p1, p2,p1", "status": "bogus"}, NOW)
    assert query.ids == ("p1", "p2") and query.window is None


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"status": "pending"}, ValidationFailed),
        ({"service_code": "report,parking"}, NotFound),
        ({"service_request_id": ",".join(f"p{n}" for n in range(101))}, ValidationFailed),
        ({"service_request_id": "p1;drop"}, ValidationFailed),
    ],
)
def test_bad_filters_are_refused(params: dict[str, str], error: type[Exception]) -> None:
    with pytest.raises(error):
        filters.parse_request_query(params, NOW)


def test_requests_are_public_newest_first_and_filtered() -> None:
    world = World()
    old, resolved, hidden, other = (
        make_post(1),
        make_post(2, status="resolved"),
        make_post(3, hidden=True),
        make_post(4, board="traffic"),
    )
    world.store(old, resolved, hidden, other)
    window = filters.parse_window({}, NOW)
    ids = [p.id for p in world.open311.requests(filters.RequestQuery(window=window))]
    assert ids == ["p0001", "p0002", "p0004"]
    closed = filters.RequestQuery(window=window, statuses=frozenset({"closed"}))
    assert [p.id for p in world.open311.requests(closed)] == ["p0002"]
    boards = filters.RequestQuery(window=window, service_codes=("traffic", "report"))
    assert [p.id for p in world.open311.requests(boards)] == ["p0001", "p0002", "p0004"]
    by_id = filters.RequestQuery(ids=("p0003", "p0004", "nope"))
    assert [p.id for p in world.open311.requests(by_id)] == ["p0004"]
    with pytest.raises(NotFound):
        world.open311.request("p0003")


def test_at_most_1000_requests_are_listed() -> None:
    world = World()
    world.store(*(make_post(n, created_at=NOW - timedelta(seconds=n)) for n in range(1, 1003)))
    found = world.open311.requests(filters.RequestQuery(window=filters.parse_window({}, NOW)))
    assert len(found) == 1000 and found[0].id == "p0001"


def test_updates_of_hidden_posts_never_show() -> None:
    world = World()
    world.store(make_post(1), make_post(2, hidden=True))
    window = filters.parse_window({}, NOW)
    assert [u.post_id for u in world.open311.updates((), window)] == ["p0001"]
    assert [u.post_id for u in world.open311.updates(("p0001", "p0002"), None)] == ["p0001"]


# -- partner keys -------------------------------------------------------------------------------


def test_a_key_is_shown_once_and_only_its_hash_is_kept() -> None:
    world = World()
    key, api_key = world.partners.issue("12345平台", by=ADMIN)
    secret = api_key.split(".", 1)[1]
    assert len(secret) >= 43  # 32 random bytes
    assert secret not in repr(world.keys.keys) and world.keys.keys[key.id].secret_hash != secret
    assert world.partners.admit(api_key) == key
    assert ("o-admin", "api_key_issue", f"api_key:{key.id}") in world.audit.actions()


@pytest.mark.parametrize("presented", [None, "", 42, "no-dot", "pkunknown.secret", "x" * 300])
def test_a_missing_unknown_or_malformed_key_is_refused(presented: object) -> None:
    world = World()
    world.partners.issue("12345平台", by=ADMIN)
    with pytest.raises(Forbidden):
        world.partners.admit(presented)


def test_a_key_with_a_wrong_secret_or_revoked_is_refused() -> None:
    world = World()
    key, api_key = world.partners.issue("12345平台", by=ADMIN)
    with pytest.raises(Forbidden):
        world.partners.admit(f"{key.id}.wrong")
    world.partners.revoke(key.id, by=ADMIN)
    world.partners.revoke(key.id, by=ADMIN)
    with pytest.raises(Forbidden):
        world.partners.admit(api_key)
    with pytest.raises(NotFound):
        world.partners.revoke("pkmissing", by=ADMIN)


# -- filing ---------------------------------------------------------------------------------------


def test_a_request_is_filed_for_the_phones_account_and_dispatched() -> None:
    world = World()
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    post = world.open311.submit(key, submission())
    user = world.users.by_phone("13811112222")
    assert user is not None and post.author_id == user.id and post.author_nickname == user.nickname
    assert (post.board, post.type, post.district, post.title) == ("report", "report", "昆都仑区", "小区门口有人卖假药")
    assert post.body == "小区门口有人卖假药\n每天晚上八点"
    assert world.queue.post_ids == [post.id]
    again = world.open311.submit(key, submission(description="又来了"))
    assert again.author_id == user.id


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"service_code": "parking"}, NotFound),
        ({"service_code": "online-lawyer"}, ValidationFailed),
        ({"type": "publicity"}, ValidationFailed),
        ({"district": "朝阳区"}, ValidationFailed),
    ],
)
def test_a_refused_request_counts_towards_no_limit(fields: dict[str, Any], error: type[Exception]) -> None:
    world = World(LimitSettings.parse("partner_posts_per_hour=1"))
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    with pytest.raises(error):
        world.open311.submit(key, submission(**fields))
    assert world.counters.uses == {} and world.posts.posts == {}
    world.open311.submit(key, submission())


def test_a_partner_key_is_rate_limited_per_hour() -> None:
    world = World(LimitSettings.parse("partner_posts_per_hour=2,posts_per_day=0,posts_first_day=0,post_interval=0"))
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    other, _ = world.partners.issue("市长热线", by=ADMIN)
    world.open311.submit(key, submission(phone="13811110001"))
    world.open311.submit(key, submission(phone="13811110002"))
    with pytest.raises(TooManyRequests) as refused:
        world.open311.submit(key, submission(phone="13811110003"))
    assert 0 < refused.value.retry_after <= 3600
    world.open311.submit(other, submission(phone="13811110003"))
    world.clock.advance(hours=1)
    world.open311.submit(key, submission(phone="13811110004"))


def test_the_posting_limits_of_the_phones_account_apply() -> None:
    world = World(LimitSettings.parse("posts_first_day=1,post_interval=0,duplicate_window=0"))
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    world.open311.submit(key, submission())
    with pytest.raises(TooManyRequests):
        world.open311.submit(key, submission(description="第二条"))


@pytest.mark.parametrize("phone", ["13900000003", "+86 139-0000-0003", "13900000001"])
def test_a_partner_may_never_file_for_an_officers_phone(phone: str) -> None:
    world = World()
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    with pytest.raises(ValidationFailed) as refused:
        world.open311.submit(key, submission(phone=phone))
    assert "phone" in refused.value.fields
    assert world.posts.posts == {} and world.users.users == {}


def test_a_partner_post_says_which_partner_filed_it() -> None:
    world = World()
    key, _ = world.partners.issue("12345政务服务便民热线", by=ADMIN)
    post = world.open311.submit(key, submission())
    assert post.via == Via(key_id=key.id, name="12345政务服务便民热线")
    assert world.posts.get(post.id) == post
    [received] = world.posts.events[post.id].values()
    assert received.text == "已收悉（经12345政务服务便民热线提交），正在分派处置单位"


def test_an_account_a_partner_opens_is_unverified_until_its_phone_signs_in() -> None:
    world = World()
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    post = world.open311.submit(key, submission(phone="13811119999"))
    opened = world.users.by_phone("13811119999")
    assert opened is not None and opened.verified is False and post.author_id == opened.id
    world.identity.request_code("13811119999")
    code = re.findall(r"\d{6}", world.sms.texts_to("13811119999")[-1])[0]
    session = world.identity.sign_in("13811119999", code)
    assert session.user.id == opened.id and session.user.verified is True
    assert world.users.by_phone("13811119999") == world.users.get(opened.id) == session.user
    world.open311.submit(key, submission(phone="13811119999", description="第二条"))
    assert world.users.get(opened.id) == session.user


def test_a_partner_filing_for_a_known_citizen_keeps_the_account_as_it_is() -> None:
    world = World()
    known = world.users.create(User(id="u_known", phone="13811118888", nickname="老王", created_at=NOW.isoformat()))
    key, _ = world.partners.issue("12345平台", by=ADMIN)
    post = world.open311.submit(key, submission(phone="13811118888"))
    assert (post.author_id, post.author_nickname) == ("u_known", "老王")
    assert world.users.get("u_known") == known
