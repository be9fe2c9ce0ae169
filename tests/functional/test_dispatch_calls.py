"""What one dispatch costs in DynamoDB calls: a behaviour and cost contract (issue 19), counted on moto.

A dispatch reads the post, the routing, and the unit with its officers (one Query), assigns the post and adds
its figures in one transaction, claims the officers' notices in one, reads their contacts in one batch, writes
their reply links in one and confirms the notices in one; the author's contact tells whether there is anything
to say by WeChat. Nine calls, however many officers the unit has.
"""

from __future__ import annotations

import json

from bench.counting import CallRecorder, Calls
from tests.conftest import DIRECTORY, Api, officer_messages
from tests.posting import new_post

KUNQU_OFFICER, KUNQU_SECOND = "13900000003", "13900000006"
QUESTION = {"board": "qa", "type": "question", "title": "户口迁移", "body": "请问要带什么材料", "district": None}


def dispatch_measured(api: Api, post_id: str) -> Calls:
    recorder = CallRecorder()
    recorder.attach_app_clients()
    body = json.dumps({"kind": "dispatch", "post_id": post_id})
    event = api.client.events.generate_sqs_event(queue_name="police24-dispatch", message_bodies=[body])
    with recorder.recording() as calls:
        api.client.lambda_.invoke("dispatch_post", event)
    return calls


def test_a_dispatch_to_a_unit_of_two_officers_makes_at_most_nine_dynamodb_calls_and_tells_each_once(
    api: Api, directory: dict, aws: dict[str, str]
) -> None:
    second = {"name": "赵警官", "title": "社区民警", "phone": KUNQU_SECOND, "unit_id": "kunqu", "on_duty": True}
    assert api.admin("PUT", "/admin/officers/o-kunqu-2", {"role": "officer", **second})[0] == 200
    rules = [*DIRECTORY["routing"]["rules"], {"board": "qa", "unit_id": "kunqu"}]
    assert api.admin("PUT", "/admin/routing", {"rules": rules})[0] == 200
    created = new_post(api, api.sign_in("13812345678"), **QUESTION)

    calls = dispatch_measured(api, created["id"])
    again = dispatch_measured(api, created["id"])  # delivered twice: nothing more is sent

    assert api.call("GET", f"/posts/{created['id']}")[1]["post"]["status"] == "dispatched"
    assert len(officer_messages(KUNQU_OFFICER)) == 1 and len(officer_messages(KUNQU_SECOND, "o-kunqu-2")) == 1
    assert len(calls.dynamodb) <= 9, calls.summary()
    assert len(again.dynamodb) <= 9, again.summary()
    assert calls.count("sns", "Publish") == 2 and again.count("sns", "Publish") == 0
