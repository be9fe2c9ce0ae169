"""Official replies keep the published contacts of units and officers; everything else public is masked."""

from __future__ import annotations

from typing import Any

from chalicelib.api.render import reply_out
from chalicelib.domain.people import Actor, Officer, Unit
from chalicelib.domain.posts import NewPost
from tests.fakes import InMemoryDirectoryRepository
from tests.unit.world import ANONYMOUS, CITIZEN, KUNQU_OFFICER, OTHER_CITIZEN, build_forum, seeded_directory

QUESTION = NewPost(board="qa", type="question", title="户口迁移", body="要带什么材料?")
ANSWER = "请拨打本所电话138-0000-1111,或找王警官１３９ ００００ ９９９９。您留的电话13812345678我们已记录。"


class CountingDirectory(InMemoryDirectoryRepository):
    """The directory, counting the reads of its whole lists."""

    def __init__(self, source: InMemoryDirectoryRepository) -> None:
        super().__init__()
        self.unit_map, self.officer_map, self.rules = source.unit_map, source.officer_map, source.rules
        self.list_reads = 0

    def units(self) -> list[Unit]:
        self.list_reads += 1
        return super().units()

    def officers(self) -> list[Officer]:
        self.list_reads += 1
        return super().officers()


def directory_with_contacts() -> CountingDirectory:
    directory = CountingDirectory(seeded_directory())
    kunqu = directory.unit("kunqu")
    officer = directory.officer("o-kunqu")
    assert kunqu is not None and officer is not None
    directory.put_unit(kunqu.model_copy(update={"public_contact": "值班电话 13800001111"}))
    directory.put_officer(officer.model_copy(update={"public_contact": "0472-5110000 / 13900009999"}))
    return directory


def answered(text: str, by: Any = KUNQU_OFFICER) -> tuple[Any, Any, CountingDirectory]:
    directory = directory_with_contacts()
    forum = build_forum(directory=directory)
    post = forum.create_post(CITIZEN, QUESTION)
    directory.list_reads = 0
    reply, post = forum.reply(by, post.id, text)
    return reply, post, directory


def test_an_official_reply_keeps_the_published_contacts_it_quotes() -> None:
    reply, _, _ = answered(ANSWER)
    assert reply.exempt == ("13800001111", "13900009999")


def test_the_public_sees_the_contacts_but_not_the_citizens_phone() -> None:
    reply, post, _ = answered(ANSWER)
    elsewhere = Actor(
        role="officer", user_id="o-qingfu", nickname="李警官", officer_id="o-qingfu", link_post_id="another-post"
    )  # an officer's link session for another post
    for viewer in (ANONYMOUS, OTHER_CITIZEN, elsewhere):
        shown = reply_out(reply, post, viewer).body
        assert "138-0000-1111" in shown and "１３９ ００００ ９９９９" in shown
        assert "13812345678" not in shown and "138****5678" in shown
        assert len(shown) == len(ANSWER)
    assert reply_out(reply, post, CITIZEN).body == ANSWER  # the author sees it as written
    assert reply_out(reply, post, KUNQU_OFFICER).body == ANSWER


def test_a_reply_without_numbers_does_not_read_the_directory_lists() -> None:
    reply, _, directory = answered("已收到,我们会尽快处理。")
    assert reply.exempt == () and directory.list_reads == 0


def test_a_citizens_reply_exempts_nothing_and_reads_no_directory() -> None:
    reply, post, directory = answered("我也打过13800001111", by=OTHER_CITIZEN)
    assert reply.exempt == () and directory.list_reads == 0
    assert "138****1111" in reply_out(reply, post, ANONYMOUS).body


def test_a_number_that_is_not_published_is_masked_even_from_an_officer() -> None:
    reply, post, _ = answered("嫌疑人电话13712345678")
    assert reply.exempt == ()
    assert reply_out(reply, post, ANONYMOUS).body == "嫌疑人电话137****5678"


def test_exempt_contacts_survive_storage_as_a_tuple() -> None:
    from chalicelib.adapters.dynamodb.items import reply_from, reply_item

    reply, _, _ = answered(ANSWER)
    assert reply_from(reply_item(reply)).exempt == reply.exempt
    older = {k: v for k, v in reply_item(reply).items() if k != "exempt"}  # stored before the field existed
    assert reply_from(older).exempt == ()
