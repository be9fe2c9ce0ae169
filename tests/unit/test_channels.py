"""Notices by channel, cheapest first: WeChat, then e-mail, then SMS; the next one when a channel fails or the
person has none; once per effect whichever channel carried it."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Unavailable
from chalicelib.domain.people import Officer
from chalicelib.services.dispatch import post_number
from tests.unit.services import CITIZEN_PHONE, WECHAT_TEMPLATE, Station, station
from tests.unit.world import CITIZEN, KUNQU_OFFICER

RESIDENT_WX = "o-wx-resident"
OFFICER_WX = "o-wx-kunqu"


def answered(s: Station) -> str:
    """A resident's tip-off, dispatched and answered by the unit's officer; return its id."""
    post = s.post()
    s.deliver()
    s.svc.forum.reply(KUNQU_OFFICER, post.id, "民警已出发")
    s.deliver()
    return post.id


def with_email(s: Station) -> None:
    officer = s.directory.officer("o-kunqu")
    assert officer is not None
    s.directory.put_officer(Officer(**{**officer.model_dump(), "email": "wang@example.org"}))


def test_a_resident_on_wechat_hears_of_the_answer_by_wechat_with_the_posts_link_and_gets_no_sms() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())

    post_id = answered(s)

    told = [m for m in s.wechat.to(RESIDENT_WX) if m.fields["phrase3"] == "民警已回复"]
    assert len(told) == 1 and told[0].template_id == WECHAT_TEMPLATE
    assert told[0].url == f"http://127.0.0.1:8000/#/post/{post_id}"
    assert told[0].fields["character_string2"] == post_number(post_id)
    assert s.sms.texts_to(CITIZEN_PHONE) == []


def test_a_resident_on_wechat_hears_of_each_status_and_is_asked_to_rate_by_wechat_only() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    post = s.post()
    s.deliver()

    for status in ("acknowledged", "in_progress", "resolved"):
        version = s.detail(post.id, KUNQU_OFFICER).post.version
        s.svc.lifecycle.change_status(KUNQU_OFFICER, post.id, status, version, None)
        s.deliver()

    states = [m.fields["phrase3"] for m in s.wechat.to(RESIDENT_WX)]
    assert states == ["已分派", "已受理", "处置中", "待评价"]
    assert s.sms.texts_to(CITIZEN_PHONE) == []


def test_a_resident_without_wechat_gets_answers_by_sms_but_never_a_status_change() -> None:
    s = station()
    post_id = answered(s)
    version = s.detail(post_id, KUNQU_OFFICER).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "in_progress", version, None)
    s.deliver()

    texts = s.sms.texts_to(CITIZEN_PHONE)
    assert len(texts) == 1 and "有了民警回复" in texts[0]
    assert "/#/post/" not in texts[0]  # an SMS carries only the fixed link


def test_a_resident_who_declined_wechat_notices_falls_back_to_sms_once() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    s.wechat.refusing.add(RESIDENT_WX)  # 43101: the user declined the subscription

    post_id = answered(s)
    s.svc.dispatcher.handle({"kind": "official_reply", "post_id": post_id, "reply_id": "again"})

    assert s.wechat.to(RESIDENT_WX) == []
    assert len([t for t in s.sms.texts_to(CITIZEN_PHONE) if "有了民警回复" in t]) == 1  # one SMS per post and round


def test_an_author_gets_one_sms_per_post_and_round_however_many_answers_and_again_once_reopened() -> None:
    s = station()
    post_id = answered(s)
    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已到现场")
    version = s.detail(post_id, KUNQU_OFFICER).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version, None)
    s.deliver()
    assert len(s.sms.texts_to(CITIZEN_PHONE)) == 1  # "police answered, see 我的": the rating waits there

    s.svc.lifecycle.feedback(CITIZEN, post_id, False, "人还在")
    s.deliver()
    version = s.detail(post_id, KUNQU_OFFICER).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version, None)
    s.deliver()

    texts = s.sms.texts_to(CITIZEN_PHONE)
    assert len(texts) == 2 and "已办结" in texts[1]  # a new round: one SMS again


def test_a_resident_who_chose_wechat_only_gets_no_sms_even_when_wechat_refuses() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    s.contacts.set_notify(CITIZEN.user_id, ("wechat",))
    s.wechat.refusing.add(RESIDENT_WX)

    answered(s)

    assert s.sms.texts_to(CITIZEN_PHONE) == [] and s.wechat.to(RESIDENT_WX) == []


def test_an_officer_on_wechat_who_has_email_too_gets_wechat_only() -> None:
    s = station()
    with_email(s)
    s.contacts.bind("o-kunqu", OFFICER_WX, s.clock.now())

    s.post()
    s.deliver()

    assert len(s.wechat.to(OFFICER_WX)) == 1
    assert s.officers.texts_to("o-kunqu") == [] and s.sms.texts_to("13900000003") == []


def test_when_wechat_is_down_an_officer_gets_email_and_the_notice_is_not_sent_twice() -> None:
    s = station()
    with_email(s)
    s.contacts.bind("o-kunqu", OFFICER_WX, s.clock.now())
    s.wechat.failing = True
    post = s.post()

    s.deliver()
    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post.id})  # redelivered

    (email,) = s.officers.texts_to("o-kunqu")
    assert "reply.html#t=" in email  # e-mail may carry the per-post link
    assert s.sms.texts_to("13900000003") == []


def test_an_officer_who_chose_email_only_is_still_reached_by_sms_when_there_is_no_address() -> None:
    s = station()
    s.contacts.set_notify("o-kunqu", ("email",))

    s.post()
    s.deliver()

    (text,) = s.sms.texts_to("13900000003")
    assert text.endswith("/work.html")


def test_when_every_channel_fails_the_message_is_retried_and_then_sent_once() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    post = s.post()
    s.deliver()
    s.wechat.failing, s.sms.failing = True, True
    reply, _ = s.svc.forum.reply(KUNQU_OFFICER, post.id, "民警已出发")
    message = {"kind": "official_reply", "post_id": post.id, "reply_id": reply.id}
    s.queue.messages.clear()

    with pytest.raises(Unavailable):
        s.svc.dispatcher.handle(message)
    s.wechat.failing = False
    s.svc.dispatcher.handle(message)
    s.svc.dispatcher.handle(message)

    answers = [m for m in s.wechat.to(RESIDENT_WX) if m.fields["phrase3"] == "民警已回复"]
    assert len(answers) == 1 and s.sms.texts_to(CITIZEN_PHONE) == []


def test_an_officers_wechat_bound_under_an_old_phone_is_not_used() -> None:
    s = station()
    s.contacts.bind("o-kunqu", OFFICER_WX, s.clock.now(), stamp="stamp-of-the-old-phone")

    s.post()
    s.deliver()

    assert s.wechat.to(OFFICER_WX) == []
    assert len(s.sms.texts_to("13900000003")) == 1
