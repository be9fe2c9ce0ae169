"""Dispatch on fakes, through the bootstrap: which unit a post goes to, who hears of it, and only once."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Unavailable
from chalicelib.domain.people import Officer, Routing, RoutingRule
from chalicelib.services.dispatch import post_number
from tests import fakes
from tests.unit.services import CITIZEN_PHONE, TIP_OFF, WECHAT_TEMPLATE, station
from tests.unit.world import CITIZEN, KUNQU_OFFICER, LEADER

QUESTION = NewPost(board="qa", type="question", title="户口迁移要带什么", body="请问需要哪些材料")
PHISHING = NewPost(
    board="report", type="report", title="点击 http://evil.example 领取补贴", body="速领过期作废", district="昆都仑区"
)


def test_a_tip_off_goes_to_its_districts_unit_with_a_dispatched_event_and_its_officer_hears_once() -> None:
    s = station()
    post = s.post()

    assert s.deliver() == 1

    detail = s.detail(post.id)
    assert detail.post.status == "dispatched"
    assert detail.post.assigned_unit is not None and detail.post.assigned_unit.id == "kunqu"
    event = detail.events[-1]
    assert (event.kind, event.text) == ("dispatched", "已分派至昆都仑区公安分局")
    assert event.unit is not None and event.unit.id == "kunqu"
    assert len(s.notices_to("o-kunqu")) == 1
    assert s.notices_to("o-qingfu") == [] and s.notices_to("o-center") == []


def test_another_district_goes_to_its_own_station() -> None:
    s = station()
    post = s.post(new=replace(TIP_OFF, district="东河区"))

    s.deliver()

    assigned = s.detail(post.id).post.assigned_unit
    assert assigned is not None and assigned.id == "qingfu"
    assert len(s.notices_to("o-qingfu")) == 1 and s.notices_to("o-kunqu") == []


def test_a_post_no_rule_matches_goes_to_the_command_centers_on_duty_officers() -> None:
    s = station()
    post = s.post(new=QUESTION)

    s.deliver()

    assigned = s.detail(post.id).post.assigned_unit
    assert assigned is not None and assigned.id == "command-center"
    assert len(s.notices_to("o-chief")) == 1 and len(s.notices_to("o-center")) == 1
    assert s.notices_to("o-admin") == []  # off duty


def test_a_post_whose_rule_names_a_unit_no_longer_in_the_directory_goes_to_the_command_center_once() -> None:
    s = station()
    s.directory.put_routing(Routing(rules=(RoutingRule(board="qa", unit_id="disbanded-station"),)))
    post = s.post(new=QUESTION)

    s.deliver()
    s.clock.advance(minutes=3)
    swept = s.svc.supervision.sweep()

    assigned = s.detail(post.id).post.assigned_unit
    assert assigned is not None and assigned.id == "command-center"
    assert s.timeline(post.id) == ["received", "dispatched"]
    assert (swept.requeued, s.queue.messages) == (0, [])  # not round the queue again
    assert len(s.notices_to("o-chief")) == 1 and len(s.notices_to("o-center")) == 1


def test_a_message_delivered_three_times_assigns_once_and_notifies_once() -> None:
    s = station()
    post = s.post()
    message = {"kind": "dispatch", "post_id": post.id}

    for _ in range(3):
        s.svc.dispatcher.handle(message)

    assert s.timeline(post.id) == ["received", "dispatched"]
    assert len(s.notices_to("o-kunqu")) == 1


def test_a_notice_that_failed_to_send_is_sent_once_when_the_message_comes_back() -> None:
    s = station()
    post = s.post()
    s.sms.failing = True  # the officer's one channel (no WeChat, no e-mail)

    with pytest.raises(Unavailable):
        s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})  # SQS will deliver it again
    s.sms.failing = False
    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})
    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})

    assert s.timeline(post.id) == ["received", "dispatched"]
    assert len(s.notices_to("o-kunqu")) == 1


def test_the_officers_sms_names_board_number_and_deadline_with_the_fixed_workbench_link_only() -> None:
    s = station()
    post = s.post(new=PHISHING)

    s.deliver()

    (notice,) = s.notices_to("o-kunqu")  # no WeChat, no e-mail: an SMS from the approved template
    assert notice.startswith("【24小时警局】新警情待处理") and "首次回复时限" in notice
    assert f"编号{post_number(post.id)}" in notice
    assert notice.endswith("请登录警务工作台处理：http://127.0.0.1:8000/work.html")  # never a per-post link
    assert "reply.html" not in notice and "#t=" not in notice
    for words in ("evil", "点击", "领取补贴", "速领"):
        assert words not in notice


def test_an_officer_on_wechat_gets_the_reply_link_there_and_no_sms() -> None:
    s = station()
    s.contacts.bind("o-kunqu", "o-wx-kunqu", s.clock.now(), stamp="")
    post = s.post(new=PHISHING)

    s.deliver()

    (message,) = s.wechat.to("o-wx-kunqu")
    assert message.template_id == WECHAT_TEMPLATE
    assert message.fields["thing1"] == "随手举报 昆都仑区"  # the board and the district, never the title
    assert message.fields["character_string2"] == post_number(post.id)
    assert message.fields["phrase3"] == "待处理"
    assert re.fullmatch(r"http://127\.0\.0\.1:8000/reply\.html#t=\S+", message.url)
    assert s.sms.texts_to("13900000003") == []
    for words in ("evil", "点击", "领取补贴", "速领"):
        assert all(words not in value for value in message.fields.values())


def test_the_author_is_told_once_per_official_reply_and_never_of_their_own() -> None:
    s = station()
    post = s.post()
    s.deliver()

    reply, _ = s.svc.forum.reply(KUNQU_OFFICER, post.id, "民警已出发")
    s.svc.forum.reply(CITIZEN, post.id, "我补充一下情况")
    s.deliver()
    s.svc.dispatcher.handle({"kind": "official_reply", "post_id": post.id, "reply_id": reply.id})  # redelivered

    answers = [text for text in s.sms.texts_to(CITIZEN_PHONE) if "回复" in text]
    assert answers == [
        f"【24小时警局】您发布的帖子（编号{post_number(post.id)}）有了民警回复，请到“我的”查看：http://127.0.0.1:8000"
    ]


def test_the_authors_follow_up_goes_to_the_officer_who_answered_once() -> None:
    s = station()
    post = s.post()
    s.deliver()
    s.svc.forum.reply(KUNQU_OFFICER, post.id, "请问具体位置？")
    s.deliver()

    follow_up, _ = s.svc.forum.reply(CITIZEN, post.id, "在东门")
    s.deliver()
    s.svc.dispatcher.handle({"kind": "follow_up", "post_id": post.id, "reply_id": follow_up.id})

    notices = s.notices_to("o-kunqu")
    assert len(notices) == 2 and notices[1].startswith(f"【24小时警局】发帖人补充：编号{post_number(post.id)}")


def test_a_police_notice_is_not_dispatched() -> None:
    s = station()
    notice = s.post(LEADER, NewPost(board="anti-drug", type="publicity", title="禁毒知识", body="远离毒品。"))

    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": notice.id})

    assert s.timeline(notice.id) == ["received"]
    assert s.officers.notices == []


@pytest.mark.parametrize("message", [{"kind": "dispatch"}, {"kind": "bogus", "post_id": "p1"}])
def test_a_message_the_worker_cannot_read_is_raised_for_sqs_to_retry(message: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        station().svc.dispatcher.handle(message)


def test_a_message_for_a_missing_post_changes_nothing() -> None:
    s = station()

    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": "p-missing"})

    assert s.officers.notices == [] and s.sms.sent == []


class MeetingSms(fakes.RecordingSmsSender):
    """An SMS gateway where each send waits for the others of its round: it only gets through if they run at once."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.meeting = threading.Barrier(parties, timeout=5)

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        self.meeting.wait()  # BrokenBarrierError (the message fails) if the officers are notified one by one
        super().send(phone, template, params)


