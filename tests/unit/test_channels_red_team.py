"""Red team of the notices by channel (issue 16): the one-SMS-per-round gate must not lose a notice that
another channel (WeChat) can carry, now or once it recovers."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Unavailable
from tests.unit.services import CITIZEN_PHONE, station
from tests.unit.test_channels import RESIDENT_WX, answered
from tests.unit.world import CITIZEN, KUNQU_OFFICER


def test_a_resident_who_put_sms_first_still_hears_by_wechat_when_the_rounds_sms_went_out() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    s.contacts.set_notify(CITIZEN.user_id, ("sms", "wechat"))
    post_id = answered(s)  # the round's one SMS: "police answered"
    assert len(s.sms.texts_to(CITIZEN_PHONE)) == 1

    version = s.detail(post_id, KUNQU_OFFICER).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version, None)
    s.deliver()

    assert len(s.sms.texts_to(CITIZEN_PHONE)) == 1
    assert [m.fields["phrase3"] for m in s.wechat.to(RESIDENT_WX)][-1] == "待评价"  # not lost: WeChat carries it


def test_a_notice_wechat_failed_to_carry_is_retried_not_dropped_when_the_rounds_sms_went_out() -> None:
    s = station()
    s.contacts.bind(CITIZEN.user_id, RESIDENT_WX, s.clock.now())
    s.wechat.failing = True
    post_id = answered(s)  # WeChat down: the answer went by the round's one SMS
    assert len(s.sms.texts_to(CITIZEN_PHONE)) == 1

    version = s.detail(post_id, KUNQU_OFFICER).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version, None)
    message = s.queue.messages[-1]
    s.queue.messages.clear()
    handle = {"kind": message.kind, "post_id": message.post_id, **message.extra}
    with pytest.raises(Unavailable):  # nothing carried it: retried later, not recorded as told
        s.svc.dispatcher.handle(handle)
    s.wechat.failing = False
    s.svc.dispatcher.handle(handle)
    s.svc.dispatcher.handle(handle)

    assert [m.fields["phrase3"] for m in s.wechat.to(RESIDENT_WX)] == ["待评价"]
    assert len(s.sms.texts_to(CITIZEN_PHONE)) == 1
