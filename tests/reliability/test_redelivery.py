"""At-least-once delivery: repeated messages have one effect; poison ends in the DLQ and spares its neighbours."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from chalicelib.services.dispatch import post_number
from tests.conftest import Api, officer_messages
from tests.posting import new_post
from tests.reliability.conftest import DispatchQueue, timeline

KUNQU_OFFICER, CHIEF, CENTER_OFFICER, QINGFU_OFFICER = "13900000003", "13900000001", "13900000002", "13900000004"
# (fields of a post, the phones of the on-duty officers its unit notifies)
POSTS: list[tuple[dict[str, Any], tuple[str, ...]]] = [
    ({"district": "昆都仑区"}, (KUNQU_OFFICER,)),
    ({"district": "东河区", "title": "电动车被盗"}, (QINGFU_OFFICER,)),
    ({"board": "qa", "type": "question", "district": None, "title": "户口迁移"}, (CHIEF, CENTER_OFFICER)),
]


def invoke_three_times(queue: DispatchQueue, message: dict[str, Any], together: bool) -> None:
    """Hand one received message to the handler three times: one after another, or all at once."""
    from local.pump import sqs_event

    event = sqs_event([message], queue.binding.arn, "us-east-1")
    runs = [lambda: queue.binding.handler(event, None) for _ in range(3)]
    if together:
        gate = threading.Barrier(3)
        errors: list[BaseException] = []

        def run(call: Any) -> None:
            gate.wait()
            try:
                call()
            except Exception as error:  # noqa: BLE001 - the test asserts there were none
                errors.append(error)

        threads = [threading.Thread(target=run, args=(call,)) for call in runs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
    else:
        for call in runs:
            call()
    queue.sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.parametrize("how", ["one after another", "at the same time", "enqueued three times"])
def test_every_dispatch_message_delivered_three_times_has_one_effect(
    api: Api, directory: dict, queue: DispatchQueue, how: str, figures: dict[str, Any]
) -> None:
    resident = api.sign_in("13812345678")
    created = [new_post(api, resident, **fields) for fields, _ in POSTS]
    if how == "enqueued three times":
        for post in created:  # the app sent one message each; the same post goes on the queue twice more
            queue.send({"kind": "dispatch", "post_id": post["id"]})
            queue.send({"kind": "dispatch", "post_id": post["id"]})
        queue.drain()
        assert sorted(queue.deliveries.values()) == [1] * 3 * len(created)
    else:
        for _ in created:
            invoke_three_times(queue, queue.receive_one(), together=how == "at the same time")
    assert queue.depth() == 0 and queue.depth(queue.dlq_url) == 0

    for post, (_, phones) in zip(created, POSTS, strict=True):
        assert timeline(api, post["id"]).count("dispatched") == 1
        for phone in phones:
            notices = [m for m in officer_messages(phone) if f"编号{post_number(post['id'])}" in m]
            assert len(notices) == 1, (phone, notices)
    assert api.call("GET", "/stats")[1]["overall"]["assigned"] == len(created)
    figures.update(
        posts=len(created),
        deliveries_per_post=3,
        assigned=api.call("GET", "/stats")[1]["overall"]["assigned"],
        notices_per_officer_and_post=1,
    )


POISON = [
    "not json at all",
    json.dumps({"kind": "dispatch"}),  # no post id
    json.dumps({"kind": "teleport", "post_id": "p1"}),  # an unknown kind
    json.dumps(["a", "list"]),
]


def test_poison_messages_reach_the_dlq_after_three_receives_and_the_others_pass_once(
    api: Api, directory: dict, queue: DispatchQueue, figures: dict[str, Any]
) -> None:
    resident = api.sign_in("13812345678")
    good: list[dict[str, Any]] = []
    for index in range(16):  # posts whose messages the app sends, with poison mixed in between
        good.append(new_post(api, resident, title=f"线索{index:02d}"))
        if index % 4 == 1:
            queue.send(POISON[index // 4])

    queue.drain()

    poison_ids = [mid for mid, body in queue.bodies.items() if body in POISON]
    good_ids = [mid for mid in queue.deliveries if mid not in poison_ids]
    assert sorted(queue.dead_letters()) == sorted(POISON)
    assert [queue.deliveries[mid] for mid in poison_ids] == [3] * len(POISON)
    assert len(good_ids) == len(good) and all(queue.deliveries[mid] == 1 for mid in good_ids)
    assert queue.depth() == 0
    for post in good:
        assert timeline(api, post["id"]).count("dispatched") == 1
    notices = officer_messages(KUNQU_OFFICER)
    assert sorted(n for post in good for n in notices if f"编号{post_number(post['id'])}" in n) == sorted(notices)
    assert len(notices) == len(good)
    figures.update(
        good_messages=len(good),
        handled_each=max(queue.deliveries[m] for m in good_ids),
        poison_messages=len(POISON),
        poison_in_dlq=len(POISON),
        receives_before_dlq=max(queue.deliveries[m] for m in poison_ids),
    )