def test_a_units_officers_are_notified_at_once_not_one_after_another() -> None:
    s = station(sms=MeetingSms(3))
    for number in (1, 2):  # the 昆都仑区 station gets two more officers on duty: three notices in one round
        s.directory.put_officer(
            Officer(
                id=f"o-kunqu-{number}", name=f"警官{number}", title="民警", phone=f"1390000010{number}", unit_id="kunqu"
            )
        )
    post = s.post()

    s.deliver()

    assert [len(s.notices_to(o)) for o in ("o-kunqu", "o-kunqu-1", "o-kunqu-2")] == [1, 1, 1]
    assert s.timeline(post.id) == ["received", "dispatched"]


def test_one_officers_failed_notice_does_not_keep_the_others_from_theirs() -> None:
    s = station()
    s.directory.put_officer(Officer(id="o-kunqu-1", name="警官1", title="民警", phone="13900000101", unit_id="kunqu"))
    post = s.post()
    send = s.sms.send

    def fails_for_one(phone: str, template: str, params: dict[str, str]) -> None:
        if phone == "13900000003":
            raise Unavailable("短信网关繁忙")
        send(phone, template, params)

    s.sms.send = fails_for_one  # type: ignore[method-assign]
    with pytest.raises(Unavailable):
        s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})  # SQS delivers it again
    assert len(s.notices_to("o-kunqu-1")) == 1 and s.notices_to("o-kunqu") == []
    s.sms.send = send  # type: ignore[method-assign]
    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})
    assert len(s.notices_to("o-kunqu")) == 1 and len(s.notices_to("o-kunqu-1")) == 1  # each once
